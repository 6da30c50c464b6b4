"""The iterative solvers converge to the closed forms they generalize."""

import numpy as np

from sknd.denoise import (
    firm_threshold,
    gmc_general,
)


def test_gmc_iteration_converges_to_firm_threshold():
    y = np.random.default_rng(2).normal(scale=3, size=(4, 40))
    identity = lambda v: v  # noqa: E731
    x = gmc_general(y, identity, identity, 1.5, 0.6, tol=1e-12, max_iter=100_000)
    np.testing.assert_allclose(x, firm_threshold(y, 1.5, 2.5), atol=1e-8)
