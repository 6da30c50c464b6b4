"""Denoisers: exactness of the classical filters, the torch net against its numpy
oracle, the estimator's behaviour, metrics and bad input."""

import pickle

import numpy as np
import pytest
import scipy.signal
import torch
from sklearn.model_selection import GridSearchCV

from sknd.datasets import (
    make_piecewise_constant_signals,
    make_smooth_signals,
    make_spike_signals,
)
from sknd.denoise import (
    GMCDenoiser,
    L1Denoiser,
    SparseBNDenoiser,
    WienerDenoiser,
    estimate_noise,
    estimate_noise_pooled,
    firm_threshold,
    gmc_general,
    mad_bias_factor,
    soft_threshold,
    tv_denoise,
    tv_gmc_denoise,
)
from sknd.metrics import neg_rmse_scorer, psnr, psnr_scorer, rmse
from sknd.nn import DenoisingCNN1d, SparseBatchNorm1d, shrink
from sknd.reference import denoising_cnn
from sknd.reference import shrink as np_shrink

SMALL = {"channels": 8, "depth": 4, "max_epochs": 3, "random_state": 0}


@pytest.fixture(scope="module")
def spikes():
    return make_spike_signals(300, random_state=0)


# --- metrics ---------------------------------------------------------------


def test_psnr_uses_rmse_not_mse():
    clean = np.array([[0.0, 10.0, 0.0, 0.0]])
    noisy = clean + np.array([[2.0, 0.0, 0.0, 0.0]])
    assert rmse(clean, noisy) == pytest.approx(1.0)
    assert psnr(clean, noisy) == pytest.approx(20.0)  # 20 log10(10 / 1)
    assert psnr(clean, noisy, peak=100.0) == pytest.approx(40.0)
    assert np.isinf(psnr(clean, clean))
    with pytest.raises(ValueError, match="same shape"):
        rmse(clean, noisy[:, :3])


def test_scorers_drive_grid_search(spikes):
    X, y = spikes
    search = GridSearchCV(L1Denoiser(), {"lam": [0.5, 3.0, 30.0]}, scoring=psnr_scorer, cv=2)
    search.fit(X, y)
    assert search.best_params_["lam"] == 3.0
    assert neg_rmse_scorer(L1Denoiser(lam=3.0).fit(X), X, y) == pytest.approx(
        -rmse(y, soft_threshold(X, 3.0))
    )


# --- classical filters ------------------------------------------------------


@pytest.mark.parametrize("lam", [0.05, 0.7, 3.0, 50.0])
def test_tv_meets_optimality_conditions(lam):
    rng = np.random.default_rng(0)
    for _ in range(50):
        n = int(rng.integers(2, 80))
        y = np.cumsum(rng.normal(size=n)) * rng.choice([0.1, 1.0]) + rng.normal(size=n)
        x = L1Denoiser(lam=lam, domain="tv").fit_transform(y[None])[0]
        c = np.cumsum(y - x)
        d = np.diff(x)
        assert abs(c[-1]) < 1e-8
        assert np.all(np.abs(c) <= lam + 1e-8)
        assert np.allclose(c[:-1][d > 1e-10], -lam, atol=1e-8)
        assert np.allclose(c[:-1][d < -1e-10], lam, atol=1e-8)


def test_tv_limits():
    y = np.array([1.0, 5.0, -2.0, 3.0])
    np.testing.assert_array_equal(tv_denoise(y, 0.0), y)
    np.testing.assert_allclose(tv_denoise(y, 1e6), np.full(4, y.mean()))


def test_time_domain_filters_are_soft_and_firm_thresholds():
    X = np.random.default_rng(1).normal(scale=3, size=(20, 30))
    # Equal to rounding: the filters solve each signal at unit peak (scale-safe).
    np.testing.assert_allclose(
        L1Denoiser(lam=2.0).fit_transform(X),
        np.sign(X) * np.maximum(np.abs(X) - 2, 0),
        rtol=1e-13,
        atol=1e-14,
    )
    firm = GMCDenoiser(lam=2.0, gamma=0.5).fit_transform(X)
    pywt = pytest.importorskip("pywt")
    np.testing.assert_allclose(firm, pywt.threshold_firm(X, 2.0, 4.0), atol=1e-12)


