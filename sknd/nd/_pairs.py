"""NDPairsTransformer: the classical normalized differences of band pairs, unlearned.

The baseline learned indices are compared with. numpy only; no torch here.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._params import BandPairs, ParamsMixin, _check_feature_names_in
from .._validation import check_bands
from .._warnings import warn_user
from ._formulas import _band_names

__all__ = ["NDPairsTransformer"]


class NDPairsTransformer(TransformerMixin, ParamsMixin, BaseEstimator):
    """Classical, unlearned normalized differences of band pairs.

    ``(x_i - x_j) / (|x_i| + |x_j|)`` for every pair ``i < j`` (or the given
    pairs): NDVI, NDWI and the rest in one step. The baseline to compare
    learned indices against, e.g. followed by a random forest. For
    non-negative bands this is the classical index; negative values (which
    ``transform`` warns about) keep it in [-1, 1] where the classical form is
    unbounded.

    Parameters
    ----------
    pairs : list of (int, int) or (str, str), default=None
        Band pairs by position, or by column name when fitted on a DataFrame.
        ``None`` takes all pairs ``i < j``.

    Attributes
    ----------
    pairs_ : list of (int, int)
        Pairs by position.
    n_features_in_, feature_names_in_
        As in scikit-learn.

    Examples
    --------
    >>> import numpy as np
    >>> from sknd import NDPairsTransformer
    >>> X = np.array([[0.1, 0.5, 0.3]])
    >>> NDPairsTransformer(pairs=[(1, 0)]).fit_transform(X).round(3)
    array([[0.667]])
    """

    _parameter_constraints: ClassVar[dict] = {"pairs": [None, BandPairs()]}

    def __init__(self, pairs: Sequence[tuple] | None = None) -> None:
        self.pairs = pairs

    def fit(self, X, y=None):
        """Check ``X`` and resolve ``pairs``; nothing is learned."""
        self._validate_params()
        X = check_bands(self, X, ensure_min_features=2)
        n = X.shape[1]
        if self.pairs is None:
            self.pairs_ = list(itertools.combinations(range(n), 2))
            return self
        names = _band_names(self)
        resolved = []
        for pair in self.pairs:
            idx = []
            for band in pair:
                if isinstance(band, str):
                    if band not in names:
                        raise ValueError(f"Unknown band {band!r}; known bands: {names}.")
                    idx.append(names.index(band))
                elif band < n:
                    idx.append(int(band))
                else:
                    raise ValueError(f"Band {band!r} of pairs is not in [0, {n}).")
            if idx[0] == idx[1]:
                raise ValueError(f"A pair needs two different bands, got {pair!r}.")
            resolved.append(tuple(idx))
        self.pairs_ = resolved
        return self

    def transform(self, X):
        """Normalized differences, shape (n_samples, n_pairs), in [-1, 1]."""
        check_is_fitted(self, "pairs_")
        X = check_bands(self, X, reset=False)
        negative = int(np.count_nonzero(X < 0))
        if negative:
            warn_user(
                f"NDPairsTransformer: X holds {negative} negative band value(s) (surface "
                "reflectance with an offset, e.g. Landsat Collection 2, dips below 0). With "
                "|x| in the denominator the indices stay in [-1, 1], but there they differ "
                "from the classical (b_i - b_j) / (b_i + b_j), which leaves [-1, 1]. Remove "
                "the offset, or clip at 0, for the classical values.",
                UserWarning,
            )
        idx = np.asarray(self.pairs_)
        xi, xj = X[:, idx[:, 0]], X[:, idx[:, 1]]
        # Divide by the pair's larger magnitude first so huge values cannot
        # overflow the sum; an all-zero pair gives 0.
        scale = np.maximum(np.abs(xi), np.abs(xj))
        scale = np.where(scale > 0, scale, 1)
        xi, xj = xi / scale, xj / scale
        den = np.abs(xi) + np.abs(xj)
        out = (xi - xj) / np.where(den > 0, den, 1)
        return np.clip(out, -1, 1).astype(X.dtype, copy=False)

    def get_feature_names_out(self, input_features=None):
        """``nd(b_i,b_j)`` for each pair, using the input's band names."""
        check_is_fitted(self, "pairs_")
        names = _check_feature_names_in(self, input_features)
        return np.asarray([f"nd({names[i]},{names[j]})" for i, j in self.pairs_], dtype=object)
