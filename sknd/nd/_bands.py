"""Cutting many bands into a few contiguous broad bands, for learned indices at scale.

numpy only: no torch, no estimators. ``NDClassifier`` and ``NDRegressor``
call :func:`contiguous_band_groups` when ``n_indices="auto"`` meets more
bands than its pairwise layer takes one by one.
"""

from __future__ import annotations

import numpy as np

from .._validation import unit_peak_rows

__all__ = ["contiguous_band_groups"]

#: Rows the grouping reads at most: the band Gram matrix it builds is
#: ``n_bands^2`` whatever the rows, and a few thousand spectra fix its cuts.
_MAX_ROWS = 4000


def contiguous_band_groups(X: np.ndarray, n_groups: int, random_state: int = 0) -> np.ndarray:
    """The group (0 to ``n_groups - 1``) of every band: ``n_groups`` contiguous runs.

    The runs are the exact least-squares segmentation of each spectrum's
    shape: every row is divided by its mean magnitude (so brightness plays no
    part, as it plays none in an index), every band standardized, and the
    cuts minimize the summed squared distance of each band to its run's mean
    band, over all rows, by dynamic programming. Bands that move together
    (neighbours on a smooth spectrum) share a run; a run ends where the shape
    turns (the red edge, the water bands). From the band Gram matrix and its
    2-D cumulative sums each run's cost is O(1), so the whole is
    ``O(n_rows n_bands^2 + n_groups n_bands^2)`` time and ``O(n_bands^2)``
    memory, whatever the number of rows (at most ``_MAX_ROWS`` are read).
    """
    X = np.asarray(X, dtype=np.float64)
    n_rows, n_bands = X.shape
    if not 1 <= n_groups <= n_bands:
        raise ValueError(f"n_groups must lie in [1, {n_bands}], got {n_groups}.")
    if n_rows > _MAX_ROWS:
        rows = np.random.default_rng(random_state).choice(n_rows, _MAX_ROWS, replace=False)
        X = X[np.sort(rows)]
    # Unit peak first, so the mean magnitude cannot overflow on huge values.
    X = unit_peak_rows(X)[0]
    mean = np.abs(X).mean(axis=1, keepdims=True)
    Z = X / np.where(mean > 0, mean, 1.0)
    spread = Z.std(axis=0)
    Z = (Z - Z.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    # cost(i, j) of run [i, j): sum of squares minus (sum of the run's rows)^2 / length.
    gram = Z.T @ Z
    square = np.concatenate([[0.0], np.cumsum(np.diag(gram))])
    block = np.zeros((n_bands + 1, n_bands + 1))
    block[1:, 1:] = gram.cumsum(axis=0).cumsum(axis=1)
    ends = np.arange(n_bands + 1)
    # best[g, j]: least cost of cutting bands [0, j) into g runs;
    # start[g, j]: where the last of those runs starts.
    best = np.full((n_groups + 1, n_bands + 1), np.inf)
    best[0, 0] = 0.0
    start = np.zeros((n_groups + 1, n_bands + 1), dtype=np.int64)
    for j in range(1, n_bands + 1):
        i = ends[:j]
        inside = block[j, j] - block[i, j] - block[j, i] + block[i, i]
        cost = (square[j] - square[i]) - inside / (j - i)
        for g in range(1, min(n_groups, j) + 1):
            total = best[g - 1, :j] + cost
            start[g, j] = np.argmin(total)
            best[g, j] = total[start[g, j]]
    groups = np.empty(n_bands, dtype=np.int64)
    j = n_bands
    for g in range(n_groups, 0, -1):
        i = start[g, j]
        groups[i:j] = g - 1
        j = i
    return groups