def test_gmc_iteration_converges_to_firm_threshold():
    y = np.random.default_rng(2).normal(scale=3, size=(4, 40))
    identity = lambda v: v  # noqa: E731
    x = gmc_general(y, identity, identity, 1.5, 0.6, tol=1e-12, max_iter=100_000)
    np.testing.assert_allclose(x, firm_threshold(y, 1.5, 2.5), atol=1e-8)


def test_dft_domain_thresholds_unitary_dft_coefficients():
    X = np.random.default_rng(3).normal(size=(5, 64))
    coef = np.fft.fft(X, norm="ortho")
    expect_l1 = np.fft.ifft(soft_threshold(coef, 1.0), norm="ortho").real
    expect_gmc = np.fft.ifft(firm_threshold(coef, 1.0, 2.0), norm="ortho").real
    np.testing.assert_allclose(
        L1Denoiser(lam=1.0, domain="dft").fit_transform(X), expect_l1, atol=1e-5
    )
    # The saddle-point iteration stops at max|dx| / max|x| < 1e-4.
    np.testing.assert_allclose(
        GMCDenoiser(lam=1.0, gamma=0.5, domain="dft").fit_transform(X), expect_gmc, atol=2e-3
    )
    x = gmc_general(
        X,
        lambda c: np.fft.ifft(c, norm="ortho"),
        lambda s: np.fft.fft(s, norm="ortho"),
        1.0,
        0.5,
        tol=1e-12,
        max_iter=100_000,
    )
    np.testing.assert_allclose(np.fft.ifft(x, norm="ortho").real, expect_gmc, atol=1e-8)


def test_wavelet_domain_is_orthonormal():
    pytest.importorskip("pywt")
    X = np.random.default_rng(4).normal(size=(3, 64))
    np.testing.assert_allclose(
        L1Denoiser(lam=0.0, domain="wavelet").fit_transform(X), X, atol=1e-10
    )
    big = L1Denoiser(lam=1e6, domain="wavelet").fit_transform(X)
    assert np.ptp(big, axis=1).max() < np.ptp(X, axis=1).min()  # only the coarse trend is left


def test_gmc_tv_is_a_fixed_point_and_reduces_to_tv():
    y = np.repeat([0.0, 3.0, 1.0], 20) + np.random.default_rng(5).normal(scale=0.5, size=60)
    lam, alpha = 2.0, 0.35
    x = tv_gmc_denoise(y, lam, alpha_lam=alpha * lam, tol=1e-12, max_iter=5000)
    again = tv_denoise(y + lam * alpha * (x - tv_denoise(x, 1 / alpha)), lam)
    np.testing.assert_allclose(again, x, atol=1e-8)
    np.testing.assert_allclose(
        GMCDenoiser(lam=lam, gamma=0.0, domain="tv").fit_transform(y[None])[0],
        tv_denoise(y, lam),
        rtol=1e-13,
        atol=1e-14,
    )
    # GMC keeps the jumps' height better than TV (less bias) on a clean step.
    clean = np.repeat([0.0, 4.0], 30)
    assert np.ptp(tv_gmc_denoise(clean, 1.0)) > np.ptp(tv_denoise(clean, 1.0))


@pytest.mark.parametrize("window", [1, 3, 7])
@pytest.mark.parametrize("noise", [None, 0.3])
def test_wiener_equals_scipy(window, noise):
    X = np.random.default_rng(6).normal(size=(6, 41))
    got = WienerDenoiser(window, noise=noise).fit_transform(X)
    if window == 1:
        # A one-sample window has zero local variance: scipy returns 0/0 = NaN
        # (noise None) or the local mean, which is the signal itself.
        np.testing.assert_allclose(got, X, atol=1e-12)
        return
    expected = np.stack([scipy.signal.wiener(row, window, noise=noise) for row in X])
    np.testing.assert_allclose(got, expected, atol=1e-12)


@pytest.mark.parametrize(
    ("make", "kwargs", "domain"),
    [
        # Each family in the domains where it is sparse.
        (make_spike_signals, {}, "time"),
        (make_spike_signals, {}, "tv"),
        (make_smooth_signals, {"snr": 2}, "dft"),
        (make_smooth_signals, {"snr": 2}, "wavelet"),
        (make_smooth_signals, {"snr": 2}, "tv"),
        (make_piecewise_constant_signals, {"snr": 2}, "tv"),
        (make_piecewise_constant_signals, {"snr": 2}, "wavelet"),
    ],
)
@pytest.mark.parametrize("Est", [L1Denoiser, GMCDenoiser])
def test_auto_lambda_beats_noisy(make, kwargs, domain, Est):
    if domain == "wavelet":
        pytest.importorskip("pywt")
    X, y = make(60, random_state=0, **kwargs)
    assert rmse(y, Est(domain=domain).fit_transform(X)) < rmse(y, X)


