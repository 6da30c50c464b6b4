"""sknd: scikit-learn estimators that learn normalized-difference indices."""

from .index import NDIndexTransformer, NDPairsTransformer
from .network import NDClassifier, NDRegressor

__version__ = "0.1.0"

__all__ = [
    "NDClassifier",
    "NDIndexTransformer",
    "NDPairsTransformer",
    "NDRegressor",
    "__version__",
]
