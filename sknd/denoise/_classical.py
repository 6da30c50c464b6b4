"""The sparse classical denoisers: L1-norm and GMC-norm filters.

The estimators only; the functions they call live beside them: thresholds in
``_thresholds``, iterative solvers in ``_solvers``, total variation in ``_tv``,
SURE families in ``_families`` and the tuning search in ``_sure``; the bases
they share (stateless fit, windows) are in ``_filters``. Must not import torch.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .._docs import fill_doc
from .._params import Integral, Interval, Real, StrOptions
from .._progress import Progress
from .._validation import unit_peak_rows
from .._warnings import warn_user
from ._families import Family, Thresholding, TotalVariation
from ._filters import WINDOW_MIN_LENGTH, _PerSignalChoice, load_wavelet
from ._signal import estimate_noise, mean_deviation_std, too_short_for_noise_estimate
from ._solvers import _dft_ops, gmc_general, ista_l1
from ._sure import nearest_index, tune, tuning_block
from ._thresholds import firm_threshold, soft_threshold

__all__ = ["GMCDenoiser", "L1Denoiser"]

_DOMAINS = ("time", "tv", "dft", "wavelet", "swt")


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
            load_wavelet(self.wavelet)

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

    def solve(self, y, lam, x0=None):
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
    costliest here): linear in the length, with a fixed cost per signal for
    the tuning block above ``2 * tuning_length`` samples. The benchmark
    report's "Long recordings" has the measured times;
    ``python benchmarks/bench_long.py`` measures them on your machine.

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
