"""Apply a fitted per-pixel estimator to a whole scene.

A scene is a cube of band values: a numpy array, a dask array, or an
``xarray.DataArray`` (numpy- or dask-backed). Every pixel is one sample, its
bands are the features. Dask-backed input stays lazy: each chunk is computed
when the result is, so a scene larger than memory streams through a dask
scheduler or cluster. xarray and dask are optional dependencies (the
``sknd[raster]`` extra).
"""

from __future__ import annotations

import numbers
import sys
import warnings

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["transform_raster"]

_METHODS = ("transform", "predict", "predict_proba", "decision_function")
_OUT = "__sknd_output__"


def transform_raster(
    estimator,
    data,
    band_dim: str | int = "band",
    *,
    method: str | None = None,
    skipna: bool = False,
    block_pixels: int = 262_144,
):
    """Run a fitted estimator on every pixel of a multi-band scene.

    Parameters
    ----------
    estimator : fitted estimator
        Any fitted scikit-learn estimator that takes one row of bands per
        sample: an :class:`~sknd.NDIndexTransformer`, an
        :class:`~sknd.NDClassifier`, or a ``Pipeline`` ending in a random
        forest.
    data : ndarray, dask array or xarray.DataArray
        The scene. Its band axis must hold ``estimator.n_features_in_`` bands;
        the other axes (rows, columns, time, ...) are any number of pixels.
    band_dim : str or int, default="band"
        The band dimension's name for a DataArray (``"band"`` as rioxarray
        reads GeoTIFFs). For arrays, an integer axis; a name means axis 0, the
        ``(band, row, col)`` layout of rasterio. When the estimator was fitted
        on a DataFrame and the DataArray's band coordinate holds names, bands
        are matched by name, in any order, and extra bands are ignored.
    method : {"transform", "predict", "predict_proba", "decision_function"}, optional
        Defaults to ``transform`` when the estimator has it, else ``predict``.
    skipna : bool, default=False
        Pixels with a NaN band (no data, clouds) give NaN instead of raising.
        Their output must be numeric; class labels are then returned as float.
    block_pixels : int, default=262144
        Pixels passed to the estimator at once; bounds the working memory of
        each chunk (about ``block_pixels * n_bands * 8`` bytes).

    Returns
    -------
    Same kind as ``data``
        For one output per pixel (``predict``), the band axis is dropped. For
        several (indices, class probabilities), the band axis holds them, with
        coordinates ``get_feature_names_out()`` or ``classes_`` for a
        DataArray. Values equal the estimator's output on each pixel's bands.

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
    check_is_fitted(estimator)
    method = _resolve_method(estimator, method)
    if not (isinstance(block_pixels, numbers.Integral) and block_pixels >= 1):
        raise ValueError(f"block_pixels must be a positive integer, got {block_pixels!r}.")
    n_bands = getattr(estimator, "n_features_in_", None)
    if n_bands is None:
        raise ValueError(f"{type(estimator).__name__} does not record n_features_in_.")
    dtype = getattr(data, "dtype", None)
    if dtype is None:
        data = np.asarray(data)
        dtype = data.dtype
    apply = _PixelFunction(estimator, method, skipna, block_pixels, dtype)

    # A DataArray or a dask array can only exist once its library is imported:
    # look there instead of importing xarray and dask for every numpy scene.
    xr, da = sys.modules.get("xarray"), sys.modules.get("dask.array")
    if xr is not None and isinstance(data, xr.DataArray):
        return _transform_dataarray(apply, data, band_dim)
    if da is not None and isinstance(data, da.Array):
        axis = _band_axis(data.ndim, band_dim)
        try:
            import xarray as xr
        except ImportError as exc:
            raise ImportError(
                "transform_raster on a dask array needs xarray: pip install xarray."
            ) from exc
        dims = [f"dim_{i}" for i in range(data.ndim)]
        wrapped = xr.DataArray(data, dims=dims)
        return _transform_dataarray(apply, wrapped, dims[axis], coords=False).data
    array = np.asarray(data)
    axis = _band_axis(array.ndim, band_dim)
    _check_band_count(array.shape[axis], n_bands, f"axis {axis}")
    out = apply(np.moveaxis(array, axis, -1))
    return out if out.ndim == array.ndim - 1 else np.moveaxis(out, -1, axis)


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


class _PixelFunction:
    """Maps an array with bands on the last axis to the estimator's outputs."""

    def __init__(self, estimator, method, skipna, block_pixels, dtype):
        self.estimator = estimator
        self.call = getattr(estimator, method)
        self.method = method
        self.skipna = skipna
        self.block_pixels = int(block_pixels)
        self.columns = getattr(estimator, "feature_names_in_", None)
        # One made-up pixel of the scene's type tells the outputs' number and type.
        dtype = dtype if np.issubdtype(dtype, np.floating) else np.float64
        probe = self._run(np.ones((1, estimator.n_features_in_), dtype=dtype))
        self.n_outputs = None if probe.ndim == 1 else probe.shape[1]
        self.dtype = probe.dtype
        if skipna and not np.issubdtype(probe.dtype, np.number):
            raise ValueError(
                f"skipna=True gives NaN outputs, but {method} returns {probe.dtype} values; "
                "use predict_proba, or drop no-data pixels first."
            )
        if skipna and not np.issubdtype(probe.dtype, np.floating):
            self.dtype = np.dtype(np.float64)

    def _run(self, X: np.ndarray) -> np.ndarray:
        if self.columns is not None:
            import pandas as pd

            X = pd.DataFrame(X, columns=self.columns)
        return np.asarray(self.call(X))

    def __call__(self, cube: np.ndarray) -> np.ndarray:
        pixels = cube.reshape(-1, cube.shape[-1])
        trailing = () if self.n_outputs is None else (self.n_outputs,)
        out = np.empty((len(pixels), *trailing), dtype=self.dtype)
        for start in range(0, len(pixels), self.block_pixels):
            block = pixels[start : start + self.block_pixels]
            rows = slice(start, start + len(block))
            if self.skipna:
                valid = ~np.isnan(block).any(axis=1)
                out[rows] = np.nan
                if valid.any():
                    out[start + np.flatnonzero(valid)] = self._run(block[valid])
            else:
                out[rows] = self._run(block)
        return out.reshape(*cube.shape[:-1], *trailing)


