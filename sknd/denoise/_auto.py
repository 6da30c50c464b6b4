"""AutoDenoiser: per signal, the classical filter of lowest estimated risk.

No clean signal, no training set: for each signal it estimates the noise,
tunes every candidate filter by Stein's unbiased risk estimate (``_sure``) and
keeps the one whose estimated risk is lowest. numpy and PyWavelets; no torch.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .._params import Integral, Interval, Real, StrOptions
from .._progress import Progress
from .._validation import unit_peak_rows
from .._warnings import warn_user
from ._families import Identity, Thresholding, TotalVariation
from ._filters import WINDOW_MIN_LENGTH, _PerSignalChoice, load_wavelet
from ._signal import multiscale_noise_std_and_reason, too_short_for_noise_estimate
from ._sure import nearest_index, refine, sure, tune, tuning_block

__all__ = ["AutoDenoiser"]

# GMC-TV's best weight lies above L1-TV's (it shrinks jumps less): search 1 to
# 32 times the L1-TV choice, 8 values with a truncated solver, then refine the
# best to convergence. GMC-TV is the costliest candidate (iterated exact TV), so
# it runs only where L1-TV beat every other L1 candidate: it removes L1-TV's
# bias as firm thresholds remove soft ones', it fits no other kind of signal.
_GMC_TV_SPAN = np.geomspace(1.0, 32.0, 8)
# From this length on, the undecimated wavelet searches walk downhill from their
# decimated sibling's weight instead of solving the whole grid: the risk curve's
# noise, and with it the local minima a walk could stop in, falls as
# 1 / sqrt(length); shorter, a full search costs one inverse transform anyway
# (benchmarks/design_figures.md has the measurement).
_WALK_MIN_LENGTH = 2**15


def candidate_filters(wavelets=("sym8", "haar"), gamma=0.8):
    """The filters AutoDenoiser chooses from, by name (each with one weight ``lam``)."""
    families = [
        Identity(),
        Thresholding("soft", "time"),
        Thresholding("firm", "time", gamma=gamma),
        TotalVariation(),
        # Searched truncated, then refined converged within half a grid step.
        TotalVariation(gamma, tol=1e-3, max_iter=10, refine_step=float(np.sqrt(_GMC_TV_SPAN[1]))),
    ]
    for wavelet in wavelets:
        for basis in ("wavelet", "swt"):
            families.append(Thresholding("soft", basis, wavelet))
            families.append(Thresholding("firm", basis, wavelet, gamma=gamma))
    return {f.name: f for f in families}


class AutoDenoiser(_PerSignalChoice):
    """Denoise each signal with the filter that SURE says is best for it, label-free.

    For every signal (one recording or many) it estimates the noise std
    ``sigma`` (:func:`sknd.denoise.multiscale_noise_std`, or ``noise_std``),
    tunes the weight ``lam`` of each candidate filter by Stein's unbiased risk
    estimate (SURE) on a grid of multiples of ``sigma``, and returns the output of the
    filter with the lowest estimated risk. The candidates are L1 (soft) and
    GMC (firm) thresholds of the samples, of orthonormal wavelet details and
    of stationary (translation-invariant) wavelet details; exact L1 total
    variation; GMC total variation; and no filtering at all, so the estimated
    risk never exceeds the noise's.

    **Choosing between families.** A minimized SURE is optimistic, and more so
    for a family with more tuned parameters: comparing, say, SureShrink's
    per-level thresholds (one per level) with a single TV weight favours the
    former. Here every candidate has exactly one tuned parameter, searched
    over grids of the same density, so the optimism is the same for all and
    the lowest estimated risk is a fair choice. Per-level wavelet thresholds
    are kept, but set by a rule (the same multiple of each level's noise std),
    not tuned. Every divergence is a closed form, so the estimates carry no
    Monte-Carlo noise. The benchmark report compares this rule with one that
    lets per-level SureShrink compete.

    Parameters
    ----------
    families : list of str, optional
        Names of the candidate filters to choose from (all by default):
        ``"none"``, ``"L1 time"``, ``"GMC time"``, ``"L1 tv"``, ``"GMC tv"``,
        and ``"L1 wavelet W"``, ``"GMC wavelet W"``, ``"L1 swt W"``,
        ``"GMC swt W"`` for each wavelet ``W`` of ``wavelets``.
    wavelets : tuple of str, default=("sym8", "haar")
        Wavelets of the wavelet and stationary-wavelet candidates (needs
        PyWavelets): sym8 suits smooth signals, haar piecewise-constant ones.
    gamma : float, default=0.8
        Non-convexity of the GMC candidates, in (0, 1).
    noise_std : "auto" or float, default="auto"
        The noise std, the same for every signal, in the signals' units;
        ``"auto"`` estimates each signal's own from the MADs of its finest
        wavelet scales (:func:`sknd.denoise.multiscale_noise_std`).
    window_length : int, optional
        Denoise signals longer than this window by window: overlapping
        windows of this many samples (a quarter overlap, cross-faded there),
        each with its own noise estimate and its own choice of filter. Use it
        on long recordings whose noise level drifts (each part then gets the
        filter and weight its own noise calls for) and to bound memory by one
        window; a power of two suits the wavelet candidates. Shorter signals
        are denoised whole, as without it. With it, ``choice_``, ``lam_``,
        ``risk_``, ``noise_std_`` and ``noise_plausible_`` have a window axis,
        shape ``(n_signals, n_windows)``, and ``risks_`` is
        ``(n_signals, n_windows, n_families)``.
    tuning_length : int or None, default=131072
        Signals longer than twice this are tuned on their central
        ``tuning_length`` samples: every candidate's weight and risk come from
        that block, and only the chosen filter, at its weight, runs on the
        whole signal (the noise std is estimated on the whole). On a block this
        long SURE's noise is small (it falls as 1 / sqrt(length)), so the
        choice is the whole signal's for a recording that is alike along its
        length; use ``window_length`` for one that is not, or None to tune on
        the whole signal (slower: every candidate then runs on every sample).
    smooth_risk : bool or list of str, default=True
        Choose each candidate's weight on its smoothed SURE curve (a parabola
        in ``log lam`` around the grid's lowest point; for GMC total variation,
        its divergence smoothed), which is less noisy than the curve's plain
        argmin. False takes the grid's argmin for every candidate, a list of
        names smooths only those: the ablations the benchmark report measures.
    verbose : int, default=0
        1 reports progress on stderr: one line, updated as each candidate of
        each signal is tuned (with ``window_length``, as each window is done),
        at most twice a second.

    Attributes
    ----------
    choice_ : ndarray of str, shape (n_signals,)
        The filter chosen for each signal seen in ``fit``.
    lam_ : ndarray of shape (n_signals,)
        Its weight, in the signal's units.
    risk_ : ndarray of shape (n_signals,)
        Its estimated mean squared error per sample (SURE), on the whole
        signal. It inherits the error of the noise estimate: estimating
        ``sigma**2`` too low by ``d`` raises every candidate's risk by about
        ``d``, which leaves the choice alone but not the value.
    risks_ : ndarray of shape (n_signals, n_families)
        Every candidate's lowest estimated risk: why it chose what it chose
        (on the tuning block, for signals longer than ``2 * tuning_length``).
        NaN where GMC total variation was not tried: the costliest candidate,
        it runs only where L1 total variation beat the other L1 candidates (it
        improves on L1-TV by removing its bias, not by fitting other signals).
    families_ : list of str
        The candidates, in the order of the columns of ``risks_``.
    noise_std_ : ndarray of shape (n_signals,)
        The noise std used for each signal.
    noise_plausible_ : ndarray of bool, shape (n_signals,)
        False where no plausible noise estimate was found: the estimate (with
        ``noise_std="auto"``) is one that white noise cannot produce, because
        the finest scales hold periodic or dense signal (a seasonal cycle of
        a few samples, dense chirps), or the signal is too short to estimate.
        Those signals are returned unchanged (``choice_`` ``"none"``, ``risk_``
        NaN), with a warning: the least destructive answer (denoising with the
        inflated estimate removes signal; the benchmark report measures it on
        quarterly sea-surface temperatures). Pass ``noise_std`` to denoise
        them anyway.
    window_starts_ : ndarray of shape (n_windows,)
        With ``window_length``: the first sample of each window.
    n_features_in_ : int
        Length of the signals seen in ``fit``.

    Notes
    -----
    Cost: at most linear in the length, with a fixed cost per signal for the
    tuning block above ``2 * tuning_length`` samples; memory is a few hundred
    bytes a sample, or bounded by one window with ``window_length``. The
    benchmark report's "Long recordings" has the measured times and memory;
    ``python benchmarks/bench_long.py`` measures them on your machine.

    See Also
    --------
    sknd.denoise.L1Denoiser : One family, with ``lam="sure"``.
    sknd.denoise.GMCDenoiser : One family, with ``lam="sure"``.

    Examples
    --------
    >>> import numpy as np
    >>> from sknd.denoise import AutoDenoiser
    >>> rng = np.random.default_rng(0)
    >>> step = np.repeat([0.0, 4.0, 1.0, 3.0], 64)
    >>> noisy = step + rng.normal(size=(1, 256))  # noise std 1
    >>> den = AutoDenoiser(wavelets=("haar",))
    >>> clean = den.fit_transform(noisy)
    >>> bool(np.mean((clean - step) ** 2) < 0.05)  # from 1.0
    True
    >>> den.families_[:4]
    ['none', 'L1 time', 'GMC time', 'L1 tv']
    """

    _parameter_constraints: ClassVar[dict] = {
        "families": [None, list, tuple],
        "wavelets": [list, tuple],
        "gamma": [Interval(Real, 0, 1, closed="neither")],
        "noise_std": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
        "window_length": [None, Interval(Integral, WINDOW_MIN_LENGTH, None, closed="left")],
        "tuning_length": [None, Interval(Integral, WINDOW_MIN_LENGTH, None, closed="left")],
        "smooth_risk": ["boolean", list, tuple],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        families=None,
        *,
        wavelets=("sym8", "haar"),
        gamma=0.8,
        noise_std="auto",
        window_length=None,
        tuning_length=2**17,
        smooth_risk=True,
        verbose=0,
    ):
        self.families = families
        self.wavelets = wavelets
        self.gamma = gamma
        self.noise_std = noise_std
        self.window_length = window_length
        self.tuning_length = tuning_length
        self.smooth_risk = smooth_risk
        self.verbose = verbose

    def _check_params(self):
        super()._check_params()
        self._candidate_filters()

    def _candidate_filters(self) -> dict:
        """The candidates asked for, by name; an error names unknown ones."""
        for wavelet in self.wavelets:
            load_wavelet(wavelet)
        available = candidate_filters(tuple(self.wavelets), self.gamma)
        wanted = list(available) if self.families is None else list(self.families)
        unknown = [name for name in wanted if name not in available]
        if unknown or not wanted:
            raise ValueError(
                f"Unknown candidate filters {unknown}; AutoDenoiser has {list(available)}."
                if unknown
                else "families must name at least one candidate filter."
            )
        return {name: available[name] for name in wanted}

    def _denoise(self, X, verbose):
        if too_short_for_noise_estimate("AutoDenoiser", X.shape[1]):
            return self._unchanged(X)
        candidates = self._candidate_filters()
        X64, scale = unit_peak_rows(X)
        sigmas, implausible = self._noise_stds(X64, scale)
        names = list(candidates)
        out = np.empty_like(X64)
        risks = np.empty((len(X64), len(names)))
        lams, choice = np.empty(len(X64)), []
        # GMC-TV last: whether it runs depends on how L1-TV fared.
        order = sorted(range(len(names)), key=lambda j: names[j] == "GMC tv")
        progress = Progress(
            "AutoDenoiser", len(X64) * len(names), "candidates", enabled=bool(verbose)
        )
        risk = np.full(len(X64), np.nan)  # NaN where the signal is left unchanged
        for i, (row, sigma) in enumerate(zip(X64, sigmas)):
            risks[i] = np.nan
            if i in implausible:  # the least destructive choice: the signal itself
                out[i], lams[i] = row, 0.0
                choice.append("none")
                progress.update((i + 1) * len(names))
                continue

            def report(done, name, i=i):
                progress.update(i * len(names) + done, f"signal {i + 1}: tuning {name}")

            block = tuning_block(len(row), self.tuning_length)
            if block is None:
                (out[i], lams[i], risk[i], name), _ = self._search(
                    row, sigma, candidates, order, risks[i], report
                )
            else:
                out[i], lams[i], risk[i], name = self._search_long(
                    row, block, sigma, candidates, order, risks[i], report
                )
            progress.update((i + 1) * len(names), f"signal {i + 1}")
            choice.append(name)
        with np.errstate(over="ignore"):  # a risk in units of 1e300 squared is inf
            risks = risks * scale**2
            risk = risk * scale[:, 0] ** 2
        rows = np.arange(len(X64))
        out = (out * scale).astype(X.dtype, copy=False)
        out[list(implausible)] = X[list(implausible)]  # exactly, not via unit peak
        return out, {
            "choice_": np.array(choice, dtype=object),
            "lam_": lams * scale[:, 0],
            "risk_": risk,
            "risks_": risks,
            "families_": names,
            "noise_std_": sigmas * scale[:, 0],
            "noise_plausible_": ~np.isin(rows, list(implausible)),
        }

    def _smooths(self, name) -> bool:
        """Whether candidate ``name`` chooses on its smoothed risk curve."""
        if isinstance(self.smooth_risk, (bool, np.bool_)):
            return bool(self.smooth_risk)
        return name in self.smooth_risk

    def _noise_stds(self, X64, scale):
        """Each unit-peak row's noise std, and why it is implausible by row (warned)."""
        if self.noise_std != "auto":
            return np.full(len(X64), float(self.noise_std)) / scale[:, 0], {}
        sigmas, implausible = np.empty(len(X64)), {}
        for i, row in enumerate(X64):
            sigmas[i], why = multiscale_noise_std_and_reason(row)
            if why is not None:
                implausible[i] = why
        self._warn_implausible(implausible)
        return sigmas, implausible

    def _search(self, row, sigma, candidates, order, risks, report):
        """Tune every candidate on ``row`` (risks into ``risks``, in the order
        of ``candidates``): the best one's estimate, weight, risk and name, and
        each candidate tried's ``(lam, risk)`` by name."""
        names = list(candidates)
        best, found = None, {}
        for done, j in enumerate(order):
            name, family = names[j], candidates[names[j]]
            report(done, name)
            grid = None
            if name == "GMC tv" and "L1 tv" in found:
                l1 = {k: v for k, v in found.items() if k.startswith("L1 ")}
                if min(l1, key=lambda k: l1[k][1]) != "L1 tv" or sigma <= 0:
                    continue
                grid = found["L1 tv"][0] / sigma * _GMC_TV_SPAN
            start = None
            sibling = name.replace(" swt ", " wavelet ")
            long = len(row) >= _WALK_MIN_LENGTH and sigma > 0
            if long and sibling != name and sibling in found:
                # An undecimated search (one inverse SWT per weight, the
                # costliest solve here) starts at its decimated sibling's
                # weight: the walk downhill then solves ~6 weights, not 24.
                start = nearest_index(family.grid, found[sibling][0] / sigma)
            smooth = self._smooths(name)
            x, lam, risk = tune(family, row, sigma, grid=grid, start=start, smooth=smooth)
            if family.converged() is not family:  # searched truncated: refine converged
                x, lam, risk = refine(family, row, sigma, lam, x, smooth=smooth)
            found[name] = (lam, risk)
            risks[j] = risk
            if best is None or risk < best[2]:
                best = (x, lam, risk, name)
        return best, found

    def _search_long(self, row, block, sigma, candidates, order, risks, report):
        """``_search`` for a signal longer than twice ``tuning_length``, tuned
        on its central ``block`` (a slice).

        Every candidate is tuned on the central block; each is then run once
        on the whole signal at its block weight, and the lowest of those
        whole-signal risks chooses the filter (sparse events outside the
        block, say the jumps of a step signal, count in the choice). The
        chosen weight is refined on the whole signal: a walk downhill from the
        block's weight (for GMC-TV, its convergence step around it).
        """
        _, found = self._search(row[block], sigma, candidates, order, risks, report)
        names = list(candidates)
        whole = {}
        for j in np.flatnonzero(np.isfinite(risks)):
            family = candidates[names[j]]
            lam = found[names[j]][0]
            x, div = family.converged().solve(row, lam)
            whole[names[j]] = (x, lam)
            risks[j] = sure(row, x, sigma, div)
        j = int(np.nanargmin(risks))
        name, family = names[j], candidates[names[j]]
        x, lam = whole[name]
        x, lam, risk = refine(family, row, sigma, lam, x, smooth=self._smooths(name))
        risks[j] = risk
        return x, lam, risk, name

    @staticmethod
    def _warn_implausible(implausible: dict):
        if not implausible:
            return
        rows = list(implausible)
        warn_user(
            f"AutoDenoiser: the noise estimate of the signals at rows {rows[:10]}"
            f"{' ...' if len(rows) > 10 else ''} is implausible for white noise: at row "
            f"{rows[0]}, {implausible[rows[0]]}. Their fine scales hold signal as well as "
            "noise, and denoising with that estimate would remove signal; they are "
            "returned unchanged (choice_ 'none', noise_plausible_ False). Pass noise_std "
            "if you know the noise level.",
            UserWarning,
        )

    def _unchanged(self, X):
        n, names = len(X), list(self._candidate_filters())
        risks = np.full((n, len(names)), np.nan)
        return X.copy(), {
            "choice_": np.array(["none"] * n, dtype=object),
            "lam_": np.zeros(n),
            "risk_": np.full(n, np.nan),
            "risks_": risks,
            "families_": names,
            "noise_std_": np.full(n, np.nan),
            "noise_plausible_": np.zeros(n, dtype=bool),
        }
