"""SURE: unbiased on average over noise draws; lam="sure" and the stationary-wavelet domain."""

import numpy as np
import pytest

from sknd.denoise import GMCDenoiser, L1Denoiser, estimate_noise
from sknd.denoise._families import Identity, Thresholding, TotalVariation
from sknd.denoise._sure import sure, tune

pywt = pytest.importorskip("pywt")

SIGMA = 0.5


def clean_signal(n=128):
    t = np.linspace(0, 1, n)
    return np.where(t < 0.3, 0.0, 2.0) + np.where(t > 0.7, -1.5, 0.0) + np.sin(6 * t)


THRESHOLDS = [
    Thresholding("soft", "time"),
    Thresholding("firm", "time"),
    Thresholding("soft", "wavelet", "haar"),
    Thresholding("firm", "wavelet", "sym8"),
    Thresholding("soft", "swt", "haar"),
    Thresholding("firm", "swt", "sym8"),
]


@pytest.mark.parametrize(
    "family", [*THRESHOLDS, TotalVariation(), TotalVariation(0.8), Identity()], ids=repr
)
def test_sure_is_unbiased_over_noise_draws(family):
    x = clean_signal()
    rng = np.random.default_rng(0)
    estimates, truths = [], []
    for _ in range(300):
        y = x + SIGMA * rng.standard_normal(x.size)
        est, div = family.solve(y, 1.5 * SIGMA)
        estimates.append(sure(y, est, SIGMA, div))
        truths.append(np.mean((est - x) ** 2))
    estimates, truths = np.array(estimates), np.array(truths)
    # The means agree within three standard errors of their difference.
    diff = estimates - truths
    assert abs(diff.mean()) < 3 * diff.std() / np.sqrt(len(diff)) + 1e-3 * SIGMA**2
    assert truths.mean() > 0


def test_swt_divergence_matches_monte_carlo():
    rng = np.random.default_rng(1)
    y = clean_signal(256) + SIGMA * rng.standard_normal(256)
    family = Thresholding("firm", "swt", "sym8")
    est, div = family.solve(y, SIGMA)
    eps = 1e-6
    probes = rng.standard_normal((50, y.size))
    mc = [b @ (family.solve(y + eps * b, SIGMA)[0] - est) / eps for b in probes]
    assert abs(np.mean(mc) - div) < 4 * np.std(mc) / np.sqrt(len(mc))


def test_tune_picks_the_weight_of_lowest_sure():
    rng = np.random.default_rng(2)
    y = clean_signal() + SIGMA * rng.standard_normal(128)
    family = TotalVariation()
    _est, lam, risk = tune(family, y, SIGMA, smooth=False)
    risks = [sure(y, x, SIGMA, d) for x, d in (family.solve(y, SIGMA * f) for f in family.grid)]
    assert risk == pytest.approx(min(risks))
    assert lam == pytest.approx(SIGMA * family.grid[int(np.argmin(risks))])


def test_smoothed_choice_has_lower_error_than_the_grid_argmin():
    # A firm threshold's SURE jumps whenever a coefficient crosses it; the
    # parabola fitted around the argmin averages those jumps out.
    x = clean_signal(512)
    rng = np.random.default_rng(4)
    family = Thresholding("firm", "swt", "sym8")
    errors = {True: [], False: []}
    for _ in range(40):
        y = x + SIGMA * rng.standard_normal(x.size)
        for smooth in errors:
            est, lam, _risk = tune(family, y, SIGMA, smooth=smooth)
            errors[smooth].append(np.mean((est - x) ** 2))
            assert SIGMA * family.grid[0] <= lam <= SIGMA * family.grid[-1]
    assert np.mean(errors[True]) < 0.97 * np.mean(errors[False])


def test_smoothed_risk_never_undercuts_the_measured_risk_by_more_than_sures_noise():
    # A long smooth signal: haar's risk curve is steep and precise, and a
    # parabola over five grid points undershoots SURE at its own vertex.
    n = 2**16
    y = np.asarray(pywt.data.demo_signal("HeaviSine", n), dtype=float)
    y = y + y.std() / 7 * np.random.default_rng(1).standard_normal(n)
    sigma = estimate_noise(y[None])[0]
    family = Thresholding("firm", "wavelet", "haar")
    _, lam, risk = tune(family, y, sigma)
    estimate, div = family.solve(y, lam)
    measured = sure(y, estimate, sigma, div)
    assert risk >= measured - sigma**2 * np.sqrt(2 / n) - 1e-12
    assert risk < measured  # smoothed all the same


