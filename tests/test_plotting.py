"""sknd.plotting draws what the estimators hold and refuses what it cannot draw."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from skorch.callbacks import LRScheduler  # noqa: E402

from sknd import NDClassifier, NDIndexTransformer, NDRegressor, WienerDenoiser  # noqa: E402
from sknd.datasets import (  # noqa: E402
    make_spectral_classification,
    make_spectral_regression,
    make_spike_signals,
)
from sknd.plotting import plot_coefficients, plot_denoising, plot_history  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def classifier():
    X, y = make_spectral_classification(n_samples=200, random_state=0)
    return NDClassifier(max_epochs=6, early_stopping=True, random_state=0).fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # short fits
def test_plot_history_draws_each_epoch_and_marks_the_best(classifier):
    ax = plot_history(classifier)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"train_loss", "valid_loss", "best valid_loss"}
    train = classifier.history_[:, "train_loss"]
    np.testing.assert_allclose(lines["train_loss"].get_ydata(), train)
    assert len(lines["train_loss"].get_xdata()) == classifier.n_iter_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # short fits
def test_plot_history_of_a_learning_rate_schedule_on_given_axes():
    X, y = make_spectral_classification(n_samples=200, random_state=0)
    schedule = LRScheduler("StepLR", step_size=2, gamma=0.5, event_name="event_lr")
    clf = NDClassifier(max_epochs=4, lr=0.01, callbacks=[schedule], random_state=0).fit(X, y)
    _, ax = plt.subplots()
    assert plot_history(clf, ["event_lr"], ax=ax, log=True) is ax
    lr = ax.get_lines()[0].get_ydata()
    np.testing.assert_allclose(lr, [0.01, 0.01, 0.005, 0.005])


def test_plot_history_errors(classifier):
    with pytest.raises(ValueError, match="no column"):
        plot_history(classifier, ["accuracy"])
    with pytest.raises(ValueError, match="at least one epoch"):
        plot_history(NDClassifier())


def test_plot_coefficients_draws_sparse_coefficients(monkeypatch):
    from sknd.nd import _base as _nd_base

    X, y = make_spectral_classification(n_samples=200, random_state=0)
    monkeypatch.setattr(_nd_base, "_SPARSE_COEF_SIZE", 0)  # every pair layer sparse
    clf = NDClassifier(n_indices="pairs", max_epochs=2, random_state=0).fit(X, y)
    assert not isinstance(clf.positive_coef_, np.ndarray)
    image = plot_coefficients(clf).get_images()[0]
    net = clf.positive_coef_ - clf.negative_coef_
    np.testing.assert_array_equal(image.get_array(), net.toarray())


@pytest.mark.parametrize("make", ["transformer", "regressor"])
def test_plot_coefficients_shows_net_weights(make):
    if make == "transformer":
        X, y = make_spectral_classification(n_samples=200, as_frame=True, random_state=0)
        est = NDIndexTransformer(n_indices=3, max_epochs=3, random_state=0).fit(X, y)
    else:
        X, y = make_spectral_regression(n_samples=200, as_frame=True, random_state=0)
        est = NDRegressor(hidden_layer_sizes=(4,), max_epochs=3, random_state=0).fit(X, y)
    ax = plot_coefficients(est)
    image = ax.get_images()[0]
    np.testing.assert_allclose(image.get_array(), est.positive_coef_ - est.negative_coef_)
    assert [t.get_text() for t in ax.get_xticklabels()] == list(X.columns)
    lo, hi = image.get_clim()
    assert lo == -hi


def test_plot_coefficients_draws_classical_pairs():
    from sknd import NDPairsTransformer

    X, _ = make_spectral_classification(n_samples=50, as_frame=True, random_state=0)
    pairs = NDPairsTransformer(pairs=[("B8", "B4"), ("B3", "B8")]).fit(X)
    net = plot_coefficients(pairs).get_images()[0].get_array()
    assert net.shape == (2, X.shape[1])
    b3, b4, b8 = (list(X.columns).index(b) for b in ("B3", "B4", "B8"))
    assert net[0, b8] == 0.5 and net[0, b4] == -0.5 and net[1, b3] == 0.5 and net[1, b8] == -0.5
    assert np.abs(net).sum() == 2.0
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        plot_coefficients(NDPairsTransformer())


def test_plot_coefficients_errors(classifier):
    with pytest.raises(ValueError, match="3 names for 10 bands"):
        plot_coefficients(classifier, band_names=["a", "b", "c"])
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        plot_coefficients(NDIndexTransformer())


def test_plot_denoising_compares_methods_with_rmse():
    noisy, clean = make_spike_signals(n_signals=3, length=64, random_state=0)
    wiener = WienerDenoiser().fit_transform(noisy)
    ax = plot_denoising(noisy, {"Wiener": wiener, "noisy copy": noisy}, clean, sample=2)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:2] == ["noisy", "clean"]
    rmse = np.sqrt(np.mean((wiener[2] - clean[2]) ** 2))
    assert labels[2] == f"Wiener (RMSE {rmse:.3g})"
    np.testing.assert_allclose(ax.get_lines()[2].get_ydata(), wiener[2])


def test_plot_denoising_errors():
    noisy, _ = make_spike_signals(n_signals=2, length=32, random_state=0)
    with pytest.raises(ValueError, match="different lengths"):
        plot_denoising(noisy, noisy[:, :16])
    with pytest.raises(ValueError, match="out of range"):
        plot_denoising(noisy, noisy, sample=5)
    with pytest.raises(ValueError, match="1-D or 2-D"):
        plot_denoising(noisy[None], noisy)


def test_pair_score_map_in_nanometres_marks_the_kept_pairs():
    from sknd import NDPairsSelector
    from sknd.plotting import plot_pair_scores

    rng = np.random.default_rng(0)
    X = rng.uniform(0.1, 1, size=(120, 12))
    sel = NDPairsSelector(k=3).fit(X, X[:, 2] / X[:, 7])
    wavelengths = np.linspace(400, 950, 12)
    ax = plot_pair_scores(sel, wavelengths=wavelengths)
    assert ax.get_xlabel() == ax.get_ylabel() == "wavelength (nm)"
    marked = ax.collections[-1].get_offsets()
    assert len(marked) == 3 and (wavelengths[7], wavelengths[2]) in map(tuple, marked)  # (j, i)
    with pytest.raises(ValueError, match="wavelengths has 5 values for 12 bands"):
        plot_pair_scores(sel, wavelengths=wavelengths[:5])
    with pytest.raises(ValueError, match="square"):
        plot_pair_scores(np.zeros((3, 4)))
    plt.close("all")


def test_index_spectra_draw_each_index_over_wavelength(classifier):
    from sknd.plotting import plot_index_spectra

    wavelengths = np.linspace(450, 900, classifier.n_features_in_)
    ax = plot_index_spectra(classifier, wavelengths, indices=[0, 2])
    lines = [line for line in ax.get_lines() if line.get_label().startswith("nd")]
    assert [line.get_label() for line in lines] == ["nd0", "nd2"]
    net = classifier.positive_coef_[2] - classifier.negative_coef_[2]
    np.testing.assert_allclose(lines[1].get_ydata(), net)
    plt.close("all")
