"""transform_raster: dispatch on the kind of scene, and the DataArray path.

Imports numpy and scikit-learn only; xarray and dask are imported inside the
functions that need them, never at module level.
"""

from __future__ import annotations

import numbers
import sys

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._metadata import band_positions, class_fill, decoding_of, file_band_names, output_attrs
from ._pixels import Decoding, PixelFunction, map_blocks

_METHODS = ("transform", "predict", "predict_proba", "decision_function")


def transform_raster(
    estimator,
    data,
    band_dim: str | int = "band",
    *,
    method: str | None = None,
    skipna: bool = False,
    nodata: int | None = None,
    block_pixels: int = 262_144,
    progress: bool = False,
):
    """Run a fitted estimator on every pixel of a multi-band scene.

    Parameters
    ----------
    estimator : fitted estimator or dask.distributed Future
        Any fitted scikit-learn estimator that takes one row of bands per
        sample: an :class:`~sknd.NDIndexTransformer`, an
        :class:`~sknd.NDClassifier`, or a ``Pipeline`` ending in a random
        forest. On a dask.distributed cluster it may be a ``Future`` of one
        (``client.scatter(model, broadcast=True)``); when a client is active
        and a plain estimator is given for dask-backed data, it is scattered
        once for you, so the task graph holds a reference, not the model.
    data : ndarray, dask array or xarray.DataArray
        The scene. Its band axis must hold the estimator's bands; the other
        axes (rows, columns, time, ...) are any number of pixels.
    band_dim : str or int, default="band"
        The band dimension's name for a DataArray (``"band"`` as rioxarray
        reads GeoTIFFs). For arrays, an integer axis; a name means axis 0, the
        ``(band, row, col)`` layout of rasterio.
    method : {"transform", "predict", "predict_proba", "decision_function"}, optional
        Defaults to ``transform`` when the estimator has it, else ``predict``.
    skipna : bool, default=False
        Pixels with a NaN band that the scene does not declare as no data
        give no-data outputs instead of raising. Declared no-data pixels (see
        Notes) are always masked.
    nodata : int, optional
        The value written where a pixel has no data in an integer output (a
        class map of integer labels in a DataArray). Defaults to -1, or one
        less than the smallest class when -1 is a class; a value that is one
        of ``classes_`` is refused. Float outputs use NaN.
    block_pixels : int, default=262144
        Pixels passed to the estimator at once; bounds the working memory of
        each chunk: its bands take ``block_pixels * n_bands * 8`` bytes, and an
        sknd network's inference adds its working memory on top, in chunks of
        at most 65,536 pixels and about 1 GB: the network's
        ``inference_bytes_per_row()`` per pixel (a few KB for the default
        first layer, growing with the number of bands; MB for an explicit
        ``n_indices="pairs"`` on hundreds of bands, which is then predicted a
        few hundred pixels at a time). The benchmark report has the measured
        figures.
    progress : bool, default=False
        For an in-memory scene, print the share of pixels done to stderr as
        blocks finish. Lazy scenes compute later, under dask's own progress
        bars (``dask.diagnostics.ProgressBar``, ``distributed.progress``).

    Returns
    -------
    Same kind as ``data``
        For one output per pixel (``predict``), the band axis is dropped. For
        several (indices, class probabilities), the band axis holds them, with
        coordinates ``get_feature_names_out()`` or ``classes_`` for a
        DataArray. Values equal the estimator's output on each pixel's
        (decoded) bands. A DataArray keeps its coordinates, CRS and transform;
        its attributes are rebuilt: ``long_name`` names the outputs and the
        no-data value is declared (NaN, or ``nodata`` for integer class maps),
        while the input's ``scale_factor``, ``add_offset`` and ``_FillValue``
        are dropped.

    Notes
    -----
    How a DataArray's metadata is read, as ``rioxarray.open_rasterio`` and
    ``xarray`` leave it:

    - **Band names** come from the band coordinate when it holds names, else
      from ``attrs["long_name"]`` (where rioxarray puts a GeoTIFF's band
      descriptions). An estimator fitted on a DataFrame gets its bands by
      name, in any order, extra bands ignored; a file that lacks one of them
      is an error that lists both sets. A file with no names is read by
      position, with a warning.
    - **No data**: pixels where any band equals the declared fill value
      (``attrs["_FillValue"]`` or ``rio.nodata`` of a raw read) are masked.
      After a masked read (``masked=True``), NaN is the declared fill value,
      so NaN pixels are masked too.
    - **Scaled integer products**: a raw read keeps ``scale_factor`` and
      ``add_offset`` in ``attrs``; they are applied, so a uint16 reflectance
      product is read in reflectance units. (After ``mask_and_scale=True``
      they sit in ``encoding``, already applied.)

    Examples
    --------
    >>> import numpy as np
    >>> from sknd import NDIndexTransformer
    >>> from sknd.datasets import make_spectral_classification
    >>> from sknd.raster import transform_raster
    >>> X, y = make_spectral_classification(n_samples=200, random_state=0)
    >>> nd = NDIndexTransformer(n_indices=3, max_epochs=5, random_state=0).fit(X, y)
    >>> scene = X.T.reshape(10, 20, 10)  # (band, row, col)
    >>> indices = transform_raster(nd, scene)
    >>> indices.shape
    (3, 20, 10)
    >>> bool(np.allclose(indices.reshape(3, -1).T, nd.transform(X)))
    True
    """
    model, estimator = estimator, _local_estimator(estimator)
    check_is_fitted(estimator)
    method = _resolve_method(estimator, method)
    if not (isinstance(block_pixels, numbers.Integral) and block_pixels >= 1):
        raise ValueError(f"block_pixels must be a positive integer, got {block_pixels!r}.")
    if nodata is not None and not isinstance(nodata, numbers.Integral):
        raise ValueError(f"nodata must be an integer (the fill of class maps), got {nodata!r}.")
    if getattr(estimator, "n_features_in_", None) is None:
        raise ValueError(f"{type(estimator).__name__} does not record n_features_in_.")
    classes = getattr(estimator, "classes_", None)
    if (
        nodata is not None
        and method == "predict"
        and classes is not None
        and np.issubdtype(np.asarray(classes).dtype, np.number)
        and np.any(np.asarray(classes) == nodata)
    ):
        # A fill value that is also a class would mask that class's pixels as no data.
        raise ValueError(
            f"nodata={nodata} is one of the classes of {type(estimator).__name__} "
            f"(classes_ = {np.asarray(classes).tolist()}): its pixels would be read back as "
            "no data. Pass a nodata that is not a class, or leave it out "
            f"(the default here is {class_fill(classes)})."
        )

    # A DataArray or a dask array can only exist once its library is imported:
    # look there instead of importing xarray and dask for every numpy scene.
    xr, da = sys.modules.get("xarray"), sys.modules.get("dask.array")
    if xr is not None and isinstance(data, xr.DataArray):
        return _transform_dataarray(
            model, estimator, data, band_dim, method, skipna, nodata, block_pixels, progress
        )
    if da is not None and isinstance(data, da.Array):
        axis = _band_axis(data.ndim, band_dim)
        _check_band_count(data.shape[axis], estimator.n_features_in_, f"axis {axis}")
        decode = Decoding(data.dtype, data.shape[axis])
        apply = PixelFunction(estimator, method, skipna, block_pixels, decode, None)
        out = map_blocks(apply, model, da.moveaxis(data, axis, -1))
        return out if apply.n_outputs is None else da.moveaxis(out, -1, axis)
    array = np.asarray(data)
    axis = _band_axis(array.ndim, band_dim)
    _check_band_count(array.shape[axis], estimator.n_features_in_, f"axis {axis}")
    decode = Decoding(array.dtype, array.shape[axis])
    apply = PixelFunction(estimator, method, skipna, block_pixels, decode, None)
    out = apply(np.moveaxis(array, axis, -1), progress=progress)
    return out if apply.n_outputs is None else np.moveaxis(out, -1, axis)


