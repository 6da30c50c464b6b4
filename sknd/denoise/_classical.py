"""Classical, stateless 1-D denoisers: Wiener, L1-norm and GMC-norm filters.

The estimators only; the functions they call live beside them: thresholds in
``_thresholds``, iterative solvers in ``_solvers``, total variation in ``_tv``.
Must not import torch.
"""

from __future__ import annotations

import warnings
from typing import ClassVar

import numpy as np
from scipy.ndimage import uniform_filter1d
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._docs import fill_doc
from .._progress import Progress
from .._sklearn import Integral, Interval, OddInt, ParamsMixin, Real, StrOptions, renamed
from .._validation import unit_peak_rows, warn_user
from ._signal import NOISE_MIN_LENGTH, SignalMixin, estimate_noise, mean_deviation_std
from ._solvers import _dft_ops, gmc_general, ista_l1
from ._sure import Family, Thresholding, TotalVariation, nearest_index, tune, tuning_block
from ._thresholds import firm_threshold, soft_threshold

__all__ = ["GMCDenoiser", "L1Denoiser", "WienerDenoiser"]

_DOMAINS = ("time", "tv", "dft", "wavelet", "swt")

# The shortest window_length: a noise estimate and a SURE curve need samples.
WINDOW_MIN_LENGTH = 64


def too_short_for_noise_estimate(who: str, length: int, advice: str = "") -> bool:
    """Whether signals of ``length`` samples are too short to estimate their
    noise; if so, warn that they are returned unchanged (naming ``who``)."""
    if length >= NOISE_MIN_LENGTH:
        return False
    warnings.warn(
        f"{who} estimates each signal's noise from pairs of samples and needs signals of "
        f"at least {NOISE_MIN_LENGTH} samples; signals of length {length} are returned "
        f"unchanged.{advice}",
        UserWarning,
        stacklevel=4,
    )
    return True


def _wavelet(name):
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


