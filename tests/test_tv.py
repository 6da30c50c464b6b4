"""Total variation: exact TV meets its optimality conditions; GMC-TV is a fixed point."""

import numpy as np
import pytest

from sknd.denoise import (
    GMCDenoiser,
    L1Denoiser,
    _tv,
    tv_denoise,
    tv_gmc_denoise,
)


@pytest.fixture(params=["python", "numba"])
def kernel(request, monkeypatch):
    """Each test with the exact-TV loop in plain Python and compiled by numba."""
    if request.param == "python":
        monkeypatch.setattr(_tv, "_condat_compiled", lambda: None)
    elif _tv._condat_compiled() is None:
        pytest.skip("numba is not installed")
    return request.param


@pytest.mark.parametrize("lam", [0.05, 0.7, 3.0, 50.0])
def test_tv_meets_optimality_conditions(lam, kernel):
    rng = np.random.default_rng(0)
    for _ in range(50):
        n = int(rng.integers(2, 80))
        y = np.cumsum(rng.normal(size=n)) * rng.choice([0.1, 1.0]) + rng.normal(size=n)
        x = L1Denoiser(lam=lam, domain="tv").fit_transform(y[None])[0]
        c = np.cumsum(y - x)
        d = np.diff(x)
        assert abs(c[-1]) < 1e-8
        assert np.all(np.abs(c) <= lam + 1e-8)
        assert np.allclose(c[:-1][d > 1e-10], -lam, atol=1e-8)
        assert np.allclose(c[:-1][d < -1e-10], lam, atol=1e-8)


def test_compiled_tv_equals_the_python_loop_bit_for_bit():
    pytest.importorskip("numba")
    rng = np.random.default_rng(0)
    for n in (2, 3, 17, 1000):
        for scale in (1e-3, 1.0, 1e3):
            steps = np.repeat(rng.normal(size=n // 10 + 1), 10)[:n] * 3
            for y in (rng.normal(size=n) * scale + steps, np.round(steps + rng.normal(size=n))):
                lam_max = np.abs(np.cumsum(y - y.mean())[:-1]).max(initial=0.0)
                condat, compiled_lam_max = _tv._condat_compiled()
                assert compiled_lam_max(y, y.mean()) == lam_max
                for lam in (1e-6 * scale, 0.3 * scale, 0.5 * lam_max, 0.999 * lam_max):
                    python = _tv._condat(y.tolist(), lam, np.empty(n))
                    compiled = condat(y, lam, np.empty(n))
                    np.testing.assert_array_equal(python, compiled)


def test_tv_limits(kernel):
    y = np.array([1.0, 5.0, -2.0, 3.0])
    np.testing.assert_array_equal(tv_denoise(y, 0.0), y)
    np.testing.assert_allclose(tv_denoise(y, 1e6), np.full(4, y.mean()))


def test_gmc_tv_is_a_fixed_point_and_reduces_to_tv():
    y = np.repeat([0.0, 3.0, 1.0], 20) + np.random.default_rng(5).normal(scale=0.5, size=60)
    lam, alpha = 2.0, 0.35
    x = tv_gmc_denoise(y, lam, alpha_lam=alpha * lam, tol=1e-12, max_iter=5000)
    again = tv_denoise(y + lam * alpha * (x - tv_denoise(x, 1 / alpha)), lam)
    np.testing.assert_allclose(again, x, atol=1e-8)
    np.testing.assert_allclose(
        GMCDenoiser(lam=lam, gamma=0.0, domain="tv").fit_transform(y[None])[0],
        tv_denoise(y, lam),
        rtol=1e-13,
        atol=1e-14,
    )
    # GMC keeps the jumps' height better than TV (less bias) on a clean step.
    clean = np.repeat([0.0, 4.0], 30)
    assert np.ptp(tv_gmc_denoise(clean, 1.0)) > np.ptp(tv_denoise(clean, 1.0))
