"""Per-pixel evaluation: decoding stored values, running the estimator in blocks,
and mapping that over dask chunks (with the model scattered to a cluster).

Imports numpy only at module level; dask and distributed are looked up in
``sys.modules`` or imported inside the functions that need them.
"""

from __future__ import annotations

import copy
import sys

import numpy as np

from .._progress import Progress


class Decoding:
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
        out = Decoding.__new__(Decoding)
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


class PixelFunction:
    """Maps an array with bands on the last axis to the estimator's outputs."""

    def __init__(self, estimator, method, skipna, block_pixels, decode, int_fill):
        self.estimator = estimator
        self.method = method
        # What dask shows for each task: the model and method, not an address.
        self.name = f"transform_raster({type(estimator).__name__}.{method})"
        self.skipna = skipna
        self.block_pixels = int(block_pixels)
        self.decode = decode
        self.columns = getattr(estimator, "feature_names_in_", None)
        # One made-up pixel of the scene's type tells the outputs' number and type.
        probe = self._run(estimator, np.ones((1, estimator.n_features_in_), dtype=decode.dtype))
        self.n_outputs = None if probe.ndim == 1 else probe.shape[1]
        self.dtype = probe.dtype
        self.int_fill = None
        may_mask = skipna or decode.fill is not None or decode.nan_is_nodata
        if not may_mask or np.issubdtype(probe.dtype, np.floating):
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
        return self.name

    def without_estimator(self) -> PixelFunction:
        """A copy that holds no estimator, for a graph whose model is scattered."""
        lean = copy.copy(self)
        lean.estimator = None
        return lean

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
        report = Progress("transform_raster", len(pixels), "pixels", enabled=progress)
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
            report.update(min(start + self.block_pixels, len(pixels)))
        return out.reshape(*cube.shape[:-1], *trailing)


def _apply_block(block, apply, model):
    """One dask task: ``apply`` with the (possibly scattered) model."""
    return apply(block, estimator=model)


def map_blocks(apply: PixelFunction, model, bands_last):
    """Lazy ``apply`` over a dask array whose last axis holds the bands."""
    import dask.array as da
    from dask.base import tokenize

    bands_last = bands_last.rechunk({-1: -1})  # a pixel needs all its bands at once
    model = _scattered(model)
    if model is apply.estimator:
        model = None  # PixelFunction holds it already
    trailing = () if apply.n_outputs is None else ((apply.n_outputs,),)
    kwargs = {"drop_axis": -1} if apply.n_outputs is None else {}
    return da.map_blocks(
        _apply_block,
        bands_last,
        apply=apply.without_estimator() if model is not None else apply,
        model=model,
        dtype=apply.dtype,
        chunks=(*bands_last.chunks[:-1], *trailing),
        name=f"transform_raster-{tokenize(bands_last, id(apply), apply.method)}",
        meta=np.empty((0,) * (bands_last.ndim - (apply.n_outputs is None)), apply.dtype),
        **kwargs,
    )


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