class _SparseFilter(_PerSignalChoice):
    """Shared by the L1 and GMC filters: domains, ``lam="auto"`` and ``"sure"``, row loop."""

    # lam="auto" multiplies each signal's MAD noise estimate by these factors,
    # chosen by a sweep on sknd.datasets' spike, smooth and piecewise-constant
    # families (length 100, SNR 1, 2 and 7); "swt" borrows "wavelet"'s (its
    # thresholds are per level in units of that level's noise std).
    _AUTO: ClassVar[dict[str, float]] = {}

    _parameter_constraints: ClassVar[dict] = {
        "lam": [StrOptions({"auto", "sure"}), Interval(Real, 0, None, closed="left")],
        "domain": [StrOptions(set(_DOMAINS))],
        "wavelet": [str],
        "window_length": [None, Interval(Integral, WINDOW_MIN_LENGTH, None, closed="left")],
        "tuning_length": [None, Interval(Integral, WINDOW_MIN_LENGTH, None, closed="left")],
        "verbose": ["verbose"],
    }

    def _check_params(self):
        super()._check_params()
        if self.domain in ("wavelet", "swt"):
            _wavelet(self.wavelet)

    def _denoise(self, X, verbose):
        """Denoised rows, the weight used for each and (``lam="sure"``) its risk."""
        # Every solver here is 1-homogeneous (denoise(c y, c lam) = c denoise(y,
        # lam)): solve each row at unit peak, so no magnitude over- or underflows.
        X64, scale = unit_peak_rows(X)
        risks = np.full(len(X64), np.nan)
        if self.lam in ("auto", "sure"):
            short = too_short_for_noise_estimate(
                f'lam="{self.lam}"', X.shape[1], " Pass a number for lam."
            )
            sigmas = estimate_noise(X64)
            if not short:
                sigmas = self._fallback_noise(X64, sigmas)
            lams = self._AUTO[self.domain] * sigmas
        else:
            short, lams = False, np.full(len(X64), float(self.lam)) / scale[:, 0]
        if self.lam == "sure" and not short:
            out, lams, risks = self._tune(X64, sigmas, verbose)
        elif self.domain == "time":
            out = self._threshold(X64, lams[:, None])
        elif self.domain == "dft":
            A, AH = _dft_ops()
            out = A(self._solve(X64, A, AH, lams[:, None])).real
        else:
            family = self._family()
            out = np.stack([family.solve(row, lam)[0] for row, lam in zip(X64, lams)])
        with np.errstate(over="ignore"):  # a risk in units of 1e300 squared is inf
            if self.lam == "sure":
                risks = risks * scale[:, 0] ** 2
        out = (out * scale).astype(X.dtype, copy=False)
        return out, {"lam_": lams * scale[:, 0], "risk_": risks}

    def _fallback_noise(self, X, sigmas):
        """Where the MAD estimate is 0, the mean-deviation one, with a warning."""
        zero = np.flatnonzero(sigmas == 0)
        if zero.size == 0:
            return sigmas
        sigmas = sigmas.copy()
        sigmas[zero] = mean_deviation_std(X[zero])
        warn_user(
            f'lam="{self.lam}": the MAD noise estimate is 0 for the signals at rows '
            f"{zero[:10].tolist()}{' ...' if zero.size > 10 else ''} (more than half of "
            "their fine-scale differences are exactly 0, as in quantized signals or "
            "impulsive noise); their noise std is estimated from the mean absolute "
            "deviation instead, and signals where that is 0 too are returned unchanged. "
            "Pass a number for lam to choose yourself.",
            UserWarning,
        )
        return sigmas

    def _tune(self, X, sigmas, verbose):
        """Per signal, the ``lam`` of lowest SURE: estimates, weights, risks."""
        family = self._family()
        # Monte-Carlo divergences (DFT domain) use one probe from a fixed seed
        # for every row: the same signal gets the same answer wherever it sits in X.
        dft = self.domain == "dft"
        probe = np.random.default_rng(0).standard_normal(X.shape[1]) if dft else None
        out, lams, risks = [], [], []
        who = f'{type(self).__name__}(lam="sure", domain="{self.domain}")'
        progress = Progress(who, len(X), "signals", enabled=bool(verbose))
        block = tuning_block(X.shape[1], self.tuning_length)
        for i, (row, sigma) in enumerate(zip(X, sigmas)):
            if block is None:
                x, lam, risk = tune(family, row, sigma, probe=probe)
            else:  # tune on the central block, then walk downhill on the whole
                part = None if probe is None else probe[: self.tuning_length]
                _, lam, _ = tune(family, row[block], sigma, probe=part)
                start = nearest_index(family.grid, lam / sigma)
                x, lam, risk = tune(family, row, sigma, probe=probe, start=start)
            progress.update(i + 1)
            out.append(x)
            lams.append(lam)
            risks.append(risk)
        return np.stack(out), np.array(lams), np.array(risks)


class _DFTFamily(Family):
    """A filter's DFT-domain solve as a SURE family (Monte-Carlo divergence)."""

    def __init__(self, solve):
        self._solve = solve
        self.name = "dft"

    def solve(self, y, lam):
        A, AH = _dft_ops()
        return A(self._solve(y[None], A, AH, np.array([[lam]]))).real[0], None


