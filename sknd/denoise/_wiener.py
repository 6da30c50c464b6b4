"""WienerDenoiser: the local adaptive Wiener filter, as ``scipy.signal.wiener``.

numpy and scipy only; must not import torch.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from scipy.ndimage import uniform_filter1d
from sklearn.utils.validation import check_is_fitted

from .._params import Interval, OddInt, Real, StrOptions, renamed
from .._validation import unit_peak_rows
from ._filters import _StatelessFilter

__all__ = ["WienerDenoiser"]


class WienerDenoiser(_StatelessFilter):
    """Local adaptive Wiener filter of each signal; equal to ``scipy.signal.wiener``.

    With local mean ``m`` and variance ``v`` over ``window`` samples (zero padded)
    and noise power ``s2`` (``noise_variance``, or the mean of ``v`` over the
    signal when it is None): ``m + (1 - s2 / v) (x - m)`` where ``v > s2``,
    else ``m``.

    Parameters
    ----------
    window : int, default=3
        Odd window length.
    noise_variance : float, optional
        The noise's variance (scipy's ``noise``, the noise power), in the
        signals' squared units; estimated per signal if None.
    noise : float, default="deprecated"
        Former name of ``noise_variance`` (``noise`` names a standard
        deviation or an augmentation scale elsewhere in sknd); still read,
        with a FutureWarning, until sknd 0.3.

    Examples
    --------
    >>> import numpy as np
    >>> from sknd.denoise import WienerDenoiser
    >>> WienerDenoiser(window=3).fit_transform(np.array([[0.0, 3.0, 0.0, 0.0]]))
    array([[0.75, 1.5 , 0.75, 0.  ]])
    """

    _parameter_constraints: ClassVar[dict] = {
        "window": [OddInt()],
        "noise_variance": [None, Interval(Real, 0, None, closed="left")],
        "noise": [None, Interval(Real, 0, None, closed="left"), StrOptions({"deprecated"})],
    }

    def __init__(
        self, window: int = 3, *, noise_variance: float | None = None, noise="deprecated"
    ) -> None:
        self.window = window
        self.noise_variance = noise_variance
        self.noise = noise

    def transform(self, X):
        """Filter each row of ``X``; same shape.

        float32 and float64 keep their dtype; other dtypes (integers, float16)
        come back as float64.
        """
        check_is_fitted(self)
        self._check_params()
        X = self._check_signals(X, reset=False)
        noise_variance = renamed(self, "noise", "noise_variance")
        # Scale-equivariant: filter each row at unit peak (a given noise
        # variance scales by the square), so squares cannot overflow.
        X64, scale = unit_peak_rows(X)
        kw = {"size": self.window, "axis": 1, "mode": "constant", "cval": 0.0}
        mean = uniform_filter1d(X64, **kw)
        # A variance is never negative; rounding can make E[x^2] - m^2 so.
        var = np.maximum(uniform_filter1d(X64**2, **kw) - mean**2, 0.0)
        if noise_variance is None:
            s2 = var.mean(axis=1, keepdims=True)
        else:
            s2 = noise_variance / scale**2
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(var <= s2, mean, mean + (1.0 - s2 / var) * (X64 - mean))
        return (out * scale).astype(X.dtype, copy=False)
