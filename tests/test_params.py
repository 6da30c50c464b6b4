"""Declared parameters: every estimator checks each one before any work, by name."""

import inspect
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import EpochScoring

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
    metrics,
)
from sknd._sklearn import _make

ESTIMATORS = [
    NDIndexTransformer,
    NDClassifier,
    NDRegressor,
    NDPairsTransformer,
    SparseBNDenoiser,
    L1Denoiser,
    GMCDenoiser,
    WienerDenoiser,
]
SIGNALS = (SparseBNDenoiser, L1Denoiser, GMCDenoiser, WienerDenoiser)
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
]


def _data(Est):
    rng = np.random.default_rng(0)
    if Est in SIGNALS:
        return rng.normal(size=(16, 32)), None
    X = rng.uniform(0.1, 1.0, size=(30, 4))
    y = np.arange(30) % 2
    return X, (y.astype(float) if Est is NDRegressor else y)


def _fit(est):
    X, y = _data(type(est))
    return est.fit(X) if y is None else est.fit(X, y)


def _accepted(constraints, value):
    from sknd._sklearn import _accepts

    return any(_accepts(_make(c), value) for c in constraints)


def _named(Est, name):
    return re.escape(f"The '{name}' parameter of {Est.__name__} must be")


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_every_parameter_is_declared(Est):
    assert set(Est._parameter_constraints) == set(Est().get_params())


@pytest.mark.parametrize("func", FUNCTIONS, ids=lambda f: f.__name__)
def test_every_function_argument_is_declared(func):
    params = inspect.signature(func).parameters
    keyword = {n for n, p in params.items() if p.default is not inspect.Parameter.empty}
    assert keyword == set(func._parameter_constraints)


_ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.lists(st.integers(-3, 3), max_size=3),
    st.tuples(st.integers(-3, 3), st.floats(-3, 3)),
    st.sampled_from([object(), np.float32(-1.0), np.int64(-2), np.bool_(True), {"a": 1}, [None]]),
)


@pytest.mark.parametrize(
    ("Est", "name"),
    [(Est, name) for Est in ESTIMATORS for name in sorted(Est._parameter_constraints)],
    ids=lambda v: v if isinstance(v, str) else v.__name__,
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(value=_ANY_VALUE)
def test_invalid_values_are_named_before_any_work(Est, name, value):
    constraints = Est._parameter_constraints[name]
    if _accepted(constraints, value):
        return  # a valid draw: nothing to check
    est = Est().set_params(**{name: value})
    with pytest.raises(InvalidParameterError, match=_named(Est, name)):
        _fit(est)


@pytest.mark.parametrize("func", FUNCTIONS, ids=lambda f: f.__name__)
@settings(max_examples=10, deadline=None)
@given(value=_ANY_VALUE)
def test_function_arguments_are_named(func, value):
    for name, constraints in func._parameter_constraints.items():
        if _accepted(constraints, value):
            continue
        args = ([[0.0, 1.0]], [[0.0, 1.0]]) if func.__module__ == "sknd.metrics" else ()
        pattern = re.escape(f"The '{name}' parameter of {func.__name__} must be")
        with pytest.raises(InvalidParameterError, match=pattern):
            func(*args, **{name: value})


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
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_numpy_scalars_are_accepted(Est):
    params = _numpy_scalars(Est)
    if "max_epochs" in params:
        params["max_epochs"] = np.int64(2)
    if Est is SparseBNDenoiser:
        params.update(channels=np.int64(4), depth=np.int32(2))
    _fit(Est(**params))


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
    est = NDClassifier(max_epochs=2, callbacks=[("acc", EpochScoring("accuracy"))])
    _fit(est)


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

    with config_context(skip_parameter_validation=True):
        try:
            _fit(NDClassifier(max_epochs=0))
        except InvalidParameterError:
            pytest.fail("skip_parameter_validation=True still validated the parameters")
        except Exception:
            pass