@fill_doc
class L1Denoiser(_SparseFilter):
    """L1-norm denoising: ``argmin 1/2 ||y - x||^2 + lam ||W x||_1`` for each signal.

    Parameters
    ----------
    lam : float, "auto" or "sure", default="auto"
        Regularization weight. ``"auto"`` estimates each signal's noise std
        sigma by the MAD of its finest Haar details and uses ``0.9 sigma`` in
        the time domain (near the RMSE-optimal soft threshold for sparse spikes;
        the universal threshold ``sigma sqrt(2 ln n)`` is about 3 sigma there
        and much worse in RMSE), ``1.5 sigma`` for TV, wavelet, SWT and DFT.
        ``"sure"`` chooses each signal's weight by Stein's unbiased risk
        estimate, without the clean signal: SURE on a grid of 24 multiples of
        sigma (closed-form divergences; Monte-Carlo with a fixed seed for
        ``"dft"``), smoothed by a parabola in ``log lam`` around its lowest
        point, whose vertex is the weight. The weights and risks are in ``lam_`` and
        ``risk_``.
    domain : {"time", "tv", "dft", "wavelet", "swt"}, default="time"
        Where the signal is sparse. ``"time"``: soft threshold of the samples.
        ``"tv"``: sparse differences, exact 1-D total variation (Condat's
        direct algorithm). ``"dft"``: sparse unitary DFT coefficients, solved
        by ISTA (Daubechies, Defrise and De Mol, 2004). ``"wavelet"``: soft
        threshold of orthonormal DWT details (needs PyWavelets). ``"swt"``:
        soft threshold of the stationary (undecimated, translation-invariant)
        wavelet transform's details, level ``j`` at ``lam`` times that level's
        noise gain, so every level is thresholded at the same multiple of its
        own noise std (up to 6 levels; signal lengths must be divisible by
        ``2**levels``, and a signal of odd length is returned unchanged).
    wavelet : str, default="db4"
        Wavelet for ``domain="wavelet"`` and ``"swt"``.
    {params: window_length, tuning_length}
    verbose : int, default=0
        1 reports progress on stderr while ``lam="sure"`` tunes: one line,
        updated as signals finish (at most twice a second).

    Attributes
    ----------
    lam_ : ndarray of shape (n_signals,)
        The weight used for each signal seen in ``fit`` (``transform`` chooses
        again for each new signal, and sets nothing).
    risk_ : ndarray of shape (n_signals,)
        With ``lam="sure"``, each fitted signal's estimated mean squared error
        per sample (SURE) at ``lam_``, in squared signal units; NaN otherwise.
    window_starts_ : ndarray of shape (n_windows,)
        With ``window_length``: the first sample of each window.

    See Also
    --------
    sknd.denoise.soft_threshold : The rule of the time and wavelet domains.
    sknd.denoise.tv_denoise : The total-variation solver (``domain="tv"``).
    sknd.denoise.ista_l1 : The iterative solver of ``domain="dft"``.

    Examples
    --------
    >>> import numpy as np
    >>> from sknd.denoise import L1Denoiser
    >>> L1Denoiser(lam=1.0).fit_transform(np.array([[0.5, -3.0, 2.0]]))
    array([[ 0., -2.,  1.]])
    """

    _AUTO: ClassVar[dict[str, float]] = {
        "time": 0.9,
        "tv": 1.5,
        "dft": 1.5,
        "wavelet": 1.5,
        "swt": 1.5,
    }

    def __init__(
        self,
        lam="auto",
        *,
        domain: str = "time",
        wavelet: str = "db4",
        window_length: int | None = None,
        tuning_length: int | None = 2**17,
        verbose: int = 0,
    ) -> None:
        self.lam = lam
        self.domain = domain
        self.wavelet = wavelet
        self.window_length = window_length
        self.tuning_length = tuning_length
        self.verbose = verbose

    def _threshold(self, v, lam):
        return soft_threshold(v, lam)

    def _family(self):
        if self.domain == "tv":
            return TotalVariation()
        if self.domain == "dft":
            return _DFTFamily(self._solve)
        return Thresholding("soft", self.domain, self.wavelet)

    def _solve(self, y, A, AH, lams):
        return ista_l1(y, A, AH, lams)


