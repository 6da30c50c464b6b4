"""Noise estimates of signals."""

import numpy as np
import pytest

from sknd.datasets import (
    make_spike_signals,
)
from sknd.denoise import (
    estimate_noise,
    estimate_noise_pooled,
)


def test_noise_estimates():
    rng = np.random.default_rng(7)
    pure = rng.normal(scale=2.0, size=(200, 100))
    assert np.median(estimate_noise(pure)) == pytest.approx(2.0, rel=0.05)
    assert estimate_noise_pooled(pure) == pytest.approx(2.0, rel=0.05)
    X, _ = make_spike_signals(1000, random_state=0)
    assert estimate_noise_pooled(X) == pytest.approx(3.0, rel=0.06)
    assert estimate_noise_pooled(np.zeros((3, 10))) == 0.0
