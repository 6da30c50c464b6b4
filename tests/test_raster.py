"""transform_raster equals the per-pixel estimator on numpy, xarray and dask scenes."""

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline

from sknd import NDClassifier, NDIndexTransformer
from sknd.datasets import SENTINEL2_BANDS, make_spectral_classification
from sknd.raster import transform_raster

xr = pytest.importorskip("xarray")
da = pytest.importorskip("dask.array")

ROWS, COLS = 12, 25  # 300 pixels


@pytest.fixture(scope="module")
def data():
    X, y = make_spectral_classification(n_samples=ROWS * COLS, as_frame=True, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def nd(data):
    X, y = data
    return NDIndexTransformer(n_indices=4, max_epochs=5, random_state=0).fit(X.to_numpy(), y)


@pytest.fixture(scope="module")
def nd_named(data):
    X, y = data
    return NDIndexTransformer(n_indices=4, max_epochs=5, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def clf(data):
    X, y = data
    return NDClassifier(hidden_layer_sizes=(4,), max_epochs=5, random_state=0).fit(X, y)


def cube(X):
    """(band, row, col) scene whose pixels are the rows of X in row-major order."""
    return np.asarray(X, dtype=float).T.reshape(-1, ROWS, COLS)


def pixels(out):
    """Back from (k, row, col) to (n_pixels, k)."""
    return out.reshape(out.shape[0], -1).T


def scene(X, chunks=None):
    arr = xr.DataArray(
        cube(X).copy(),
        dims=("band", "y", "x"),
        coords={"band": list(SENTINEL2_BANDS), "y": np.arange(ROWS) * 10.0},
        attrs={"crs": "EPSG:32633"},
    )
    return arr if chunks is None else arr.chunk(chunks)


def test_numpy_cube_equals_transform_and_is_not_modified(data, nd):
    X, _ = data
    c = cube(X)
    before = c.copy()
    out = transform_raster(nd, c)
    assert out.shape == (4, ROWS, COLS)
    np.testing.assert_allclose(pixels(out), nd.transform(X.to_numpy()), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(c, before)


def test_band_last_layout_and_float32(data, nd):
    X, _ = data
    c = np.moveaxis(cube(X), 0, -1).astype(np.float32)
    out = transform_raster(nd, c, band_dim=-1)
    assert out.shape == (ROWS, COLS, 4) and out.dtype == np.float32
    expected = nd.transform(X.to_numpy(dtype=np.float32))
    np.testing.assert_allclose(out.reshape(-1, 4), expected, rtol=1e-6, atol=1e-6)


def test_predict_drops_the_band_axis_and_pipelines_work(data):
    X, y = data
    pipe = make_pipeline(
        NDIndexTransformer(n_indices=3, max_epochs=3, random_state=0),
        RandomForestClassifier(10, random_state=0),
    ).fit(X.to_numpy(), y)
    labels = transform_raster(pipe, cube(X), block_pixels=64)
    assert labels.shape == (ROWS, COLS)
    np.testing.assert_array_equal(labels.ravel(), pipe.predict(X.to_numpy()))


def test_dataarray_keeps_coords_and_names_outputs(data, nd_named):
    X, _ = data
    out = transform_raster(nd_named, scene(X))
    assert out.dims == ("band", "y", "x")
    assert list(out.band.values) == ["nd0", "nd1", "nd2", "nd3"]
    np.testing.assert_array_equal(out.y.values, np.arange(ROWS) * 10.0)
    assert out.attrs["crs"] == "EPSG:32633"
    np.testing.assert_allclose(pixels(out.values), nd_named.transform(X), rtol=0, atol=1e-12)


def test_bands_are_matched_by_name(data, nd_named):
    X, _ = data
    shuffled = scene(X).isel(band=[3, 0, 9, 1, 2, 8, 4, 7, 5, 6])
    extra = xr.concat([shuffled, shuffled.isel(band=[0]).assign_coords(band=["QA"])], "band")
    out = transform_raster(nd_named, extra)
    np.testing.assert_allclose(pixels(out.values), nd_named.transform(X), rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match=r"lacks bands \['B2'\]"):
        transform_raster(nd_named, scene(X).isel(band=slice(1, None)))


def test_dask_backed_scene_stays_lazy_and_chunked(data, nd_named):
    X, _ = data
    lazy = scene(X, chunks={"band": 3, "y": 5, "x": 10})
    out = transform_raster(nd_named, lazy)
    assert isinstance(out.data, da.Array)
    assert out.chunks == ((4,), (5, 5, 2), (10, 10, 5))
    np.testing.assert_allclose(
        pixels(out.compute().values), nd_named.transform(X), rtol=0, atol=1e-12
    )


def test_dask_array_and_class_probabilities(data, clf):
    X, _ = data
    lazy = da.from_array(cube(X), chunks=(10, 6, 25))
    proba = transform_raster(clf, lazy, method="predict_proba")
    assert isinstance(proba, da.Array)
    np.testing.assert_allclose(pixels(proba.compute()), clf.predict_proba(X), atol=1e-12)
    labelled = transform_raster(clf, scene(X), method="predict_proba")
    np.testing.assert_array_equal(labelled.band.values, clf.classes_)


def test_no_data_pixels(data, clf, nd_named):
    X, _ = data
    arr = scene(X)
    arr[:, 0, 0] = np.nan
    arr[2, 3, 4] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        transform_raster(nd_named, arr)
    out = transform_raster(nd_named, arr.chunk({"y": 4}), skipna=True).compute()
    assert np.isnan(out.values[:, 0, 0]).all() and np.isnan(out.values[:, 3, 4]).all()
    assert np.isfinite(out.values).sum() == 4 * (ROWS * COLS - 2)
    # A DataArray declares an integer fill value for class maps ...
    labels = transform_raster(clf, arr, method="predict", skipna=True)
    assert labels.dtype.kind == "i" and labels.values[0, 0] == -1
    assert labels.attrs["_FillValue"] == -1 and labels.attrs["long_name"] == "class"
    np.testing.assert_array_equal(labels.values.ravel()[1:5], clf.predict(X)[1:5])
    assert transform_raster(clf, arr, skipna=True, nodata=99).values[0, 0] == 99
    # A fill value that is a class would mask that class as no data: refused.
    taken = int(clf.classes_[0])
    with pytest.raises(ValueError, match=rf"nodata={taken} is one of the classes.*classes_ = "):
        transform_raster(clf, arr, method="predict", skipna=True, nodata=taken)
    # ... a plain array cannot, so its class map is float with NaN.
    plain = transform_raster(clf, arr.values, method="predict", skipna=True)
    assert plain.dtype == np.float64 and np.isnan(plain[0, 0])


def test_string_labels_cannot_be_nan(data):
    X, y = data
    named = NDClassifier(max_epochs=2, random_state=0).fit(X, np.array(["a", "b", "c", "d"])[y])
    with pytest.raises(ValueError, match="skipna=True"):
        transform_raster(named, scene(X), skipna=True, method="predict")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"band_dim": "wavelength"}, "not a dimension"),
        ({"method": "score"}, "method must be one of"),
        ({"method": "predict_proba"}, "has no method 'predict_proba'"),
        ({"block_pixels": 0}, "block_pixels"),
        ({"nodata": 0.5}, "nodata must be an integer"),
    ],
)
def test_bad_arguments(data, nd_named, kwargs, match):
    X, _ = data
    with pytest.raises(ValueError, match=match):
        transform_raster(nd_named, scene(X), **kwargs)


