"""The synthetic signal generators: shapes and SNR."""

import numpy as np
import pytest

from sknd.datasets import (
    make_piecewise_constant_signals,
    make_smooth_signals,
    make_spike_signals,
)


def test_datasets_shapes_and_snr():
    X, y = make_spike_signals(50, random_state=0)
    assert X.shape == y.shape == (50, 100)
    assert set(np.unique(y)) <= set(range(11)) and np.std(X - y) == pytest.approx(3, rel=0.1)
    for make in (make_smooth_signals, make_piecewise_constant_signals):
        X, y = make(50, length=64, snr=4.0, random_state=0)
        ratio = np.sqrt((y**2).mean(axis=1)) / np.std(X - y, axis=1)
        assert X.shape == (50, 64) and np.median(ratio) == pytest.approx(4.0, rel=0.2)
