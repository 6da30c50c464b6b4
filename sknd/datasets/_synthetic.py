"""Synthetic data with known ground truth: spectra, a scene, and 1-D signals.

numpy and scikit-learn only; no torch here.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state

from .._params import Integral, Interval, Range, Real, Sizes, validate_call

__all__ = [
    "SENTINEL2_BANDS",
    "make_piecewise_constant_signals",
    "make_smooth_signals",
    "make_spectral_classification",
    "make_spectral_regression",
    "make_spectral_scene",
    "make_spike_signals",
]

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


_SPECTRA = {
    "n_samples": [Interval(Integral, 1, None, closed="left")],
    "n_classes": [Interval(Integral, 2, len(_ENDMEMBERS), closed="both")],
    "purity": [Interval(Real, 0, None, closed="neither")],
    "illumination": [Range(0)],
    "noise": [Interval(Real, 0, None, closed="left")],
    "as_frame": ["boolean"],
    "random_state": ["random_state"],
}
_SIGNALS = {
    "n_signals": [Interval(Integral, 1, None, closed="left")],
    "length": [Interval(Integral, 1, None, closed="left")],
    "noise": [Interval(Real, 0, None, closed="left")],
    "snr": [Interval(Real, 0, None, closed="neither")],
    "random_state": ["random_state"],
}


def _class_abundances(y, n_classes, purity, rng):
    """Dirichlet abundances of the endmembers, favouring each sample's class."""
    concentration = np.ones((len(y), n_classes))
    concentration[np.arange(len(y)), y] = purity
    return np.stack([rng.dirichlet(c) for c in concentration])


def _mix(abundances, illumination, noise, rng, as_frame=False):
    """Spectra of the abundances under ``illumination``: a (low, high) range of
    per-sample factors, or an array of one factor per sample."""
    spectra = abundances @ np.asarray(list(_ENDMEMBERS.values()))[: abundances.shape[1]]
    if isinstance(illumination, tuple):
        low, high = illumination
        illumination = rng.uniform(low, high, size=len(spectra))
    scale = np.asarray(illumination, dtype=float).reshape(-1, 1)
    X = scale * spectra * (1.0 + noise * rng.standard_normal(spectra.shape))
    X = np.abs(X)
    if as_frame:
        import pandas as pd

        return pd.DataFrame(X, columns=list(SENTINEL2_BANDS))
    return X


@validate_call(_SPECTRA)
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

    Examples
    --------
    >>> from sknd.datasets import make_spectral_classification
    >>> X, y = make_spectral_classification(n_samples=5, as_frame=True, random_state=0)
    >>> list(X.columns[:4]), X.shape, y.shape
    (['B2', 'B3', 'B4', 'B5'], (5, 10), (5,))
    """
    rng = check_random_state(random_state)
    y = rng.randint(n_classes, size=n_samples)
    abundances = _class_abundances(y, n_classes, purity, rng)
    return _mix(abundances, tuple(illumination), noise, rng, as_frame), y


@validate_call(
    {
        **_SPECTRA,
        "shape": [Sizes(2)],
        "patch_size": [Interval(Real, 0, None, closed="neither")],
    }
)
def make_spectral_scene(
    shape: tuple[int, int] = (128, 128),
    n_classes: int = 4,
    *,
    patch_size: float = 16.0,
    purity: float = 8.0,
    illumination: tuple[float, float] = (0.5, 1.5),
    noise: float = 0.02,
    random_state=None,
):
    """A synthetic multi-band scene: land-cover patches under uneven light.

    The class map is the argmax of ``n_classes`` smooth random fields (patches
    about ``patch_size`` pixels across). Each pixel mixes the endmember spectra
    of :func:`make_spectral_classification` with Dirichlet abundances favouring
    its class, is scaled by a smooth illumination field (terrain shading) that
    spans ``illumination``, and gets per-band noise.

    Parameters
    ----------
    shape : (int, int), default=(128, 128)
        Rows and columns.
    n_classes : int, default=4
        Between 2 and 6.
    patch_size : float, default=16.0
        Typical size of a land-cover patch, in pixels.
    purity : float, default=8.0
        Dirichlet concentration of the pixel's own class (others have 1).
    illumination : (float, float), default=(0.5, 1.5)
        Range of the brightness field.
    noise : float, default=0.02
        Relative per-band noise.
    random_state : int, RandomState instance or None

    Returns
    -------
    scene : ndarray of shape (10, rows, cols)
        Reflectances, bands first (the layout of rasterio and of
        :data:`SENTINEL2_BANDS`).
    labels : ndarray of shape (rows, cols)
        Class of every pixel.

    Examples
    --------
    >>> from sknd.datasets import make_spectral_scene
    >>> scene, labels = make_spectral_scene((32, 48), random_state=0)
    >>> scene.shape, labels.shape
    ((10, 32, 48), (32, 48))
    """
    from scipy.ndimage import gaussian_filter

    rows, cols = (int(v) for v in shape)
    rng = check_random_state(random_state)

    def smooth_field(sigma):
        field = gaussian_filter(rng.standard_normal((rows, cols)), sigma, mode="wrap")
        return (field - field.mean()) / (field.std() or 1.0)

    labels = np.argmax([smooth_field(patch_size / 2) for _ in range(n_classes)], axis=0)
    abundances = _class_abundances(labels.ravel(), n_classes, purity, rng)
    light = smooth_field(4 * patch_size).ravel()
    low, high = illumination
    span = light.max() - light.min()
    light = low + (high - low) * (light - light.min()) / (span if span > 0 else 1.0)
    X = _mix(abundances, light, noise, rng)
    return X.T.reshape(len(SENTINEL2_BANDS), rows, cols), labels


@validate_call(_SPECTRA)
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

    Examples
    --------
    >>> from sknd.datasets import make_spectral_regression
    >>> X, y = make_spectral_regression(n_samples=5, random_state=0)
    >>> X.shape, bool(((0 <= y) & (y <= 1)).all())
    ((5, 10), True)
    """
    rng = check_random_state(random_state)
    abundances = rng.dirichlet(np.ones(4), size=n_samples)
    return _mix(abundances, tuple(illumination), noise, rng, as_frame), abundances[:, 0]


