"""Data to learn from: real spectra (the earthlib library) and synthetic sets with known truth.

No torch: the datasets import without it.
"""

from ._library import load_spectral_library, make_spectral_mixtures
from ._synthetic import (
    SENTINEL2_BANDS,
    make_piecewise_constant_signals,
    make_smooth_signals,
    make_spectral_classification,
    make_spectral_regression,
    make_spectral_scene,
    make_spike_signals,
)

__all__ = [
    "SENTINEL2_BANDS",
    "load_spectral_library",
    "make_piecewise_constant_signals",
    "make_smooth_signals",
    "make_spectral_classification",
    "make_spectral_mixtures",
    "make_spectral_regression",
    "make_spectral_scene",
    "make_spike_signals",
]
