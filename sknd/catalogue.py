"""Use exported indices beside the Awesome Spectral Indices catalogue.

:meth:`sknd.NDIndexTransformer.export_indices` writes learned indices as
catalogue entries whose ``formula`` is plain band math. :func:`evaluate_formula`
computes such a formula on numpy arrays, pandas, xarray or dask data without
``eval``: it walks the formula's syntax tree and allows only what the export
writes (numbers, band names, ``+ - * /``, unary minus and ``abs``).
:func:`standard_band_names` renames a sensor's bands (Sentinel-2 ``B8``) to
the catalogue's standard names (``N``), so exported entries use the same
variables as spyndex's own indices. Neither needs torch.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Mapping, Sequence

__all__ = ["evaluate_formula", "standard_band_names"]

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv}  # fmt: skip
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}


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
        kind (lazy for dask).

    Returns
    -------
    The formula's value, computed with the operators of ``bands``' values.

    Raises
    ------
    ValueError
        When the formula uses anything but numbers, band names, ``+ - * /``,
        unary signs and ``abs(...)``, or a band that ``bands`` lacks.

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
    ValueError: The formula may only use numbers, band names, ... it has a Call of '__import__'.
    """
    if isinstance(formula, Mapping):
        if "formula" not in formula:
            raise ValueError("A catalogue entry needs a 'formula' key.")
        formula = formula["formula"]
    if not isinstance(formula, str):
        raise TypeError(f"formula must be a string or an entry dict, got {type(formula)}.")
    try:
        tree = ast.parse(formula.strip(), mode="eval")
    except SyntaxError as err:
        raise ValueError(f"Not a formula: {formula!r} ({err.msg}).") from None
    return _evaluate(tree.body, bands)


def _evaluate(node, bands):
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_evaluate(node.left, bands), _evaluate(node.right, bands))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_evaluate(node.operand, bands))
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.Name):
        try:
            return bands[node.id]
        except (KeyError, IndexError):
            names = list(bands.keys()) if hasattr(bands, "keys") else "?"
            raise ValueError(
                f"The formula uses band {node.id!r}, which the bands lack; they have {names}."
            ) from None
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "abs"
        and len(node.args) == 1
        and not node.keywords
    ):
        return abs(_evaluate(node.args[0], bands))
    what = type(node).__name__
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        what += f" of {node.func.id!r}"
    raise ValueError(
        "The formula may only use numbers, band names, + - * /, unary signs and abs(...); "
        f"it has a {what}."
    )


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
