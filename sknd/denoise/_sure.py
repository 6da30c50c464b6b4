"""Stein's unbiased risk estimate (SURE): tune a filter without the clean signal.

For ``y = x + n``, ``n ~ N(0, sigma^2 I)`` and a weakly differentiable filter
``f``, ``SURE = ||y - f(y)||^2 - n sigma^2 + 2 sigma^2 div f(y)`` is an unbiased
estimate of ``||f(y) - x||^2`` (Stein, 1981). The divergence is exact where a
closed form exists (thresholds in orthonormal bases or the undecimated
wavelet frame: the kept coefficients; total variation: the number of constant
segments, Tibshirani and Taylor 2011) and a seeded Monte-Carlo estimate
elsewhere (Ramani, Blu and Unser, 2008).

Each *family* here is one filter with one free parameter, ``lam``, searched on
a grid relative to the noise level: giving every family the same single
parameter keeps their minimized risks equally optimistic, so they can be
compared (see :class:`sknd.denoise.AutoDenoiser`). Plain numpy (PyWavelets for
the wavelet families); no estimators and no torch here.
"""

from __future__ import annotations

import functools

import numpy as np
import scipy.fft

from ._thresholds import firm_threshold, soft_threshold
from ._tv import tv_denoise, tv_gmc_denoise

__all__ = ["sure"]

# lam / sigma searched for each kind of penalty: 24 points a factor ~1.23 apart.
_GRID = np.geomspace(0.1, 12.0, 24)
_TV_GRID = np.geomspace(0.3, 300.0, 24)
# Coefficients held at once when one transform serves many weights (8 bytes each).
_VALUES_PER_CHUNK = 4e6


def sure(y: np.ndarray, estimate: np.ndarray, sigma: float, divergence: float) -> float:
    """SURE of ``estimate = f(y)`` as a mean squared error per sample.

    ``(||y - f(y)||^2 - n sigma^2 + 2 sigma^2 div f(y)) / n``: unbiased for
    ``||f(y) - x||^2 / n`` when the noise is white Gaussian with std ``sigma``.

    Examples
    --------
    >>> import numpy as np
    >>> from sknd.denoise import soft_threshold
    >>> from sknd.denoise._sure import sure
    >>> y = np.array([0.2, -3.0, 0.1, 2.5])
    >>> round(sure(y, soft_threshold(y, 0.5), 0.3, divergence=2), 4)
    0.1375
    """
    y = np.asarray(y, dtype=np.float64)
    return _risk(float(np.sum((y - estimate) ** 2)), y.size, sigma, divergence)


def _risk(resid, n, sigma, divergence):
    """SURE per sample from the residual ``||y - f(y)||^2`` (floats or arrays)."""
    return (resid - n * sigma**2 + 2.0 * sigma**2 * divergence) / n


def soft_divergence(c: np.ndarray, t):
    """Divergence of the soft threshold at ``t``: the coefficients it keeps (a
    float; an array of one per row for rows of ``c`` against a column ``t``)."""
    kept = np.count_nonzero(np.abs(c) > t, axis=-1)
    return float(kept) if np.ndim(kept) == 0 else kept.astype(np.float64)


def firm_divergence(c: np.ndarray, t1, t2):
    """Divergence of the firm threshold: slope ``t2 / (t2 - t1)`` in the middle,
    1 above (per row, as :func:`soft_divergence`)."""
    m = np.abs(c)
    middle = np.count_nonzero((m > t1) & (m <= t2), axis=-1)
    slope = np.ravel(t2 / (t2 - t1)) if np.ndim(t1) else t2 / (t2 - t1)
    out = middle * slope + np.count_nonzero(m > t2, axis=-1)
    return float(out) if np.ndim(out) == 0 else out.astype(np.float64)


def segments(x: np.ndarray, rtol: float = 1e-9) -> int:
    """Constant segments of a piecewise-constant ``x``: the divergence of exact TV."""
    jumps = np.abs(np.diff(x)) > rtol * max(float(np.abs(x).max(initial=0.0)), 1e-300)
    return int(np.count_nonzero(jumps)) + 1


