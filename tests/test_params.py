"""Declared parameters: every estimator checks each one before any work, by name.

The values each parameter must refuse are written out below, independently of
the declarations (``_parameter_constraints``): a declaration that is too loose
then fails here, and a new parameter fails until its refusals are written.
"""

import inspect
import re

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import EpochScoring

import sknd
import sknd.denoise
from sknd import (
    GMCDenoiser,
    L1Denoiser,
    NDClassifier,
    NDIndexTransformer,
    NDPairsTransformer,
    NDRegressor,
    SparseBNDenoiser,
    WienerDenoiser,
    datasets,
    inspection,
    metrics,
)

# Every public estimator of both wings, found from their ``__all__``.
ESTIMATORS = sorted(
    {
        obj
        for module in (sknd, sknd.denoise)
        for name in module.__all__
        if inspect.isclass(obj := getattr(module, name)) and issubclass(obj, BaseEstimator)
    },
    key=lambda cls: cls.__name__,
)
FUNCTIONS = [
    datasets.make_spectral_classification,
    datasets.make_spectral_scene,
    datasets.make_spectral_regression,
    datasets.make_spike_signals,
    datasets.make_smooth_signals,
    datasets.make_piecewise_constant_signals,
    datasets.load_spectral_library,
    datasets.make_spectral_mixtures,
    metrics.psnr,
    metrics.rmse,
    inspection.perturb_bands,
    inspection.robustness_scores,
]

_NUMBERS = [True, np.inf, np.nan, "x", None]  # refused by every numeric parameter
_COUNTS = [0, -1, 2.5, True, "x", None]  # refused by every count of 1 or more
#: Values each parameter must refuse, by name (the same name means the same
#: thing in every estimator and function that takes it).
REFUSED = {
    "activation": ["sigmoid", None, 1],
    "alpha": [-1e-3, *_NUMBERS],
    "as_frame": ["yes", 1, None],
    "average": ["yes", 1, None],
    "batch_size": [*_COUNTS, "big"],
    "bn_mode": ["frozen", None, 1],
    "callbacks": [[1], "x", EpochScoring, 1],
    "channels": _COUNTS,
    "crop_length": [0, 2.5, True, "x"],
    "depth": _COUNTS,
    "device": [None, "gpu0", 1],
    "domain": ["freq", None, 1],
    "dropout": [-0.1, 1.0, *_NUMBERS],
    "early_stopping": ["no", 2, None],
    "eps": [-1.0, *_NUMBERS],
    "families": ["L1 time", 1],
    "gain": [-0.1, "x", np.inf],
    "gamma": [-0.1, 1.0, *_NUMBERS],
    "heights": [(10, 2), (2.5, 3), 3, "x"],
    "hidden_layer_sizes": [None, (4, 0), (-1,), "x", 2.5],
    "illumination": [(1.5, 0.5), (-1.0, 1.0), 1.0, "x"],
    "k": [*_COUNTS, "all"],
    "kernel_size": [4, 0, 2.5, True, "x"],
    "kind": ["blur", None, 1],
    "lam": [-1.0, *_NUMBERS],
    "length": _COUNTS,
    "level": [0, 5, 2.5, True, "x"],
    "lr": [0, -1.0, *_NUMBERS],
    "lr_schedule": ["step", None, 1],
    "max_db": [0, -1.0, np.inf, True, "x"],
    "max_epochs": _COUNTS,
    "min_class_size": _COUNTS,
    "n_classes": [1, *_COUNTS],
    "n_endmembers": _COUNTS,
    "n_indices": [*_COUNTS, "many"],
    "n_components": [0, -1, 2.5, True, "x", "pairs"],
    "n_iter_no_change": _COUNTS,
    "n_jumps": [-1, 2.5, True, "x", None],
    "n_repeats": _COUNTS,
    "n_samples": _COUNTS,
    "n_signals": _COUNTS,
    "n_spikes": [-1, 2.5, True, "x", None],
    "noise": [-0.1, "x", True, np.inf],
    "noise_std": [0, -1.0, "x", True, np.inf],
    "noise_variance": [-1.0, "x", True, np.inf],
    "norm": ["bogus", None, 1],
    "offset": [-0.1, "x", np.inf],
    "p": ["bogus", 3],
    "pairs": [[0, 1], [(True, 2)], [], "x", 1],
    "patch_size": [0, -1.0, *_NUMBERS],
    "peak": [0, -1.0, np.inf, True, "x"],
    "penalty": ["l3", None, 1],
    "prior": ["bogus", 1],
    "purity": [0, -1.0, *_NUMBERS],
    "r2r_draws": _COUNTS,
    "random_state": ["x", 2.5, -1],
    "return_X_y": ["yes", 1, None],
    "score_func": ["bogus", None, 1],
    "self_supervised": ["bogus", None, 1],
    "sensor": [1, None],
    "shape": [(0, 5), (5,), "x", 5],
    "smooth_risk": ["x", None, 1],
    "snr": [0, -1.0, *_NUMBERS],
    "sparsity": [-1.0, "x", True, np.inf],
    "target": [1, 2.5],
    "task": ["bogus", None, 1],
    "tol": [-1.0, *_NUMBERS],
    "tuning_length": [63, 0, 2.5, True, "x"],
    "validation_fraction": [0, 1.0, -0.1, *_NUMBERS],
    "verbose": ["yes", 2.5, -1, None],
    "wavelengths": ["x", 5],
    "wavelet": [1, None],
    "wavelets": ["sym8", 1, None],
    "window": [4, 0, 2.5, True, "x"],
    "window_length": [63, 0, 2.5, True, "x"],
}
# Where one name means another thing: robustness_scores' levels are lists of
# perturbation sizes (an SNR must be > 0), not a dataset's (low, high) range.
REFUSED_IN = {
    ("robustness_scores", "illumination"): [-0.5, "x", np.inf, True],
    ("robustness_scores", "snr"): [0, -1.0, "x", np.inf, True],
}
SIGNALS = {"AutoDenoiser", "GMCDenoiser", "L1Denoiser", "SparseBNDenoiser", "WienerDenoiser"}


