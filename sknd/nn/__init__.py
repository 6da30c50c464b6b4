"""Pure torch modules: no numpy and no scikit-learn in this subpackage."""

from .cnn1d import DenoisingCNN1d, SparseBatchNorm1d, WienerFilter1d, shrink
from .nd import NormalizedDifference, all_pairs
from .nd_network import NDNetwork, SeededDropout

__all__ = [
    "DenoisingCNN1d",
    "NDNetwork",
    "NormalizedDifference",
    "SeededDropout",
    "SparseBatchNorm1d",
    "WienerFilter1d",
    "all_pairs",
    "shrink",
]