def _noisy(clean, noise, snr, rng):
    """Add white Gaussian noise of std ``noise``, or of RMS(clean) / snr per signal."""
    if snr is not None:
        rms = np.sqrt(np.mean(clean**2, axis=1, keepdims=True))
        sigma = rms / snr
    else:
        sigma = np.full((len(clean), 1), float(noise))
    return clean + sigma * rng.standard_normal(clean.shape), clean


@validate_call(
    {
        **_SIGNALS,
        "n_spikes": [Interval(Integral, 0, None, closed="left")],
        "heights": [Range(integer=True)],
    }
)
def make_spike_signals(
    n_signals: int = 1000,
    length: int = 100,
    *,
    n_spikes: int = 20,
    heights: tuple[int, int] = (2, 10),
    noise: float = 3.0,
    random_state=None,
):
    """Sparse positive spikes in white Gaussian noise: the benchmark denoising task.

    Each clean signal has ``n_spikes`` positions drawn uniformly *with
    replacement* (a position drawn twice keeps its last height), integer
    heights uniform in ``heights`` (inclusive); the noisy signal adds
    ``N(0, noise^2)`` to every sample. The defaults (length 100, 20 spikes,
    heights 2-10, noise 3) give an input SNR near 1.

    Returns
    -------
    X : ndarray of shape (n_signals, length)
        Noisy signals.
    y : ndarray of shape (n_signals, length)
        Clean signals.

    Examples
    --------
    >>> from sknd.datasets import make_spike_signals
    >>> noisy, clean = make_spike_signals(n_signals=3, length=64, random_state=0)
    >>> noisy.shape, clean.shape
    ((3, 64), (3, 64))
    """
    rng = check_random_state(random_state)
    clean = np.zeros((n_signals, length))
    rows = np.repeat(np.arange(n_signals), n_spikes)
    cols = rng.randint(0, length, size=n_signals * n_spikes)
    clean[rows, cols] = rng.randint(heights[0], heights[1] + 1, size=n_signals * n_spikes)
    return _noisy(clean, noise, None, rng)


@validate_call(_SIGNALS)
def make_smooth_signals(
    n_signals: int = 1000, length: int = 100, *, snr: float = 7.0, random_state=None
):
    """Smooth random signals: sums of a few random sinusoids, plus white noise.

    Each clean signal sums 1-4 sinusoids with frequencies up to 4 cycles per
    signal, random phases and amplitudes; noise has std ``RMS(clean) / snr``.

    Returns
    -------
    X, y : ndarray of shape (n_signals, length)
        Noisy and clean signals.

    Examples
    --------
    >>> from sknd.datasets import make_smooth_signals
    >>> noisy, clean = make_smooth_signals(n_signals=3, random_state=0)
    >>> noisy.shape
    (3, 100)
    """
    rng = check_random_state(random_state)
    t = np.arange(length) / length
    clean = np.zeros((n_signals, length))
    for row in clean:
        for _ in range(rng.randint(1, 5)):
            row += rng.uniform(0.5, 2) * np.sin(2 * np.pi * (rng.uniform(0.5, 4) * t + rng.rand()))
    return _noisy(clean, None, snr, rng)


@validate_call({**_SIGNALS, "n_jumps": [Interval(Integral, 0, None, closed="left")]})
def make_piecewise_constant_signals(
    n_signals: int = 1000,
    length: int = 100,
    *,
    n_jumps: int = 5,
    snr: float = 7.0,
    random_state=None,
):
    """Piecewise-constant random signals (``n_jumps`` jumps), plus white noise.

    Jump positions are uniform, levels ``N(0, 1)``; noise has std
    ``RMS(clean) / snr``.

    Returns
    -------
    X, y : ndarray of shape (n_signals, length)
        Noisy and clean signals.

    Examples
    --------
    >>> from sknd.datasets import make_piecewise_constant_signals
    >>> noisy, clean = make_piecewise_constant_signals(n_signals=3, random_state=0)
    >>> noisy.shape
    (3, 100)
    """
    if n_jumps > length - 1:
        raise ValueError(
            f"n_jumps={n_jumps} needs signals longer than {n_jumps} samples; got length={length}."
        )
    rng = check_random_state(random_state)
    clean = np.empty((n_signals, length))
    for row in clean:
        cuts = np.sort(rng.choice(np.arange(1, length), size=n_jumps, replace=False))
        levels = rng.standard_normal(n_jumps + 1)
        row[:] = np.repeat(levels, np.diff(np.r_[0, cuts, length]))
    return _noisy(clean, None, snr, rng)
