"""What every denoiser shares: signal validation, the noise estimates, PSNR scoring.

The noise estimators are named after what they read: ``estimate_noise`` (the MAD
of the finest Haar details, per signal), ``estimate_noise_pooled`` (the same,
corrected over a set), ``multiscale_noise_std`` (the MADs of several wavelet
scales); the helpers ``mad_std``, ``mean_deviation_std`` and ``_mixture_std`` turn
coefficients into a std. numpy (PyWavelets for the multiscale one); no torch
here (the classical filters build on it).
"""

from __future__ import annotations

import warnings

import numpy as np

from .._validation import check_data
from .._warnings import warn_user

#: The shortest signal whose noise can be estimated: two finest Haar details.
NOISE_MIN_LENGTH = 4
#: The MAD of standard Gaussian noise: ``median(|d|) / MAD_GAUSSIAN`` is its std.
MAD_GAUSSIAN = 0.6745
# Standard errors by which a coarser scale's MAD must undercut the finest's.
_MAD_SIGNIFICANCE = 3.5


def haar_details(X: np.ndarray) -> np.ndarray:
    """Each row's finest Haar detail coefficients, ``(x[2k+1] - x[2k]) / sqrt(2)``
    (a trailing odd sample is left out)."""
    X = np.atleast_2d(X)
    n = X.shape[1] // 2 * 2
    return (X[:, 1:n:2] - X[:, 0:n:2]) / np.sqrt(2.0)


def estimate_noise(X: np.ndarray) -> np.ndarray:
    """Per-signal noise std from the MAD of the finest Haar detail coefficients.

    ``sigma = median(|d - median(d)|) / 0.6745`` with ``d[k] = (x[2k+1] - x[2k]) / sqrt(2)``:
    robust to sparse spikes and smooth trends alike.

    Examples
    --------
    >>> import numpy as np
    >>> from sknd.denoise import estimate_noise
    >>> rng = np.random.default_rng(0)
    >>> X = np.sin(np.linspace(0, 6, 1000))[None, :] + 0.5 * rng.standard_normal((2, 1000))
    >>> estimate_noise(X).round(1)
    array([0.5, 0.5])
    """
    return mad_std(haar_details(X))


def mean_deviation_std(X: np.ndarray) -> np.ndarray:
    """Per-signal noise std from the *mean* absolute deviation of the finest Haar
    details, ``sqrt(pi / 2) * mean|d - median(d)|``: less robust than the MAD,
    but above 0 when over half the details are exactly 0 (quantized signals,
    impulsive noise), where the MAD is 0."""
    d = haar_details(X)
    return np.sqrt(np.pi / 2) * np.mean(np.abs(d - np.median(d, axis=-1, keepdims=True)), axis=-1)


def mad_std(d: np.ndarray) -> np.ndarray:
    """``median(|d - median(d)|) / 0.6745`` along the last axis: the std of
    Gaussian noise in detail coefficients ``d``, robust to the few that hold signal."""
    return np.median(np.abs(d - np.median(d, axis=-1, keepdims=True)), axis=-1) / MAD_GAUSSIAN


def _mixture_std(d2: np.ndarray, max_iter: int = 200) -> float:
    """Std of the narrow part of a two-component zero-mean Gaussian scale mixture
    fitted by EM to squared values ``d2``; the MAD estimate when the parts do not
    separate (a wide part under 5% or under 1.5x wider)."""
    mad = float(np.sqrt(np.median(d2)) / MAD_GAUSSIAN)
    if mad == 0:
        return mad
    v1, v2, share = 0.25 * mad**2, 4.0 * mad**2, 0.7
    for _ in range(max_iter):
        l1 = share * np.exp(-0.5 * d2 / v1) / np.sqrt(v1)
        l2 = (1 - share) * np.exp(-0.5 * d2 / v2) / np.sqrt(v2)
        r = l1 / np.maximum(l1 + l2, np.finfo(float).tiny)
        share = r.mean()
        if not 0.0 < share < 0.95:
            return mad
        new1 = (r * d2).sum() / r.sum()
        v2 = ((1 - r) * d2).sum() / (1 - r).sum()
        done = abs(new1 - v1) <= 1e-8 * v1
        v1 = new1
        if done:
            break
    return float(np.sqrt(v1)) if v2 > 2.25 * v1 else mad


