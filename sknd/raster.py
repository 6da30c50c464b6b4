"""Apply a fitted per-pixel estimator to a whole scene.

A scene is a cube of band values: a numpy array, a dask array, or an
``xarray.DataArray`` (numpy- or dask-backed), for instance a GeoTIFF read by
``rioxarray.open_rasterio``. Every pixel is one sample, its bands are the
features. Dask-backed input stays lazy: each chunk is computed when the result
is, so a scene larger than memory streams through a dask scheduler or a
``dask.distributed`` cluster. xarray and dask are optional dependencies (the
``sknd[raster]`` extra, which also brings rioxarray and rasterio).

For a DataArray the file's metadata is read, not trusted blindly: bands are
matched by name, the no-data value and the scale of integer products are
applied, and the result's attributes are written for it, so that
``.rio.to_raster()`` writes a correct file with no hand edits.
"""

from __future__ import annotations

import numbers
import sys
import warnings

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["transform_raster"]

_METHODS = ("transform", "predict", "predict_proba", "decision_function")
# Attributes that describe a scene's values, not its grid: an output has
# values of its own, so it inherits none of them.
_VALUE_ATTRS = frozenset(
    {
        "long_name",
        "standard_name",
        "description",
        "units",
        "scale_factor",
        "add_offset",
        "scales",
        "offsets",
        "_FillValue",
        "missing_value",
        "nodata",
        "valid_range",
        "valid_min",
        "valid_max",
        "_Unsigned",
        "flag_values",
        "flag_meanings",
    }
)


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
        less than the smallest class when -1 is a class. Float outputs use
        NaN.
    block_pixels : int, default=262144
        Pixels passed to the estimator at once; bounds the working memory of
        each chunk (about ``block_pixels * n_bands * 8`` bytes).
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
        decode = _Decoding(data.dtype, data.shape[axis])
        apply = _PixelFunction(estimator, method, skipna, block_pixels, decode, None)
        out = _map_blocks(apply, model, da.moveaxis(data, axis, -1))
        return out if apply.n_outputs is None else da.moveaxis(out, -1, axis)
    array = np.asarray(data)
    axis = _band_axis(array.ndim, band_dim)
    _check_band_count(array.shape[axis], estimator.n_features_in_, f"axis {axis}")
    decode = _Decoding(array.dtype, array.shape[axis])
    apply = _PixelFunction(estimator, method, skipna, block_pixels, decode, None)
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


