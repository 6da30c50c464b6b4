"""Learned normalized-difference indices: the ND wing of sknd.

Where things go: ``_base.NDEstimator`` is the shared fit recipe of the torch-backed
estimators (band checks, target preparation, coefficients, ``formulas_``);
``_predictors`` holds NDClassifier / NDRegressor, ``_transformer`` holds
NDIndexTransformer; the classical, torch-free side is ``_pairs`` (fixed band pairs)
and ``_pair_search`` (the exhaustive two-band search); ``_formulas`` writes and
exports formulas, ``_bands`` groups contiguous bands. A new estimator is one file
here plus one line in ``_ESTIMATORS`` below; ``sknd/__init__`` reads the names from
this package, and the common and parameter tests find it through ``sknd.__all__``.

Names load on first use (PEP 562): the torch-free ones (NDPairsTransformer,
NDPairsSelector, and ``sknd.catalogue`` which reads ``_formulas``) never import torch.
"""

import importlib

# Public name -> the module of this package that defines it.
_ESTIMATORS = {
    "NDClassifier": "._predictors",
    "NDIndexTransformer": "._transformer",
    "NDPairsSelector": "._pair_search",
    "NDPairsTransformer": "._pairs",
    "NDRegressor": "._predictors",
}

__all__ = sorted(_ESTIMATORS)


def __getattr__(name):
    if name not in _ESTIMATORS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_ESTIMATORS[name], __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_ESTIMATORS})
