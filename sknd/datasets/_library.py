"""Real spectra: the earthlib spectral library, resampled to a sensor's bands.

numpy and scikit-learn; earthlib (optional) is imported when the data is
loaded. No torch here.
"""

from __future__ import annotations

import functools
import logging

import numpy as np
from sklearn.utils import Bunch, check_random_state

from .._params import Integral, Interval, Range, Real, validate_call

__all__ = ["load_spectral_library", "make_spectral_mixtures"]

_LEVELS = ("LEVEL_1", "LEVEL_2", "LEVEL_3", "LEVEL_4")


def _earthlib():
    try:
        import earthlib
    except ImportError as err:  # pragma: no cover - exercised by mocking the import
        raise ImportError(
            "The real spectral library needs the optional 'earthlib' package: "
            "pip install 'sknd[data]' (or pip install earthlib)."
        ) from err
    return earthlib


@functools.lru_cache(maxsize=8)
def _resampled(sensor: str):
    """The library in ``sensor``'s bands, cleaned; built once per process.

    Bands that some spectra do not cover (NaN after resampling, e.g. the
    water-vapour gaps of hyperspectral sensors) and spectra that are zero in
    every band (no normalized difference exists) are dropped.
    """
    earthlib = _earthlib()
    supported = earthlib.list_sensors()
    if sensor not in supported:
        raise ValueError(f"Unknown sensor {sensor!r}; earthlib supports {supported}.")
    spec = earthlib.sensors.get_sensor(sensor)
    # spectral logs one INFO line per uncovered band; keep the loader quiet.
    logger = logging.getLogger("spectral")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        resampled = earthlib.full_library.to_sensor(spec)
    finally:
        logger.setLevel(level)
    data = np.asarray(resampled.data, dtype=np.float64)
    centers = np.asarray(spec.band_centers, dtype=np.float64)
    if spec.wavelength_unit == "micrometers":
        centers = centers * 1000.0
    names = list(spec.band_names or [f"b{round(c)}" for c in centers])
    bands = ~np.isnan(data).any(axis=0)
    data, centers = data[:, bands], centers[bands]
    names = [n for n, keep in zip(names, bands) if keep]
    rows = np.abs(data).sum(axis=1) > 0
    metadata = resampled.metadata[rows].reset_index(drop=True)
    data = data[rows]
    data.setflags(write=False)
    return data, metadata, names, centers


@validate_call(
    {
        "sensor": [str],
        "level": [Interval(Integral, 1, 4, closed="both")],
        "min_class_size": [Interval(Integral, 1, None, closed="left")],
        "as_frame": ["boolean"],
        "return_X_y": ["boolean"],
    }
)
def load_spectral_library(
    *,
    sensor: str = "Sentinel2",
    level: int = 2,
    min_class_size: int = 1,
    as_frame: bool = False,
    return_X_y: bool = False,
):
    """Load the earthlib global spectral library in a sensor's bands.

    7261 labeled surface reflectance spectra: soils (the ICRAF-ISRIC soil
    database), vegetation canopies simulated with PROSAIL, and urban
    materials, non-photosynthetic vegetation and burned surfaces measured
    with an ASD spectrometer, resampled to the bands of one of ~20 sensors by
    the `earthlib <https://github.com/earth-chris/earthlib>`_ package
    (Anderson, MIT licence). Needs the ``data`` extra:
    ``pip install 'sknd[data]'``. The resampled library is cached per sensor
    for the rest of the session.

    Classes come from different sources and are very unequal (at level 2:
    bare 4248, vegetation 2000, built 888, npv 104, burned 21), so report the
    macro-averaged F1 beside accuracy.

    Parameters
    ----------
    sensor : str, default="Sentinel2"
        An earthlib sensor: "Sentinel2", "Landsat8", "Landsat4" ... "Landsat9",
        "MODIS", "VIIRS", "ASTER", "SuperDove", "Dove", "SkySat", "NEON", ...
        Bands some spectra do not cover are left out.
    level : {1, 2, 3, 4}, default=2
        Label level used as the target: 1 pervious/impervious, 2 land cover
        (bare, vegetation, built, npv, burned), 3 materials (soil, canopy,
        road, paint, ... 26 classes), 4 the measurement kind.
    min_class_size : int, default=1
        Leave out the spectra of classes with fewer spectra than this, e.g.
        30 to keep the 13 level-3 classes that cross-validation can score.
    as_frame : bool, default=False
        Return ``data`` as a pandas DataFrame with the sensor's band names as
        columns and ``target`` as a Series; ``frame`` holds both.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        ``data`` (n_spectra, n_bands) reflectances in [0, 1]; ``target``
        class codes into ``target_names``; ``feature_names`` the band names;
        ``wavelengths`` the band centers in nm; ``metadata`` a DataFrame with
        the spectrum name, the four label levels, the location and the
        ``SOURCE``; ``source`` that column as an array; ``sensor``;
        ``frame`` (with ``as_frame``); ``DESCR``.
    (data, target) : tuple, with ``return_X_y``

    Examples
    --------
    >>> from sknd.datasets import load_spectral_library
    >>> lib = load_spectral_library(sensor="Sentinel2")
    >>> lib.data.shape, lib.target_names.tolist()
    ((7261, 10), ['bare', 'built', 'burned', 'npv', 'vegetation'])
    """
    level, min_class_size = int(level), int(min_class_size)
    data, metadata, names, centers = _resampled(sensor)
    labels = metadata[_LEVELS[level - 1]].to_numpy().astype(str)
    classes, counts = np.unique(labels, return_counts=True)
    kept = classes[counts >= min_class_size]
    if len(kept) < 2:
        raise ValueError(
            f"min_class_size={min_class_size} leaves {len(kept)} class(es) at level {level}; "
            f"the largest class has {counts.max()} spectra."
        )
    rows = np.isin(labels, kept)
    X = data[rows].copy()
    target_names, target = np.unique(labels[rows], return_inverse=True)
    metadata = metadata[rows].reset_index(drop=True)
    frame = None
    if as_frame:
        import pandas as pd

        X = pd.DataFrame(X, columns=names)
        target = pd.Series(target, name="target")
        frame = pd.concat([X, target], axis=1)
    if return_X_y:
        return X, target
    descr = (
        f"earthlib spectral library resampled to {sensor} ({len(names)} bands), "
        f"level-{level} classes with at least {min_class_size} spectra: "
        + ", ".join(f"{c} {int((labels[rows] == c).sum())}" for c in target_names)
    )
    return Bunch(
        data=X,
        target=target,
        target_names=target_names,
        feature_names=list(names),
        wavelengths=centers.copy(),
        metadata=metadata,
        source=metadata["SOURCE"].to_numpy().astype(str),
        sensor=str(sensor),
        frame=frame,
        DESCR=descr,
    )