@fill_doc
class GMCDenoiser(_SparseFilter):
    """GMC-norm denoising (Selesnick 2017): sparser than L1 without its bias.

    ``argmin 1/2 ||y - x||^2 + lam psi_B(W x)``, with the generalized minimax-concave
    penalty ``psi_B``, ``B = sqrt(gamma / lam) A``. The cost stays convex for
    ``0 <= gamma < 1``; large values are shrunk less than by L1.

    Parameters
    ----------
    lam : float, "auto" or "sure", default="auto"
        ``"auto"``: the noise estimate of :class:`L1Denoiser` times 1.6 (time),
        3.0 (TV), 2.3 (DFT) or 2.7 (wavelet and SWT), the best factors for
        ``gamma=0.8`` on sknd's synthetic families. ``"sure"``: each signal's
        weight by Stein's unbiased risk estimate, as in :class:`L1Denoiser`
        (the GMC-TV divergence is a closed form in the segments of the
        solution and of its merged segmentation).
    gamma : float, default=0.8
        Non-convexity of the penalty, in [0, 1). 0 is the L1 norm.
    domain : {"time", "tv", "dft", "wavelet", "swt"}, default="time"
        ``"time"``: the firm threshold (``T1 = lam``, ``T2 = lam / gamma``).
        ``"tv"``: GMC total variation by iterated exact TV denoising.
        ``"dft"``: the general forward-backward saddle-point iteration with a
        unitary DFT (Selesnick, IEEE Trans. Signal Processing 2017).
        ``"wavelet"``: firm threshold of orthonormal DWT details. ``"swt"``:
        firm threshold of stationary-wavelet details, per level as in
        :class:`L1Denoiser`.
    wavelet : str, default="db4"
        Wavelet for ``domain="wavelet"`` and ``"swt"``.
    {params: window_length, tuning_length}
    verbose : int, default=0
        1 reports progress on stderr while ``lam="sure"`` tunes: one line,
        updated as signals finish (at most twice a second).

    Attributes
    ----------
    lam_ : ndarray of shape (n_signals,)
        The weight used for each signal seen in ``fit``.
    risk_ : ndarray of shape (n_signals,)
        With ``lam="sure"``, each fitted signal's estimated mean squared error
        per sample (SURE) at ``lam_``; NaN otherwise.
    window_starts_ : ndarray of shape (n_windows,)
        With ``window_length``: the first sample of each window.

    Notes
    -----
    Cost with ``lam="sure"``, ``domain="tv"`` (iterated exact TV, the
    costliest here): on one core of a 2-core machine, one recording (the
    tiled real ECG of the benchmark report's "Long recordings") took about
    65 us a sample at 1e4 and 1e5 samples and 25 us at 1e6 (a million samples
    in about 25 s with numba installed). ``python benchmarks/bench_long.py``
    measures it on your machine.

    See Also
    --------
    sknd.denoise.firm_threshold : The rule of the time and wavelet domains.
    sknd.denoise.tv_gmc_denoise : GMC total variation (``domain="tv"``).
    sknd.denoise.gmc_general : The saddle-point iteration of ``domain="dft"``.

    Examples
    --------
    >>> import numpy as np
    >>> from sknd.denoise import GMCDenoiser
    >>> GMCDenoiser(lam=1.0, gamma=0.5).fit_transform(np.array([[0.5, 1.5, 3.0]]))
    array([[0., 1., 3.]])
    """

    _AUTO: ClassVar[dict[str, float]] = {
        "time": 1.6,
        "tv": 3.0,
        "dft": 2.3,
        "wavelet": 2.7,
        "swt": 2.7,
    }

    _parameter_constraints: ClassVar[dict] = {
        **_SparseFilter._parameter_constraints,
        "gamma": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(
        self,
        lam="auto",
        *,
        gamma: float = 0.8,
        domain: str = "time",
        wavelet: str = "db4",
        window_length: int | None = None,
        tuning_length: int | None = 2**17,
        verbose: int = 0,
    ) -> None:
        self.lam = lam
        self.gamma = gamma
        self.domain = domain
        self.wavelet = wavelet
        self.window_length = window_length
        self.tuning_length = tuning_length
        self.verbose = verbose

    def _threshold(self, v, lam):
        if self.gamma == 0:
            return soft_threshold(v, lam)
        return firm_threshold(v, lam, lam / self.gamma)

    def _family(self):
        if self.domain == "tv":
            # alpha = gamma / lam keeps the GMC-TV cost convex (alpha <= 1 / lam).
            return TotalVariation(self.gamma if self.gamma > 0 else None)
        if self.domain == "dft":
            return _DFTFamily(self._solve)
        return Thresholding("firm", self.domain, self.wavelet, gamma=self.gamma)

    def _solve(self, y, A, AH, lams):
        return gmc_general(y, A, AH, lams, self.gamma)


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
