"""GeoTIFF in, GeoTIFF out: transform_raster with rioxarray, through real files."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier

from sknd import NDIndexTransformer
from sknd.datasets import SENTINEL2_BANDS, make_spectral_classification
from sknd.raster import transform_raster

rasterio = pytest.importorskip("rasterio")
rioxarray = pytest.importorskip("rioxarray")
from rasterio.transform import from_origin  # noqa: E402

ROWS, COLS = 10, 20
CRS = "EPSG:32633"
TRANSFORM = from_origin(500_000, 4_600_000, 10, 10)
NAMES = list(SENTINEL2_BANDS)


@pytest.fixture(scope="module")
def spectra():
    X, y = make_spectral_classification(n_samples=ROWS * COLS, as_frame=True, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def nd(spectra):
    X, y = spectra
    return NDIndexTransformer(n_indices=3, max_epochs=5, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def forest(spectra):
    # Not scale invariant: it sees whether the scene's values were decoded.
    X, y = spectra
    return RandomForestClassifier(10, random_state=0).fit(X, y)


def write(path, bands, names, *, nodata=None, scale=None):
    """A (band, row, col) GeoTIFF with band descriptions, like a sensor product."""
    with rasterio.open(
        path, "w", driver="GTiff", width=COLS, height=ROWS, count=len(bands),
        dtype=bands.dtype, crs=CRS, transform=TRANSFORM, nodata=nodata,
    ) as dst:  # fmt: skip
        dst.write(bands)
        for i, name in enumerate(names, 1):
            dst.set_band_description(i, name)
        if scale is not None:
            dst.scales = (scale,) * len(bands)
            dst.offsets = (0.0,) * len(bands)
    return path


def cube(X):
    return np.asarray(X, dtype=np.float64).T.reshape(-1, ROWS, COLS)


def pixels(values):
    return values.reshape(values.shape[0], -1).T


def reopen(out, path):
    out.rio.to_raster(path)
    with rasterio.open(path) as src:
        assert src.crs.to_string() == CRS and src.transform == TRANSFORM
        meta = {"count": src.count, "descriptions": src.descriptions, "nodata": src.nodata}
        meta["scales"] = src.scales
    return rioxarray.open_rasterio(path, masked=True), meta


@pytest.fixture()
def float_tif(tmp_path, spectra):
    X, _ = spectra
    bands = cube(X).astype(np.float32)
    bands[:, 0, 0] = -9999.0
    bands[3, 5, 7] = -9999.0
    return write(tmp_path / "scene.tif", bands, NAMES, nodata=-9999.0)


def test_float_scene_round_trips_with_nodata_masked(tmp_path, spectra, nd, float_tif):
    X, _ = spectra
    scene = rioxarray.open_rasterio(float_tif)  # rioxarray's default: not masked
    out = transform_raster(nd, scene)
    assert "scale_factor" not in out.attrs and out.attrs["long_name"] == ("nd0", "nd1", "nd2")
    back, meta = reopen(out, tmp_path / "indices.tif")
    assert meta["count"] == 3 and meta["descriptions"] == ("nd0", "nd1", "nd2")
    assert np.isnan(meta["nodata"])
    values = back.values
    assert np.isnan(values[:, 0, 0]).all() and np.isnan(values[:, 5, 7]).all()
    assert np.isfinite(values).sum() == 3 * (ROWS * COLS - 2)
    expected = nd.transform(X.astype(np.float32)).T.reshape(3, ROWS, COLS)
    valid = np.isfinite(values)
    np.testing.assert_allclose(values[valid], expected[valid], rtol=0, atol=2e-6)
    # The same after a masked read, where NaN is the declared no-data value.
    masked = transform_raster(nd, rioxarray.open_rasterio(float_tif, masked=True))
    np.testing.assert_array_equal(masked.values, out.values)


def test_reversed_band_order_gives_the_same_indices(tmp_path, spectra, nd, float_tif):
    X, _ = spectra
    reference = transform_raster(nd, rioxarray.open_rasterio(float_tif)).values
    bands = cube(X).astype(np.float32)[::-1].copy()
    bands[:, 0, 0] = -9999.0
    bands[:, 5, 7] = -9999.0
    flipped = write(tmp_path / "flipped.tif", bands, NAMES[::-1], nodata=-9999.0)
    out = transform_raster(nd, rioxarray.open_rasterio(flipped))
    np.testing.assert_array_equal(out.values, reference)


def test_scaled_uint16_product_reads_in_reflectance_units(tmp_path, spectra, nd, forest):
    X, _ = spectra
    # Reflectances as a uint16 product: value = round(reflectance / 1e-4), 0 = no data.
    digits = np.round(cube(X) / 1e-4).astype(np.uint16)
    digits[:, 2, 3] = 0
    path = write(tmp_path / "l2a.tif", digits, NAMES, nodata=0, scale=1e-4)
    scene = rioxarray.open_rasterio(path)
    assert scene.dtype == np.uint16 and scene.attrs["scale_factor"] == 1e-4
    reflectance = digits.astype(np.float32) * np.float32(1e-4)
    reflectance = pd.DataFrame(pixels(reflectance), columns=NAMES)

    indices, meta = reopen(transform_raster(nd, scene), tmp_path / "indices.tif")
    assert meta["scales"] == (1.0, 1.0, 1.0)
    assert np.isnan(indices.values[:, 2, 3]).all()
    expected = nd.transform(reflectance).T.reshape(3, ROWS, COLS)
    valid = np.isfinite(indices.values)
    np.testing.assert_allclose(indices.values[valid], expected[valid], rtol=0, atol=2e-6)
    assert np.abs(indices.values[valid]).max() > 0.05  # index units, not 1e-4 of them

    classes = transform_raster(forest, scene)
    assert classes.dtype.kind == "i" and classes.attrs["long_name"] == "class"
    _, meta = reopen(classes, tmp_path / "classes.tif")
    assert classes.dtype == np.int16
    assert meta["count"] == 1 and meta["nodata"] == -1
    raw = rioxarray.open_rasterio(tmp_path / "classes.tif")
    assert raw.dtype.kind == "i" and raw.values[0, 2, 3] == -1
    expected = forest.predict(reflectance).reshape(ROWS, COLS)
    keep = np.ones((ROWS, COLS), bool)
    keep[2, 3] = False
    np.testing.assert_array_equal(raw.values[0][keep], expected[keep])
    # Same values again, with masking and scaling left to rioxarray.
    decoded = rioxarray.open_rasterio(path, mask_and_scale=True)
    np.testing.assert_array_equal(transform_raster(forest, decoded).values, classes.values)


def test_band_mismatch_lists_both_sets(tmp_path, spectra, nd):
    X, _ = spectra
    names = [*NAMES[:-1], "QA"]
    path = write(tmp_path / "other.tif", cube(X).astype(np.float32), names)
    with pytest.raises(ValueError, match=r"lacks bands \['B12'\].*Fitted bands.*'QA'"):
        transform_raster(nd, rioxarray.open_rasterio(path))


def test_undeclared_nan_points_to_skipna(tmp_path, spectra, nd):
    X, _ = spectra
    bands = cube(X).astype(np.float32)
    bands[1, 1, 1] = np.nan
    path = write(tmp_path / "nan.tif", bands, NAMES)
    scene = rioxarray.open_rasterio(path)
    with pytest.raises(ValueError, match="skipna=True"):
        transform_raster(nd, scene)
    out = transform_raster(nd, scene, skipna=True)
    assert np.isnan(out.values[:, 1, 1]).all() and np.isfinite(out.values[:, 0, 0]).all()


def test_lazy_read_stays_lazy_and_writes(tmp_path, spectra, nd, float_tif):
    scene = rioxarray.open_rasterio(float_tif, chunks={"x": 8, "y": 5})
    out = transform_raster(nd, scene)
    assert out.chunks is not None
    keys = out.data.__dask_graph__().keys()
    assert any(str(k[0]).startswith("transform_raster-") for k in keys if isinstance(k, tuple))
    eager = transform_raster(nd, rioxarray.open_rasterio(float_tif))
    back, _ = reopen(out, tmp_path / "lazy.tif")
    np.testing.assert_array_equal(back.values, eager.values)


@pytest.mark.slow
def test_distributed_cluster_with_process_workers(spectra, nd, float_tif):
    distributed = pytest.importorskip("distributed")
    cloudpickle = pytest.importorskip("cloudpickle")
    scene = rioxarray.open_rasterio(float_tif, chunks={"x": 10, "y": 5})
    eager = transform_raster(nd, rioxarray.open_rasterio(float_tif)).values

    def holds_model(out):
        """Whether pickling the graph (as dask sends it) would pickle an estimator."""
        import io

        found = []

        class Finder(cloudpickle.CloudPickler):
            def persistent_id(self, obj):
                if isinstance(obj, type(nd)):
                    found.append(obj)
                    return "estimator"
                return None

        Finder(io.BytesIO()).dump(dict(out.data.__dask_graph__()))
        return bool(found)

    assert holds_model(transform_raster(nd, scene))  # no client: the graph carries it
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        # Given an estimator, it is scattered once: the graph holds a reference.
        out = transform_raster(nd, scene)
        assert not holds_model(out)
        np.testing.assert_array_equal(out.compute().values, eager)
        # A model the user scattered is used as it is.
        model = client.scatter(nd, broadcast=True)
        np.testing.assert_array_equal(transform_raster(model, scene).compute().values, eager)


def test_progress_reports_on_stderr(spectra, nd, capsys):
    X, _ = spectra
    transform_raster(nd, cube(X), block_pixels=64, progress=True)
    err = capsys.readouterr().err
    assert "transform_raster:" in err and "100% of 200 pixels" in err