@validate_call(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "sensor": [str],
        "target": [None, str, list, tuple],
        "n_endmembers": [Interval(Integral, 1, None, closed="left")],
        "illumination": [Range(0)],
        "noise": [Interval(Real, 0, None, closed="left")],
        "as_frame": ["boolean"],
        "random_state": ["random_state"],
    }
)
def make_spectral_mixtures(
    n_samples: int = 2000,
    *,
    sensor: str = "Sentinel2",
    target="vegetation",
    n_endmembers: int = 3,
    illumination: tuple[float, float] = (0.5, 1.5),
    noise: float = 0.0,
    as_frame: bool = False,
    random_state=None,
):
    """Mixed pixels of real spectra with known cover fractions.

    Each pixel mixes ``n_endmembers`` spectra of the earthlib library (see
    :func:`load_spectral_library`; needs the ``data`` extra), each of a
    different land-cover class drawn uniformly from the five level-2 classes,
    with fractions uniform on the simplex (linear mixing). The pixel is then
    scaled by a brightness factor drawn from ``U(*illumination)`` and
    multiplied per band by ``1 + noise * N(0, 1)``. The target is the cover
    fraction of ``target``: fractional vegetation cover for regression
    models such as :class:`~sknd.NDRegressor`.

    Parameters
    ----------
    n_samples : int, default=2000
    sensor : str, default="Sentinel2"
    target : str, list of str or None, default="vegetation"
        The level-2 class(es) whose fraction is the target ("bare",
        "built", "burned", "npv", "vegetation"); ``None`` for all five.
        A list gives a multi-output target, one column per class.
    n_endmembers : int, default=3
        Spectra per pixel, between 1 and 5.
    illumination : (float, float), default=(0.5, 1.5)
        Range of the per-pixel brightness factor; ``(1, 1)`` turns it off.
    noise : float, default=0.0
        Relative per-band noise.
    as_frame : bool, default=False
        Return ``X`` as a DataFrame with the sensor's band names.
    random_state : int, RandomState instance or None

    Returns
    -------
    X : ndarray or DataFrame of shape (n_samples, n_bands)
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        Cover fractions in [0, 1].

    Examples
    --------
    >>> from sknd.datasets import make_spectral_mixtures
    >>> X, y = make_spectral_mixtures(500, random_state=0)
    >>> X.shape, float(y.min()) >= 0, float(y.max()) <= 1
    ((500, 10), True, True)
    """
    n_samples = int(n_samples)
    low, high = (float(v) for v in illumination)
    data, metadata, names, _ = _resampled(sensor)
    labels = metadata["LEVEL_2"].to_numpy().astype(str)
    classes = np.unique(labels)
    k = int(n_endmembers)
    if k > len(classes):
        raise ValueError(f"n_endmembers must be at most {len(classes)}, got {k}.")
    wanted = list(classes) if target is None else [target] if isinstance(target, str) else target
    unknown = [c for c in wanted if c not in classes]
    if unknown or not wanted:
        raise ValueError(f"target must name level-2 classes {list(classes)}, got {target!r}.")
    rng = check_random_state(random_state)
    members = [np.flatnonzero(labels == c) for c in classes]
    fractions = np.zeros((n_samples, len(classes)))
    X = np.zeros((n_samples, data.shape[1]))
    for i in range(n_samples):
        chosen = rng.choice(len(classes), size=k, replace=False)
        share = rng.dirichlet(np.ones(k))
        fractions[i, chosen] = share
        spectra = data[[rng.choice(members[c]) for c in chosen]]
        X[i] = share @ spectra
    X *= rng.uniform(low, high, size=(n_samples, 1))
    if noise:
        X *= 1.0 + noise * rng.standard_normal(X.shape)
    columns = [int(np.flatnonzero(classes == c)[0]) for c in wanted]
    y = fractions[:, columns]
    if isinstance(target, str):
        y = y[:, 0]
    if as_frame:
        import pandas as pd

        X = pd.DataFrame(X, columns=names)
    return X, y
