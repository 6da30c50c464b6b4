"""Long signals: windows (``window_length``; each window chooses for itself,
blended back without seams) and tuning blocks (``tuning_length``)."""

import warnings

import numpy as np
import pytest

from sknd.denoise import AutoDenoiser, GMCDenoiser, L1Denoiser
from sknd.denoise._filters import cross_fade, window_starts

pytest.importorskip("pywt")


@pytest.mark.parametrize("n, width", [(1000, 64), (1000, 100), (4096, 512), (513, 512)])
def test_windows_cover_the_signal_and_neighbours_cross_fade_to_one(n, width):
    starts = window_starts(n, width)
    assert starts[0] == 0 and starts[-1] == n - width
    assert np.all(np.diff(starts) <= width - width // 4)  # every neighbour overlaps
    weight, overlap = cross_fade(width), width // 4
    np.testing.assert_allclose(weight[-overlap:] + weight[:overlap], 1.0, atol=1e-12)
    assert np.all(weight > 0) and np.all(weight[overlap:-overlap] == 1.0)


def test_a_filter_that_keeps_the_signal_is_kept_exactly_through_the_windows():
    y = np.random.default_rng(0).standard_normal((3, 1010))  # last overlap irregular
    out = L1Denoiser(lam=0.0, window_length=100).fit_transform(y)
    np.testing.assert_allclose(out, y, atol=1e-12)


def test_shorter_signals_are_denoised_whole_with_a_window_axis_of_one():
    y = np.random.default_rng(1).standard_normal((2, 300))
    whole = AutoDenoiser(["none", "L1 time", "L1 tv"]).fit(y)
    windowed = AutoDenoiser(["none", "L1 time", "L1 tv"], window_length=300).fit(y)
    np.testing.assert_array_equal(windowed.transform(y), whole.transform(y))
    assert windowed.choice_.shape == (2, 1) and windowed.risks_.shape == (2, 1, 3)
    np.testing.assert_array_equal(windowed.lam_[:, 0], whole.lam_)
    np.testing.assert_array_equal(windowed.window_starts_, [0])


def drifting(n, seed):
    """A smooth real-like signal whose noise std doubles halfway."""
    t = np.linspace(0, 1, n)
    clean = np.sin(2 * np.pi * 5 * t) + 0.5 * np.sign(np.sin(2 * np.pi * 2 * t))
    sigma = np.where(np.arange(n) < n // 2, 0.05, 0.1)
    return clean, clean + sigma * np.random.default_rng(seed).standard_normal(n)


def mse(a, b):
    return np.mean((a - b) ** 2)


def test_windows_follow_noise_that_drifts_and_cost_nothing_on_stationary_noise():
    families = ["none", "L1 wavelet sym8", "GMC wavelet sym8", "L1 tv"]
    gains, losses = [], []
    for seed in range(3):
        clean, noisy = drifting(8192, seed)
        whole = AutoDenoiser(families).fit_transform(noisy[None])[0]
        den = AutoDenoiser(families, window_length=2048)
        windowed = den.fit_transform(noisy[None])[0]
        gains.append(10 * np.log10(mse(whole, clean) / mse(windowed, clean)))
        # Each window's noise estimate is the noise of its own half.
        first, last = den.noise_std_[0, 0], den.noise_std_[0, -1]
        assert 0.04 < first < 0.06 and 0.08 < last < 0.12
        stationary = clean + 0.05 * np.random.default_rng(seed).standard_normal(8192)
        whole = AutoDenoiser(families).fit_transform(stationary[None])[0]
        windowed = AutoDenoiser(families, window_length=2048).fit_transform(stationary[None])[0]
        losses.append(10 * np.log10(mse(windowed, clean) / mse(whole, clean)))
    assert min(gains) > 1.0, gains
    # Per window, the choice is noisier (a window here loses or gains up to 0.6 dB).
    assert np.mean(losses) < 0.2, losses


def test_attributes_gain_a_window_axis_and_transform_chooses_again():
    rng = np.random.default_rng(2)
    y = np.cumsum(rng.standard_normal((2, 700)), axis=1)
    den = GMCDenoiser(lam="sure", domain="wavelet", wavelet="sym8", window_length=256).fit(y)
    n_windows = len(window_starts(700, 256))
    assert den.lam_.shape == den.risk_.shape == (2, n_windows)
    np.testing.assert_array_equal(den.window_starts_, window_starts(700, 256))
    np.testing.assert_array_equal(den.transform(y[::-1]), den.transform(y)[::-1])
    assert den.transform(y.astype(np.float32)).dtype == np.float32


def test_a_warning_raised_in_every_window_is_given_once():
    # Quantized signals: the MAD noise estimate is 0 in every window.
    y = np.round(np.random.default_rng(3).standard_normal((1, 1000)) * 0.3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        L1Denoiser(lam="sure", domain="tv", window_length=128).fit(y)
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1, messages
    assert "MAD noise estimate is 0" in messages[0] and "windows of 128 samples" in messages[0]


def test_window_length_is_checked():
    y = np.zeros((1, 500))
    with pytest.raises(ValueError, match="window_length"):
        AutoDenoiser(window_length=8).fit(y)


def steps_in_a_smooth_middle(n, seed):
    """A slow sine with steps in its central quarter; noise std 0.1."""
    t = np.linspace(0, 1, n)
    clean = np.sin(2 * np.pi * 3 * t)
    middle = (t > 3 / 8) & (t < 5 / 8)
    clean[middle] = np.repeat(np.random.default_rng(seed).normal(0, 1, 32), n // 32)[middle]
    return clean, clean + 0.1 * np.random.default_rng(seed + 1).standard_normal(n)


def test_a_tuning_block_sets_the_weights_and_the_whole_signal_the_choice():
    families = ["none", "L1 wavelet haar", "GMC wavelet sym8", "GMC wavelet haar", "L1 tv"]
    n, block = 4096, 1024
    at = (n - block) // 2
    for seed in range(2):
        _, noisy = steps_in_a_smooth_middle(n, seed)
        fast = AutoDenoiser(families, tuning_length=block)
        out = fast.fit_transform(noisy[None])[0]
        whole = AutoDenoiser(families, tuning_length=None)
        expected = whole.fit_transform(noisy[None])[0]
        # The block alone holds the steps and would choose otherwise.
        alone = AutoDenoiser(families).fit(noisy[None, at : at + block])
        assert alone.choice_[0] != whole.choice_[0]
        assert fast.choice_[0] == whole.choice_[0]
        assert fast.choice_[0] == fast.families_[int(np.nanargmin(fast.risks_[0]))]
        # The chosen weight is refined on the whole signal: the full answer.
        np.testing.assert_allclose(fast.lam_, whole.lam_, rtol=1e-12)
        np.testing.assert_allclose(out, expected, atol=1e-12)


@pytest.mark.parametrize(
    "make, tol",
    [
        (lambda b: L1Denoiser(lam="sure", domain="tv", tuning_length=b), 1e-12),
        (lambda b: L1Denoiser(lam="sure", domain="swt", tuning_length=b), 1e-12),
        # Iterative: each weight warm-starts from another neighbour than in
        # the full search, so the solutions agree to the solver's tolerance.
        (lambda b: GMCDenoiser(lam="sure", domain="tv", tuning_length=b), 1e-3),
    ],
    ids=["L1 tv", "L1 swt", "GMC tv"],
)
def test_filters_walk_from_the_blocks_weight_to_the_whole_signals(make, tol, monkeypatch):
    from sknd.denoise import _classical

    _, noisy = steps_in_a_smooth_middle(4096, 0)
    walks, tune = [], _classical.tune

    def recording(family, y, *args, start=None, **kwargs):
        walks.append((len(y), start))
        return tune(family, y, *args, start=start, **kwargs)

    monkeypatch.setattr(_classical, "tune", recording)
    fast = make(1024)
    out = fast.fit_transform(noisy[None])
    assert [n for n, _ in walks] == [1024, 4096] and walks[1][1] is not None
    full = make(None)
    np.testing.assert_allclose(out, full.fit_transform(noisy[None]), atol=tol)
    np.testing.assert_allclose(fast.lam_, full.lam_, rtol=1e-12)  # the same grid point
    np.testing.assert_allclose(fast.risk_, full.risk_, rtol=tol)
