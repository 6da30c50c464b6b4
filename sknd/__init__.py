"""sknd: scikit-learn estimators that learn normalized-difference indices and denoise signals.

Names load on first use (PEP 562), so ``from sknd.denoise import WienerDenoiser``
or ``import sknd.metrics`` do not import torch; only the torch-backed
estimators do. This file must not import torch, skorch or any submodule eagerly.
"""

import importlib

from . import nd as _nd

__version__ = "0.1.0"

# Public name -> the package that defines it. The ND wing's names come from its
# own ``__all__`` (``sknd.nd`` imports nothing heavy); the denoisers' estimators
# are listed here because ``sknd.denoise`` loads scipy-backed filters on import.
_ESTIMATORS = {
    **dict.fromkeys(_nd.__all__, ".nd"),
    **dict.fromkeys(
        ["AutoDenoiser", "GMCDenoiser", "L1Denoiser", "SparseBNDenoiser", "WienerDenoiser"],
        ".denoise",
    ),
}
_SUBPACKAGES = (
    "catalogue",
    "datasets",
    "denoise",
    "inspection",
    "metrics",
    "nd",
    "nn",
    "plotting",
    "raster",
    "reference",
)

__all__ = [*sorted(_ESTIMATORS), "__version__"]


def __getattr__(name):
    if name in _ESTIMATORS:
        value = getattr(importlib.import_module(_ESTIMATORS[name], __name__), name)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_ESTIMATORS, *_SUBPACKAGES})
