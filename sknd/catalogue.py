"""Use exported indices beside the Awesome Spectral Indices catalogue.

:meth:`sknd.NDIndexTransformer.export_indices` writes learned indices as
catalogue entries whose ``formula`` is plain band math. :func:`evaluate_formula`
computes such a formula on numpy arrays, pandas, xarray or dask data without
``eval``: it walks the formula's syntax tree and allows only what the export
writes (numbers, band names, ``+ - * /``, unary minus and ``abs``).
:func:`standard_band_names` renames a sensor's bands (Sentinel-2 ``B8``) to
the catalogue's standard names (``N``), so exported entries use the same
variables as spyndex's own indices. :func:`wavelength_names` names bands by
their centers (``R705``), and :func:`transfer_indices` carries learned
indices to another sensor's bands by the nearest band center. None of them
imports torch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from .nd._evaluate import Evaluator
from .nd._formulas import (
    catalogue_entries,
    check_formula_names,
    check_wavelengths,
    wavelength_names,
)

__all__ = ["evaluate_formula", "standard_band_names", "transfer_indices", "wavelength_names"]

#: The longest formula evaluated: exported indices of 2151 bands (an ASD
#: spectrometer) stay far below it; beyond it a formula is refused, not run.
MAX_FORMULA_LENGTH = 1_000_000


def evaluate_formula(formula: str | Mapping, bands):
    """Evaluate a band-math formula on band values, safely.

    Parameters
    ----------
    formula : str or dict
        A formula such as ``"(N - R) / (N + R)"``, or a catalogue entry
        (a dict with a ``"formula"`` key) from
        :meth:`~sknd.NDIndexTransformer.export_indices`.
    bands : mapping
        Band values by name: a dict of arrays, a pandas ``DataFrame``, an
        ``xarray.Dataset``, or anything indexed by band name. The values may
        be numpy, pandas, xarray or dask objects; the result is of the same
        kind (lazy for dask). Integer, boolean and float16 bands (raw GeoTIFF
        reads are often uint16) are computed in float64, so differences and
        sums neither wrap around nor overflow.

    Returns
    -------
    The formula's value, computed with the operators of ``bands``' values.

    Raises
    ------
    ValueError
        When the formula uses anything but numbers, band names, ``+ - * /``,
        unary signs, parentheses and ``abs(...)``, a band that ``bands``
        lacks, a constant too large for a float, a division of constants by
        zero, or more than ``MAX_FORMULA_LENGTH`` characters.
    TypeError
        When ``formula`` is neither a string nor an entry dict.

    Notes
    -----
    The formula is read by a small operator-precedence parser of its own, not
    Python's (``eval`` or ``ast``): no code can run, formulas of any number of
    terms evaluate without recursion, and band names are matched exactly as
    written (Python would normalize a name such as ``"µ"`` to ``"μ"``).

    Examples
    --------
    >>> import numpy as np
    >>> from sknd.catalogue import evaluate_formula
    >>> bands = {"N": np.array([0.5, 0.4]), "R": np.array([0.1, 0.2])}
    >>> evaluate_formula("(N - R) / (N + R)", bands).round(3)
    array([0.667, 0.333])
    >>> evaluate_formula("__import__('os')", bands)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: The formula may only use numbers, band names, ...; it has '__import__(' at 0.
    """
    if isinstance(formula, Mapping):
        if "formula" not in formula:
            raise ValueError("A catalogue entry needs a 'formula' key.")
        formula = formula["formula"]
    if not isinstance(formula, str):
        raise TypeError(f"formula must be a string or an entry dict, got {type(formula)}.")
    if len(formula) > MAX_FORMULA_LENGTH:
        raise ValueError(
            f"The formula has {len(formula)} characters, more than the {MAX_FORMULA_LENGTH} "
            "evaluate_formula accepts."
        )
    return Evaluator(formula, bands).run()


def standard_band_names(band_names: Sequence[str], platform: str) -> list[str]:
    """The catalogue's standard names of a sensor's bands, in the same order.

    Uses spyndex's band table (``spyndex.bands``), so ``B8`` of Sentinel-2 is
    ``N`` and ``B4`` of Landsat 8 is ``R``. Pass the result to
    ``export_indices(band_names=...)`` and the exported formulas use the
    variables of spyndex's own indices.

    Parameters
    ----------
    band_names : list of str
        The sensor's band names, e.g. ``["B2", "B3", "B4", "B8"]``.
    platform : str
        The sensor as spyndex names it, case, spaces and dashes ignored:
        ``"Sentinel-2"`` (or ``"sentinel2a"``, ``"sentinel2b"``),
        ``"Landsat 8"``, ``"Landsat 9"``, ``"Landsat 7"``, ``"MODIS"``,
        ``"PlanetScope"``, ``"WorldView 3"``, ...

    Returns
    -------
    list of str

    Raises
    ------
    ValueError
        For a platform spyndex does not know, or a band without a standard
        name (the message lists the platform's bands that have one).

    Examples
    --------
    >>> from sknd.catalogue import standard_band_names
    >>> standard_band_names(["B2", "B3", "B4", "B8", "B8A", "B11"], "Sentinel-2")
    ['B', 'G', 'R', 'N', 'N2', 'S1']
    """
    try:
        import spyndex
    except ImportError as exc:
        raise ImportError(
            "standard_band_names reads spyndex's band table: pip install spyndex."
        ) from exc
    key = re.sub(r"[\s_\-]", "", str(platform).lower())
    table: dict[str, dict[str, str]] = {}
    for standard in spyndex.bands:
        for name, info in vars(getattr(spyndex.bands, standard)).items():
            if isinstance(getattr(info, "band", None), str):
                # A band under two standard names keeps the first (spyndex's order).
                table.setdefault(name, {}).setdefault(info.band, standard)
    key = {"sentinel2": "sentinel2a"}.get(key, key)
    if key not in table:
        raise ValueError(f"spyndex has no platform {platform!r}; it has {sorted(table)}.")
    mapping = table[key]
    missing = [b for b in band_names if b not in mapping]
    if missing:
        raise ValueError(
            f"Bands {missing} have no standard name on {platform}; the bands that do: {mapping}."
        )
    return [mapping[b] for b in band_names]


def transfer_indices(
    estimator,
    wavelengths,
    band_names: Sequence[str] | None = None,
    *,
    tolerance: float = 15.0,
    source_wavelengths=None,
    prefix: str = "ND",
    application_domain: str = "vegetation",
    nonnegative: bool = False,
    platforms: Sequence[str] = (),
    contributor: str = "sknd",
) -> list[dict]:
    """Carry learned indices to another sensor's bands by the nearest band center.

    Each band of the sensor the model was fitted on goes to the other
    sensor's band whose center is nearest, if it is within ``tolerance`` nm
    (two bands that go to one add their weights); the indices come back as
    catalogue entries in the other sensor's band names, as
    :meth:`sknd.NDIndexTransformer.export_indices` writes them, for
    :func:`evaluate_formula` on that sensor's data. A band that carries 1% or
    more of an index (what ``formulas_`` shows) and has no band within
    ``tolerance`` is refused with an error naming it; lighter bands without
    one are left out. Carried to the same band centers, the formulas are
    exactly ``export_indices``'.

    The band centers only are matched: two sensors' bands of one center can
    still differ in width and response, so check a carried index on the
    other sensor's data before you rely on it.

    Parameters
    ----------
    estimator : fitted NDIndexTransformer, NDClassifier or NDRegressor
        Fitted with ``wavelengths`` (or pass ``source_wavelengths``).
    wavelengths : array-like of shape (n_target_bands,)
        The other sensor's band centers, in nm.
    band_names : list of str, optional
        The other sensor's band names (valid identifiers), in the order of
        ``wavelengths``; :func:`wavelength_names` of them by default.
    tolerance : float, default=15.0
        Farthest a band may be carried, in nm (Sentinel-2's blue band, 492 nm,
        is 10 nm from Landsat 8's, 482 nm).
    source_wavelengths : array-like of shape (n_features,), optional
        The fitted sensor's band centers in nm, for a model fitted without
        ``wavelengths``.
    prefix, application_domain, nonnegative, platforms, contributor
        As in :meth:`sknd.NDIndexTransformer.export_indices`.

    Returns
    -------
    list of dict
        One catalogue entry per index, over the other sensor's bands.

    Raises
    ------
    ValueError
        Where a band an index uses has no band within ``tolerance``: the
        message names it, its nearest band and their distance.

    Examples
    --------
    >>> import numpy as np
    >>> from sknd import NDIndexTransformer
    >>> from sknd.catalogue import evaluate_formula, transfer_indices
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(0.05, 0.5, size=(60, 4))
    >>> y = (X[:, 3] > X[:, 2]).astype(int)
    >>> nd = NDIndexTransformer(n_indices=1, max_epochs=5, wavelengths=[490, 560, 665, 842],
    ...                         random_state=0).fit(X, y)
    >>> nd.formulas_[0].count("R665")
    2
    >>> other = transfer_indices(nd, [482, 561, 655, 865, 1609],
    ...                          ["B2", "B3", "B4", "B5", "B6"], tolerance=25)
    >>> other[0]["bands"]
    ['B2', 'B3', 'B4', 'B5', 'B6']
    >>> bands = dict(zip(["B2", "B3", "B4", "B5", "B6"], np.c_[X, X[:, 3]].T))
    >>> value = evaluate_formula(other[0]["formula"], bands)
    >>> bool(np.allclose(value, nd.transform(X)[:, 0], atol=1e-5))
    True
    """
    if not hasattr(estimator, "_first_layer_weights"):
        raise TypeError(
            "transfer_indices carries learned indices: it needs a fitted NDIndexTransformer, "
            f"NDClassifier or NDRegressor, got {type(estimator).__name__}."
        )
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator, "positive_coef_")
    if not tolerance >= 0:
        raise ValueError(f"tolerance must be a number of nm >= 0, got {tolerance!r}.")
    source = getattr(estimator, "wavelengths_", None)
    source = source if source_wavelengths is None else source_wavelengths
    if source is None:
        raise ValueError(
            f"{type(estimator).__name__} was fitted without wavelengths: pass "
            "source_wavelengths=[...] (nm), one per band it was fitted on."
        )
    source = check_wavelengths(source, estimator.n_features_in_, "source_wavelengths")
    target = check_wavelengths(wavelengths, np.size(wavelengths), "transfer_indices")
    names = wavelength_names(target) if band_names is None else [str(n) for n in band_names]
    if len(names) != len(target):
        raise ValueError(
            f"band_names has {len(names)} names for {len(target)} wavelengths; give one "
            "name per wavelength."
        )
    check_formula_names(names)
    a, b, eps = estimator._first_layer_weights()
    share = (a + b) / (a + b).sum(axis=1, keepdims=True)
    distance = np.abs(source[:, None] - target[None, :])
    nearest = distance.argmin(axis=1)
    gap = distance[np.arange(len(source)), nearest]
    far = gap > tolerance
    needed = np.flatnonzero(far & (share >= getattr(estimator, "_FORMULA_TOL", 0.01)).any(axis=0))
    if needed.size:
        shown = "; ".join(
            f"{source[j]:g} nm (band {j}, up to {share[:, j].max():.0%} of an index): nearest "
            f"{target[nearest[j]]:g} nm, {gap[j]:.1f} nm away"
            for j in needed
        )
        raise ValueError(
            f"No band within tolerance={tolerance:g} nm for bands the indices use: {shown}. "
            "Raise tolerance if those bands measure the same thing, or fit a model "
            "without them."
        )
    carry = np.zeros((len(source), len(target)))
    carry[np.flatnonzero(~far), nearest[~far]] = 1.0
    return catalogue_entries(
        a @ carry,
        b @ carry,
        eps,
        names,
        prefix=prefix,
        application_domain=application_domain,
        nonnegative=nonnegative,
        platforms=platforms,
        contributor=contributor,
    )
