"""NDPairsSelector: the exhaustive two-band search, every pair's classical ND scored against y.

What agronomists run on hyperspectral data today (the "NDSI map"), built in
as the baseline for learned indices. numpy and scikit-learn; no torch here.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from sklearn.utils.multiclass import type_of_target

from .._params import Integral, Interval, StrOptions
from .._validation import check_bands, unit_peak_rows
from .._warnings import warn_user
from ._pairs import NDPairsTransformer

__all__ = ["NDPairsSelector", "pair_scores"]

#: Band values each chunk of pairs holds at most (rows x pairs): with the
#: few arrays of that shape a chunk's scoring makes, about 100 MB in float64.
_CHUNK_VALUES = 2_000_000


def _f_scores(Z: np.ndarray, onehot: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """One-way ANOVA F of every row of ``Z`` (pairs x samples) against the classes.

    0 for a constant index, inf for one that separates the classes perfectly.
    """
    n, n_classes = onehot.shape
    total = Z.sum(axis=1)
    between = ((Z @ onehot) ** 2 / counts).sum(axis=1) - total**2 / n
    within = np.maximum(np.einsum("ij,ij->i", Z, Z) - total**2 / n - between, 0.0)
    dof = max(n - n_classes, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = (between / (n_classes - 1)) / (within / dof)
    return np.where(within > 0, f, np.where(between > 0, np.inf, 0.0))


def _r2_scores(Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Squared correlation of every row of ``Z`` with each (centred, unit) target, averaged."""
    Zc = Z - Z.mean(axis=1, keepdims=True)
    norm = np.sqrt(np.einsum("ij,ij->i", Zc, Zc))
    corr = (Zc @ Y) / np.where(norm > 0, norm, 1.0)[:, None]
    return (corr**2).mean(axis=1)


