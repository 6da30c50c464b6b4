"""Bad input gets a ValueError that names the problem; input is never modified."""

import numpy as np
import pytest

from sknd import NDClassifier, NDIndexTransformer, NDPairsTransformer, NDRegressor

ALL = [NDIndexTransformer, NDClassifier, NDRegressor, NDPairsTransformer]
LEARNED = [NDIndexTransformer, NDClassifier, NDRegressor]


def _data(n=40, d=4):
    rng = np.random.default_rng(0)
    return rng.uniform(0.1, 1.0, size=(n, d)), np.arange(n) % 2


def _make(Est):
    return Est() if Est is NDPairsTransformer else Est(max_epochs=2, random_state=0)


@pytest.mark.parametrize("Est", ALL)
@pytest.mark.parametrize(("value", "match"), [(np.nan, "NaN"), (np.inf, "infinity")])
def test_nan_and_inf_rejected_in_fit_and_transform(Est, value, match):
    X, y = _data()
    bad = X.copy()
    bad[3, 1] = value
    with pytest.raises(ValueError, match=match):
        _make(Est).fit(bad, y)
    est = _make(Est).fit(X, y)
    method = est.predict if Est in (NDClassifier, NDRegressor) else est.transform
    with pytest.raises(ValueError, match=match):
        method(bad)


@pytest.mark.parametrize("Est", ALL)
def test_wrong_number_of_features(Est):
    X, y = _data()
    est = _make(Est).fit(X, y)
    method = est.predict if Est in (NDClassifier, NDRegressor) else est.transform
    with pytest.raises(ValueError, match=r"X has 3 features, but .* is expecting 4"):
        method(X[:, :3])


@pytest.mark.parametrize("Est", [NDIndexTransformer, NDClassifier])
def test_one_class(Est):
    X, _ = _data()
    with pytest.raises(ValueError, match="only one class"):
        _make(Est).fit(X, np.zeros(len(X), dtype=int))


@pytest.mark.parametrize("Est", LEARNED)
def test_one_sample_and_empty(Est):
    X, y = _data()
    with pytest.raises(ValueError, match="1 sample"):
        _make(Est).fit(X[:1], y[:1])
    with pytest.raises(ValueError, match="0 sample"):
        _make(Est).fit(X[:0], y[:0])


@pytest.mark.parametrize("Est", ALL)
def test_strings_rejected(Est):
    X, y = _data()
    strings = X.astype(str)
    strings[0, 0] = "red"
    with pytest.raises(ValueError, match=r"needs numeric band values.*'red'"):
        _make(Est).fit(strings, y)


@pytest.mark.parametrize("Est", LEARNED)
def test_mismatched_lengths_and_wrong_dimensions(Est):
    X, y = _data()
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        _make(Est).fit(X, y[:-1])
    with pytest.raises(ValueError, match="Expected 2D array"):
        _make(Est).fit(X[:, 0], y)


@pytest.mark.parametrize("Est", ALL)
def test_inputs_never_modified(Est):
    X, y = _data()
    X_before, y_before = X.copy(), y.copy()
    est = _make(Est).fit(X, y)
    (est.predict if Est in (NDClassifier, NDRegressor) else est.transform)(X)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"max_epochs": 0}, "max_epochs"),
        ({"lr": -1.0}, "lr"),
        ({"alpha": -0.1}, "alpha"),
        ({"noise": -0.5}, "noise"),
        ({"batch_size": 0}, "batch_size"),
        ({"validation_fraction": 1.5}, "validation_fraction"),
        ({"n_iter_no_change": 0}, "n_iter_no_change"),
    ],
)
def test_bad_parameters_named(params, match):
    X, y = _data()
    with pytest.raises(ValueError, match=match):
        NDClassifier(**params).fit(X, y)


def test_bad_architecture_and_pairs():
    X, y = _data()
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        NDClassifier(hidden_layer_sizes=(4, 0)).fit(X, y)
    for bad in (0, "all", 2.5, True):
        with pytest.raises(ValueError, match="'n_indices' parameter of NDClassifier must be"):
            NDClassifier(n_indices=bad).fit(X, y)
    with pytest.raises(ValueError, match="'activation' parameter of NDRegressor must be"):
        NDRegressor(activation="sigmoid").fit(X, y.astype(float))
    with pytest.raises(ValueError, match="'lr_schedule' parameter"):
        NDClassifier(lr_schedule="step").fit(X, y)
    with pytest.raises(ValueError, match=r"1 feature\(s\)"):
        NDClassifier().fit(X[:, :1], y)
    with pytest.raises(ValueError, match="n_indices"):
        NDIndexTransformer(n_indices=0).fit(X, y)
    with pytest.raises(ValueError, match="Unknown band"):
        NDPairsTransformer(pairs=[("B8", "B4")]).fit(X)
    with pytest.raises(ValueError, match="two different bands"):
        NDPairsTransformer(pairs=[(1, 1)]).fit(X)
    with pytest.raises(ValueError, match="not in"):
        NDPairsTransformer(pairs=[(0, 7)]).fit(X)


def test_early_stopping_too_few_samples():
    X, y = _data(n=2)
    with pytest.raises(ValueError, match=r"validation_fraction=0\.6 leave none"):
        NDRegressor(early_stopping=True, validation_fraction=0.6).fit(X, y.astype(float))
