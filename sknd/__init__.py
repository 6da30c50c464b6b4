"""sknd: scikit-learn estimators that learn normalized-difference indices and denoise signals."""

from .denoise import GMCDenoiser, L1Denoiser, SparseBNDenoiser, WienerDenoiser
from .index import NDIndexTransformer, NDPairsTransformer
from .network import NDClassifier, NDRegressor

__version__ = "0.1.0"

__all__ = [
    "GMCDenoiser",
    "L1Denoiser",
    "NDClassifier",
    "NDIndexTransformer",
    "NDPairsTransformer",
    "NDRegressor",
    "SparseBNDenoiser",
    "WienerDenoiser",
    "__version__",
]