def _data(Est):
    rng = np.random.default_rng(0)
    if Est.__name__ in SIGNALS:
        return rng.normal(size=(16, 32)), None
    X = rng.uniform(0.1, 1.0, size=(30, 5))  # 10 band pairs: more than NDPairsSelector's k
    y = np.arange(30) % 2
    return X, (y.astype(float) if Est is NDRegressor else y)


def _fit(est):
    X, y = _data(type(est))
    return est.fit(X) if y is None else est.fit(X, y)


def _named(Est, name):
    return re.escape(f"The '{name}' parameter of {Est.__name__} must be")


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_parameter_is_declared(Est):
    assert set(Est._parameter_constraints) == set(Est().get_params())


def test_both_wings_are_found():
    names = {Est.__name__ for Est in ESTIMATORS}
    assert {"AutoDenoiser", "NDPairsSelector", "NDClassifier", "SparseBNDenoiser"} <= names


@pytest.mark.parametrize(
    ("Est", "name"),
    [(Est, name) for Est in ESTIMATORS for name in sorted(Est._parameter_constraints)],
    ids=lambda v: v if isinstance(v, str) else v.__name__,
)
def test_refused_values_are_named_before_any_work(Est, name):
    assert name in REFUSED, f"write the values {name!r} must refuse into REFUSED"
    for value in REFUSED[name]:
        est = Est().set_params(**{name: value})
        with pytest.raises(InvalidParameterError, match=_named(Est, name)):
            _fit(est)


@pytest.mark.parametrize("func", FUNCTIONS, ids=lambda f: f.__name__)
def test_every_function_argument_is_declared(func):
    params = inspect.signature(func).parameters
    keyword = {n for n, p in params.items() if p.default is not inspect.Parameter.empty}
    # robustness_scores' scoring is any scikit-learn scoring (checked by
    # scikit-learn); perturb_bands' kind has no default.
    keyword -= {"scoring"}
    keyword |= {"kind"} if func is inspection.perturb_bands else set()
    assert keyword == set(func._parameter_constraints)


def _call(func, **kwargs):
    if func.__module__ == "sknd.metrics":
        return func([[0.0, 1.0]], [[0.0, 1.0]], **kwargs)
    if func is inspection.perturb_bands:
        return func(np.ones((3, 2)), **{"kind": "noise", "level": 0.01, **kwargs})
    if func is inspection.robustness_scores:
        from sklearn.dummy import DummyClassifier

        X, y = np.ones((4, 2)), np.arange(4) % 2
        return func(DummyClassifier().fit(X, y), X, y, **kwargs)
    return func(**kwargs)


@pytest.mark.parametrize(
    ("func", "name"),
    [(f, name) for f in FUNCTIONS for name in sorted(f._parameter_constraints)],
    ids=lambda v: v if isinstance(v, str) else v.__name__,
)
def test_refused_function_arguments_are_named(func, name):
    assert name in REFUSED, f"write the values {name!r} must refuse into REFUSED"
    pattern = re.escape(f"The '{name}' parameter of {func.__name__} must be")
    for value in REFUSED_IN.get((func.__name__, name), REFUSED[name]):
        with pytest.raises(InvalidParameterError, match=pattern):
            _call(func, **{name: value})