def _transform_dataarray(apply: _PixelFunction, data, band_dim, coords: bool = True):
    import xarray as xr

    if band_dim not in data.dims:
        raise ValueError(f"band_dim={band_dim!r} is not a dimension of the data: {data.dims}.")
    if apply.columns is not None and coords and band_dim in data.coords:
        labels = [str(v) for v in data.coords[band_dim].values]
        wanted = [str(c) for c in apply.columns]
        if set(wanted) <= set(labels):
            data = data.isel({band_dim: [labels.index(c) for c in wanted]})
        elif not set(wanted) & set(labels) and len(labels) == len(wanted):
            warnings.warn(
                f"The scene's {band_dim} coordinates {labels} are not the fitted band names "
                f"{wanted}; bands are taken in order.",
                UserWarning,
                stacklevel=3,
            )
        else:
            missing = [c for c in wanted if c not in labels]
            raise ValueError(f"The scene lacks bands {missing} the estimator was fitted on.")
    _check_band_count(data.sizes[band_dim], apply.estimator.n_features_in_, repr(band_dim))
    if data.chunks is not None:
        # The estimator needs all bands of a pixel at once.
        data = data.chunk({band_dim: -1})
    out_dims = [] if apply.n_outputs is None else [_OUT]
    sizes = {} if apply.n_outputs is None else {_OUT: apply.n_outputs}
    out = xr.apply_ufunc(
        apply,
        data,
        input_core_dims=[[band_dim]],
        output_core_dims=[out_dims],
        dask="parallelized",
        output_dtypes=[apply.dtype],
        dask_gufunc_kwargs={"output_sizes": sizes},
        keep_attrs=True,
    )
    if apply.n_outputs is None:
        return out
    out = out.rename({_OUT: band_dim}).transpose(*data.dims)
    if coords:
        labels = _output_labels(apply)
        if labels is not None:
            out = out.assign_coords({band_dim: labels})
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
