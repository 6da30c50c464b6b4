"""SURE families: each one filter with one free parameter ``lam`` and the
divergence of its output, the things :func:`sknd.denoise._sure.tune` searches.

``lam`` is searched on a grid relative to the noise level (``grid``, values of
``lam / sigma``): giving every family the same single parameter keeps their
minimized risks equally optimistic, so they can be compared (see
:class:`sknd.denoise.AutoDenoiser`). A new family subclasses :class:`Family`
and implements ``solve``. Plain numpy (PyWavelets for the wavelet families);
no estimators and no torch here.
"""

from __future__ import annotations

import functools

import numpy as np
import scipy.fft

from ._thresholds import firm_threshold, soft_threshold
from ._tv import tv_denoise, tv_gmc_denoise

__all__ = [
    "Family",
    "Identity",
    "Thresholding",
    "TotalVariation",
    "firm_divergence",
    "segments",
    "soft_divergence",
    "swt_gains",
    "swt_level",
    "swt_spectra",
]

# lam / sigma searched for each kind of penalty: 24 points a factor ~1.23 apart.
_GRID = np.geomspace(0.1, 12.0, 24)
_TV_GRID = np.geomspace(0.3, 300.0, 24)
# Coefficients held at once when one transform serves many weights (8 bytes each).
_VALUES_PER_CHUNK = 4e6


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

    ``solve(y, lam, x0=None)`` returns the estimate and its divergence
    (``None`` asks for a Monte-Carlo estimate); ``x0`` is a starting point that
    iterative families (``warm = True``) use and the others ignore. ``grid``
    holds the values of ``lam / sigma`` searched.

    A family searched with a truncated solver, for speed, says how its choice
    is refined: :meth:`converged` returns the same filter solved to
    convergence, and ``refine_step`` how far (a factor on ``lam``) on each side
    of the search's choice the converged filter is tuned again (see
    :func:`sknd.denoise._sure.refine`).
    """

    name = ""
    grid = _GRID
    # How tune smooths the risk curve: "risk", "divergence" or None (see tune).
    smooth = "risk"
    # Whether solve starts from x0 (tune then solves one weight at a time,
    # each from the nearest solution so far).
    warm = False
    refine_step: float | None = None

    def solve(self, y, lam, x0=None):
        raise NotImplementedError

    def solve_many(self, y, lams):
        """``solve`` at every weight of ``lams``: estimates ``(len(lams), n)``
        and divergences. Families whose work is mostly shared between weights
        (one transform, then elementwise thresholds) do it once."""
        xs, divs = zip(*(self.solve(y, lam) for lam in lams))
        return np.stack(xs), list(divs)

    def converged(self) -> Family:
        """This filter solved to convergence: itself, unless its solver is truncated."""
        return self

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

    def solve(self, y, lam, x0=None):
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
        # Fourier domain it is pywt.iswt to rounding (1e-15), and faster.
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
    # Tolerance and iterations of a GMC-TV solve that counts as converged.
    _CONVERGED = (1e-4, 200)

    def __init__(self, gamma=None, tol=1e-5, max_iter=200, refine_step=None):
        self.gamma, self.tol, self.max_iter = gamma, tol, max_iter
        self.refine_step = refine_step
        self.name = "L1 tv" if gamma is None else "GMC tv"
        # GMC-TV's risk falls until the weight loses a true jump, then leaps
        # up: a parabola over that cliff moves its vertex away from the best
        # weight, so only its divergence is smoothed (see tune).
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

    def converged(self) -> Family:
        tol, max_iter = self._CONVERGED
        if self.gamma is None or (self.tol <= tol and self.max_iter >= max_iter):
            return self
        return TotalVariation(self.gamma, tol=tol, max_iter=max_iter)


class Identity(Family):
    """No filtering: its risk is the noise variance, the bar every filter must clear."""

    name = "none"
    grid = np.array([1.0])

    def solve(self, y, lam, x0=None):
        return y.copy(), float(len(y))
