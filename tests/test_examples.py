"""The CUDA path where a GPU exists.

The whole gallery, `make demo`'s example among it, runs in tests/test_docs.py,
which builds the documentation and reads what the demo printed.
"""

import numpy as np
import pytest
import torch

from sknd import NDClassifier
from sknd.datasets import make_spectral_classification, make_spike_signals
from sknd.denoise import SparseBNDenoiser


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_training_matches_cpu_quality():
    X, y = make_spectral_classification(400, random_state=0)
    gpu = NDClassifier(max_epochs=20, random_state=0, device="cuda").fit(X, y)
    cpu = NDClassifier(max_epochs=20, random_state=0).fit(X, y)
    assert next(gpu.module_.parameters()).device.type == "cpu"  # pickles anywhere
    assert abs(gpu.score(X, y) - cpu.score(X, y)) < 0.05
    S, C = make_spike_signals(100, random_state=0)
    den = SparseBNDenoiser(channels=8, depth=3, max_epochs=2, device="cuda").fit(S, C)
    assert np.isfinite(den.predict(S)).all()