class Family:
    """One filter with one parameter ``lam`` and the divergence of its output.

    ``solve(y, lam)`` returns the estimate and its divergence (``None`` asks
    for a Monte-Carlo estimate); ``grid`` holds the values of ``lam / sigma``
    searched.
    """

    name = ""
    grid = _GRID
    # How tune smooths the risk curve: "risk", "divergence" or None (see tune).
    smooth = "risk"

    def solve(self, y, lam):
        raise NotImplementedError

    def solve_many(self, y, lams):
        """``solve`` at every weight of ``lams``: estimates ``(len(lams), n)``
        and divergences. Families whose work is mostly shared between weights
        (one transform, then elementwise thresholds) do it once."""
        xs, divs = zip(*(self.solve(y, lam) for lam in lams))
        return np.stack(xs), list(divs)

    def __repr__(self) -> str:
        return self.name


class Thresholding(Family):
    """Soft (L1) or firm (GMC) thresholding of samples, wavelet or SWT coefficients."""

    def __init__(self, rule="soft", basis="time", wavelet="sym8", gamma=0.8, level=None):
        self.rule, self.basis, self.wavelet, self.gamma = rule, basis, wavelet, gamma
        self.level = level
        self.name = f"{'L1' if rule == 'soft' else 'GMC'} {basis}"
        if basis != "time":
            self.name += f" {wavelet}"
        # The last signal's forward transform: a walk downhill (tune's start)
        # solves one signal in several calls, and the transform is the same.
        self._last = (None, None)

    def _shrink(self, c, t):
        if self.rule == "soft" or self.gamma == 0:
            return soft_threshold(c, t), soft_divergence(c, t)
        return firm_threshold(c, t, t / self.gamma), firm_divergence(c, t, t / self.gamma)

    def solve(self, y, lam):
        x, div = self.solve_many(y, [lam])
        return x[0], float(div[0])

    def solve_many(self, y, lams):
        # One forward transform for all weights; each chunk of weights is
        # thresholded as one (weights, coefficients) array and inverted in one
        # call (pywt inverts each row as it would the row alone).
        lams = np.asarray(lams, dtype=np.float64)
        if self.basis == "swt" and swt_level(len(y), self.wavelet, self.level) == 0:
            # Too short for even one level: nothing to threshold.
            return np.tile(y, (len(lams), 1)), np.full(len(lams), float(len(y)))
        if self._last[0] is not y:
            self._last = (y, self._forward(y))
        forward = self._last[1]
        size = sum(c.size for c in forward)
        per_chunk = max(1, int(_VALUES_PER_CHUNK // size))
        xs, divs = [], []
        for start in range(0, len(lams), per_chunk):
            x, div = self._inverse(y, forward, lams[start : start + per_chunk, None])
            xs.append(x)
            divs.append(div)
        return np.concatenate(xs), np.concatenate(divs)

    def _forward(self, y):
        import pywt

        if self.basis == "time":
            return [y]
        if self.basis == "wavelet":
            return pywt.wavedec(y, self.wavelet, mode="periodization", level=self.level)
        level = swt_level(len(y), self.wavelet, self.level)
        return pywt.swt(y, self.wavelet, level=level, trim_approx=True, norm=True)

    def _inverse(self, y, coeffs, lams):
        """Estimates and divergences at a column of weights ``lams``."""
        import pywt

        k = len(lams)
        if self.basis == "time":
            return self._shrink(coeffs[0][None, :], lams)
        if self.basis == "wavelet":
            # Orthonormal (periodized): the approximation is kept, and each kept
            # coefficient adds its slope to the divergence.
            out, div = [np.tile(coeffs[0], (k, 1))], np.full(k, float(coeffs[0].size))
            for c in coeffs[1:]:
                shrunk, d = self._shrink(c[None, :], lams)
                out.append(shrunk)
                div = div + d
            x = pywt.waverec(out, self.wavelet, mode="periodization", axis=-1)
            return x[:, : len(y)], div
        # A Parseval frame: the inverse is the adjoint, so a coefficient kept
        # with slope s adds s * gain^2 to the divergence (gain = its frame
        # vector's norm, also its noise std per unit of sigma). The adjoint of
        # a circular convolution is a correlation: summed over bands in the
        # Fourier domain it is pywt.iswt to rounding (1e-15), ~2.5x faster.
        # (Only orthogonal wavelets make a Parseval frame; pywt inverts others.)
        level = len(coeffs) - 1
        gains = swt_gains(self.wavelet, level)
        div = np.full(k, gains[0] ** 2 * coeffs[0].size)
        orthogonal = pywt.Wavelet(self.wavelet).orthogonal
        if orthogonal:
            spectra = swt_spectra(self.wavelet, level, len(y))
            acc = np.tile(spectra[0] * scipy.fft.rfft(coeffs[0]), (k, 1))
        else:
            out = [np.tile(coeffs[0], (k, 1))]
        for b, (c, g) in enumerate(zip(coeffs[1:], gains[1:]), start=1):
            shrunk, d = self._shrink(c[None, :], lams * g)
            div = div + g**2 * d
            if orthogonal:
                acc += spectra[b] * scipy.fft.rfft(shrunk, axis=-1)
            else:
                out.append(shrunk)
        if orthogonal:
            return scipy.fft.irfft(acc, n=len(y), axis=-1), div
        return pywt.iswt(out, self.wavelet, norm=True, axis=-1), div


def swt_level(n: int, wavelet: str, level: int | None = None) -> int:
    """Levels of the undecimated transform of ``n`` samples (at most 6; 0 if n is odd)."""
    import pywt

    # The times 2 divides n (pywt.swt_max_level's value, without its warning at odd n).
    top = (n & -n).bit_length() - 1
    filt = pywt.Wavelet(wavelet).dec_len
    useful = int(np.log2(max(n // max(filt - 1, 1), 1))) if n >= filt else 0
    return max(0, min(top, useful, 6 if level is None else level))


@functools.lru_cache
def swt_gains(wavelet: str, level: int) -> np.ndarray:
    """Norm of the frame vectors of each SWT band (approximation first)."""
    import pywt

    impulse = np.zeros(2**level * 8)
    impulse[0] = 1.0
    bands = pywt.swt(impulse, wavelet, level=level, trim_approx=True, norm=True)
    return np.array([np.linalg.norm(b) for b in bands])


@functools.lru_cache(maxsize=4)
def swt_spectra(wavelet: str, level: int, n: int) -> np.ndarray:
    """Conjugate spectra (``rfft``) of the SWT bands' frame vectors on ``n``
    samples, approximation first: ``pywt.swt`` of ``y`` is, band by band, the
    circular convolution of ``y`` with these vectors, so its adjoint (the
    inverse, in a Parseval frame) is ``irfft(sum(spectrum * rfft(band)))``.
    ~56 bytes a sample; the last four kept (two wavelets, each on a tuning
    block and on the whole signal).
    """
    import pywt

    # The vectors have support (2**level) * (filter length): one short impulse
    # response gives them, wrapped onto n samples (offsets taken circularly).
    width = 2**level * 4 * pywt.Wavelet(wavelet).dec_len
    impulse = np.zeros(width)
    impulse[0] = 1.0
    bands = pywt.swt(impulse, wavelet, level=level, trim_approx=True, norm=True)
    at = np.arange(width)
    at = np.where(at < width // 2, at, at - width) % n
    vectors = np.zeros((len(bands), n))
    for vector, band in zip(vectors, bands):
        np.add.at(vector, at, band)
    return np.conj(scipy.fft.rfft(vectors, axis=-1))


class TotalVariation(Family):
    """Exact L1 total variation (``gamma=None``) or GMC total variation.

    Both outputs are piecewise constant, and both divergences are closed
    forms in their segments. L1-TV: the number of segments ``d``. GMC-TV, the
    fixed point ``x = tvd(y + gamma (x - v), lam)`` with ``v = tvd(x, lam /
    gamma)`` whose ``m`` segments merge those of ``x``: implicit
    differentiation with both segmentations held fixed gives the Jacobian
    ``(I - gamma (P - P_v))^-1 P``, with ``P`` and ``P_v`` the projections on
    signals constant on those segments; ``P - P_v`` is itself a projection
    (of rank ``d - m``), so the divergence is ``m + (d - m) / (1 - gamma)``.
    """

    grid = _TV_GRID
    warm = True

    def __init__(self, gamma=None, tol=1e-5, max_iter=200):
        self.gamma, self.tol, self.max_iter = gamma, tol, max_iter
        self.name = "L1 tv" if gamma is None else "GMC tv"
        # GMC-TV's risk falls until the weight loses a true jump, then leaps
        # up: a parabola over that cliff moves its vertex away from the best
        # weight (0.07 dB worse on average on the development signals), so
        # only its divergence is smoothed (see tune).
        self.smooth = "risk" if gamma is None else "divergence"

    def solve(self, y, lam, x0=None):
        if self.gamma is None:
            x = tv_denoise(y, lam)
            return x, float(segments(x))
        x = tv_gmc_denoise(
            y, lam, alpha_lam=self.gamma, tol=self.tol, max_iter=self.max_iter, x0=x0
        )
        merged = segments(tv_denoise(x, lam / self.gamma))
        d = segments(x)
        return x, merged + (d - merged) / (1.0 - self.gamma)


class Identity(Family):
    """No filtering: its risk is the noise variance, the bar every filter must clear."""

    name = "none"
    grid = np.array([1.0])

    def solve(self, y, lam):
        return y.copy(), float(len(y))


def mc_divergence(family: Family, y, lam, estimate, sigma, probe) -> float:
    """Monte-Carlo divergence ``b . (f(y + e b) - f(y)) / e`` with one seeded probe."""
    eps = 0.01 * sigma if sigma > 0 else 1e-6
    moved, _ = family.solve(y + eps * probe, lam)
    return float(probe @ (moved - estimate) / eps)


def tuning_block(length: int, block: int | None) -> slice | None:
    """The central ``block`` samples a signal of ``length`` is tuned on (the
    ``tuning_length`` rule), or None where it is tuned whole: ``block`` is
    None, or the signal is at most twice as long."""
    if block is None or length <= 2 * block:
        return None
    at = (length - block) // 2
    return slice(at, at + block)


def nearest_index(grid, value) -> int:
    """Index of the grid point nearest ``value`` in log scale (a walk's start)."""
    return int(np.argmin(np.abs(np.log(grid) - np.log(max(value, 1e-300)))))


def smoothed(t: np.ndarray, values: np.ndarray, half_width: int = 2) -> np.ndarray:
    """Local linear fit of ``values`` against ``t``, at each point over its
    ``half_width`` neighbours on each side.

    Examples
    --------
    >>> import numpy as np
    >>> from sknd.denoise._sure import smoothed
    >>> smoothed(np.arange(5.0), np.array([10.0, 8.0, 9.0, 4.0, 5.0])).round(2)
    array([9.5, 8.6, 7.2, 5.8, 4. ])
    """
    out = np.empty(len(values))
    for i in range(len(values)):
        near = slice(max(0, i - half_width), i + half_width + 1)
        out[i] = np.polyval(np.polyfit(t[near] - t[i], values[near], 1), 0.0)
    return out


def tune(family: Family, y, sigma, *, probe=None, grid=None, smooth=True, x0=None, start=None):
    """Search ``lam = sigma * grid`` for the lowest SURE.

    Returns ``(estimate, lam, risk)``. ``probe`` is the Monte-Carlo direction
    for families without a closed-form divergence (the same one for every
    ``lam``, so the risk curve is smooth in ``lam``). Families that can
    (GMC-TV) start each solve from the solution at the nearest ``lam`` solved
    (the first from ``x0``).

    SURE is unbiased at each ``lam`` but noisy, and the argmin of a noisy
    curve is noisier still: a firm threshold's divergence jumps by its slope
    (5 at ``gamma=0.8``) whenever a coefficient crosses the threshold. With
    ``smooth``, a parabola in ``log lam`` is fitted by least squares to the
    risks at the grid's argmin and its two neighbours on each side, and the
    filter is solved once more at the parabola's vertex (kept within those
    points; the argmin itself where the fit is not convex), and the risk
    returned is the parabola's value there: the smoothed curve's, so families
    are compared on equally smoothed risks (``family.smooth == "risk"``), but
    never lower than SURE measured at the vertex minus SURE's own noise
    (``sigma**2 sqrt(2 / n)``): on steep, precise curves a parabola
    undershoots.

    A risk curve with cliffs (GMC-TV's: its risk falls until the weight loses
    a true jump, then leaps up) cannot take a parabola, but its noise is
    elsewhere: the residual ``||y - f(y)||^2`` is continuous in ``lam`` and
    carries the cliff, while the divergence ``m + (d - m) / (1 - gamma)``
    counts segments and jumps by 5 at a time. With ``family.smooth ==
    "divergence"`` the divergence is replaced by its local linear fit in ``log
    lam`` over two grid points on each side (its expectation is smooth in
    ``lam``), the residual is kept exact, and the argmin of that risk is
    returned with it. Against the plain argmin, on the development signals,
    AutoDenoiser with the TV candidates only gained 0.12 dB (``python
    benchmarks/study_single.py --development``).
    ``smooth=False`` keeps the plain argmin for every family.

    ``start`` (a grid index, see :func:`nearest_index`) solves only what a
    walk downhill from there needs: the weights around it, then around the
    lowest risk so far, until that one has two solved neighbours on each side.
    On a risk curve with one minimum over the grid that is the full search's
    answer, bit for bit, at a fraction of the solves (5 to 9 of 24 from a
    good start).
    """
    grid = np.asarray(family.grid if grid is None else grid, dtype=np.float64)
    if sigma <= 0:  # a noise-free signal: nothing to remove
        return np.array(y, dtype=np.float64), 0.0, 0.0
    warm = getattr(family, "warm", False)
    lams = sigma * grid
    risks = np.full(len(grid), np.inf)
    # (lam, estimate, risk, residual, divergence) of each grid point solved;
    # the vertex of the smoothed curve, if solved, is appended after them.
    solved = [None] * len(grid)

    def nearest(lam):
        """The estimate solved at the weight nearest ``lam`` (warm start)."""
        done = [s for s in solved if s is not None]
        return min(done, key=lambda s: abs(np.log(s[0] / lam)))[1] if done else x0

    def evaluate(lam):
        x, div = family.solve(y, lam, x0=nearest(lam)) if warm else family.solve(y, lam)
        if div is None:
            div = mc_divergence(family, y, lam, x, sigma, probe)
        resid = float(np.sum((y - x) ** 2))
        return (lam, x, sure(y, x, sigma, div), resid, div)

    def solve_at(indices):
        if warm:  # one at a time, each from the nearest solution so far
            for i in indices:
                solved[i] = evaluate(float(lams[i]))
                risks[i] = solved[i][2]
            return
        xs, divs = family.solve_many(y, lams[indices])
        divs = np.array(
            [
                mc_divergence(family, y, lams[i], x, sigma, probe) if div is None else div
                for i, x, div in zip(indices, xs, divs)
            ],
            dtype=np.float64,
        )
        resids = np.sum((y - xs) ** 2, axis=-1)  # as sure() sums each row
        risks[indices] = _risk(resids, y.size, sigma, divs)
        for i, x, resid, div in zip(indices, xs, resids.tolist(), divs.tolist()):
            solved[i] = (float(lams[i]), x, float(risks[i]), resid, div)

    if start is None:
        solve_at(np.arange(len(grid)))
    else:  # walk downhill until the lowest risk has two solved neighbours a side
        k = int(np.clip(start, 0, len(grid) - 1))
        while True:
            window = range(max(0, k - 2), min(len(grid), k + 3))
            need = [i for i in window if solved[i] is None]
            if not need:
                break
            solve_at(np.array(need))
            k = int(np.argmin(risks))
    mode = family.smooth if smooth else None
    done = np.array([i for i in range(len(grid)) if solved[i] is not None])  # contiguous
    if mode == "divergence" and len(done) >= 3:
        divs = smoothed(np.log(grid[done]), np.array([solved[i][4] for i in done]))
        resid = np.array([solved[i][3] for i in done])
        smooth_risks = (resid + 2.0 * sigma**2 * divs) / len(y) - sigma**2
        k = int(done[np.argmin(smooth_risks)])
        return solved[k][1], solved[k][0], float(np.min(smooth_risks))
    k = int(np.argmin(risks))
    near = slice(max(0, k - 2), k + 3)
    if mode != "risk" or len(grid[near]) < 3:
        return solved[k][1], solved[k][0], solved[k][2]
    logs = np.log(grid[near])
    a, b, c = np.polyfit(logs - logs.mean(), risks[near], 2)
    if not a > 0:
        return solved[k][1], solved[k][0], solved[k][2]
    vertex = float(np.clip(-b / (2 * a) + logs.mean(), logs[0], logs[-1]))
    lam, x, measured, *_ = evaluate(sigma * float(np.exp(vertex)))
    # (a warm family's vertex starts from the nearest grid point's solution)
    # Smoothing may lower the risk by SURE's noise (std ~ sigma^2 sqrt(2 / n)),
    # no more: where the curve is steep and precise (long signals), a parabola
    # over five grid points undershoots by far more, which chose the wrong
    # family (-7 dB) on a smooth signal of 2^19 samples.
    floor = measured - sigma**2 * np.sqrt(2.0 / y.size)
    return x, lam, max(float(np.polyval([a, b, c], vertex - logs.mean())), float(floor))