def test_noise_estimates():
    rng = np.random.default_rng(7)
    pure = rng.normal(scale=2.0, size=(200, 100))
    assert np.median(estimate_noise(pure)) == pytest.approx(2.0, rel=0.05)
    assert estimate_noise_pooled(pure) == pytest.approx(2.0, rel=0.05)
    X, _ = make_spike_signals(1000, random_state=0)
    assert estimate_noise_pooled(X) == pytest.approx(3.0, rel=0.06)
    assert estimate_noise_pooled(np.zeros((3, 10))) == 0.0


@pytest.mark.parametrize("Est", [L1Denoiser, GMCDenoiser, WienerDenoiser])
def test_classical_bad_parameters(Est):
    X = np.ones((2, 10))
    bad = {"window": 4} if Est is WienerDenoiser else {"domain": "fourier"}
    with pytest.raises(ValueError, match=r"window|domain"):
        Est(**bad).fit(X)
    if Est is GMCDenoiser:
        with pytest.raises(ValueError, match="gamma"):
            Est(gamma=1.0).fit(X)
    if Est is not WienerDenoiser:
        with pytest.raises(ValueError, match="lam"):
            Est(lam=-1).fit(X)


# --- torch modules against the numpy oracle --------------------------------


@pytest.mark.parametrize("p", [0, 1, 2, "gmc"])
def test_shrink_matches_reference_and_has_gradients(p):
    u = torch.linspace(-3, 3, 61, dtype=torch.float64).reshape(1, 1, -1).repeat(1, 2, 1)
    tau = torch.tensor([0.5, 1.0], dtype=torch.float64, requires_grad=True)
    out = shrink(u, tau[:, None], p)
    np.testing.assert_allclose(out.detach().numpy(), np_shrink(u.numpy(), tau.detach().numpy(), p))
    out.abs().sum().backward()
    assert torch.isfinite(tau.grad).all() and tau.grad.abs().sum() > 0


def test_batch_statistics_mode_leaves_running_stats_alone():
    bn = SparseBatchNorm1d(3, prox=False).eval()
    before = bn.running_mean.clone()
    bn.use_batch_stats = True
    out = bn(torch.randn(5, 3, 20) * 4 + 2)
    torch.testing.assert_close(bn.running_mean, before)
    torch.testing.assert_close(out.mean(dim=(0, 2)), torch.zeros(3), atol=1e-5, rtol=0)


@pytest.mark.parametrize(
    "config",
    [
        {"norm": "batch", "p": 1, "prior": None},
        {"norm": "sparse", "p": 0, "prior": None},
        {"norm": "sparse", "p": 1, "prior": 3},
        {"norm": "sparse", "p": "gmc", "prior": None},
        {"norm": "sparse", "p": 2, "prior": 3},
        {"norm": "none", "p": 1, "prior": None},
    ],
)
@pytest.mark.parametrize("batch_stats", [False, True])
def test_numpy_reference_equals_torch(config, batch_stats):
    torch.manual_seed(0)
    net = DenoisingCNN1d(
        6,
        4,
        3,
        norm=config["norm"],
        p=config["p"],
        prior="wiener" if config["prior"] else None,
    ).double()
    # Non-trivial running statistics and thresholds, as after training.
    net.train()
    with torch.no_grad():
        for _ in range(3):
            net(torch.randn(8, 50, dtype=torch.float64) * 3)
        for bn in net.batch_norms():
            if bn.rho is not None:
                bn.rho.normal_()
    net.eval()
    for bn in net.batch_norms():
        bn.use_batch_stats = batch_stats
    x = np.random.default_rng(8).normal(scale=3, size=(7, 50))
    with torch.no_grad():
        got = net(torch.from_numpy(x)).numpy()
    state = {k: v.numpy() for k, v in net.state_dict().items()}
    cfg = {"depth": 4, **config}
    expected = denoising_cnn(x, state, cfg, batch_stats=batch_stats)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10)


# --- the learned denoiser ---------------------------------------------------


