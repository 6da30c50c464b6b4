"""contiguous_band_groups: the broad bands of n_indices="auto" on many bands."""

import numpy as np
import pytest

from sknd.nd._bands import contiguous_band_groups


def test_cuts_fall_where_the_spectral_shape_turns():
    rng = np.random.default_rng(0)
    # Three runs of 5, 12 and 7 bands, each moving together across spectra.
    runs = rng.uniform(0.1, 1.0, size=(400, 3))
    X = np.repeat(runs, [5, 12, 7], axis=1) * (1 + 0.01 * rng.standard_normal((400, 24)))
    X *= rng.uniform(0.2, 5.0, size=(400, 1))  # brightness plays no part
    groups = contiguous_band_groups(X, 3)
    np.testing.assert_array_equal(groups, np.repeat([0, 1, 2], [5, 12, 7]))


def test_groups_are_contiguous_runs_whatever_the_rows():
    rng = np.random.default_rng(1)
    X = rng.uniform(0.1, 1.0, size=(5000, 40)).cumsum(axis=1)
    for n_groups in (1, 2, 16, 40):
        groups = contiguous_band_groups(X, n_groups)
        assert groups[0] == 0 and groups[-1] == n_groups - 1
        assert set(np.diff(groups)) <= {0, 1}
    with pytest.raises(ValueError, match="n_groups must lie in"):
        contiguous_band_groups(X, 41)
