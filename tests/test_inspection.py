"""sknd.inspection: perturbations of spectra as real pixels have them, and scores under them."""

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning

from sknd import NDClassifier, NDRegressor
from sknd._params import InvalidParameterError
from sknd.inspection import perturb_bands, robustness_scores


def _spectra(n=400, bands=5, seed=0):
    return np.random.default_rng(seed).uniform(0.1, 0.6, size=(n, bands))


def test_noise_is_independent_per_spectrum_and_band():
    X = _spectra(4000)
    ratio = perturb_bands(X, "noise", 0.02, random_state=0) / X - 1
    np.testing.assert_allclose(ratio.std(axis=0), 0.02, rtol=0.05)
    assert np.all(ratio.std(axis=1) > 0)  # every band of a spectrum its own factor
    assert abs(np.corrcoef(ratio[:, 0], ratio[:, 1])[0, 1]) < 0.05


def test_gain_and_offset_are_one_value_per_band_for_the_whole_set():
    X = _spectra()
    gain = perturb_bands(X, "gain", 0.05, random_state=1) / X
    np.testing.assert_allclose(gain, np.broadcast_to(gain[0], X.shape), rtol=1e-12)
    assert np.ptp(gain[0]) > 0  # bands differ
    shift = perturb_bands(X, "offset", 0.01, random_state=1) - X
    np.testing.assert_allclose(np.abs(shift), 0.01, rtol=1e-9)
    np.testing.assert_allclose(shift, np.broadcast_to(shift[0], X.shape), rtol=1e-12)


def test_snr_noise_is_additive_at_the_bands_mean_over_the_ratio():
    X = _spectra(20000, bands=3)
    snr = np.array([50.0, 100.0, 200.0])
    noise = perturb_bands(X, "snr", snr, random_state=2) - X
    np.testing.assert_allclose(noise.std(axis=0), X.mean(axis=0) / snr, rtol=0.03)
    # Additive: the noise does not grow with the band's value in a spectrum.
    assert abs(np.corrcoef(noise[:, 0], X[:, 0])[0, 1]) < 0.03


def test_illumination_scales_each_spectrum_by_one_factor():
    X = _spectra()
    ratio = perturb_bands(X, "illumination", 0.5, random_state=3) / X
    np.testing.assert_allclose(ratio, np.broadcast_to(ratio[:, :1], X.shape), rtol=1e-12)
    assert ratio.min() >= 0.5 and ratio.max() <= 1.5 and np.ptp(ratio[:, 0]) > 0.5


def test_perturb_keeps_the_input_and_its_container():
    pd = pytest.importorskip("pandas")
    X = _spectra(10, bands=3)
    frame = pd.DataFrame(X.copy(), columns=["B2", "B3", "B4"], index=range(100, 110))
    out = perturb_bands(frame, "noise", 0.1, random_state=0)
    assert list(out.columns) == ["B2", "B3", "B4"] and list(out.index) == list(frame.index)
    np.testing.assert_array_equal(frame.to_numpy(), X)  # input unchanged
    assert not np.allclose(out.to_numpy(), X)
    again = perturb_bands(frame, "noise", 0.1, random_state=0)
    np.testing.assert_array_equal(out.to_numpy(), again.to_numpy())


@pytest.mark.parametrize(
    ("kind", "level", "match"),
    [
        ("noise", -0.01, ">= 0"),
        ("snr", 0.0, "> 0"),
        ("gain", [0.01, 0.02], "one value per band"),
        ("offset", np.nan, "finite"),
    ],
)
def test_perturb_refuses_bad_levels(kind, level, match):
    with pytest.raises(ValueError, match=match):
        perturb_bands(_spectra(5, bands=3), kind, level)


def test_perturb_refuses_unknown_kinds_and_flat_input():
    with pytest.raises(InvalidParameterError, match="'kind' parameter"):
        perturb_bands(_spectra(5), "blur", 0.1)
    with pytest.raises(ValueError, match="2-D"):
        perturb_bands(np.ones(5), "noise", 0.1)


class _Recorder(ClassifierMixin, BaseEstimator):
    """Predicts class 1 where band 0 exceeds band 1; keeps every X it is given."""

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        self.seen_ = []
        return self

    def predict(self, X):
        self.seen_.append(np.asarray(X).copy())
        return (X[:, 0] > X[:, 1]).astype(int)


