"""The real spectral library loader and the mixtures of real spectra."""

import sys

import numpy as np
import pytest

pytest.importorskip("earthlib")

from sklearn.model_selection import train_test_split

from sknd import NDClassifier
from sknd.datasets import _library, load_spectral_library, make_spectral_mixtures


def test_bunch_like_scikit_learn_loaders():
    lib = load_spectral_library()
    assert lib.data.shape == (7261, 10)
    assert lib.feature_names == ["B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B11", "B12"]
    assert lib.target_names.tolist() == ["bare", "built", "burned", "npv", "vegetation"]
    assert np.bincount(lib.target).tolist() == [4248, 888, 21, 104, 2000]
    assert lib.data.min() >= 0 and lib.data.max() <= 1
    assert len(lib.metadata) == len(lib.data) == len(lib.source)
    assert {"LEVEL_1", "LEVEL_3", "SOURCE"} <= set(lib.metadata.columns)
    assert set(lib.source) >= {"prosail", "icraf-isric-soil-database"}
    assert np.all(np.diff(lib.wavelengths[:7]) > 0) and 400 < lib.wavelengths[0] < 500
    assert "Sentinel2" in lib.DESCR and lib.frame is None


def test_as_frame_and_return_X_y():
    X, y = load_spectral_library(sensor="Landsat8", as_frame=True, return_X_y=True)
    assert list(X.columns) == ["SR_B2", "SR_B3", "SR_B4", "SR_B5", "SR_B6", "SR_B7"]
    assert len(X) == len(y) == 7261 and y.name == "target"
    lib = load_spectral_library(sensor="Landsat8", as_frame=True)
    assert list(lib.frame.columns) == [*X.columns, "target"]


def test_level_and_min_class_size():
    lib = load_spectral_library(level=3, min_class_size=30)
    assert len(lib.target_names) == 13
    assert np.bincount(lib.target).min() >= 30
    assert len(lib.metadata) == len(lib.data)
    assert (lib.metadata["LEVEL_3"].to_numpy() == lib.target_names[lib.target]).all()


def test_returned_arrays_are_fresh_copies():
    first = load_spectral_library(return_X_y=True)[0]
    first[:] = -1.0
    assert load_spectral_library(return_X_y=True)[0].min() >= 0


def test_hyperspectral_sensor_drops_uncovered_bands():
    lib = load_spectral_library(sensor="NEON")
    assert np.isfinite(lib.data).all()
    assert len(lib.feature_names) == lib.data.shape[1] == len(lib.wavelengths)
    assert lib.feature_names[0].startswith("b")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sensor": "Hubble"}, "Unknown sensor 'Hubble'"),
        (
            {"level": 5},
            "'level' parameter of load_spectral_library must be an int in the range \\[1, 4\\]",
        ),
        ({"level": 2.0}, "'level' parameter"),
        ({"min_class_size": 0}, "'min_class_size' parameter"),
        ({"min_class_size": 10_000}, "leaves 0 class"),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_spectral_library(**kwargs)


def test_missing_earthlib_names_the_extra(monkeypatch):
    _library._resampled.cache_clear()
    monkeypatch.setitem(sys.modules, "earthlib", None)
    with pytest.raises(ImportError, match=r"sknd\[data\]"):
        load_spectral_library()
    _library._resampled.cache_clear()


def test_mixtures_have_known_fractions():
    X, y = make_spectral_mixtures(300, random_state=0)
    assert X.shape == (300, 10) and y.shape == (300,)
    assert ((y >= 0) & (y <= 1)).all() and 0.2 < (y > 0).mean() < 0.9
    X2, y2 = make_spectral_mixtures(300, random_state=0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    _, every = make_spectral_mixtures(200, target=None, random_state=1)
    assert every.shape == (200, 5)
    np.testing.assert_allclose(every.sum(axis=1), 1.0)
    assert ((every > 0).sum(axis=1) == 3).all()
    _, two = make_spectral_mixtures(50, target=["bare", "npv"], random_state=1)
    assert two.shape == (50, 2)


def test_mixtures_without_illumination_are_convex_combinations():
    lib = load_spectral_library()
    X, _ = make_spectral_mixtures(100, illumination=(1, 1), n_endmembers=1, random_state=0)
    # One endmember and no brightness change: every pixel is a library spectrum.
    distances = np.abs(X[:, None, :] - lib.data[None, :, :]).max(axis=2).min(axis=1)
    assert distances.max() < 1e-12


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"target": "water"}, "target must name level-2 classes"),
        ({"n_endmembers": 6}, "n_endmembers must be at most 5"),
        ({"n_endmembers": 0}, "'n_endmembers' parameter of make_spectral_mixtures"),
        ({"illumination": (0, 1)}, "'illumination' parameter .* low <= high and low > 0"),
        ({"noise": -0.1}, "'noise' parameter"),
        ({"n_samples": 2.5}, "'n_samples' parameter"),
    ],
)
def test_mixture_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_spectral_mixtures(**kwargs)


def test_default_classifier_learns_real_spectra_quickly():
    # A small subset and few epochs: a smoke test of the defaults on real data,
    # not the benchmark (benchmarks/study_real.py measures that).
    X, y = load_spectral_library(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, train_size=1500, test_size=1000, stratify=y, random_state=0
    )
    clf = NDClassifier(max_epochs=40, random_state=0).fit(X_tr, y_tr)
    assert clf.score(X_te, y_te) > 0.93
    relit = X_te * np.random.default_rng(0).uniform(0.5, 1.5, size=(len(X_te), 1))
    np.testing.assert_array_equal(clf.predict(relit), clf.predict(X_te))