def test_gmc_tv_smoothed_divergence_beats_the_grid_argmin():
    # GMC-TV's divergence counts segments, 5 at a time; its local linear fit
    # in log lam (the residual kept exact) picks better weights than the
    # plain argmin of SURE.
    x = clean_signal(128)
    rng = np.random.default_rng(5)
    family = TotalVariation(0.8, tol=1e-3, max_iter=50)
    grid = np.geomspace(1.0, 30.0, 12)
    errors = {True: [], False: []}
    for _ in range(100):
        y = x + SIGMA * rng.standard_normal(x.size)
        for smooth in errors:
            est, _lam, risk = tune(family, y, SIGMA, grid=grid, smooth=smooth)
            errors[smooth].append(np.mean((est - x) ** 2))
            if smooth:  # the risk returned is the residual's plus the smoothed divergence's
                div = (risk + SIGMA**2) * x.size - np.sum((y - est) ** 2)
                assert 0 < div / (2 * SIGMA**2) < x.size
    assert np.mean(errors[True]) < 0.97 * np.mean(errors[False])


def test_swt_thresholds_each_level_at_its_own_noise_std():
    # The undecimated frame's bands carry white noise at different stds (the
    # norms of their frame vectors): each is thresholded at lam times its own.
    from sknd.denoise import soft_threshold
    from sknd.denoise._families import swt_level

    y = np.random.default_rng(7).standard_normal(256)
    level = swt_level(256, "haar")
    impulse = np.zeros(256)
    impulse[0] = 1.0
    stds = [
        np.linalg.norm(b) for b in pywt.swt(impulse, "haar", level, trim_approx=True, norm=True)
    ]
    bands = pywt.swt(y, "haar", level, trim_approx=True, norm=True)
    shrunk = [bands[0], *(soft_threshold(b, 1.5 * s) for b, s in zip(bands[1:], stds[1:]))]
    expected = pywt.iswt(shrunk, "haar", norm=True)
    np.testing.assert_allclose(Thresholding("soft", "swt", "haar").solve(y, 1.5)[0], expected)


@pytest.mark.filterwarnings("ignore:norm=True, but the wavelet is not orthogonal:UserWarning")
@pytest.mark.parametrize("n", [64, 96, 2048])
@pytest.mark.parametrize("wavelet", ["haar", "sym8", "db4", "coif1", "bior2.2"])
def test_swt_inverse_by_fourier_is_pywts_inverse(wavelet, n):
    # Orthogonal wavelets are inverted as the frame's adjoint, band spectra
    # summed by FFT (frame vectors wrapped onto n samples, longer than n at
    # 64 and 96); others by pywt. Either way: pywt.iswt of the shrunk bands.
    from sknd.denoise import firm_threshold
    from sknd.denoise._families import swt_gains, swt_level

    y = np.random.default_rng(8).standard_normal(n)
    level = swt_level(n, wavelet)
    bands = pywt.swt(y, wavelet, level, trim_approx=True, norm=True)
    lams = np.array([0.3, 1.0, 2.5])
    xs, _ = Thresholding("firm", "swt", wavelet, gamma=0.8).solve_many(y, lams)
    gains = swt_gains(wavelet, level)
    for lam, x in zip(lams, xs):
        shrunk = [bands[0]]
        shrunk += [firm_threshold(b, lam * g, lam * g / 0.8) for b, g in zip(bands[1:], gains[1:])]
        np.testing.assert_allclose(x, pywt.iswt(shrunk, wavelet, norm=True), rtol=0, atol=1e-12)


@pytest.mark.parametrize("n", [37, 128, 130])
@pytest.mark.parametrize("family", THRESHOLDS, ids=repr)
def test_one_transform_for_all_weights_gives_each_weights_solve_bit_for_bit(family, n, monkeypatch):
    # tune solves every weight of the grid from one forward transform, in
    # chunks of weights (three here, so a chunk boundary falls inside the grid).
    import sknd.denoise._families as families_module

    y = clean_signal(n) + SIGMA * np.random.default_rng(n).standard_normal(n)
    lams = SIGMA * family.grid
    monkeypatch.setattr(families_module, "_VALUES_PER_CHUNK", 3 * n * 7)
    xs, divs = family.solve_many(y, lams)
    for lam, x, div in zip(lams, xs, divs):
        one, one_div = family.solve(y, lam)
        assert np.array_equal(x, one) and div == one_div


class _Counted(Thresholding):
    """A thresholding family that counts the weights it solves."""

    def solve_many(self, y, lams):
        self.solved = getattr(self, "solved", 0) + len(lams)
        return super().solve_many(y, lams)


@pytest.mark.parametrize("start", [0, 9, 23])
def test_a_walk_downhill_gives_the_full_searchs_answer_from_any_start(start):
    y = clean_signal(4096) + SIGMA * np.random.default_rng(3).standard_normal(4096)
    full = tune(Thresholding("soft", "swt", "sym8"), y, SIGMA)
    walker = _Counted("soft", "swt", "sym8")
    walked = tune(walker, y, SIGMA, start=start)
    np.testing.assert_array_equal(walked[0], full[0])
    assert walked[1:] == full[1:]
    # The risk curve has one minimum: the walk solves the weights between
    # its start and that minimum, two more on each side, and the vertex;
    # the full search solves all 24 and the vertex.
    best = int(np.argmin(np.abs(np.log(SIGMA * walker.grid / full[1]))))
    assert walker.solved <= abs(best - start) + 7
    assert walker.solved < len(walker.grid)