def pair_scores(X, y, *, score_func: str = "auto") -> np.ndarray:
    """Score every band pair's classical ND against ``y``: the "NDSI map".

    Parameters
    ----------
    X : array-like of shape (n_samples, n_bands)
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Class labels, or continuous targets.
    score_func : {"auto", "f", "r2"}, default="auto"
        ``"f"``: the one-way ANOVA F of each index between the classes (as
        :func:`sklearn.feature_selection.f_classif`); ``"r2"``: the R^2 of a
        straight-line fit of y on each index (the squared correlation,
        averaged over targets). ``"auto"`` takes ``"f"`` for class labels and
        ``"r2"`` otherwise.

    Returns
    -------
    ndarray of shape (n_bands, n_bands)
        Symmetric (the ND of ``(j, i)`` is minus that of ``(i, j)``, with the
        same score), NaN on the diagonal.

    Notes
    -----
    The pairs are scored in chunks of at most ``2e6 / n_samples`` pairs, so
    memory stays near 100 MB whatever the number of bands; time grows with
    ``n_samples * n_bands^2`` (every pair of 385 bands over 7261 spectra: a
    few seconds).

    Examples
    --------
    >>> import numpy as np
    >>> from sknd.nd._pair_search import pair_scores
    >>> X = np.array([[0.1, 0.5, 0.3], [0.5, 0.1, 0.3], [0.2, 0.6, 0.3], [0.6, 0.2, 0.3]])
    >>> scores = pair_scores(X, [0, 1, 0, 1], score_func="r2")
    >>> int(np.nanargmax(scores[0]))  # band 0 pairs best with band 1
    1
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if score_func == "auto":
        score_func = "f" if type_of_target(y) in ("binary", "multiclass") else "r2"
    if score_func == "f":
        classes, codes = np.unique(y, return_inverse=True)
        onehot = np.zeros((len(y), len(classes)))
        onehot[np.arange(len(y)), codes] = 1.0
        counts = onehot.sum(axis=0)

        def scorer(Z):
            return _f_scores(Z, onehot, counts)
    else:
        Y = y.astype(np.float64).reshape(len(y), -1)
        Y = Y - Y.mean(axis=0)
        spread = np.sqrt((Y**2).sum(axis=0))
        Y = Y / np.where(spread > 0, spread, 1.0)

        def scorer(Z):
            return _r2_scores(Z, Y)

    # Rows of unit peak: every |x_i| + |x_j| is then at most 2, and the index
    # of each pair (homogeneous of degree 0) is NDPairsTransformer's. Bands as
    # rows, so that a run of bands is one contiguous block.
    bands = np.ascontiguousarray(unit_peak_rows(X)[0].T)
    magnitude = np.abs(bands)
    n_bands = len(bands)
    chunk = max(1, _CHUNK_VALUES // max(bands.shape[1], 1))
    scores = np.full((n_bands, n_bands), np.nan)
    # Band i against a run of bands j > i: broadcasting, no gathers.
    tiny = np.finfo(np.float64).tiny  # 0 / tiny = 0 where both bands are 0
    for i in range(n_bands - 1):
        for start in range(i + 1, n_bands, chunk):
            stop = min(start + chunk, n_bands)
            den = magnitude[start:stop] + magnitude[i]
            den += tiny
            Z = np.subtract(bands[i], bands[start:stop])
            Z /= den
            scores[i, start:stop] = scorer(Z)
    upper = np.triu_indices(n_bands, k=1)
    scores[upper[::-1]] = scores[upper]
    return scores


class NDPairsSelector(NDPairsTransformer):
    """The exhaustive two-band search: keep the ``k`` band pairs whose classical ND best fits y.

    Scores the classical normalized difference ``(x_i - x_j) / (x_i + x_j)``
    of every band pair against the target (the "NDSI map" of hyperspectral
    studies: ANOVA F for classes, R^2 for continuous targets) and transforms
    to the ``k`` best indices, like :class:`~sklearn.feature_selection.SelectKBest`
    on :class:`NDPairsTransformer`'s output but without building it: pairs
    are scored in chunks of bounded memory. The map is ``scores_``; draw it
    with :func:`sknd.plotting.plot_pair_scores`. Each pair is scored alone,
    so the best pairs are often near copies of one another (neighbouring
    bands); learned indices (:class:`NDIndexTransformer`) are fitted jointly.

    Parameters
    ----------
    k : int, default=8
        Number of pairs to keep; all pairs, with a warning, when there are
        fewer (as :class:`~sklearn.feature_selection.SelectKBest` does).
    score_func : {"auto", "f", "r2"}, default="auto"
        How each index is scored against y: ``"f"``, the one-way ANOVA F
        between the classes (as :func:`~sklearn.feature_selection.f_classif`);
        ``"r2"``, the R^2 of a straight-line fit of y on the index (averaged
        over targets); ``"auto"``, ``"f"`` for class labels, else ``"r2"``.
        The benchmark report's "Screening every band pair" has the time and
        memory of every pair of NEON's bands.

    Attributes
    ----------
    scores_ : ndarray of shape (n_bands, n_bands)
        Every pair's score, symmetric, NaN on the diagonal.
    pairs_ : list of (int, int)
        The ``k`` best pairs, best first, each with ``i < j``.
    n_features_in_, feature_names_in_
        As in scikit-learn.

    Examples
    --------
    >>> import numpy as np
    >>> from sknd import NDPairsSelector
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(0.1, 1, size=(200, 6))
    >>> y = (X[:, 4] > X[:, 1]).astype(int)
    >>> NDPairsSelector(k=1).fit(X, y).pairs_
    [(1, 4)]
    """

    _parameter_constraints: ClassVar[dict] = {
        "k": [Interval(Integral, 1, None, closed="left")],
        "score_func": [StrOptions({"auto", "f", "r2"})],
    }

    def __init__(self, k: int = 8, *, score_func: str = "auto") -> None:
        self.k = k
        self.score_func = score_func

    def fit(self, X, y):
        """Score every band pair against ``y`` and keep the ``k`` best."""
        self._validate_params()
        X, y = check_bands(
            self, X, y, ensure_min_features=2, ensure_min_samples=2, multi_output=True,
            y_numeric=False,
        )  # fmt: skip
        n_pairs = X.shape[1] * (X.shape[1] - 1) // 2
        k = self.k
        if k > n_pairs:
            # As SelectKBest does when k exceeds the features.
            warn_user(
                f"NDPairsSelector: k={k} is more than the {n_pairs} band pairs of "
                f"{X.shape[1]} bands; all pairs are kept.",
                UserWarning,
            )
            k = n_pairs
        self.scores_ = pair_scores(X, y, score_func=self.score_func)
        upper = np.nan_to_num(self.scores_, nan=-np.inf)
        upper[np.tril_indices_from(upper)] = -np.inf
        # Stable order: ties keep the pair order (i, j) of NDPairsTransformer.
        best = np.argsort(-upper, axis=None, kind="stable")[:k]
        rows, cols = np.unravel_index(best, upper.shape)
        self.pairs_ = [(int(i), int(j)) for i, j in zip(rows, cols)]
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
