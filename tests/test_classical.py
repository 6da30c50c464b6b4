"""The classical filters: exact thresholds, orthonormal domains, scipy's Wiener, lam="auto"."""

import numpy as np
import pytest
import scipy.signal

from sknd.datasets import (
    make_piecewise_constant_signals,
    make_smooth_signals,
    make_spike_signals,
)
from sknd.denoise import (
    GMCDenoiser,
    L1Denoiser,
    WienerDenoiser,
    firm_threshold,
    gmc_general,
    soft_threshold,
)
from sknd.metrics import rmse


def test_time_domain_filters_are_soft_and_firm_thresholds():
    X = np.random.default_rng(1).normal(scale=3, size=(20, 30))
    # Equal to rounding: the filters solve each signal at unit peak (scale-safe).
    np.testing.assert_allclose(
        L1Denoiser(lam=2.0).fit_transform(X),
        np.sign(X) * np.maximum(np.abs(X) - 2, 0),
        rtol=1e-13,
        atol=1e-14,
    )
    firm = GMCDenoiser(lam=2.0, gamma=0.5).fit_transform(X)
    pywt = pytest.importorskip("pywt")
    np.testing.assert_allclose(firm, pywt.threshold_firm(X, 2.0, 4.0), atol=1e-12)


def test_dft_domain_thresholds_unitary_dft_coefficients():
    X = np.random.default_rng(3).normal(size=(5, 64))
    coef = np.fft.fft(X, norm="ortho")
    expect_l1 = np.fft.ifft(soft_threshold(coef, 1.0), norm="ortho").real
    expect_gmc = np.fft.ifft(firm_threshold(coef, 1.0, 2.0), norm="ortho").real
    np.testing.assert_allclose(
        L1Denoiser(lam=1.0, domain="dft").fit_transform(X), expect_l1, atol=1e-5
    )
    # The saddle-point iteration stops at max|dx| / max|x| < 1e-4.
    np.testing.assert_allclose(
        GMCDenoiser(lam=1.0, gamma=0.5, domain="dft").fit_transform(X), expect_gmc, atol=2e-3
    )
    x = gmc_general(
        X,
        lambda c: np.fft.ifft(c, norm="ortho"),
        lambda s: np.fft.fft(s, norm="ortho"),
        1.0,
        0.5,
        tol=1e-12,
        max_iter=100_000,
    )
    np.testing.assert_allclose(np.fft.ifft(x, norm="ortho").real, expect_gmc, atol=1e-8)


def test_wavelet_domain_is_orthonormal():
    pytest.importorskip("pywt")
    X = np.random.default_rng(4).normal(size=(3, 64))
    np.testing.assert_allclose(
        L1Denoiser(lam=0.0, domain="wavelet").fit_transform(X), X, atol=1e-10
    )
    big = L1Denoiser(lam=1e6, domain="wavelet").fit_transform(X)
    assert np.ptp(big, axis=1).max() < np.ptp(X, axis=1).min()  # only the coarse trend is left


@pytest.mark.parametrize("window", [1, 3, 7])
@pytest.mark.parametrize("noise", [None, 0.3])
def test_wiener_equals_scipy(window, noise):
    X = np.random.default_rng(6).normal(size=(6, 41))
    got = WienerDenoiser(window, noise_variance=noise).fit_transform(X)
    if window == 1:
        # A one-sample window has zero local variance: scipy returns 0/0 = NaN
        # (noise None) or the local mean, which is the signal itself.
        np.testing.assert_allclose(got, X, atol=1e-12)
        return
    expected = np.stack([scipy.signal.wiener(row, window, noise=noise) for row in X])
    np.testing.assert_allclose(got, expected, atol=1e-12)


@pytest.mark.parametrize(
    ("make", "kwargs", "domain"),
    [
        # Each family in the domains where it is sparse.
        (make_spike_signals, {}, "time"),
        (make_spike_signals, {}, "tv"),
        (make_smooth_signals, {"snr": 2}, "dft"),
        (make_smooth_signals, {"snr": 2}, "wavelet"),
        (make_smooth_signals, {"snr": 2}, "tv"),
        (make_piecewise_constant_signals, {"snr": 2}, "tv"),
        (make_piecewise_constant_signals, {"snr": 2}, "wavelet"),
    ],
)
@pytest.mark.parametrize("Est", [L1Denoiser, GMCDenoiser])
def test_auto_lambda_beats_noisy(make, kwargs, domain, Est):
    if domain == "wavelet":
        pytest.importorskip("pywt")
    X, y = make(60, random_state=0, **kwargs)
    assert rmse(y, Est(domain=domain).fit_transform(X)) < rmse(y, X)


@pytest.mark.parametrize("Est", [L1Denoiser, GMCDenoiser, WienerDenoiser])
def test_classical_bad_parameters(Est):
    X = np.ones((2, 10))
    bad = {"window": 4} if Est is WienerDenoiser else {"domain": "fourier"}
    with pytest.raises(ValueError, match=r"window|domain"):
        Est(**bad).fit(X)
    if Est is GMCDenoiser:
        with pytest.raises(ValueError, match="gamma"):
            Est(gamma=1.0).fit(X)
    if Est is not WienerDenoiser:
        with pytest.raises(ValueError, match="lam"):
            Est(lam=-1).fit(X)


def test_wiener_former_noise_name_still_works_with_a_future_warning():
    X = np.random.default_rng(0).normal(size=(3, 40))
    expected = WienerDenoiser(noise_variance=0.5).fit_transform(X)
    with pytest.warns(FutureWarning, match="'noise' was renamed 'noise_variance'"):
        got = WienerDenoiser(noise=0.5).fit_transform(X)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(
    "make", [WienerDenoiser, lambda: L1Denoiser(lam=1.0), lambda: GMCDenoiser(lam=1.0)]
)
@pytest.mark.parametrize(
    ("dtype", "out"),
    [("float32", "float32"), ("float64", "float64"), ("int16", "float64"), ("float16", "float64")],
)
def test_output_dtype_is_as_documented(make, dtype, out):
    X = np.random.default_rng(0).integers(0, 20, size=(3, 32)).astype(dtype)
    assert make().fit_transform(X).dtype == np.dtype(out)