def mad_bias_factor(X: np.ndarray) -> float:
    """Factor that corrects the per-signal MAD estimates of a set of signals.

    Each row's finest Haar details are divided by its own MAD estimate, so rows
    with different noise levels pool correctly; a two-component zero-mean
    Gaussian scale mixture fitted by EM to the pooled values separates the
    noise (narrow) from the signal's spikes and jumps (wide). The MAD estimate
    alone is about 25% too high on the spike task of
    :func:`~sknd.datasets.make_spike_signals` (input SNR 1), where
    a third of the details hold a spike. 0 when every row is noise-free.
    """
    d = haar_details(X)
    mad = mad_std(d)
    used = mad > 0
    if not used.any():
        return 0.0
    return _mixture_std(((d[used] / mad[used, None]) ** 2).ravel())


def estimate_noise_pooled(X: np.ndarray, *, per_signal: bool = False):
    """Noise std of a set of signals, robust to sparse spikes and jumps.

    The MAD estimate of each row (:func:`estimate_noise`) times the set's
    :func:`mad_bias_factor`. Returns one float (the median over rows), or with
    ``per_signal=True`` an array with one estimate per row.

    Examples
    --------
    Spikes inflate the plain per-signal MAD estimate; the pooled one is
    close to the true 3.0:

    >>> import numpy as np
    >>> from sknd.datasets import make_spike_signals
    >>> from sknd.denoise import estimate_noise, estimate_noise_pooled
    >>> X, _ = make_spike_signals(500, noise=3.0, random_state=0)
    >>> round(float(estimate_noise_pooled(X)), 2), round(float(np.median(estimate_noise(X))), 2)
    (3.13, 3.75)
    """
    sigma = mad_bias_factor(X) * estimate_noise(X)
    return sigma if per_signal else float(np.median(sigma))


def too_short_for_noise_estimate(who: str, length: int, advice: str = "") -> bool:
    """Whether signals of ``length`` samples are too short to estimate their
    noise; if so, warn that they are returned unchanged (naming ``who``)."""
    if length >= NOISE_MIN_LENGTH:
        return False
    warn_user(
        f"{who} estimates each signal's noise from pairs of samples and needs signals of "
        f"at least {NOISE_MIN_LENGTH} samples; signals of length {length} are returned "
        f"unchanged.{advice}",
        UserWarning,
    )
    return True


def multiscale_noise_std(y, wavelet="sym8", levels=4) -> float:
    """The noise std of one signal from the MADs of its finest wavelet scales.

    White noise has the same std at every scale of an orthonormal transform,
    and a signal only adds to it. The finest scale's MAD (the usual estimate)
    is right when that scale is mostly noise, but reads high-frequency content
    as noise: several times too high on PyWavelets' chirps and HiSine at SNR
    7. So a coarser scale (one of the next ``levels - 1``) replaces it when
    its MAD is lower by more than chance explains: by more than 3.5 standard
    errors of that scale's MAD (``1.166 / sqrt(n)`` relative, for ``n``
    Gaussian coefficients); the smallest such MAD is then the estimate (a
    fixed ratio instead is fooled by chance where a short scale's MAD falls
    that low by itself). Only scales of at least 64 coefficients take
    part. :class:`AutoDenoiser` also checks that the estimate is plausible
    (see its ``noise_plausible_``).

    Examples
    --------
    >>> import numpy as np
    >>> from sknd.denoise import multiscale_noise_std
    >>> t = np.arange(2048)
    >>> chirp = np.sin(2 * np.pi * (0.05 + 0.4 * t / 2048) * t)
    >>> noisy = chirp + 0.1 * np.random.default_rng(0).standard_normal(2048)
    >>> round(multiscale_noise_std(noisy), 2)  # the finest-scale MAD reads 0.98
    0.11
    """
    return multiscale_noise_std_and_reason(y, wavelet, levels)[0]


