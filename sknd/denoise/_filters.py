"""What every classical filter shares: a stateless ``fit``, choices made per
signal, and long signals denoised window by window.

numpy only; must not import torch.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._params import ParamsMixin
from .._progress import Progress
from .._warnings import warn_user
from ._signal import SignalMixin

# The shortest window_length: a noise estimate and a SURE curve need samples.
WINDOW_MIN_LENGTH = 64


def load_wavelet(name):
    """PyWavelets and its wavelet ``name``, or an error that says how to install it."""
    try:
        import pywt
    except ImportError as err:  # optional dependency
        raise ImportError(
            'domain="wavelet" and "swt" need PyWavelets: pip install "sknd[wavelet]".'
        ) from err
    return pywt, pywt.Wavelet(name)


class _StatelessFilter(
    SignalMixin, OneToOneFeatureMixin, TransformerMixin, ParamsMixin, BaseEstimator
):
    """A filter with nothing to learn: ``fit`` only checks its input.

    ``transform`` checks the parameters again: they may be set after ``fit``.
    """

    def _check_params(self):
        self._validate_params()

    def fit(self, X, y=None):
        """Check ``X`` and the parameters; nothing is learned."""
        self._check_params()
        self._check_signals(X, reset=True)
        self.fitted_ = True
        return self


class _PerSignalChoice(_StatelessFilter):
    """A filter that chooses its parameters per signal: ``fit`` records the choices.

    ``_denoise(X, verbose)`` returns the denoised rows and the fitted attributes
    that describe the choice made for each (``lam_``, ``risk_``, ...). ``fit``
    and ``fit_transform`` record them for the signals they see; ``transform``
    chooses again for every new signal and records nothing.

    With ``window_length`` set, longer signals are denoised window by window
    (:meth:`_windowed`): each window chooses for itself, and every per-signal
    attribute gains a window axis.
    """

    def fit(self, X, y=None):
        """Denoise ``X`` once and record the choice made for each signal."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        """Denoise ``X`` and record the choice made for each signal."""
        self._check_params()
        X = self._check_signals(X, reset=True)
        self.fitted_ = True
        out, choices = self._windowed(X)
        for name, value in choices.items():
            setattr(self, name, value)
        return out

    def transform(self, X):
        """Denoise each row of ``X``; same shape.

        float32 and float64 keep their dtype; other dtypes (integers, float16)
        come back as float64.
        """
        check_is_fitted(self)
        self._check_params()
        return self._windowed(self._check_signals(X, reset=False))[0]

    def _denoise(self, X, verbose):
        raise NotImplementedError

    def _windowed(self, X):
        """``_denoise`` over overlapping windows of ``window_length`` samples.

        Windows overlap by a quarter of their length and are cross-faded there
        by weights ``sin**2`` and ``cos**2`` (they sum to 1), so a change of
        choice between windows leaves no step; the last window ends at the
        signal's end, and every sample's weights are normalized to sum to 1.
        Memory beyond the output is that of one window of every row.
        """
        width = self.window_length
        n = X.shape[1]
        if width is None:
            return self._denoise(X, self.verbose)
        starts = window_starts(n, width)
        if len(starts) == 1:
            out, choices = self._denoise(X, self.verbose)
            return out, {**_with_window_axis([choices]), "window_starts_": starts}
        taper = cross_fade(width)
        out = np.zeros(X.shape)
        total = np.zeros(n)
        found = []
        progress = Progress(type(self).__name__, len(starts), "windows", enabled=bool(self.verbose))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for k, start in enumerate(starts):
                part, choices = self._denoise(X[:, start : start + width], 0)
                weight = taper.copy()
                if k == 0:
                    weight[: len(weight) // 2] = 1.0
                if k == len(starts) - 1:
                    weight[len(weight) // 2 :] = 1.0
                out[:, start : start + width] += weight * part
                total[start : start + width] += weight
                found.append(choices)
                progress.update(k + 1)
        for message in dict.fromkeys((w.category, str(w.message)) for w in caught):
            warn_user(f"{message[1]} (in windows of {width} samples)", message[0])
        out = (out / total).astype(X.dtype, copy=False)
        return out, {**_with_window_axis(found), "window_starts_": starts}


def window_starts(n: int, width: int) -> np.ndarray:
    """First samples of the windows of ``width`` that cover ``n`` samples,
    overlapping by a quarter of ``width`` (the last ends at sample ``n``)."""
    if n <= width:
        return np.array([0])
    hop = width - width // 4
    starts = list(range(0, n - width, hop))
    return np.array([*starts, n - width])


def cross_fade(width: int) -> np.ndarray:
    """A window's weights: ``sin**2`` up over its first quarter, 1, ``cos**2``
    down over its last; overlapping by a quarter, neighbours sum to 1."""
    ramp = width // 4
    weight = np.ones(width)
    if ramp:
        rise = np.sin(np.pi / 2 * (np.arange(ramp) + 0.5) / ramp) ** 2
        weight[:ramp], weight[width - ramp :] = rise, rise[::-1]
    return weight


def _with_window_axis(found: list[dict]) -> dict:
    """Per-window fitted attributes as one: arrays stacked on a window axis
    (after the signal axis), the rest (the same in every window) kept once."""
    return {
        name: np.stack([f[name] for f in found], axis=1) if isinstance(value, np.ndarray) else value
        for name, value in found[0].items()
    }
