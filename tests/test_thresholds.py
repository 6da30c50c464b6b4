"""sknd.denoise.threshold dispatches to the named rule."""

import numpy as np
import pytest

from sknd.denoise import firm_threshold, soft_threshold, threshold

V = np.array([-3.0, -1.2, -0.4, 0.0, 0.7, 1.5, 4.0])


def test_modes_match_their_functions():
    np.testing.assert_array_equal(threshold(V, 1.0), soft_threshold(V, 1.0))
    np.testing.assert_array_equal(threshold(V, 1.0, "hard"), np.where(np.abs(V) > 1, V, 0))
    np.testing.assert_array_equal(
        threshold(V, 1.0, "firm", gamma=0.25), firm_threshold(V, 1.0, 4.0)
    )


def test_matches_pywavelets():
    pywt = pytest.importorskip("pywt")
    for mode in ("soft", "hard"):
        np.testing.assert_allclose(threshold(V, 1.0, mode), pywt.threshold(V, 1.0, mode))
    np.testing.assert_allclose(threshold(V, 1.0, "firm", gamma=0.5), pywt.threshold_firm(V, 1, 2))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"mode": "garrote"}, "mode must be one of"),
        ({"mode": "firm", "gamma": 1.0}, "gamma must be"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        threshold(V, 1.0, **kwargs)
