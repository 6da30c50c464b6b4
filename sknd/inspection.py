"""How a fitted model's score holds up when its bands are perturbed as real pixels are.

Library spectra are clean; pixels are not. Every band of a real pixel carries
its own sensor noise, calibration error and atmospheric-correction residual,
independently of the other bands. :func:`perturb_bands` applies those
perturbations to a table of spectra, and :func:`robustness_scores` scores any
fitted scikit-learn model (sknd's or not) on perturbed copies of a test set,
like :func:`sklearn.inspection.permutation_importance` does for features.

numpy and scikit-learn only: importing this module never imports torch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import check_scoring
from sklearn.utils import Bunch, check_random_state

from ._params import Integral, Interval, Real, StrOptions, validate_call

__all__ = ["perturb_bands", "robustness_scores"]

#: What each kind of perturbation does to ``X`` (rows are spectra), at ``level``.
KINDS = {
    "noise": "X * (1 + level * N(0, 1)), drawn per spectrum and band (sensor noise, mixing)",
    "gain": "X * (1 + level * N(0, 1)), one factor per band for all spectra (calibration)",
    "offset": "X + level * (+1 or -1), one random sign per band for all spectra (haze, "
    "atmospheric correction)",
    "snr": "X + N(0, (mean_b / level_b)^2): additive sensor noise at a signal-to-noise "
    "ratio per band, taken at the band's mean over X",
    "illumination": "X * U(1 - level, 1 + level), one factor per spectrum (sun, slope, shade)",
}


def _as_array(X):
    values = X.to_numpy() if hasattr(X, "iloc") else X
    return np.array(values, dtype=np.float64)  # a copy: the input is never changed


def _like(X, values):
    """``values`` in the container of ``X`` (a DataFrame keeps its columns and index)."""
    if hasattr(X, "iloc"):
        return type(X)(values, index=X.index, columns=X.columns)
    return values


@validate_call(
    {
        "kind": [StrOptions(set(KINDS))],
        "random_state": ["random_state"],
    }
)
def perturb_bands(X, kind: str, level, *, random_state=None):
    """A copy of the spectra ``X`` perturbed as real pixels are.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_bands)
        Spectra in rows (reflectances). Not changed.
    kind : {"noise", "gain", "offset", "snr", "illumination"}
        ``"noise"``: each band of each spectrum times ``1 + level * N(0, 1)``;
        ``"gain"``: each band times one factor ``1 + level * N(0, 1)`` for the
        whole set, as between two sensors' calibrations; ``"offset"``: each
        band plus ``+level`` or ``-level`` (one random sign per band, for the
        whole set), in the units of ``X``; ``"snr"``: additive Gaussian noise
        whose standard deviation in band ``b`` is the band's mean over ``X``
        divided by ``level`` (a number, or one signal-to-noise ratio per band);
        ``"illumination"``: each spectrum times one factor drawn uniformly in
        ``[1 - level, 1 + level]``.
    level : float or array-like of shape (n_bands,)
        The size of the perturbation (a relative standard deviation, an
        offset, a signal-to-noise ratio or a half-width, by ``kind``).
    random_state : int, RandomState instance or None, default=None
        Seeds the draw.

    Returns
    -------
    X_perturbed : ndarray or DataFrame, like ``X``, float64

    Examples
    --------
    >>> import numpy as np
    >>> from sknd.inspection import perturb_bands
    >>> X = np.full((2, 3), 0.5)
    >>> perturb_bands(X, "offset", 0.01, random_state=0).round(3)
    array([[0.49, 0.51, 0.51],
           [0.49, 0.51, 0.51]])
    >>> bool(np.allclose(perturb_bands(X, "noise", 0.0), X))
    True
    """
    values = _as_array(X)
    if values.ndim != 2:
        raise ValueError(f"X must be 2-D (spectra in rows), got shape {values.shape}.")
    level = np.asarray(level, dtype=np.float64)
    n, n_bands = values.shape
    if level.ndim > 1 or (level.ndim == 1 and len(level) != n_bands):
        raise ValueError(
            f"level must be a number or one value per band ({n_bands}), got shape {level.shape}."
        )
    if (
        not np.all(np.isfinite(level))
        or np.any(level < 0)
        or (kind == "snr" and np.any(level <= 0))
    ):
        bound = "> 0" if kind == "snr" else ">= 0"
        raise ValueError(f"level must be finite and {bound} for kind={kind!r}, got {level}.")
    rng = check_random_state(random_state)
    if kind == "noise":
        out = values * (1.0 + level * rng.standard_normal((n, n_bands)))
    elif kind == "gain":
        out = values * (1.0 + level * rng.standard_normal(n_bands))
    elif kind == "offset":
        out = values + level * rng.choice([-1.0, 1.0], size=n_bands)
    elif kind == "snr":
        sigma = np.abs(values).mean(axis=0) / level
        out = values + sigma * rng.standard_normal((n, n_bands))
    else:
        out = values * rng.uniform(1.0 - level, 1.0 + level, size=(n, 1))
    return _like(X, out)


def _levels(kind, levels):
    if levels is None:
        return []
    if np.ndim(levels) == 0:
        levels = [levels]
    return [(kind, level) for level in levels]


def _label(kind, level) -> str:
    if np.ndim(level):
        return f"{kind} per band"
    if kind in ("noise", "gain", "illumination"):
        return f"{kind} {level * 100:g}%"  # relative levels read as percentages
    return f"{kind} {level:g}"


_LEVELS = [None, Interval(Real, 0, None, closed="left"), "array-like"]


@validate_call(
    {
        "noise": _LEVELS,
        "gain": _LEVELS,
        "offset": _LEVELS,
        "snr": [None, Interval(Real, 0, None, closed="neither"), "array-like"],
        "illumination": _LEVELS,
        "n_repeats": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }
)
def robustness_scores(
    estimator,
    X,
    y,
    *,
    noise: Sequence[float] | float | None = (0.005, 0.01, 0.02, 0.05, 0.1),
    gain: Sequence[float] | float | None = (0.02, 0.05),
    offset: Sequence[float] | float | None = (0.005, 0.01),
    snr=None,
    illumination: Sequence[float] | float | None = None,
    scoring=None,
    n_repeats: int = 5,
    random_state=None,
) -> Bunch:
    """Score a fitted model on perturbed copies of ``X``, perturbation by perturbation.

    Each perturbation of :func:`perturb_bands` is drawn ``n_repeats`` times
    and the model scored on each draw. Use it on held-out spectra before
    trusting a model trained on a spectral library with real pixels: a model
    whose accuracy falls by points under 1-2% of per-band noise leans on band
    differences that no real sensor delivers.

    Parameters
    ----------
    estimator : fitted estimator
        Any scikit-learn model (a pipeline too).
    X : array-like or DataFrame of shape (n_samples, n_bands)
        Held-out spectra.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Their targets.
    noise, gain, offset, illumination : float, sequence of float or None
        The levels of each kind to try (see :func:`perturb_bands`); ``None``
        or ``()`` leaves a kind out.
    snr : float, list of float, ndarray of shape (n_bands,) or None, default=None
        Signal-to-noise ratios: a number or a list of numbers (each one ratio
        for all bands), or a numpy array of one ratio per band (a sensor's
        specification), tried as one perturbation. Left out by default.
    scoring : str, callable or None, default=None
        As in :func:`sklearn.model_selection.cross_val_score`; ``None`` uses
        ``estimator.score``.
    n_repeats : int, default=5
        Draws of each perturbation.
    random_state : int, RandomState instance or None, default=None
        Seeds the draws: a fixed value gives every model the same perturbed
        spectra.

    Returns
    -------
    result : Bunch
        ``baseline_score`` (the score on ``X`` as given); ``labels`` (one per
        perturbation, e.g. ``"noise 1%"`` or ``"offset 0.005"``), ``kinds`` and ``levels``;
        ``scores`` of shape (n_perturbations, n_repeats) and their
        ``scores_mean``, ``scores_median`` and ``scores_std``; ``drops``,
        ``baseline_score - scores_mean``.

    Examples
    --------
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sknd.datasets import make_spectral_classification
    >>> from sknd.inspection import robustness_scores
    >>> X, y = make_spectral_classification(n_samples=300, random_state=0)
    >>> knn = KNeighborsClassifier().fit(X[:200], y[:200])
    >>> result = robustness_scores(knn, X[200:], y[200:], gain=None, offset=None,
    ...                            noise=(0.01, 0.1), n_repeats=3, random_state=0)
    >>> result.labels
    ['noise 1%', 'noise 10%']
    >>> result.scores.shape
    (2, 3)
    """
    scorer = check_scoring(estimator, scoring=scoring)
    if isinstance(snr, np.ndarray) and snr.ndim == 1:
        snr = [snr]  # one ratio per band: a single perturbation
    plan = [
        *_levels("noise", noise),
        *_levels("gain", gain),
        *_levels("offset", offset),
        *_levels("snr", snr),
        *_levels("illumination", illumination),
    ]
    rng = check_random_state(random_state)
    scores = np.empty((len(plan), n_repeats))
    for i, (kind, level) in enumerate(plan):
        for r in range(n_repeats):
            seed = rng.randint(2**31 - 1)
            scores[i, r] = scorer(estimator, perturb_bands(X, kind, level, random_state=seed), y)
    baseline = float(scorer(estimator, X, y))
    mean = scores.mean(axis=1)
    return Bunch(
        baseline_score=baseline,
        labels=[_label(kind, level) for kind, level in plan],
        kinds=[kind for kind, _ in plan],
        levels=[level for _, level in plan],
        scores=scores,
        scores_mean=mean,
        scores_median=np.median(scores, axis=1),
        scores_std=scores.std(axis=1),
        drops=baseline - mean,
    )