def _gaussian_spread(d) -> tuple[float, float]:
    """MAD estimate over RMS of coefficients ``d`` (1 for Gaussian noise) and
    the 3.5 standard errors of that ratio (``0.93 / sqrt(n)`` each, simulated)."""
    rms = float(np.sqrt(np.mean(d**2)))
    ratio = float(mad_std(d)) / rms if rms > 0 else 1.0
    return ratio, _MAD_SIGNIFICANCE * 0.93 / np.sqrt(d.size)


def multiscale_noise_std_and_reason(y, wavelet="sym8", levels=4) -> tuple[float, str | None]:
    """:func:`multiscale_noise_std`, and why white noise cannot explain the
    scales it read (``None`` where it can).

    Three tests, each an impossibility for white noise plus a signal (each at
    3.5 standard errors): the finest scale's MAD estimate exceeds its RMS (a
    periodic component spreads coefficients evenly, as ``|sin|`` does, and
    the MAD then reads ~1.5 times the RMS; noise and sparse signal never do);
    the finest scale is periodic so and the coarser scale that replaced it is
    not noise-like either (its MAD far below its RMS: signal there too); the
    estimate exceeds the signal's own std (as on quarterly sea-surface
    temperatures, ``pywt.data.nino``: a seasonal cycle of period 4; the
    benchmark report measures what denoising with such an estimate costs).
    """
    import pywt

    enough = int(np.log2(max(len(y) // 64, 1)))
    levels = max(1, min(levels, pywt.dwt_max_level(len(y), wavelet), enough))
    with warnings.catch_warnings():
        # A signal shorter than the filter still has one periodized level,
        # every coefficient of it touched by the wrap-around: fine for a MAD.
        warnings.filterwarnings("ignore", "Level value of 1 is too high", UserWarning)
        details = pywt.wavedec(y, wavelet, mode="periodization", level=levels)[1:]
    finest = float(mad_std(details[-1]))
    estimate, source = finest, details[-1]
    for d in details[:-1]:
        mad = float(mad_std(d))
        if mad < finest * (1.0 - _MAD_SIGNIFICANCE * 1.166 / np.sqrt(d.size)) and mad < estimate:
            estimate, source = mad, d
    ratio, tol = _gaussian_spread(details[-1])
    if ratio > 1 + tol and source is details[-1]:
        return estimate, (
            f"the finest wavelet scale is spread as a periodic signal is, not as "
            f"Gaussian noise (its MAD estimate is {ratio:.2f} times its RMS)"
        )
    coarse, coarse_tol = _gaussian_spread(source)
    if ratio > 1 + tol and coarse < 1 - coarse_tol:
        return estimate, (
            "the finest wavelet scale is spread as a periodic signal is, and the "
            "coarser scale read instead holds signal too (its MAD estimate is "
            f"{coarse:.2f} times its RMS)"
        )
    spread = float(np.std(y))
    if estimate > spread * (1 + _MAD_SIGNIFICANCE * 1.166 / np.sqrt(source.size)):
        return estimate, f"the estimate {estimate:.3g} exceeds the signal's own std {spread:.3g}"
    return estimate, None


class SignalMixin:
    """Validation and scoring for estimators on rows of 1-D signals."""

    #: Shortest signal accepted.
    _min_length = 2  # the noise estimate needs one pair of samples

    def _check_signals(self, X, *, reset: bool, y=None):
        if y is None:
            X = check_data(self, X, reset=reset, what="signals")
        else:
            X, y = check_data(self, X, y, reset=reset, multi_output=True, what="signals")
        self._check_length(X)
        if y is not None and (y.ndim != 2 or y.shape != X.shape):
            raise ValueError(
                f"y must hold the clean signals, with the shape of X {X.shape}; got {np.shape(y)}."
            )
        return X if y is None else (X, y)

    def _check_length(self, X):
        if X.shape[1] < self._min_length:
            raise ValueError(
                f"{type(self).__name__} needs signals of at least {self._min_length} "
                f"samples; got signals of length {X.shape[1]} ({X.shape[1]} feature(s), "
                f"X has shape {X.shape})."
            )

    def predict(self, X):
        """Denoised signals, same shape as ``X``.

        float32 and float64 keep their dtype; other dtypes (integers, float16)
        come back as float64.
        """
        return self.transform(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
