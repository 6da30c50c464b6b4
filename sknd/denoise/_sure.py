"""Stein's unbiased risk estimate (SURE): tune a filter without the clean signal.

For ``y = x + n``, ``n ~ N(0, sigma^2 I)`` and a weakly differentiable filter
``f``, ``SURE = ||y - f(y)||^2 - n sigma^2 + 2 sigma^2 div f(y)`` is an unbiased
estimate of ``||f(y) - x||^2`` (Stein, 1981). The divergence is exact where a
closed form exists (thresholds in orthonormal bases or the undecimated
wavelet frame: the kept coefficients; total variation: the number of constant
segments, Tibshirani and Taylor 2011) and a seeded Monte-Carlo estimate
elsewhere (Ramani, Blu and Unser, 2008).

This module holds the risk and the search (:func:`tune`, :func:`refine`); the
filters it searches, one free parameter each, are the families of
``_families``. Plain numpy; no estimators and no torch here.
"""

from __future__ import annotations

import numpy as np

from ._families import Family

__all__ = [
    "mc_divergence",
    "nearest_index",
    "refine",
    "smoothed",
    "sure",
    "tune",
    "tuning_block",
]


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
    returned with it (docs/benchmarks.md has what it gains against the plain
    argmin, ``python benchmarks/study_single.py --development``).
    ``smooth=False`` keeps the plain argmin for every family.

    ``start`` (a grid index, see :func:`nearest_index`) solves only what a
    walk downhill from there needs: the weights around it, then around the
    lowest risk so far, until that one has two solved neighbours on each side.
    On a risk curve with one minimum over the grid that is the full search's
    answer, bit for bit, at a fraction of the solves.
    """
    grid = np.asarray(family.grid if grid is None else grid, dtype=np.float64)
    if sigma <= 0:  # a noise-free signal: nothing to remove
        return np.array(y, dtype=np.float64), 0.0, 0.0
    warm = family.warm
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
        x, div = family.solve(y, lam, x0=nearest(lam) if warm else None)
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
    return _choose(family, y, sigma, grid, solved, risks, evaluate, mode)


def _choose(family, y, sigma, grid, solved, risks, evaluate, mode):
    """:func:`tune`'s answer from the grid points ``solved`` (see its docstring):
    the argmin, or the minimum of the curve smoothed as ``mode`` says."""
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
    # family on a smooth signal of 2^19 samples.
    floor = measured - sigma**2 * np.sqrt(2.0 / y.size)
    return x, lam, max(float(np.polyval([a, b, c], vertex - logs.mean())), float(floor))


def refine(family: Family, y, sigma, lam, x, *, smooth=True):
    """The family's final answer near a searched weight ``lam`` (solution ``x``).

    A family searched with a truncated solver (``family.converged()`` is
    another family) is tuned again, converged and warm-started from ``x``,
    at ``lam`` and ``refine_step`` times either side of it: the risk of a
    truncated solve is not the risk of the filter. Any other walks downhill
    on its own grid from the point nearest ``lam``. Returns ``(estimate, lam,
    risk)`` as :func:`tune`.
    """
    exact = family.converged()
    if exact is not family:
        step = family.refine_step
        grid = lam / sigma * np.array([1 / step, 1.0, step])
        return tune(exact, y, sigma, grid=grid, x0=x, smooth=smooth)
    return tune(family, y, sigma, start=nearest_index(family.grid, lam / sigma), smooth=smooth)
