"""Learned indices as band math: readable formulas and catalogue entries.

Writes what ``formulas_`` and ``export_indices`` return from an ND layer's
coefficients (numpy arrays): no torch and no estimators here.
"""

from __future__ import annotations

import datetime
import keyword
import unicodedata

import numpy as np

__all__ = [
    "catalogue_entries",
    "check_formula_names",
    "check_wavelengths",
    "export_names",
    "readable_formula",
    "wavelength_names",
]


def _band_names(estimator) -> list[str]:
    """What formulas call the bands: by wavelength (``wavelengths`` given),
    else the DataFrame's column names, else ``x0``, ``x1``, ..."""
    wavelengths = getattr(estimator, "wavelengths_", None)
    if wavelengths is not None:
        return wavelength_names(wavelengths)
    names = getattr(estimator, "feature_names_in_", None)
    if names is None:
        return [f"x{i}" for i in range(estimator.n_features_in_)]
    return [str(n) for n in names]


def check_wavelengths(wavelengths, n_bands: int, who: str) -> np.ndarray:
    """``wavelengths`` as float64 band centers in nm: one per band, finite,
    positive and distinct, or a ValueError that says which."""
    try:
        centers = np.asarray(wavelengths, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{who}: wavelengths must be numbers (nm), got {wavelengths!r}.") from err
    if centers.ndim != 1 or centers.size != n_bands:
        raise ValueError(
            f"{who}: wavelengths has {centers.size} values (shape {centers.shape}) for "
            f"{n_bands} bands; give one band center (nm) per column of X."
        )
    if not np.all(np.isfinite(centers)) or np.any(centers <= 0):
        raise ValueError(
            f"{who}: wavelengths must be finite and positive (nm), got {centers.tolist()}."
        )
    if len(np.unique(centers)) != n_bands:
        raise ValueError(f"{who}: two bands share a wavelength in {centers.tolist()}.")
    return centers


def wavelength_names(wavelengths, prefix: str = "R") -> list[str]:
    """Band names from band centers in nm: ``R705`` (to the nearest nm), or,
    where that would name two bands alike, ``R705_5`` (tenths) for all.

    Examples
    --------
    >>> from sknd.catalogue import wavelength_names
    >>> wavelength_names([492.4, 559.8, 664.6, 704.1])
    ['R492', 'R560', 'R665', 'R704']
    >>> wavelength_names([700.2, 700.4, 710.0])
    ['R700_2', 'R700_4', 'R710_0']
    """
    centers = np.asarray(wavelengths, dtype=np.float64).ravel()
    if not prefix.isidentifier():
        raise ValueError(f"prefix must start a valid variable name, got {prefix!r}.")
    names = [f"{prefix}{c:.0f}" for c in centers]
    if len(set(names)) != len(names):
        names = [f"{prefix}{c:.1f}".replace(".", "_") for c in centers]
    if len(set(names)) != len(names):
        raise ValueError(
            f"Band centers closer than 0.1 nm cannot be named apart: {centers.tolist()}."
        )
    return names


def _linear_combination(
    coef: np.ndarray, names: list[str], *, term: str = "{}", number=repr, tol: float = 0.0
) -> str:
    """``c1*x1 + c2*x2 - ...``: each ``name`` put in ``term`` and each
    ``|c|`` written by ``number``; zero weights and those under ``tol`` are
    left out, and an empty sum is ``0``."""
    out = ""
    for c, name in zip(coef, names):
        if c == 0 or abs(c) < tol:
            continue
        piece = f"{number(float(abs(c)))}*{term.format(name)}"
        if out:
            out += f" {'-' if c < 0 else '+'} {piece}"
        else:
            out = f"-{piece}" if c < 0 else piece
    return out or "0"


def readable_formula(pos: np.ndarray, neg: np.ndarray, names: list[str], tol: float) -> str:
    """Readable band math of one index from its normalized weights.

    The numerator shows each band's net weight ``a_i - b_i``, the denominator
    ``a_i + b_i``; terms whose weight is under ``tol`` are left out.
    """

    def number(c):
        return f"{c:.3f}"

    numerator = _linear_combination(pos - neg, names, number=number, tol=tol)
    denominator = _linear_combination(pos + neg, names, term="|{}|", number=number, tol=tol)
    return f"({numerator}) / ({denominator})"


def _codepoints(name: str) -> str:
    return " ".join(f"U+{ord(c):04X}" for c in name)


def export_names(estimator, band_names) -> list[str]:
    names = _band_names(estimator) if band_names is None else [str(n) for n in band_names]
    if len(names) != estimator.n_features_in_:
        raise ValueError(
            f"band_names has {len(names)} names, but {type(estimator).__name__} was "
            f"fitted on {estimator.n_features_in_} bands."
        )
    return check_formula_names(names)


def check_formula_names(names: list[str]) -> list[str]:
    """``names`` if a formula can use them as its bands' variables, else a
    ValueError that says why: not identifiers (or keywords), changed by
    Python's NFKC reading, repeated, or ``abs``."""
    bad = [n for n in names if not n.isidentifier() or keyword.iskeyword(n)]
    if bad:
        raise ValueError(
            f"Band names must be valid variable names to appear in a formula; got {bad}. "
            "Pass band_names=[...] to name them."
        )
    # Python (eval, Earth Engine's Python API) reads identifiers NFKC-normalized:
    # "µ" (micro sign) becomes "μ" (Greek mu) and would no longer find its band.
    changed = {n: unicodedata.normalize("NFKC", n) for n in names}
    changed = {n: m for n, m in changed.items() if n != m}
    if changed:
        shown = ", ".join(f"{n!r} ({_codepoints(n)}) reads as {m!r} ({_codepoints(m)})"
                          for n, m in changed.items())  # fmt: skip
        raise ValueError(
            f"Band names that Python normalizes cannot be evaluated back by name: {shown}. "
            "Pass band_names=[...] with the normalized spelling."
        )
    if len(set(names)) != len(names):
        raise ValueError(f"band_names must be unique, got {names}.")
    if "abs" in names:
        raise ValueError(
            "A band named 'abs' would shadow the abs() of the formula's denominator; "
            "pass band_names=[...] with another name for it."
        )
    return names


def normalized_weights(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``a`` and ``b`` scaled so each index's weights sum to 1, and the scales.

    An index is unchanged by a common rescaling of its weights, so this is
    the unique normalization ``positive_coef_`` and ``negative_coef_`` report.
    """
    total = (a + b).sum(axis=1, keepdims=True)
    return a / total, b / total, total


def index_weights(a: np.ndarray, b: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Band weights of each index's numerator and denominator, shape (n_indices, n_bands).

    The index of bands ``x`` is ``(num @ x) / (den @ |x|)``: the ND layer with
    weights ``a`` (+) and ``b`` (-) and stabilizer ``eps``, normalized so each
    index's ``a + b`` sums to 1 (an index is unchanged by a common rescaling).
    """
    a, b, total = normalized_weights(a, b)
    # eps * mean|x| = sum_i (eps / n) |x_i|: the stabilizer is band math too.
    return a - b, a + b + eps / (a.shape[1] * total)


def catalogue_entries(
    a: np.ndarray,
    b: np.ndarray,
    eps: float,
    names: list[str],
    *,
    prefix: str,
    application_domain: str,
    nonnegative: bool,
    platforms,
    contributor: str,
) -> list[dict]:
    """Awesome Spectral Indices entries of the units with weights ``a`` (+) and ``b`` (-).

    Each formula reproduces the ND layer exactly, ``eps`` included; see
    :meth:`sknd.NDIndexTransformer.export_indices`.
    """
    # One sensor named as a string is one platform, not its characters.
    platforms = [platforms] if isinstance(platforms, str) else list(platforms)
    numerator, denominator = index_weights(a, b, eps)
    # repr() of a float64 is the shortest string that round-trips exactly.
    bar = "{}" if nonnegative else "abs({})"
    today = datetime.date.today().isoformat()
    entries = []
    for k in range(len(numerator)):
        num = _linear_combination(numerator[k], names)
        den = _linear_combination(denominator[k], names, term=bar)
        entries.append(
            {
                "short_name": f"{prefix}{k}",
                "long_name": f"Learned Normalized Difference {k} (sknd)",
                "bands": list(names),
                "application_domain": application_domain,
                "reference": "https://arxiv.org/abs/2601.06777",
                "formula": f"({num})/({den})",
                "date_of_addition": today,
                "contributor": contributor,
                "platforms": platforms,
            }
        )
    return entries
