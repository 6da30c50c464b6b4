"""Thresholding functions: soft, firm, and one entry point that dispatches by name.

Plain numpy on arrays of any shape (complex values keep their phase); no
estimators and no torch here.
"""

from __future__ import annotations

import numpy as np

__all__ = ["firm_threshold", "soft_threshold", "threshold"]


def _on_magnitude(v, fn):
    """Apply a real shrinkage ``fn`` to ``v``; complex values keep their phase."""
    if not np.iscomplexobj(v):
        return np.sign(v) * fn(np.abs(v))
    mag = np.abs(v)
    return v * (fn(mag) / np.where(mag > 0, mag, 1.0))


def soft_threshold(v, t):
    """``sign(v) max(|v| - t, 0)``; for complex ``v`` it shrinks the magnitude.

    Examples
    --------
    >>> import numpy as np
    >>> from sknd.denoise import soft_threshold
    >>> soft_threshold(np.array([-3.0, -0.5, 0.5, 3.0]), 1.0)
    array([-2., -0.,  0.,  2.])
    """
    return _on_magnitude(v, lambda m: np.maximum(m - t, 0.0))


def firm_threshold(v, t1, t2):
    """Firm threshold: 0 up to ``t1``, linear to the identity at ``t2``, identity beyond.

    The proximal operator of the GMC penalty with ``A = I``: ``t1 = lam``,
    ``t2 = lam / gamma``. Magnitudes of complex values are thresholded.

    Examples
    --------
    >>> import numpy as np
    >>> from sknd.denoise import firm_threshold
    >>> firm_threshold(np.array([0.5, 1.5, 3.0]), 1.0, 2.0)
    array([0., 1., 3.])
    """

    def firm(m):
        with np.errstate(invalid="ignore", divide="ignore"):  # t1 == t2: unused branch
            # (m - t1) times a bounded slope: no overflow at huge magnitudes.
            middle = (m - t1) * (t2 / (t2 - t1))
        return np.where(m <= t1, 0.0, np.where(m <= t2, middle, m))

    return _on_magnitude(v, firm)


def threshold(v, value, mode: str = "soft", *, gamma: float = 0.5):
    """Threshold ``v`` at ``value`` by name, like ``pywt.threshold(data, value, mode=)``.

    ``mode="soft"``: :func:`soft_threshold`; ``"hard"``: zero below ``value``,
    identity above; ``"firm"``: :func:`firm_threshold` with ``t1 = value`` and
    ``t2 = value / gamma`` (the GMC penalty's, ``0 < gamma < 1``).

    Examples
    --------
    >>> import numpy as np
    >>> from sknd.denoise import threshold
    >>> threshold(np.array([0.5, 1.5, 3.0]), 1.0, mode="hard")
    array([0. , 1.5, 3. ])
    """
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {sorted(_MODES)}, got {mode!r}.")
    if mode == "firm" and not 0 < gamma < 1:
        raise ValueError(f"gamma must be in (0, 1) for mode='firm', got {gamma!r}.")
    return _MODES[mode](v, value, gamma)


def _hard(v, t):
    return np.where(np.abs(v) > t, v, 0)


_MODES = {
    "soft": lambda v, t, gamma: soft_threshold(v, t),
    "hard": lambda v, t, gamma: _hard(v, t),
    "firm": lambda v, t, gamma: firm_threshold(v, t, t / gamma),
}