def test_bad_scenes(data, nd):
    X, _ = data
    with pytest.raises(ValueError, match=r"9 bands along axis 0.*fitted on 10"):
        transform_raster(nd, cube(X)[:9])
    with pytest.raises(ValueError, match="pixel axis"):
        transform_raster(nd, np.ones(10))
    with pytest.raises(ValueError, match="band_dim=5"):
        transform_raster(nd, cube(X), band_dim=5)
    with pytest.raises(NotFittedError):
        transform_raster(NDIndexTransformer(), cube(X))


def test_synthetic_scene_classifies_end_to_end():
    from sknd.datasets import make_spectral_scene

    scene, labels = make_spectral_scene((40, 50), n_classes=3, random_state=0)
    assert scene.shape == (10, 40, 50) and labels.shape == (40, 50)
    assert set(np.unique(labels)) == {0, 1, 2} and (scene > 0).all()
    again, _ = make_spectral_scene((40, 50), n_classes=3, random_state=0)
    np.testing.assert_array_equal(scene, again)
    X = scene.reshape(10, -1).T
    clf = NDClassifier(max_epochs=30, random_state=0).fit(X[::2], labels.ravel()[::2])
    predicted = transform_raster(clf, scene)
    assert predicted.shape == labels.shape
    assert (predicted == labels).mean() > 0.8
    with pytest.raises(ValueError, match="n_classes"):
        make_spectral_scene(n_classes=9)
