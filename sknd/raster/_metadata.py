"""What a DataArray's metadata says: band names, no data, scale factors, and the
attributes of an output. Reads the conventions of xarray and rioxarray.

Imports numpy only; rioxarray is used only when the caller already imported it.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np

from ._pixels import Decoding, PixelFunction

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


def decoding_of(data, n_bands: int) -> Decoding:
    attrs, encoding = data.attrs, data.encoding
    fill = attrs.get("_FillValue", attrs.get("nodata"))
    rio = _rio(data)
    if fill is None and rio is not None:
        fill = rio.nodata
    masked = encoding.get("_FillValue") is not None or (
        rio is not None and rio.encoded_nodata is not None
    )
    return Decoding(
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


def file_band_names(data, band_dim) -> list[str] | None:
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


def band_positions(estimator, names, n_bands, band_dim) -> list[int] | None:
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


def class_fill(classes) -> int:
    """-1, or one less than the smallest class when -1 is a class."""
    if classes is None or not np.issubdtype(np.asarray(classes).dtype, np.integer):
        return -1
    return int(min(-1, np.min(classes) - 1))


def output_attrs(attrs: dict, n_bands: int, labels, apply: PixelFunction) -> dict:
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
