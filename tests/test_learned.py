"""SparseBNDenoiser: supervised and label-free fits, modes, reproducibility, bad input."""

import pickle
import re

import numpy as np
import pytest
import torch
from sklearn import clone, config_context

from sknd.datasets import (
    make_smooth_signals,
    make_spike_signals,
)
from sknd.denoise import (
    SparseBNDenoiser,
    WienerDenoiser,
    estimate_noise,
    mad_bias_factor,
)
from sknd.metrics import psnr, rmse

SMALL = {"channels": 8, "depth": 4, "max_epochs": 3, "random_state": 0}

# These fits are a few epochs long to keep the suite fast: that training has
# not converged is expected (tests/test_estimators.py checks the warning itself).
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_supervised_fit_beats_noisy_and_classical_baseline(spikes):
    X, y = spikes
    X_test, y_test = make_spike_signals(200, random_state=1)
    den = SparseBNDenoiser(channels=16, depth=4, max_epochs=15, random_state=0).fit(X, y)
    assert rmse(y_test, den.predict(X_test)) < rmse(y_test, WienerDenoiser().fit_transform(X_test))
    assert den.score(X_test, y_test) == pytest.approx(psnr(y_test, den.predict(X_test)))
    assert den.supervised_ and np.isnan(den.noise_std_)
    # sample_weight weighs each signal's PSNR.
    per_signal = psnr(y_test, den.predict(X_test), average=False)
    weights = np.arange(len(y_test), dtype=float)
    assert den.score(X_test, y_test, sample_weight=weights) == pytest.approx(
        np.average(per_signal, weights=weights)
    )
    assert den.score(X_test, y_test, sample_weight=weights) != pytest.approx(per_signal.mean())


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


def test_dataframes_and_pandas_output_of_any_length(spikes):
    pd = pytest.importorskip("pandas")
    X, y = spikes
    names = [f"t{i}" for i in range(X.shape[1])]
    den = SparseBNDenoiser(**SMALL).fit(pd.DataFrame(X, columns=names), y)
    short = pd.DataFrame(X[:5, :80], columns=names[:80], index=range(10, 15))
    # A shorter DataFrame is a shorter signal: its names are other positions.
    np.testing.assert_array_equal(den.transform(short), den.transform(X[:5, :80]))
    # At the training length the names are still checked.
    with pytest.raises(ValueError, match="feature names should match"):
        den.transform(pd.DataFrame(X[:5], columns=names[::-1]))

    den.set_output(transform="pandas")
    out = den.transform(short)
    assert list(out.columns) == names[:80] and list(out.index) == list(range(10, 15))
    assert list(den.predict(X[:5, :60]).columns) == [f"x{i}" for i in range(60)]
    assert list(den.transform(pd.DataFrame(X[:5], columns=names)).columns) == names
    np.testing.assert_array_equal(
        den.transform(short).to_numpy(),
        clone(den).set_output(transform="default").fit(X, y).transform(X[:5, :80]),
    )
    assert list(den.fit_transform(X[:5], y[:5]).columns) == [f"x{i}" for i in range(100)]
    # The global setting, as scikit-learn's own transformers follow it.
    with config_context(transform_output="pandas"):
        assert isinstance(SparseBNDenoiser(**SMALL).fit(X, y).predict(X[:2, :30]), pd.DataFrame)


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
        {"norm": "sparse", "penalty": "l0"},
        {"norm": "sparse", "penalty": "gmc"},
        {"norm": "sparse", "penalty": "l1", "lam": 0.1},
        {"norm": "batch", "penalty": "l2", "lam": 0.1},
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
    sparse = SparseBNDenoiser(lam=1.0, **kw).fit(X, y)

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
    gen = torch.Generator().manual_seed(den._predict_seed_)
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
        ({"lam": -1.0}, "lam"),
        ({"penalty": 1}, "penalty"),
        ({"norm": "layer"}, "norm"),
    ]:
        with pytest.raises(ValueError, match=match):
            SparseBNDenoiser(**{**SMALL, **params}).fit(X, y)
    with pytest.raises(ValueError, match="noise-free"):
        SparseBNDenoiser(**SMALL).fit(np.zeros((10, 20)))
    # Too short to estimate any noise is said as such, not as "noise-free".
    for length in (1, 2, 3):
        with pytest.raises(ValueError, match=f"at least 4 samples; X's signals have {length}"):
            SparseBNDenoiser(**{**SMALL, "kernel_size": 1}).fit(
                np.random.default_rng(0).random((10, length))
            )


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


def test_former_parameter_names_still_work_with_a_future_warning(spikes):
    X, y = spikes
    kw = {"channels": 4, "depth": 3, "max_epochs": 1, "random_state": 0}
    new = SparseBNDenoiser(norm="sparse", penalty="gmc", lam=0.1, **kw).fit(X, y)
    with pytest.warns(FutureWarning) as record:
        old = SparseBNDenoiser(norm="sparse", p="gmc", sparsity=0.1, **kw).fit(X, y)
    said = [str(w.message) for w in record]  # one message per renamed parameter
    assert any(re.search("'p' was renamed 'penalty'.*penalty='gmc'", m) for m in said)
    assert any("'sparsity' was renamed 'lam'" in m for m in said)
    np.testing.assert_array_equal(old.predict(X), new.predict(X))
    with pytest.warns(FutureWarning, match="'sparsity' was renamed 'lam'"):
        SparseBNDenoiser(sparsity=0.1, **kw).fit(X, y)


def test_one_recording_trains_on_random_crops():
    from sknd.datasets import make_piecewise_constant_signals

    X, y = make_piecewise_constant_signals(1, length=1024, snr=2.0, random_state=0)
    kw = {"channels": 8, "depth": 4, "max_epochs": 3, "random_state": 0}
    den = SparseBNDenoiser(crop_length=64, **kw).fit(X)
    # Each epoch held 1024 crops: 16 batches of 64, not one batch of one signal.
    assert den.history_[-1, "batches", -1, "train_batch_size"] == 64
    assert len(den.history_[-1, "batches"]) == 16
    assert den.predict(X).shape == X.shape
    supervised = SparseBNDenoiser(crop_length=64, **kw).fit(X, y)
    assert np.mean((supervised.predict(X) - y) ** 2) < np.mean((X - y) ** 2)
    with pytest.raises(ValueError, match="crop_length=2000 must lie between"):
        SparseBNDenoiser(crop_length=2000, **kw).fit(X)


def test_monte_carlo_sure_mode(spikes):
    from sknd.denoise._self_supervised import MonteCarloSURE, _SureLoss

    # For the identity filter SURE is the noise variance (div = n).
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(64, 500, generator=gen, dtype=torch.float64)
    sigma = torch.full((64, 1), 0.7, dtype=torch.float64)
    pairs, target = MonteCarloSURE()(X, sigma, gen)
    assert pairs.shape == (128, 500) and target.shape == (64, 1002)
    assert float(_SureLoss()(pairs, target)) == pytest.approx(0.49, rel=0.05)
    # Trained on it, label-free, the network denoises.
    X, y = spikes
    den = SparseBNDenoiser(self_supervised="sure", channels=8, depth=4, max_epochs=15,
                           random_state=0).fit(X)  # fmt: skip
    assert np.mean((den.predict(X) - y) ** 2) < 0.8 * np.mean((X - y) ** 2)
    assert den.noise_std_ == pytest.approx(3.0, rel=0.2)
