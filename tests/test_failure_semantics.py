"""No silent half-results: convergence, interruption, divergence, scale, devices, export."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback

from sknd import (
    GMCDenoiser,
    L1Denoiser,
    NDClassifier,
    NDIndexTransformer,
    NDPairsTransformer,
    NDRegressor,
    SparseBNDenoiser,
    WienerDenoiser,
)
from sknd.datasets import make_piecewise_constant_signals, make_spectral_classification
from sknd.denoise import tv_denoise


@pytest.fixture(scope="module")
def spectra():
    return make_spectral_classification(n_samples=200, random_state=0)


@pytest.fixture(scope="module")
def signals():
    return make_piecewise_constant_signals(40, length=64, random_state=0)


# --- convergence -------------------------------------------------------------


def test_max_epochs_without_meeting_the_rule_warns(spectra):
    X, y = spectra
    with pytest.warns(ConvergenceWarning, match="reached max_epochs=2 while train_loss"):
        NDIndexTransformer(2, max_epochs=2, lr_schedule="constant", random_state=0).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="valid_loss"):
        NDClassifier(max_epochs=2, early_stopping=True, random_state=0).fit(X, y)


def test_no_warning_when_the_rule_stops_or_the_schedule_ends(spectra):
    X, y = spectra
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        # A huge tol: the training-loss rule stops after n_iter_no_change epochs.
        est = NDIndexTransformer(2, max_epochs=50, tol=1e3, n_iter_no_change=2)
        est.set_params(lr_schedule="constant").fit(X, y)
        assert est.n_iter_ < 50
        # A cosine schedule fixes the length of training: there is no rule to miss.
        NDClassifier(max_epochs=3, random_state=0).fit(X, y)


# --- interruption ------------------------------------------------------------


class _Interrupt(Callback):
    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == 2:
            raise KeyboardInterrupt


def test_user_interrupt_is_not_a_finished_fit(spectra):
    X, y = spectra
    est = NDClassifier(max_epochs=10, callbacks=[_Interrupt()], random_state=0)
    with pytest.raises(KeyboardInterrupt, match="interrupted in epoch 2 of 10"):
        est.fit(X, y)
    assert not hasattr(est, "module_") and not hasattr(est, "classes_")


def test_interrupt_leaves_a_previous_fit_unfitted(spectra):
    X, y = spectra
    est = NDClassifier(max_epochs=2, random_state=0).fit(X, y)
    est.set_params(callbacks=[_Interrupt()], max_epochs=5)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    with pytest.raises(Exception, match="not fitted"):
        est.predict(X)


# --- divergence --------------------------------------------------------------


def test_finite_explosion_is_reported_like_nan():
    rng = np.random.default_rng(0)
    X = rng.uniform(0.1, 1, size=(300, 4))
    y = (X[:, 0] - X[:, 1]) / (X[:, 0] + X[:, 1])
    # The ND stack's bounded layers keep the loss finite while the head blows up.
    est = NDRegressor((4,), n_indices=4, activation="nd", lr=1e6, max_epochs=20, random_state=0)
    with pytest.raises(FloatingPointError, match=r"loss grew from 1.* to .*e\+.* Lower `lr`"):
        est.fit(X, y)


# --- NDIndexTransformer's task ---------------------------------------------------


def test_task_is_explicit_and_overridable(spectra):
    X, _ = spectra
    counts = np.arange(len(X)) % 17  # integer-valued, but a continuous target
    auto = NDIndexTransformer(2, max_epochs=2).fit(X, counts.astype(float))
    assert auto.task_ == "regression" and not hasattr(auto, "classes_")
    assert NDIndexTransformer(2, max_epochs=2).fit(X, counts).task_ == "classification"
    forced = NDIndexTransformer(2, task="regression", max_epochs=2).fit(X, counts)
    assert forced.task_ == "regression"
    labels = NDIndexTransformer(2, task="classification", max_epochs=2).fit(X, counts % 2 * 1.0)
    assert labels.task_ == "classification" and list(labels.classes_) == [0.0, 1.0]


@pytest.mark.parametrize("Est", [NDRegressor, NDIndexTransformer])
def test_string_target_for_regression_names_y(spectra, Est):
    X, _ = spectra
    est = Est(max_epochs=1) if Est is NDRegressor else Est(task="regression", max_epochs=1)
    with pytest.raises(ValueError, match="needs a numeric target y"):
        est.fit(X, np.array(["a", "b"] * (len(X) // 2)))


# --- scale ---------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1e-300, 1e300])
@pytest.mark.parametrize(
    "make",
    [
        lambda: NDClassifier(max_epochs=3, random_state=0),
        lambda: NDClassifier(n_indices=3, activation="nd", max_epochs=3, random_state=0),
        lambda: NDIndexTransformer(2, max_epochs=3, random_state=0),
    ],
)
def test_nd_models_learn_the_same_at_any_scale(spectra, make, scale):
    X, y = spectra
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref, est = make().fit(X, y), make().fit(X * scale, y)
    for a, b in zip(ref.module_.parameters(), est.module_.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    method = "transform" if hasattr(est, "transform") else "predict_proba"
    np.testing.assert_allclose(getattr(est, method)(X * scale), getattr(ref, method)(X))


def test_one_band_is_refused(spectra):
    X, y = spectra
    for est in (NDIndexTransformer(max_epochs=1), NDClassifier(max_epochs=1)):
        with pytest.raises(ValueError, match=r"1 feature\(s\)"):
            est.fit(X[:, :1], y)


@pytest.mark.parametrize("supervised", [True, False])
def test_learned_denoiser_is_scale_equivariant(signals, supervised):
    X, y = signals
    results = []
    for unit in (1.0, 1e-6):
        den = SparseBNDenoiser(channels=4, depth=2, max_epochs=2, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            den.fit(X * unit, y * unit) if supervised else den.fit(X * unit)
        results.append((den.transform(X * unit) / unit, den.scale_))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-6, atol=1e-9)
    assert results[0][1] == 1.0 and results[1][1] == pytest.approx(1e-6)


@pytest.mark.parametrize(
    "est",
    [
        WienerDenoiser(),
        L1Denoiser(),
        L1Denoiser(domain="tv"),
        GMCDenoiser(),
        GMCDenoiser(domain="tv"),
        GMCDenoiser(domain="dft"),
    ],
    ids=lambda e: f"{type(e).__name__}-{getattr(e, 'domain', '')}",
)
@pytest.mark.parametrize("scale", [1e-300, 1e-6, 1e300])
def test_classical_filters_are_scale_safe(signals, est, scale):
    X, _ = signals
    out = est.fit_transform(X * scale)
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out / scale, est.fit_transform(X), rtol=1e-7, atol=1e-9)


def test_wiener_with_a_given_noise_variance_scales_it(signals):
    X, _ = signals
    ref = WienerDenoiser(noise_variance=0.2).fit_transform(X)
    out = WienerDenoiser(noise_variance=0.2 * 1e12).fit_transform(X * 1e6)
    np.testing.assert_allclose(out / 1e6, ref, rtol=1e-9, atol=1e-12)


def test_total_variation_above_lam_max_is_the_mean():
    rng = np.random.default_rng(0)
    y = 10 + rng.normal(size=100)
    lam_max = np.abs(np.cumsum(y - y.mean())[:-1]).max()
    for lam in (lam_max, 2 * lam_max, 1e20, np.inf):
        np.testing.assert_array_equal(tv_denoise(y, lam), np.full(100, y.mean()))
    assert np.ptp(tv_denoise(y, 0.9 * lam_max)) > 0


def test_lam_inf_is_a_parameter_error():
    with pytest.raises(ValueError, match="'lam' parameter"):
        L1Denoiser(lam=np.inf, domain="tv").fit_transform(np.ones((1, 8)))


@pytest.mark.parametrize("length", [2, 3])
def test_auto_lam_on_too_short_signals_says_so(length):
    X = np.arange(2.0 * length).reshape(2, length)
    with pytest.warns(UserWarning, match=rf'lam="auto" .* length {length} are returned unchanged'):
        np.testing.assert_array_equal(L1Denoiser().fit_transform(X), X)
    assert L1Denoiser(lam=0.5).fit_transform(X).shape == X.shape


# --- devices -------------------------------------------------------------------


def test_gpu_model_predicts_on_a_cpu_only_machine(spectra, monkeypatch):
    import torch

    X, y = spectra
    est = NDClassifier(max_epochs=2, random_state=0).fit(X, y)
    expected = est.predict_proba(X)
    # As if fitted with device="cuda" and unpickled here.
    gpu = pickle.loads(pickle.dumps(est.set_params(device="cuda")))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="device='cuda', which this machine lacks"):
        np.testing.assert_array_equal(gpu.predict_proba(X), expected)


# --- export --------------------------------------------------------------------


def test_export_platform_string_is_one_platform(spectra):
    X, y = spectra
    nd = NDIndexTransformer(2, max_epochs=2, random_state=0).fit(X, y)
    assert nd.export_indices(platforms="Sentinel-2")[0]["platforms"] == ["Sentinel-2"]


def test_export_rejects_a_band_named_abs(spectra):
    X, y = spectra
    nd = NDIndexTransformer(2, max_epochs=2, random_state=0).fit(X, y)
    names = ["abs"] + [f"b{i}" for i in range(1, X.shape[1])]
    with pytest.raises(ValueError, match="named 'abs'"):
        nd.export_indices(band_names=names)
    NDPairsTransformer().fit(X)  # unaffected
