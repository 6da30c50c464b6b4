"""Signal-quality metrics and their scikit-learn scorers.

numpy and scikit-learn only: importing the metrics never imports torch.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import make_scorer

from ._params import Interval, Real, validate_call

__all__ = ["neg_rmse_scorer", "psnr", "psnr_scorer", "rmse"]


def _pair(y_true, y_pred):
    y_true = np.atleast_2d(np.asarray(y_true, dtype=np.float64))
    y_pred = np.atleast_2d(np.asarray(y_pred, dtype=np.float64))
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape, got {y_true.shape} and {y_pred.shape}."
        )
    for name, values in (("y_true", y_true), ("y_pred", y_pred)):
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{name} contains NaN or infinity.")
    return y_true, y_pred


@validate_call({"average": ["boolean"]})
def rmse(y_true, y_pred, *, average: bool = True):
    """Root-mean-square error of each signal (rows), averaged over signals by default.

    Examples
    --------
    >>> from sknd.metrics import rmse
    >>> float(rmse([[0.0, 0.0], [1.0, 1.0]], [[3.0, 4.0], [1.0, 1.0]]))
    1.7677669529663689
    """
    y_true, y_pred = _pair(y_true, y_pred)
    per_signal = np.sqrt(np.mean((y_true - y_pred) ** 2, axis=1))
    return per_signal.mean() if average else per_signal


@validate_call(
    {
        "peak": [None, Interval(Real, 0, None, closed="neither")],
        "average": ["boolean"],
        "max_db": [None, Interval(Real, 0, None, closed="neither")],
    }
)
def psnr(y_true, y_pred, *, peak=None, average: bool = True, max_db: float | None = 100.0):
    """Peak signal-to-noise ratio in dB: ``20 log10(peak / RMSE)`` per signal.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_signals, length) or (length,)
    peak : float, optional
        The signal's peak value; by default each clean signal's largest magnitude.
    average : bool, default=True
        Mean over signals; ``False`` returns one value per signal.
    max_db : float or None, default=100.0
        Each signal's PSNR is capped here: a reconstruction within 1e-5 of the
        peak (at the default) counts as perfect, so that one perfect signal
        gives a finite mean instead of ``inf`` (which would hide every other
        signal in an average or a ``GridSearchCV``). ``None`` gives ``inf``
        for a perfect reconstruction.

    Raises
    ------
    ValueError
        For NaN or infinite values, and, without ``peak``, for a clean signal
        that is all zeros: it has no peak to compare the error with.

    Notes
    -----
    The ratio of amplitudes (RMSE, not MSE) with a factor 20: ``10 log10(peak^2 / MSE)``.

    Examples
    --------
    >>> from sknd.metrics import psnr
    >>> round(float(psnr([[0.0, 10.0]], [[1.0, 10.0]])), 2)
    23.01
    >>> float(psnr([[0.0, 10.0]], [[0.0, 10.0]]))
    100.0
    """
    y_true, y_pred = _pair(y_true, y_pred)
    per_rmse = rmse(y_true, y_pred, average=False)
    if peak is None:
        top = np.abs(y_true).max(axis=1)
        flat = np.flatnonzero(top == 0)
        if flat.size:
            raise ValueError(
                f"psnr: the clean signal(s) at rows {flat[:10].tolist()} are all zero, so "
                "they have no peak to measure the error against; pass peak=."
            )
    else:
        top = np.full(len(y_true), float(peak))
    with np.errstate(divide="ignore"):
        per_signal = 20.0 * np.log10(top / per_rmse)
    if max_db is not None:
        per_signal = np.minimum(per_signal, max_db)
    return per_signal.mean() if average else per_signal


#: ``GridSearchCV(..., scoring=psnr_scorer)`` for denoisers (higher is better).
psnr_scorer = make_scorer(psnr)
#: Negated RMSE, the scikit-learn convention for errors.
neg_rmse_scorer = make_scorer(rmse, greater_is_better=False)
