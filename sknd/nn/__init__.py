"""Pure torch modules: no numpy and no scikit-learn in this subpackage."""

from .nd import NormalizedDifference, all_pairs
from .networks import NDNetwork

__all__ = ["NDNetwork", "NormalizedDifference", "all_pairs"]