def test_robustness_scores_shapes_labels_and_drops():
    X = _spectra(300, bands=2)
    y = (X[:, 0] > X[:, 1]).astype(int)
    model = _Recorder().fit(X, y)
    result = robustness_scores(
        model, X, y, noise=(0.01, 0.3), gain=0.02, offset=(), snr=[100.0], n_repeats=4,
        random_state=0,
    )  # fmt: skip
    assert result.labels == ["noise 1%", "noise 30%", "gain 2%", "snr 100"]
    assert result.kinds == ["noise", "noise", "gain", "snr"]
    assert result.scores.shape == (4, 4)
    assert result.baseline_score == 1.0
    np.testing.assert_allclose(result.drops, 1.0 - result.scores.mean(axis=1))
    np.testing.assert_allclose(result.scores_median, np.median(result.scores, axis=1))
    # The rule reads a band ratio: 30% per-band noise costs more than 1%.
    assert result.scores_mean[1] < result.scores_mean[0] - 0.05


def test_robustness_scores_gives_every_model_the_same_draws():
    X = _spectra(50, bands=2)
    y = (X[:, 0] > X[:, 1]).astype(int)
    first, second = _Recorder().fit(X, y), _Recorder().fit(X, y)
    for model in (first, second):
        robustness_scores(model, X, y, n_repeats=2, random_state=7)
    assert len(first.seen_) == len(second.seen_) > 1
    for a, b in zip(first.seen_, second.seen_):
        np.testing.assert_array_equal(a, b)
    # Different draws for different repeats.
    assert not np.array_equal(first.seen_[0], first.seen_[1])


def test_robustness_scores_takes_a_per_band_snr_as_one_perturbation():
    X = _spectra(50, bands=2)
    y = (X[:, 0] > X[:, 1]).astype(int)
    result = robustness_scores(
        _Recorder().fit(X, y), X, y, noise=None, gain=None, offset=None,
        snr=np.array([100.0, 200.0]), n_repeats=1,
    )  # fmt: skip
    assert result.labels == ["snr per band"]


def _fragile_task(n, seed=0, step=0.02):
    """Two classes told apart only by a difference ``step`` in two bands' ratio."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    base = rng.uniform(0.2, 0.5, n)
    X = np.column_stack([base * (1 + step * y), base, rng.uniform(0.2, 0.5, n)])
    return X * rng.uniform(0.5, 2, size=(n, 1)), y


def _fit_quietly(model, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return [w for w in caught if "per-band noise" in str(w.message)]


def test_a_fragile_fit_says_so():
    X, y = _fragile_task(800)
    model = NDClassifier((8,), noise=0.0, max_epochs=60, random_state=0)
    caught = _fit_quietly(model, X, y)
    assert model.score(X, y) > 0.95  # it learned the 2% difference ...
    assert set(model.noise_sensitivity_) == {0.01, 0.02}
    assert model.noise_sensitivity_[0.01] > 0.02  # ... which 1% of band noise blurs
    assert model.noise_sensitivity_[0.02] > model.noise_sensitivity_[0.01]
    assert len(caught) == 1 and issubclass(caught[0].category, UserWarning)
    assert "noise_sensitivity_" in str(caught[0].message)
    assert caught[0].filename == __file__


def test_a_robust_fit_does_not_warn_and_small_sets_never_do():
    # Classes 40% apart in a band ratio: 1% of band noise cannot blur them.
    X, y = _fragile_task(800, step=0.4)
    robust = NDClassifier((8,), max_epochs=60, random_state=0)
    assert _fit_quietly(robust, X, y) == []
    assert robust.score(X, y) > 0.95 and robust.noise_sensitivity_[0.01] < 0.02
    # Under 500 rows the measured drop is too noisy to warn on.
    small = NDClassifier((8,), noise=0.0, max_epochs=60, random_state=0)
    assert _fit_quietly(small, *_fragile_task(300)) == []
    assert small.noise_sensitivity_[0.01] > 0.02


def test_regressor_reports_its_r2_drop():
    X, y = _fragile_task(300)
    reg = NDRegressor((4,), max_epochs=10, random_state=0)
    _fit_quietly(reg, X, y.astype(float))
    assert set(reg.noise_sensitivity_) == {0.01, 0.02}
    assert all(np.isfinite(v) for v in reg.noise_sensitivity_.values())
