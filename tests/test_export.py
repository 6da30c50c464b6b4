"""NDIndexTransformer.export_indices: catalogue entries whose formulas reproduce transform."""

import json

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from sknd import NDIndexTransformer
from sknd.datasets import SENTINEL2_BANDS, make_spectral_classification

KEYS = {
    "short_name",
    "long_name",
    "bands",
    "application_domain",
    "reference",
    "formula",
    "date_of_addition",
    "contributor",
    "platforms",
}


def evaluate(formula, X, names):
    """Evaluate a formula as a GIS tool would: band arrays as variables, abs only."""
    variables = {name: X[:, i] for i, name in enumerate(names)}
    return eval(formula, {"__builtins__": {}, "abs": np.abs}, variables)


@pytest.fixture(scope="module")
def fitted():
    X, y = make_spectral_classification(n_samples=300, random_state=0)
    return NDIndexTransformer(n_indices=3, max_epochs=10, random_state=0).fit(X, y), X


@pytest.mark.parametrize("eps", [0.0, 1e-6, 0.3])
def test_formulas_reproduce_transform(eps):
    X, y = make_spectral_classification(n_samples=300, random_state=1)
    nd = NDIndexTransformer(n_indices=4, max_epochs=10, eps=eps, random_state=0).fit(X, y)
    names = list(SENTINEL2_BANDS)
    entries = nd.export_indices(band_names=names)
    got = np.column_stack([evaluate(e["formula"], X, names) for e in entries])
    np.testing.assert_allclose(got, nd.transform(X), rtol=0, atol=1e-6)
    # Far better than the promise: the digits round-trip.
    np.testing.assert_allclose(got, nd.transform(X), rtol=0, atol=1e-12)


def test_signed_inputs_need_abs_and_nonnegative_drops_it(fitted):
    nd, X = fitted
    names = [f"b{i}" for i in range(X.shape[1])]
    signed = X * np.where(np.arange(X.shape[1]) % 3 == 0, -1.0, 1.0)
    exact = nd.export_indices(band_names=names)
    got = np.column_stack([evaluate(e["formula"], signed, names) for e in exact])
    np.testing.assert_allclose(got, nd.transform(signed), rtol=0, atol=1e-12)

    plain = nd.export_indices(band_names=names, nonnegative=True)
    assert all("abs" not in e["formula"] for e in plain)
    got = np.column_stack([evaluate(e["formula"], X, names) for e in plain])
    np.testing.assert_allclose(got, nd.transform(X), rtol=0, atol=1e-12)


def test_entries_have_catalogue_keys_and_serialize(fitted):
    nd, _ = fitted
    entries = nd.export_indices(
        prefix="LND", application_domain="water", platforms=["Sentinel-2"], contributor="me"
    )
    assert len(entries) == 3
    assert [e["short_name"] for e in entries] == ["LND0", "LND1", "LND2"]
    for e in entries:
        assert set(e) == KEYS
        assert e["application_domain"] == "water"
        assert e["platforms"] == ["Sentinel-2"]
        assert e["bands"] == [f"x{i}" for i in range(10)]
    assert json.loads(json.dumps(entries)) == entries


def test_default_names_come_from_dataframe_columns():
    X, y = make_spectral_classification(n_samples=200, as_frame=True, random_state=0)
    nd = NDIndexTransformer(n_indices=2, max_epochs=5, random_state=0).fit(X, y)
    entry = nd.export_indices()[0]
    assert entry["bands"] == list(SENTINEL2_BANDS)
    got = evaluate(entry["formula"], X.to_numpy(), list(X.columns))
    np.testing.assert_allclose(got, nd.transform(X)[:, 0], rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("names", "match"),
    [
        (["a"] * 10, "unique"),
        ([f"b{i}" for i in range(9)], "9 names.*10 bands"),
        ([f"b {i}" for i in range(10)], "valid variable names"),
        (["lambda"] + [f"b{i}" for i in range(9)], "valid variable names"),
        (["\u00b5"] + [f"b{i}" for i in range(9)], r"'µ' \(U\+00B5\) reads as 'μ' \(U\+03BC\)"),
        (["\ufb01t"] + [f"b{i}" for i in range(9)], r"'ﬁt' \(U\+FB01 U\+0074\) reads as 'fit'"),
        (["\u210c"] + [f"b{i}" for i in range(9)], "Python normalizes"),
    ],
)
def test_bad_band_names(fitted, names, match):
    nd, _ = fitted
    with pytest.raises(ValueError, match=match):
        nd.export_indices(band_names=names)


def test_unfitted_raises():
    with pytest.raises(NotFittedError):
        NDIndexTransformer().export_indices()
