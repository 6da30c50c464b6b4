"""Synthetic data with known ground truth."""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["SENTINEL2_BANDS", "make_spectral_classification", "make_spectral_regression"]

#: Sentinel-2 bands the generators mimic (10 m and 20 m bands).
SENTINEL2_BANDS = ("B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B11", "B12")

# Approximate surface reflectance of land-cover endmembers in those bands.
_ENDMEMBERS = {
    "vegetation": [0.04, 0.08, 0.04, 0.12, 0.30, 0.38, 0.40, 0.41, 0.22, 0.11],
    "soil": [0.12, 0.16, 0.20, 0.23, 0.25, 0.27, 0.28, 0.29, 0.36, 0.32],
    "water": [0.08, 0.06, 0.04, 0.03, 0.02, 0.02, 0.015, 0.012, 0.005, 0.003],
    "urban": [0.14, 0.15, 0.16, 0.17, 0.18, 0.19, 0.20, 0.20, 0.22, 0.21],
    "crop": [0.06, 0.09, 0.10, 0.15, 0.22, 0.26, 0.28, 0.29, 0.30, 0.22],
    "burnt": [0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.11, 0.11, 0.18, 0.20],
}


def _mix(abundances, illumination, noise, rng, as_frame):
    spectra = abundances @ np.asarray(list(_ENDMEMBERS.values()))[: abundances.shape[1]]
    low, high = illumination
    scale = rng.uniform(low, high, size=(len(spectra), 1))
    X = scale * spectra * (1.0 + noise * rng.standard_normal(spectra.shape))
    X = np.abs(X)
    if as_frame:
        import pandas as pd

        return pd.DataFrame(X, columns=list(SENTINEL2_BANDS))
    return X


def make_spectral_classification(
    n_samples: int = 1000,
    n_classes: int = 4,
    *,
    purity: float = 4.0,
    illumination: tuple[float, float] = (0.5, 1.5),
    noise: float = 0.02,
    as_frame: bool = False,
    random_state=None,
):
    """Land-cover spectra in 10 Sentinel-2-like bands, with illumination changes.

    Each sample mixes the first ``n_classes`` endmember spectra (vegetation,
    soil, water, urban, crop, burnt) with Dirichlet abundances that favour its
    own class (``purity``), is scaled by a per-sample illumination factor drawn
    from ``U(*illumination)``, and multiplied per band by ``1 + noise * N(0, 1)``.

    Parameters
    ----------
    n_samples : int, default=1000
    n_classes : int, default=4
        Between 2 and 6.
    purity : float, default=4.0
        Dirichlet concentration of the sample's own class (others have 1);
        lower values overlap the classes more.
    illumination : (float, float), default=(0.5, 1.5)
        Range of the per-sample brightness factor; ``(1, 1)`` turns it off.
    noise : float, default=0.02
        Relative per-band noise.
    as_frame : bool, default=False
        Return ``X`` as a pandas DataFrame with band names as columns.
    random_state : int, RandomState instance or None

    Returns
    -------
    X : ndarray or DataFrame of shape (n_samples, 10)
        Positive reflectances.
    y : ndarray of shape (n_samples,)
        Class labels ``0 .. n_classes - 1``.
    """
    if not 2 <= n_classes <= len(_ENDMEMBERS):
        raise ValueError(f"n_classes must be in [2, {len(_ENDMEMBERS)}], got {n_classes}.")
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples}.")
    rng = check_random_state(random_state)
    y = rng.randint(n_classes, size=n_samples)
    concentration = np.ones((n_samples, n_classes))
    concentration[np.arange(n_samples), y] = purity
    abundances = np.stack([rng.dirichlet(c) for c in concentration])
    return _mix(abundances, illumination, noise, rng, as_frame), y


def make_spectral_regression(
    n_samples: int = 1000,
    *,
    illumination: tuple[float, float] = (0.5, 1.5),
    noise: float = 0.02,
    as_frame: bool = False,
    random_state=None,
):
    """Spectra of vegetation/soil/water/urban mixtures; the target is vegetation cover.

    Abundances are uniform on the simplex; ``y`` is the vegetation fraction in
    [0, 1] (a stand-in for fractional cover or LAI). Illumination and noise
    as in :func:`make_spectral_classification`.

    Returns
    -------
    X : ndarray or DataFrame of shape (n_samples, 10)
    y : ndarray of shape (n_samples,)
    """
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples}.")
    rng = check_random_state(random_state)
    abundances = rng.dirichlet(np.ones(4), size=n_samples)
    return _mix(abundances, illumination, noise, rng, as_frame), abundances[:, 0]