def _local_estimator(model):
    """The estimator itself, fetching it when ``model`` is a distributed Future."""
    distributed = sys.modules.get("distributed")
    if distributed is not None and isinstance(model, distributed.Future):
        return model.result()
    return model


def _resolve_method(estimator, method):
    if method is None:
        method = "transform" if hasattr(estimator, "transform") else "predict"
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}.")
    if not hasattr(estimator, method):
        raise ValueError(f"{type(estimator).__name__} has no method {method!r}.")
    return method


def _band_axis(ndim: int, band_dim) -> int:
    if ndim < 2:
        raise ValueError(
            f"A scene needs a band axis and at least one pixel axis; got {ndim} dimension(s)."
        )
    if isinstance(band_dim, str):
        return 0
    if isinstance(band_dim, numbers.Integral) and -ndim <= band_dim < ndim:
        return int(band_dim) % ndim
    raise ValueError(f"band_dim={band_dim!r} is not an axis of a {ndim}-dimensional array.")


def _check_band_count(found: int, expected: int, where: str) -> None:
    if found != expected:
        raise ValueError(
            f"The scene has {found} bands along {where}, but the estimator was fitted on "
            f"{expected} bands. Pass band_dim to name the band axis."
        )


def _transform_dataarray(
    model, estimator, data, band_dim, method, skipna, nodata, block_pixels, progress
):
    import xarray as xr

    if band_dim not in data.dims:
        raise ValueError(f"band_dim={band_dim!r} is not a dimension of the data: {data.dims}.")
    n_bands = data.sizes[band_dim]
    decode = decoding_of(data, n_bands)
    positions = band_positions(estimator, file_band_names(data, band_dim), n_bands, band_dim)
    if positions is not None:
        data = data.isel({band_dim: positions})
        decode = decode.select(positions)
    _check_band_count(data.sizes[band_dim], estimator.n_features_in_, repr(band_dim))
    classes = getattr(estimator, "classes_", None)
    fill = nodata if nodata is not None else class_fill(classes)
    apply = PixelFunction(estimator, method, skipna, block_pixels, decode, fill)

    pixel_dims = [d for d in data.dims if d != band_dim]
    bands_last = data.transpose(*pixel_dims, band_dim).data
    da = sys.modules.get("dask.array")
    if da is not None and isinstance(bands_last, da.Array):
        values = map_blocks(apply, model, bands_last)
    else:
        values = apply(np.asarray(bands_last), progress=progress)
    coords = {k: v for k, v in data.coords.items() if band_dim not in v.dims}
    labels = _output_labels(apply)
    if apply.n_outputs is None:
        out = xr.DataArray(values, dims=pixel_dims, coords=coords)
    else:
        out = xr.DataArray(values, dims=[*pixel_dims, band_dim], coords=coords)
        if labels is not None:
            out = out.assign_coords({band_dim: labels})
        out = out.transpose(*data.dims)
    out.attrs = output_attrs(data.attrs, n_bands, labels, apply)
    if "grid_mapping" in data.encoding:
        out.encoding["grid_mapping"] = data.encoding["grid_mapping"]
    return out


def _output_labels(apply: PixelFunction):
    estimator = apply.estimator
    if apply.method == "transform" and hasattr(estimator, "get_feature_names_out"):
        try:
            return list(estimator.get_feature_names_out())
        except (AttributeError, ValueError, TypeError):
            return None
    classes = getattr(estimator, "classes_", None)
    if apply.method in ("predict_proba", "decision_function") and classes is not None:
        if len(classes) == apply.n_outputs:
            return list(classes)
    return None