def _numpy_scalars(Est):
    """Every numeric parameter set to a valid numpy scalar of its default's kind."""
    out = {}
    for name, value in Est().get_params().items():
        if isinstance(value, bool):
            out[name] = np.bool_(value)
        elif isinstance(value, int):
            out[name] = np.int64(value)
        elif isinstance(value, float):
            out[name] = np.float32(value) if value else np.float64(value)
    return out


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # short fits
@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
def test_numpy_scalars_are_accepted(Est):
    params = _numpy_scalars(Est)
    if "max_epochs" in params:
        params["max_epochs"] = np.int64(2)
    if Est is SparseBNDenoiser:
        params.update(channels=np.int64(4), depth=np.int32(2))
    est = _fit(Est(**params))
    check_is_fitted(est)
    for name, value in params.items():  # kept as given, not converted
        assert est.get_params()[name] is value


def test_numpy_integers_work_in_a_grid_search():
    X, y = _data(NDIndexTransformer)
    grid = GridSearchCV(
        NDIndexTransformer(max_epochs=2, random_state=0),
        {"n_indices": np.arange(1, 3), "alpha": np.array([0.0, 1e-3])},
        cv=2,
        scoring=lambda est, X, y: 0.0,
    )
    grid.fit(X, y)
    assert isinstance(grid.best_params_["n_indices"], np.integer)


@pytest.mark.parametrize(
    ("est", "name"),
    [
        (NDIndexTransformer(eps="x"), "eps"),
        (NDClassifier(hidden_layer_sizes=None), "hidden_layer_sizes"),
        (NDClassifier(hidden_layer_sizes=(4, 0)), "hidden_layer_sizes"),
        (NDClassifier(callbacks=[1]), "callbacks"),
        (NDClassifier(callbacks=EpochScoring), "callbacks"),
        (NDRegressor(device=None), "device"),
        (NDRegressor(device="gpu0"), "device"),
        (NDClassifier(early_stopping="no"), "early_stopping"),
        (NDClassifier(verbose="yes"), "verbose"),
        (NDClassifier(n_indices=True), "n_indices"),
        (NDClassifier(lr=np.inf), "lr"),
        (SparseBNDenoiser(depth=2.5), "depth"),
        (SparseBNDenoiser(channels=2.5), "channels"),
        (SparseBNDenoiser(kernel_size=4), "kernel_size"),
        (NDPairsTransformer(pairs=[0, 1]), "pairs"),
        (NDPairsTransformer(pairs=[(True, 2)]), "pairs"),
        (NDPairsTransformer(pairs=[]), "pairs"),
        (WienerDenoiser(window=4), "window"),
        (GMCDenoiser(gamma=1.0), "gamma"),
        (L1Denoiser(lam=np.inf), "lam"),
    ],
    ids=lambda v: v if isinstance(v, str) else type(v).__name__,
)
def test_reported_cases(est, name):
    with pytest.raises(InvalidParameterError, match=_named(type(est), name)):
        _fit(est)


def test_callbacks_with_names_are_accepted():
    from skorch.callbacks import Callback

    class Mark(Callback):
        def on_epoch_end(self, net, **kwargs):
            net.history.record("marked", True)

    est = NDClassifier(max_epochs=2, callbacks=[("mark", Mark())])
    _fit(est)
    assert [epoch.get("marked") for epoch in est.history_] == [True, True]


@pytest.mark.parametrize(
    ("func", "kwargs", "name"),
    [
        (datasets.make_spectral_classification, {"purity": 0}, "purity"),
        (datasets.make_spectral_classification, {"n_samples": 2.5}, "n_samples"),
        (datasets.make_spectral_regression, {"noise": -0.1}, "noise"),
        (datasets.make_spike_signals, {"length": 0}, "length"),
        (datasets.make_spike_signals, {"heights": (10, 2)}, "heights"),
        (datasets.make_smooth_signals, {"snr": 0}, "snr"),
        (datasets.make_spectral_scene, {"shape": (0, 5)}, "shape"),
    ],
)
def test_reported_generator_cases(func, kwargs, name):
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of {func.__name__}"):
        func(**kwargs)


def test_psnr_peak_must_be_positive():
    with pytest.raises(InvalidParameterError, match="'peak' parameter of psnr"):
        metrics.psnr([[0.0, 1.0]], [[0.0, 1.0]], peak=-1)


def test_too_many_jumps_for_the_length():
    with pytest.raises(ValueError, match="n_jumps=5 needs signals longer than 5 samples"):
        datasets.make_piecewise_constant_signals(2, length=4)


def test_validation_can_be_skipped_like_scikit_learn():
    from sklearn import config_context

    est = NDClassifier(max_epochs=1, alpha=-1e-3, random_state=0)  # a refused alpha
    with pytest.raises(InvalidParameterError, match=_named(NDClassifier, "alpha")):
        _fit(est)
    with config_context(skip_parameter_validation=True):
        _fit(est)  # trained as given: a negative penalty for one epoch
    assert est.n_iter_ == 1
