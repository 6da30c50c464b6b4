"""Input validation shared by every sknd estimator.

numpy and scikit-learn only: the torch-free filters use it too, so no torch here.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import validate_data

FLOATS = [np.float64, np.float32]


def check_data(estimator, X, y="no_validation", *, what: str = "values", **kwargs):
    """``validate_data`` to float arrays, with a plain message for text in ``X``.

    ``what`` names the expected content in that message ("band values", "signals").
    """
    try:
        return validate_data(estimator, X, y, dtype=FLOATS, **kwargs)
    except ValueError as err:
        if "could not convert string to float" in str(err):
            raise ValueError(
                f"{type(estimator).__name__} needs numeric {what}, but X contains text: {err}."
            ) from err
        raise


def check_bands(estimator, X, y="no_validation", **kwargs):
    """:func:`check_data` for tables of band values."""
    return check_data(estimator, X, y, what="band values", **kwargs)


def unit_peak_rows(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``X`` in float64 with each row divided by its largest magnitude, and those
    scales, shape (n_rows, 1) (1 for all-zero rows, which stay zero)."""
    X = np.asarray(X, dtype=np.float64)
    scale = np.abs(X).max(axis=1, keepdims=True)
    scale[scale == 0] = 1.0
    return X / scale, scale