def test_supervised_fit_beats_noisy_and_classical_baseline(spikes):
    X, y = spikes
    X_test, y_test = make_spike_signals(200, random_state=1)
    den = SparseBNDenoiser(channels=16, depth=4, max_epochs=15, random_state=0).fit(X, y)
    assert rmse(y_test, den.predict(X_test)) < rmse(y_test, WienerDenoiser().fit_transform(X_test))
    assert den.score(X_test, y_test) == pytest.approx(psnr(y_test, den.predict(X_test)))
    assert den.supervised_ and np.isnan(den.noise_std_)


def test_any_length_dtype_and_unmodified_input(spikes):
    X, y = spikes
    den = SparseBNDenoiser(**SMALL).fit(X, y)
    for length in (9, 100, 257):
        Z = np.random.default_rng(0).normal(size=(4, length)).astype(np.float32)
        before = Z.copy()
        out = den.predict(Z)
        assert out.shape == Z.shape and out.dtype == np.float32
        np.testing.assert_array_equal(Z, before)
    np.testing.assert_array_equal(den.transform(X), den.predict(X))


def test_fixed_mode_is_batch_independent_unfixed_is_not(spikes):
    X, y = spikes
    fixed = SparseBNDenoiser(**SMALL).fit(X, y)
    np.testing.assert_allclose(fixed.predict(X[:5]), fixed.predict(X)[:5], atol=1e-12)
    unfixed = SparseBNDenoiser(bn_mode="unfixed", **SMALL).fit(X, y)
    assert not np.allclose(unfixed.predict(X[:5]), unfixed.predict(X)[:5])
    # The module of the fitted estimator is left in its fixed state.
    assert not any(bn.use_batch_stats for bn in unfixed.module_.batch_norms())


@pytest.mark.parametrize(
    "params",
    [
        {"norm": "sparse", "p": 0},
        {"norm": "sparse", "p": "gmc"},
        {"norm": "sparse", "p": 1, "sparsity": 0.1},
        {"norm": "batch", "p": 2, "sparsity": 0.1},
        {"norm": "instance"},
        {"norm": "none", "prior": "wiener"},
    ],
)
def test_norm_variants_train(spikes, params):
    X, y = spikes
    den = SparseBNDenoiser(**{**SMALL, **params}).fit(X, y)
    assert np.isfinite(den.predict(X)).all()
    assert den.n_iter_ == len(den.history_)


def test_sparsity_penalty_shrinks_latent_features(spikes):
    X, y = spikes
    kw = {**SMALL, "max_epochs": 5}
    plain = SparseBNDenoiser(**kw).fit(X, y)
    sparse = SparseBNDenoiser(sparsity=1.0, **kw).fit(X, y)

    def latent_l1(den):
        net = den.module_
        net.blocks[0][1].track_penalty = True
        with torch.no_grad():
            net(torch.from_numpy(X))
        value = net.sparsity_penalty().item()
        net.blocks[0][1].track_penalty = False
        return value

    assert latent_l1(sparse) < latent_l1(plain)


@pytest.mark.parametrize("rule", ["r2r", "noise2self"])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_fit_without_clean_signals(rule, early_stopping):
    X, y = make_smooth_signals(400, snr=2, random_state=0)
    params = {**SMALL, "max_epochs": 10, "lr": 1e-2, "early_stopping": early_stopping}
    den = SparseBNDenoiser(self_supervised=rule, **params)
    den.fit(X)
    assert not den.supervised_
    assert rmse(y, den.predict(X)) < rmse(y, X)
    np.testing.assert_allclose(den.predict(X[:3]), den.predict(X)[:3], atol=1e-12)
    assert (den.noise_std_ > 0) if rule == "r2r" else np.isnan(den.noise_std_)
    if early_stopping:
        assert np.isfinite(den.history_[:, "valid_loss"]).all()


def test_r2r_predicts_with_each_signals_own_noise_level(spikes):
    """Prediction recorrupts each signal with the noise level training used for it."""
    X, _ = spikes
    den = SparseBNDenoiser(**SMALL).fit(X)
    sigma = 0.5 * estimate_noise(X[:4]) * mad_bias_factor(X)
    gen = torch.Generator().manual_seed(den._predict_seed)
    draws = torch.randn(den.r2r_draws, X.shape[1], generator=gen).numpy()
    expected = np.mean([den._forward(X[:4] + sigma[:, None] * z) for z in draws], axis=0)
    np.testing.assert_allclose(den.predict(X[:4]), expected, atol=1e-12)
    assert den.noise_std_ == pytest.approx(np.median(estimate_noise(X) * mad_bias_factor(X)))