class _Decoding:
    """From stored band values to the values the estimator was fitted on.

    ``fill`` is the declared no-data value of the stored values (None when
    there is none); ``nan_is_nodata`` says NaN is declared no data (a masked
    read); ``scale`` and ``offset`` are per band, or None.
    """

    def __init__(self, dtype, n_bands, fill=None, nan_is_nodata=False, scale=None, offset=None):
        self.fill = None if fill is None or np.isnan(fill) else fill
        self.nan_is_nodata = nan_is_nodata or (fill is not None and np.isnan(fill))
        self.scale = None if scale is None else np.broadcast_to(scale, (n_bands,))
        self.offset = None if offset is None else np.broadcast_to(offset, (n_bands,))
        scaled = self.scale is not None or self.offset is not None
        dtype = np.dtype(dtype)
        if np.issubdtype(dtype, np.floating):
            self.dtype = dtype
        else:
            self.dtype = np.dtype(np.float32 if scaled and dtype.itemsize <= 2 else np.float64)

    def select(self, positions):
        """The decoding of the bands at ``positions``, in that order."""
        out = _Decoding.__new__(_Decoding)
        out.__dict__.update(self.__dict__)
        if self.scale is not None:
            out.scale = self.scale[positions]
        if self.offset is not None:
            out.offset = self.offset[positions]
        return out

    def __call__(self, block: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Decoded values and the mask of declared no-data pixels (or None)."""
        invalid = None
        if self.fill is not None:
            invalid = (block == self.fill).any(axis=-1)
        values = block.astype(self.dtype, copy=False)
        if self.nan_is_nodata:
            nan = np.isnan(values).any(axis=-1)
            invalid = nan if invalid is None else invalid | nan
        if self.scale is not None:
            values = values * self.scale.astype(self.dtype)
        if self.offset is not None:
            values = values + self.offset.astype(self.dtype)
        return values, invalid


class _PixelFunction:
    """Maps an array with bands on the last axis to the estimator's outputs."""

    def __init__(self, estimator, method, skipna, block_pixels, decode, int_fill):
        self.estimator = estimator
        self.method = method
        self.skipna = skipna
        self.block_pixels = int(block_pixels)
        self.decode = decode
        self.columns = getattr(estimator, "feature_names_in_", None)
        # One made-up pixel of the scene's type tells the outputs' number and type.
        probe = self._run(estimator, np.ones((1, estimator.n_features_in_), dtype=decode.dtype))
        self.n_outputs = None if probe.ndim == 1 else probe.shape[1]
        self.dtype = probe.dtype
        self.int_fill = None
        self.may_mask = skipna or decode.fill is not None or decode.nan_is_nodata
        if not self.may_mask or np.issubdtype(probe.dtype, np.floating):
            return
        if not np.issubdtype(probe.dtype, np.number):
            raise ValueError(
                f"skipna=True and declared no-data pixels need a no-data output, but "
                f"{method} returns {probe.dtype} values (class names); use predict_proba, "
                "integer class labels, or drop no-data pixels first."
            )
        if int_fill is None:
            # Plain arrays carry no metadata to declare a fill value: NaN it is.
            self.dtype = np.dtype(np.float64)
        else:
            self.int_fill = int_fill
            # The smallest type (int16 at least, which every GIS reads) that
            # holds the classes and the fill value.
            classes = getattr(estimator, "classes_", None)
            if classes is None or not np.issubdtype(np.asarray(classes).dtype, np.integer):
                values = probe.dtype
            else:
                values = np.result_type(*map(np.min_scalar_type, (min(classes), max(classes))))
            self.dtype = np.result_type(np.int16, values, np.min_scalar_type(int_fill))

    def __repr__(self) -> str:
        # What dask shows for each task: the model and method, not an address.
        return f"transform_raster({type(self.estimator).__name__}.{self.method})"

    def _run(self, estimator, X: np.ndarray) -> np.ndarray:
        if self.columns is not None:
            import pandas as pd

            X = pd.DataFrame(X, columns=self.columns)
        return np.asarray(getattr(estimator, self.method)(X))

    def __call__(self, cube: np.ndarray, estimator=None, progress: bool = False) -> np.ndarray:
        estimator = self.estimator if estimator is None else estimator
        pixels = cube.reshape(-1, cube.shape[-1])
        trailing = () if self.n_outputs is None else (self.n_outputs,)
        out = np.empty((len(pixels), *trailing), dtype=self.dtype)
        missing = np.nan if self.int_fill is None else self.int_fill
        for start in range(0, len(pixels), self.block_pixels):
            block, invalid = self.decode(pixels[start : start + self.block_pixels])
            rows = slice(start, start + len(block))
            if self.skipna:
                nan = np.isnan(block).any(axis=-1)
                invalid = nan if invalid is None else invalid | nan
            elif np.isnan(block if invalid is None else block[~invalid]).any():
                raise ValueError(
                    "The scene has NaN band values in pixels it does not declare as no data. "
                    "Pass skipna=True to give those pixels no-data outputs, or declare the "
                    "no-data value (rioxarray: open_rasterio(..., masked=True))."
                )
            if invalid is None or not invalid.any():
                out[rows] = self._run(estimator, block)
            else:
                out[rows] = missing
                valid = np.flatnonzero(~invalid)
                if len(valid):
                    out[start + valid] = self._run(estimator, block[valid])
            if progress:
                done = min(start + self.block_pixels, len(pixels))
                end = "\n" if done == len(pixels) else ""
                print(
                    f"\rtransform_raster: {done / len(pixels):4.0%} of {len(pixels):,} pixels",
                    end=end,
                    file=sys.stderr,
                    flush=True,
                )
        return out.reshape(*cube.shape[:-1], *trailing)


def _apply_block(block, apply, model):
    """One dask task: ``apply`` with the (possibly scattered) model."""
    return apply(block, estimator=model)


def _map_blocks(apply: _PixelFunction, model, bands_last):
    """Lazy ``apply`` over a dask array whose last axis holds the bands."""
    import dask.array as da
    from dask.base import tokenize

    bands_last = bands_last.rechunk({-1: -1})  # a pixel needs all its bands at once
    model = _scattered(model)
    if model is apply.estimator:
        model = None  # _PixelFunction holds it already
    trailing = () if apply.n_outputs is None else ((apply.n_outputs,),)
    kwargs = {"drop_axis": -1} if apply.n_outputs is None else {}
    return da.map_blocks(
        _apply_block,
        bands_last,
        apply=_Lean(apply) if model is not None else apply,
        model=model,
        dtype=apply.dtype,
        chunks=(*bands_last.chunks[:-1], *trailing),
        name=f"transform_raster-{tokenize(bands_last, id(apply), apply.method)}",
        meta=np.empty((0,) * (bands_last.ndim - (apply.n_outputs is None)), apply.dtype),
        **kwargs,
    )


class _Lean:
    """``_PixelFunction`` without its estimator, for a graph whose model is scattered."""

    def __init__(self, apply: _PixelFunction):
        self.state = {k: v for k, v in vars(apply).items() if k != "estimator"}
        self.name = repr(apply)

    def __repr__(self) -> str:
        return self.name

    def __call__(self, block, estimator):
        apply = _PixelFunction.__new__(_PixelFunction)
        apply.__dict__.update(self.state, estimator=estimator)
        return apply(block)


def _scattered(model):
    """``model`` scattered once to the active dask.distributed client, if any."""
    distributed = sys.modules.get("distributed")
    if distributed is None or isinstance(model, distributed.Future):
        return model
    try:
        client = distributed.get_client()
    except ValueError:  # no client: the local schedulers share memory
        return model
    return client.scatter(model, broadcast=True, hash=False)


def _transform_dataarray(
    model, estimator, data, band_dim, method, skipna, nodata, block_pixels, progress
):
    import xarray as xr

    if band_dim not in data.dims:
        raise ValueError(f"band_dim={band_dim!r} is not a dimension of the data: {data.dims}.")
    n_bands = data.sizes[band_dim]
    decode = _decoding_of(data, n_bands)
    positions = _band_positions(estimator, _file_band_names(data, band_dim), n_bands, band_dim)
    if positions is not None:
        data = data.isel({band_dim: positions})
        decode = decode.select(positions)
    _check_band_count(data.sizes[band_dim], estimator.n_features_in_, repr(band_dim))
    classes = getattr(estimator, "classes_", None)
    fill = nodata if nodata is not None else _class_fill(classes)
    apply = _PixelFunction(estimator, method, skipna, block_pixels, decode, fill)

    pixel_dims = [d for d in data.dims if d != band_dim]
    bands_last = data.transpose(*pixel_dims, band_dim).data
    da = sys.modules.get("dask.array")
    if da is not None and isinstance(bands_last, da.Array):
        values = _map_blocks(apply, model, bands_last)
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
    out.attrs = _output_attrs(data.attrs, n_bands, labels, apply)
    if "grid_mapping" in data.encoding:
        out.encoding["grid_mapping"] = data.encoding["grid_mapping"]
    return out


def _decoding_of(data, n_bands: int) -> _Decoding:
    attrs, encoding = data.attrs, data.encoding
    fill = attrs.get("_FillValue", attrs.get("nodata"))
    rio = _rio(data)
    if fill is None and rio is not None:
        fill = rio.nodata
    masked = encoding.get("_FillValue") is not None or (
        rio is not None and rio.encoded_nodata is not None
    )
    return _Decoding(
        data.dtype,
        n_bands,
        fill=None if fill is None else float(np.asarray(fill)),
        nan_is_nodata=masked,
        scale=_per_band(attrs.get("scale_factor", attrs.get("scales")), n_bands, identity=1.0),
        offset=_per_band(attrs.get("add_offset", attrs.get("offsets")), n_bands, identity=0.0),
    )


def _per_band(value, n_bands: int, identity: float):
    """A scale or offset attribute as per-band values; None when it changes nothing."""
    if value is None:
        return None
    value = np.asarray(value, dtype=np.float64).ravel()
    if value.size not in (1, n_bands) or np.all(value == identity):
        return None
    return value


def _rio(data):
    """The rioxarray accessor when rioxarray is imported and the data has one."""
    if "rioxarray" not in sys.modules:
        return None
    try:
        return data.rio
    except AttributeError:
        return None


def _file_band_names(data, band_dim) -> list[str] | None:
    """The bands' names: the coordinate when it holds names, else ``long_name``."""
    if band_dim in data.coords:
        values = data.coords[band_dim].values
        if values.dtype.kind in "OUS" and not all(str(v).isdigit() for v in values):
            return [str(v) for v in values]
    names = data.attrs.get("long_name")
    if isinstance(names, str):
        names = (names,)
    if isinstance(names, (tuple, list)) and len(names) == data.sizes[band_dim]:
        return [str(v) for v in names]
    return None


def _band_positions(estimator, names, n_bands, band_dim) -> list[int] | None:
    """Where each fitted band sits in the file, or None to read by position."""
    wanted = getattr(estimator, "feature_names_in_", None)
    if wanted is None:
        return None
    wanted = [str(c) for c in wanted]
    if names is None:
        if n_bands == len(wanted):
            warnings.warn(
                f"The scene's bands have no names (neither {band_dim!r} coordinates nor a "
                f"long_name attribute); they are taken in the fitted order {wanted}.",
                UserWarning,
                stacklevel=4,
            )
        return None
    missing = [c for c in wanted if c not in names]
    if missing:
        raise ValueError(
            f"The scene lacks bands {missing} the estimator was fitted on. Fitted bands: "
            f"{wanted}; the scene's bands: {names}."
        )
    return [names.index(c) for c in wanted]


def _class_fill(classes) -> int:
    """-1, or one less than the smallest class when -1 is a class."""
    if classes is None or not np.issubdtype(np.asarray(classes).dtype, np.integer):
        return -1
    return int(min(-1, np.min(classes) - 1))


def _output_attrs(attrs: dict, n_bands: int, labels, apply: _PixelFunction) -> dict:
    out = {
        k: v
        for k, v in attrs.items()
        if k not in _VALUE_ATTRS
        and not k.startswith("STATISTICS_")
        and not (n_bands > 1 and isinstance(v, (tuple, list)) and len(v) == n_bands)
    }
    if apply.n_outputs is None:
        classifier = getattr(apply.estimator, "classes_", None) is not None
        out["long_name"] = "class" if classifier and apply.method == "predict" else "prediction"
    elif labels is not None:
        out["long_name"] = tuple(str(v) for v in labels)
    if np.issubdtype(apply.dtype, np.floating):
        out["_FillValue"] = np.nan
    elif apply.int_fill is not None:
        out["_FillValue"] = apply.int_fill
    return out


def _output_labels(apply: _PixelFunction):
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
