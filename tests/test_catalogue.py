"""sknd.catalogue: exported formulas evaluated without eval, and standard band names."""

import numpy as np
import pytest

from sknd import NDIndexTransformer
from sknd.catalogue import evaluate_formula, standard_band_names
from sknd.datasets import make_spectral_classification

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def fitted():
    X, y = make_spectral_classification(n_samples=200, as_frame=True, random_state=0)
    return X, NDIndexTransformer(n_indices=3, max_epochs=5, random_state=0).fit(X, y)


def test_entries_reproduce_transform_on_numpy_pandas_xarray_and_dask(fitted):
    X, nd = fitted
    expected = nd.transform(X)
    entries = nd.export_indices()
    arrays = {name: X[name].to_numpy() for name in X.columns}
    for k, entry in enumerate(entries):
        np.testing.assert_allclose(evaluate_formula(entry, arrays), expected[:, k], atol=1e-12)
        by_frame = evaluate_formula(entry["formula"], X)
        assert isinstance(by_frame, pd.Series)
        np.testing.assert_allclose(by_frame.to_numpy(), expected[:, k], atol=1e-12)
    xr = pytest.importorskip("xarray")
    da = pytest.importorskip("dask.array")
    dataset = xr.Dataset({n: ("pixel", v) for n, v in arrays.items()})
    out = evaluate_formula(entries[0], dataset)
    assert isinstance(out, xr.DataArray)
    np.testing.assert_allclose(out.values, expected[:, 0], atol=1e-12)
    lazy = evaluate_formula(entries[1], {n: da.from_array(v, chunks=50) for n, v in arrays.items()})
    assert isinstance(lazy, da.Array)
    np.testing.assert_allclose(lazy.compute(), expected[:, 1], atol=1e-12)


def test_standard_names_go_into_the_export(fitted):
    pytest.importorskip("spyndex")
    X, nd = fitted
    names = standard_band_names(list(X.columns), "Sentinel-2")
    assert names == ["B", "G", "R", "RE1", "RE2", "RE3", "N", "N2", "S1", "S2"]
    entry = nd.export_indices(band_names=names)[0]
    assert set(entry["bands"]) <= set(names)
    bands = dict(zip(names, X.to_numpy().T))
    np.testing.assert_allclose(evaluate_formula(entry, bands), nd.transform(X)[:, 0], atol=1e-12)
    # spyndex files Landsat 8's B5 under N2 (N lists Landsat 4-7).
    assert standard_band_names(["B4", "B5"], "Landsat 8") == ["R", "N2"]
    with pytest.raises(ValueError, match=r"Bands \['B10'\] have no standard name"):
        standard_band_names(["B4", "B10"], "sentinel2a")
    with pytest.raises(ValueError, match="no platform 'Sentinel-9'"):
        standard_band_names(["B4"], "Sentinel-9")


@pytest.mark.parametrize(
    ("formula", "match"),
    [
        ("__import__('os').system('true')", "has a Call"),
        ("N.__class__", "has a Attribute"),
        ("N ** 2", "has a BinOp"),
        ("(lambda: 1)()", "has a Call"),
        ("abs(N, R)", "has a Call of 'abs'"),
        ("'text'", "has a Constant"),
        ("N +", "Not a formula"),
        ("(N - Q) / (N + Q)", r"band 'Q'.*\['N', 'R'\]"),
    ],
)
def test_anything_else_is_refused(formula, match):
    bands = {"N": np.ones(2), "R": np.ones(2)}
    with pytest.raises(ValueError, match=match):
        evaluate_formula(formula, bands)


def test_entry_without_formula_and_other_types():
    with pytest.raises(ValueError, match="'formula' key"):
        evaluate_formula({"short_name": "ND0"}, {})
    with pytest.raises(TypeError, match="string or an entry"):
        evaluate_formula(3, {})