def test_r2r_with_known_noise_level(spikes):
    X, y = spikes
    den = SparseBNDenoiser(noise_std=3.0, **SMALL).fit(X)
    assert den.noise_std_ == 3.0
    assert rmse(y, den.predict(X)) < rmse(y, X)


def test_seeded_pickled_and_reproducible(spikes):
    X, y = spikes
    first = SparseBNDenoiser(**SMALL).fit(X, y)
    second = SparseBNDenoiser(**SMALL).fit(X, y)
    np.testing.assert_array_equal(first.predict(X), second.predict(X))
    loaded = pickle.loads(pickle.dumps(first))
    np.testing.assert_array_equal(loaded.predict(X), first.predict(X))


@pytest.mark.parametrize(
    ("make_bad", "match"),
    [
        (lambda X, y: (np.where(X > 5, np.nan, X), y), "NaN"),
        (lambda X, y: (np.where(X > 5, np.inf, X), y), "infinity"),
        (lambda X, y: (X[0], y[0]), "Expected 2D array"),
        (lambda X, y: (X, y[:, :50]), "clean signals, with the shape of X"),
        (lambda X, y: (X, y[:, 0]), "clean signals, with the shape of X"),
        (lambda X, y: (X[:, :8], y[:, :8]), "at least 9 samples"),
    ],
)
def test_learned_denoiser_bad_input(spikes, make_bad, match):
    X, y = spikes
    bad_X, bad_y = make_bad(X, y)
    with pytest.raises(ValueError, match=match):
        SparseBNDenoiser(**SMALL).fit(bad_X, bad_y)


def test_learned_denoiser_bad_input_at_predict_and_params(spikes):
    X, y = spikes
    den = SparseBNDenoiser(**SMALL).fit(X, y)
    with pytest.raises(ValueError, match="at least 9 samples"):
        den.predict(X[:, :5])
    with pytest.raises(ValueError, match="NaN"):
        den.predict(np.full((2, 20), np.nan))
    for params, match in [
        ({"bn_mode": "frozen"}, "bn_mode"),
        ({"self_supervised": "n2v"}, "self_supervised"),
        ({"noise_std": -1.0}, "noise_std"),
        ({"sparsity": -1.0}, "sparsity"),
        ({"norm": "layer"}, "norm"),
    ]:
        with pytest.raises(ValueError, match=match):
            SparseBNDenoiser(**{**SMALL, **params}).fit(X, y)
    with pytest.raises(ValueError, match="noise-free"):
        SparseBNDenoiser(**SMALL).fit(np.zeros((10, 20)))


def test_datasets_shapes_and_snr():
    X, y = make_spike_signals(50, random_state=0)
    assert X.shape == y.shape == (50, 100)
    assert set(np.unique(y)) <= set(range(11)) and np.std(X - y) == pytest.approx(3, rel=0.1)
    for make in (make_smooth_signals, make_piecewise_constant_signals):
        X, y = make(50, length=64, snr=4.0, random_state=0)
        ratio = np.sqrt((y**2).mean(axis=1)) / np.std(X - y, axis=1)
        assert X.shape == (50, 64) and np.median(ratio) == pytest.approx(4.0, rel=0.2)


def test_learned_denoiser_contract_checks_with_real_targets(spikes):
    """What the expected-to-fail sklearn checks cover, with clean signals as y."""
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError

    X, y = spikes
    est = SparseBNDenoiser(**SMALL)
    with pytest.raises(NotFittedError):
        est.predict(X)
    params = est.get_params()
    fitted = est.fit(X, y)
    assert fitted is est and est.get_params() == params  # fit returns self, params untouched
    state = {k: v for k, v in vars(est).items() if not k.startswith("_")}
    est.predict(X)
    assert state.keys() == {k for k in vars(est) if not k.startswith("_")}
    assert est.n_features_in_ == X.shape[1]
    order = np.random.default_rng(0).permutation(len(X))
    np.testing.assert_allclose(est.predict(X[order]), est.predict(X)[order], atol=1e-12)
    readonly = X.copy()
    readonly.setflags(write=False)
    np.testing.assert_array_equal(clone(est).fit(readonly, y).predict(readonly), est.predict(X))
    np.testing.assert_array_equal(est.predict(np.asfortranarray(X)), est.predict(X))