@pytest.mark.parametrize("Est", [L1Denoiser, GMCDenoiser])
@pytest.mark.parametrize("domain", ["time", "tv", "wavelet", "swt", "dft"])
def test_lam_sure_records_each_signals_choice(Est, domain):
    rng = np.random.default_rng(3)
    # 1024 samples: the noise estimate (and so SURE) is within a few percent.
    clean = np.stack([clean_signal(1024), 3 * clean_signal(1024)])
    X = clean + SIGMA * rng.standard_normal(clean.shape)
    den = Est(lam="sure", domain=domain, wavelet="haar")
    out = den.fit_transform(X)
    assert out.shape == X.shape and den.lam_.shape == den.risk_.shape == (2,)
    assert np.all(den.lam_ > 0) and np.all(np.isfinite(den.risk_))
    # No worse than the noisy input (the time and DFT domains do not suit
    # this signal, so there "no worse" is all SURE can find), and the
    # estimate agrees with the true error.
    errors = np.mean((out - clean) ** 2, axis=1)
    assert np.all(errors < 1.1 * SIGMA**2)
    np.testing.assert_allclose(den.risk_, errors, atol=0.15 * SIGMA**2)
    # transform chooses again, and gives the same answer on the same signals
    # (GMC-TV, whose solves take 100 times longer, shares that code path).
    if not (Est is GMCDenoiser and domain == "tv"):
        np.testing.assert_allclose(den.transform(X), out)


def test_lam_sure_scales_with_the_signal():
    rng = np.random.default_rng(4)
    X = (clean_signal() + SIGMA * rng.standard_normal(128))[None]
    small = L1Denoiser(lam="sure", domain="tv").fit(X)
    large = L1Denoiser(lam="sure", domain="tv").fit(1e6 * X)
    np.testing.assert_allclose(large.lam_, 1e6 * small.lam_, rtol=1e-9)
    np.testing.assert_allclose(large.risk_, 1e12 * small.risk_, rtol=1e-6)


def test_numeric_lam_records_lam_and_no_risk():
    X = clean_signal()[None] + 0.1
    den = L1Denoiser(lam=0.3).fit(X)
    np.testing.assert_array_equal(den.lam_, [0.3])
    assert np.isnan(den.risk_).all()


def test_swt_domain_is_translation_invariant():
    rng = np.random.default_rng(5)
    y = (clean_signal() + SIGMA * rng.standard_normal(128))[None]
    den = GMCDenoiser(lam=0.8, domain="swt", wavelet="sym8").fit(y)
    np.testing.assert_allclose(
        den.transform(np.roll(y, 5, axis=1)), np.roll(den.transform(y), 5, axis=1), atol=1e-10
    )
    # The orthonormal DWT is not: a shift changes its output.
    dwt = GMCDenoiser(lam=0.8, domain="wavelet", wavelet="sym8").fit(y)
    assert not np.allclose(
        dwt.transform(np.roll(y, 5, axis=1)), np.roll(dwt.transform(y), 5, axis=1)
    )


def test_swt_on_an_odd_length_returns_the_signal():
    y = np.random.default_rng(6).standard_normal((1, 101))
    np.testing.assert_allclose(L1Denoiser(lam=1.0, domain="swt").fit_transform(y), y, rtol=1e-15)


def test_lam_sure_in_the_dft_domain_ignores_a_signals_row():
    rng = np.random.default_rng(5)
    signal = clean_signal(256) + SIGMA * rng.standard_normal(256)
    other = clean_signal(256)[::-1] + SIGMA * rng.standard_normal(256)
    X = np.stack([signal, other, signal, signal])
    den = L1Denoiser(lam="sure", domain="dft").fit(X)
    np.testing.assert_allclose(den.lam_[[2, 3]], den.lam_[0], rtol=1e-12)
    out = den.transform(X)
    np.testing.assert_allclose(out[2], out[0], atol=1e-12)
    np.testing.assert_allclose(out[0], den.transform(signal[None])[0], atol=1e-12)


@pytest.mark.parametrize(
    "make", [lambda: L1Denoiser(lam="sure", domain="tv"), lambda: GMCDenoiser(domain="tv")]
)
def test_a_zero_mad_noise_estimate_falls_back_with_a_warning(make):
    # Integer steps with impulsive noise: most fine differences are exactly 0.
    rng = np.random.default_rng(6)
    clean = np.repeat(rng.integers(0, 5, 16), 16).astype(float)
    hits = rng.random(clean.size) < 0.15
    noisy = clean + hits * rng.choice([-3.0, 3.0], clean.size)
    assert estimate_noise(noisy[None])[0] == 0
    with pytest.warns(UserWarning, match=r"MAD noise estimate is 0 for the signals at rows \[0\]"):
        out = make().fit_transform(noisy[None])[0]
    # Before, the input came back unchanged (ratio 1).
    assert np.mean((out - clean) ** 2) < 0.85 * np.mean((noisy - clean) ** 2)
