"""Behaviour users rely on: pipelines, search, pandas, persistence, seeding, options."""

import io
import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from skorch.callbacks import Callback, LRScheduler

from sknd import NDClassifier, NDIndexTransformer, NDPairsTransformer, NDRegressor
from sknd.datasets import SENTINEL2_BANDS

FAST = {"max_epochs": 15, "random_state": 0}


def test_pipeline_with_random_forest_in_cross_val_score(spectra):
    X, y = spectra
    pipe = Pipeline(
        [("nd", NDIndexTransformer(n_indices=4, **FAST)), ("rf", RandomForestClassifier(20))]
    )
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.mean() > 0.5  # four balanced classes: chance is 0.25


def test_grid_search_over_alpha_in_parallel(spectra):
    X, y = spectra
    pipe = Pipeline(
        [
            ("nd", NDIndexTransformer(n_indices=3, **FAST)),
            ("rf", RandomForestClassifier(10, random_state=0)),
        ]
    )
    grid = {"nd__alpha": [0.0, 0.1]}
    search = GridSearchCV(pipe, grid, cv=2, n_jobs=2).fit(X, y)
    # Seeded fits in worker processes score as the same fits in this one.
    serial = GridSearchCV(pipe, grid, cv=2, n_jobs=1).fit(X, y)
    scores = search.cv_results_["split0_test_score"], search.cv_results_["split1_test_score"]
    np.testing.assert_array_equal(
        scores, (serial.cv_results_["split0_test_score"], serial.cv_results_["split1_test_score"])
    )
    assert search.best_params_ == serial.best_params_


def test_pandas_in_and_out(spectra_frame):
    X, y = spectra_frame
    nd = NDIndexTransformer(n_indices=3, **FAST).set_output(transform="pandas")
    Z = nd.fit_transform(X, y)
    assert isinstance(Z, pd.DataFrame)
    assert list(Z.columns) == ["nd0", "nd1", "nd2"]
    assert list(nd.feature_names_in_) == list(SENTINEL2_BANDS)
    assert any("B8" in f for f in nd.formulas_)
    pairs = NDPairsTransformer(pairs=[("B8", "B4")]).set_output(transform="pandas")
    ndvi = pairs.fit_transform(X)
    assert list(ndvi.columns) == ["nd(B8,B4)"]
    np.testing.assert_allclose(ndvi.iloc[:, 0], (X.B8 - X.B4) / (X.B8 + X.B4))


@pytest.mark.parametrize("Est", [NDIndexTransformer, NDClassifier, NDRegressor])
def test_pickle_and_joblib_round_trips(Est, spectra):
    X, y = spectra
    est = Est(**FAST).fit(X, y)
    method = est.transform if Est is NDIndexTransformer else est.predict
    expected = method(X)
    buffer = io.BytesIO()
    joblib.dump(est, buffer)
    buffer.seek(0)
    for loaded in (pickle.loads(pickle.dumps(est)), joblib.load(buffer)):
        got = loaded.transform(X) if Est is NDIndexTransformer else loaded.predict(X)
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("Est", [NDIndexTransformer, NDClassifier])
def test_same_random_state_same_coefficients(Est, spectra):
    X, y = spectra
    first = Est(**FAST).fit(X, y)
    second = Est(**FAST).fit(X, y)
    np.testing.assert_array_equal(first.positive_coef_, second.positive_coef_)
    np.testing.assert_array_equal(first.negative_coef_, second.negative_coef_)
    other = Est(max_epochs=15, random_state=1).fit(X, y)
    assert not np.array_equal(first.positive_coef_, other.positive_coef_)


def test_coefficients_are_normalized_and_nonnegative(spectra):
    X, y = spectra
    nd = NDIndexTransformer(n_indices=5, **FAST).fit(X, y)
    assert nd.positive_coef_.shape == nd.negative_coef_.shape == (5, 10)
    assert (nd.positive_coef_ >= 0).all() and (nd.negative_coef_ >= 0).all()
    np.testing.assert_allclose((nd.positive_coef_ + nd.negative_coef_).sum(axis=1), 1.0)


def test_coefficients_reproduce_transform(spectra):
    """positive_coef_ / negative_coef_ are the index, not a picture of it."""
    X, y = spectra
    nd = NDIndexTransformer(n_indices=3, eps=0.0, **FAST).fit(X, y)
    P, N = nd.positive_coef_, nd.negative_coef_
    manual = (X @ (P - N).T) / (np.abs(X) @ (P + N).T)
    np.testing.assert_allclose(nd.transform(X), manual, atol=1e-12)


def _effective_bands(est):
    """Participation ratio 1 / sum(w^2): 1 for one band, n_features for uniform."""
    weights = est.positive_coef_ + est.negative_coef_
    return (1.0 / (weights**2).sum(axis=1)).mean()


def test_larger_alpha_uses_fewer_bands(spectra):
    X, y = spectra
    # One step per epoch here (batch "auto" is min(512, n)): the penalty
    # needs epochs to act under the cosine schedule.
    kwargs = {"n_indices": 4, "max_epochs": 150, "random_state": 0}
    dense = NDIndexTransformer(alpha=0.0, **kwargs).fit(X, y)
    mild = NDIndexTransformer(alpha=0.1, **kwargs).fit(X, y)
    # How far a given alpha sparsifies depends on the head's pull on the
    # indices: under the default (64, 64) head, alpha=1 takes 11% off the
    # effective bands here, alpha=3 26%.
    strong = NDIndexTransformer(alpha=3.0, **kwargs).fit(X, y)
    assert _effective_bands(strong) < _effective_bands(mild) < _effective_bands(dense)
    assert _effective_bands(strong) < 0.85 * _effective_bands(dense)


def test_predictions_are_illumination_invariant(spectra):
    X, y = spectra
    clf = NDClassifier(**FAST).fit(X, y)
    scale = np.random.default_rng(0).uniform(0.01, 100, size=(len(X), 1))
    np.testing.assert_allclose(clf.predict_proba(X * scale), clf.predict_proba(X), atol=1e-12)


def test_classifier_probabilities_and_labels(spectra):
    X, y = spectra
    labels = np.array(["water", "soil", "grass", "urban"])[y]
    clf = NDClassifier(**FAST).fit(X, labels)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(clf.predict(X)) <= set(labels)
    assert clf.score(X, labels) > 0.5


def test_regressor_multi_output_and_transformer_on_regression(regression_spectra):
    X, y = regression_spectra
    reg = NDRegressor(hidden_layer_sizes=(8,), max_epochs=60, random_state=0).fit(X, y)
    assert reg.score(X, y) > 0.8
    Y = np.column_stack([y, 1 - y])
    assert NDRegressor(**FAST).fit(X, Y).predict(X).shape == Y.shape
    nd = NDIndexTransformer(n_indices=2, **FAST).fit(X, y)
    assert not hasattr(nd, "classes_")
    assert nd.transform(X).shape == (len(X), 2)


@pytest.mark.parametrize("factor", [1e-300, 1e160])
def test_regressor_targets_of_extreme_scale(regression_spectra, factor):
    # Standardizing y must neither overflow (y^2 at 1e160) nor underflow (1e-300).
    X, y = regression_spectra
    unit = NDRegressor((4,), max_epochs=5, random_state=0).fit(X, y).predict(X)
    scaled = NDRegressor((4,), max_epochs=5, random_state=0).fit(X, y * factor).predict(X)
    assert np.all(np.isfinite(scaled))
    np.testing.assert_allclose(scaled / factor, unit, rtol=1e-6)


def test_transformer_refuses_to_guess_a_task_for_integer_columns(regression_spectra):
    X, y = regression_spectra
    Y = np.column_stack([y > 0.5, y > 0.3]).astype(int)
    with pytest.raises(ValueError, match=r'2 columns of int64 values.*task="regression"'):
        NDIndexTransformer(n_indices=2, **FAST).fit(X, Y)
    nd = NDIndexTransformer(n_indices=2, task="regression", **FAST).fit(X, Y)
    assert nd.task_ == "regression"


def test_pairs_warn_on_negative_bands():
    X = np.array([[0.3, -0.1], [0.2, 0.4]])
    with pytest.warns(UserWarning, match="1 negative band value.*classical"):
        out = NDPairsTransformer().fit_transform(X)
    np.testing.assert_allclose(out[:, 0], [1.0, -1 / 3])  # classical NDVI would give 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        NDPairsTransformer().fit_transform(np.abs(X))


def test_float32_in_float32_out(spectra):
    X, y = spectra
    nd = NDIndexTransformer(n_indices=2, **FAST).fit(X.astype(np.float32), y)
    assert nd.transform(X.astype(np.float32)).dtype == np.float32
    assert nd.transform(X).dtype == np.float64


def test_history_early_stopping_and_verbose(spectra, capsys):
    X, y = spectra
    clf = NDClassifier(
        max_epochs=300, early_stopping=True, n_iter_no_change=3, random_state=0, verbose=1
    ).fit(X, y)
    out = capsys.readouterr().out
    assert "valid_loss" in out and "train_loss" in out
    assert clf.n_iter_ < 300 and clf.n_iter_ == len(clf.history_)
    assert "valid_loss" in clf.history_[-1]
    NDClassifier(**FAST).fit(X, y)
    assert capsys.readouterr().out == ""


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # short fits
def test_user_callbacks_run_and_are_not_modified(spectra):
    X, y = spectra

    class CountEpochs(Callback):
        def initialize(self):
            self.epochs = 0
            return self

        def on_epoch_end(self, net, **kwargs):
            self.epochs += 1
            net.history.record("counted", self.epochs)

    counter = CountEpochs()
    schedule = ("lr", LRScheduler(policy="StepLR", step_size=5, gamma=0.5))
    clf = NDClassifier(callbacks=[counter, schedule], **FAST).fit(X, y)
    assert clf.history_[-1, "counted"] == clf.n_iter_
    assert not hasattr(counter, "epochs")  # the estimator trained on a copy


def test_callbacks_holding_a_lock_train(spectra):
    # Logging writers hold locks, which cannot be deep-copied or pickled.
    import threading

    X, y = spectra

    class Locked(Callback):
        def __init__(self, lock=None):
            self.lock = threading.Lock() if lock is None else lock

        def initialize(self):
            self.seen = 0
            return self

        def on_epoch_end(self, net, **kwargs):
            with self.lock:
                self.seen += 1
                net.history.record("seen", self.seen)

    locked = Locked()
    clf = NDClassifier(callbacks=[("log", locked)], **FAST).fit(X, y)
    assert clf.history_[-1, "seen"] == clf.n_iter_
    assert not hasattr(locked, "seen")  # still trained on a copy, sharing the lock


def test_gradient_callbacks_see_every_batch(spectra):
    # The training step skips building on_grad_computed's arguments when no
    # callback listens; one that does (clipping) must still run every batch.
    from skorch.callbacks import GradientNormClipping

    X, y = spectra

    class CountGradients(Callback):
        def initialize(self):
            self.batches = 0
            return self

        def on_grad_computed(self, net, named_parameters, **kwargs):
            self.batches += 1
            assert all(p.grad is not None for _, p in named_parameters)

        def on_epoch_end(self, net, **kwargs):
            net.history.record("grad_batches", self.batches)

    clip = GradientNormClipping(gradient_clip_value=1.0)
    clf = NDClassifier(callbacks=[CountGradients(), clip], **FAST).fit(X, y)
    batches = sum(len(epoch["batches"]) for epoch in clf.history_)
    assert clf.history_[-1, "grad_batches"] == batches > 0


def test_noise_augmentation_changes_training_only(spectra):
    X, y = spectra
    plain = NDIndexTransformer(n_indices=2, **FAST).fit(X, y)
    noisy = NDIndexTransformer(n_indices=2, noise=0.1, **FAST).fit(X, y)
    assert not np.allclose(plain.positive_coef_, noisy.positive_coef_)
    np.testing.assert_array_equal(noisy.transform(X), noisy.transform(X))


def test_torch_threads_restored(spectra):
    X, y = spectra
    before = torch.get_num_threads()
    NDClassifier(**FAST).fit(X, y)
    assert torch.get_num_threads() == before


def test_fits_in_threads_reproduce_fits_in_sequence(spectra):
    # torch's global generator is shared by threads: seeded module builds
    # interleaved, and dropout drew from it mid-training.
    from concurrent.futures import ThreadPoolExecutor

    X, y = spectra
    make = [lambda s=s: NDIndexTransformer(4, random_state=s, max_epochs=8) for s in (0, 0, 1, 1)]
    alone = [m().fit(X, y).positive_coef_ for m in make]
    torch.manual_seed(123)
    state = torch.get_rng_state()
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda m: m().fit(X, y).positive_coef_, make))
    for a, b in zip(alone, threaded):
        np.testing.assert_array_equal(a, b)
    assert torch.equal(torch.get_rng_state(), state)  # the caller's generator untouched
    with joblib.parallel_backend("threading", n_jobs=2):
        model = NDClassifier(max_epochs=3, random_state=0)
        search = GridSearchCV(model, {"lr": [0.01, 0.02]}, cv=2)
        threaded = search.fit(X, y).cv_results_["mean_test_score"]
    in_sequence = search.set_params(n_jobs=None).fit(X, y).cv_results_["mean_test_score"]
    np.testing.assert_array_equal(threaded, in_sequence)


def test_diverging_fit_raises_clear_error(spectra):
    X, y = spectra
    with pytest.raises(FloatingPointError, match="diverged"):
        NDRegressor(lr=1e30, max_epochs=5, random_state=0).fit(X, y * 1e30)


def test_formulas_name_bands_and_omit_tiny_weights():
    X = np.abs(np.random.default_rng(0).normal(size=(200, 3))) + 0.1
    y = (X[:, 0] > X[:, 1]).astype(int)
    nd = NDIndexTransformer(n_indices=1, alpha=0.1, max_epochs=100, random_state=0).fit(X, y)
    formula = nd.formulas_[0]
    assert "x0" in formula and "x1" in formula and "|x0|" in formula


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # short fits
def test_cosine_schedule_runs_every_epoch_and_anneals(spectra):
    X, y = spectra
    clf = NDClassifier(max_epochs=6, random_state=0).fit(X, y)
    assert clf.n_iter_ == 6
    lr = clf.history_[:, "event_lr"]
    assert lr[0] == pytest.approx(0.02) and bool(np.all(np.diff(lr) < 0))
    constant = NDClassifier(max_epochs=6, lr_schedule="constant", random_state=0).fit(X, y)
    assert "event_lr" not in constant.history_[-1]


@pytest.mark.parametrize(
    ("params", "n_params"),
    [
        # pairs -> projection 8 -> (32, 12); the head reads the 8 beside the 12
        ({}, 45 + (45 * 8 + 8) + (8 * 32 + 32) + (32 * 12 + 12) + (20 * 4 + 4)),
        (
            {"n_components": None, "hidden_layer_sizes": (20, 12)},
            45 + (45 * 20 + 20) + (20 * 12 + 12) + (12 * 4 + 4),
        ),
        ({"hidden_layer_sizes": (), "n_components": 3}, 45 + (45 * 3 + 3) + (3 * 4 + 4)),
        ({"hidden_layer_sizes": ()}, 45 + 45 * 4 + 4),
        ({"n_indices": 6, "hidden_layer_sizes": (5,)}, 2 * 6 * 10 + 6 * 5 + 5 + 5 * 4 + 4),
        (
            {"n_indices": 6, "hidden_layer_sizes": (5,), "activation": "nd"},
            2 * 6 * 10 + 2 * 5 * 6 + 5 * 4 + 4,
        ),
    ],
)
def test_architectures_and_their_sizes(spectra, params, n_params):
    X, y = spectra
    clf = NDClassifier(max_epochs=2, random_state=0, **params).fit(X, y)
    assert sum(p.numel() for p in clf.module_.parameters()) == n_params
    assert clf.positive_coef_.shape == (clf.module_.n_indices, X.shape[1])
    lit = X * np.random.default_rng(0).uniform(0.5, 1.5, size=(len(X), 1))
    np.testing.assert_allclose(clf.predict_proba(lit), clf.predict_proba(X), atol=1e-12)


def test_projection_is_auto_on_relu_layers_and_refused_on_an_nd_stack(spectra):
    X, y = spectra
    nd_stack = NDClassifier(activation="nd", n_indices=12, hidden_layer_sizes=(5,), max_epochs=2)
    assert nd_stack.fit(X, y).module_.projection is None
    few = NDClassifier(n_indices=6, max_epochs=2).fit(X, y)  # 6 indices: nothing to project
    assert few.module_.projection is None
    with pytest.raises(ValueError, match="n_components needs ReLU or tanh"):
        nd_stack.set_params(n_components=4).fit(X, y)


def test_pair_formulas_use_two_bands(spectra_frame):
    X, y = spectra_frame
    clf = NDClassifier(max_epochs=3, random_state=0).fit(X, y)
    assert len(clf.formulas_) == 45
    assert clf.formulas_[0].startswith("(") and "*B2 - " in clf.formulas_[0]
    assert ((clf.positive_coef_ > 0).sum(axis=1) == 1).all()


def test_large_pair_layers_store_their_coefficients_sparse(spectra_frame, monkeypatch):
    from scipy import sparse

    from sknd.nd import _base as _nd_base

    X, y = spectra_frame
    dense = NDClassifier(n_indices="pairs", max_epochs=3, random_state=0).fit(X, y)
    assert isinstance(dense.positive_coef_, np.ndarray)  # 45 x 10 weights: dense
    # One weight past the threshold: sparse, with the same weights and formulas.
    monkeypatch.setattr(_nd_base, "_SPARSE_COEF_SIZE", 45 * 10 - 1)
    clf = NDClassifier(n_indices="pairs", max_epochs=3, random_state=0).fit(X, y)
    for got, want in [(clf.positive_coef_, dense.positive_coef_),
                      (clf.negative_coef_, dense.negative_coef_)]:  # fmt: skip
        assert isinstance(got, sparse.csr_array) and got.nnz == 45
        np.testing.assert_array_equal(got.toarray(), want)
    assert clf.formulas_ == dense.formulas_
    np.testing.assert_array_equal(clf.predict_proba(X), dense.predict_proba(X))


def test_pair_layers_of_many_bands_pickle_small():
    import pickle

    from scipy import sparse

    rng = np.random.default_rng(0)
    X = rng.uniform(0.05, 1.0, size=(60, 130))  # 8385 pairs x 130 bands > 2**20
    y = np.arange(60) % 2
    clf = NDClassifier(n_indices="pairs", max_epochs=1, random_state=0).fit(X, y)
    assert isinstance(clf.positive_coef_, sparse.csr_array)
    assert clf.positive_coef_.shape == (8385, 130) and len(clf.formulas_) == 8385
    np.testing.assert_allclose((clf.positive_coef_ + clf.negative_coef_).sum(axis=1), 1.0)
    # 2.6 MB, most of it the ReLU layer reading the 8385 indices; the two
    # coefficient arrays stored dense would add 17 MB.
    assert len(pickle.dumps(clf)) < 4 * 2**20


def test_inference_chunks_rows_by_the_networks_width(spectra, monkeypatch):
    from sknd import _training as _torch

    X, y = spectra
    clf = NDClassifier(n_indices="pairs", max_epochs=2, random_state=0).fit(X, y)
    whole = clf.predict_proba(X)
    per_row = clf.module_.inference_bytes_per_row()
    assert per_row > 8 * 8 * 45  # eight float64 values per index at the least
    monkeypatch.setattr(_torch, "_INFERENCE_BYTES", 7 * per_row)
    sizes, forward = [], clf.module_.forward
    monkeypatch.setattr(clf.module_, "forward", lambda x: sizes.append(len(x)) or forward(x))
    chunked = clf.predict_proba(X)
    assert max(sizes) == 7 and sum(sizes) == len(X)
    np.testing.assert_allclose(chunked, whole, rtol=0, atol=1e-15)


def test_auto_epoch_budget_is_shorter_on_broad_bands(spectra, monkeypatch):
    X, y = spectra
    wide = np.repeat(X, 4, axis=1)
    assert NDClassifier().max_epochs == "auto"
    # Fewer than the real 300 and 200, so the test stays quick; the same rule.
    for Est in (NDClassifier, NDRegressor):
        monkeypatch.setattr(Est, "_AUTO_EPOCHS", 6)
        monkeypatch.setattr(Est, "_AUTO_EPOCHS_BROAD", 3)
    assert NDClassifier(random_state=0).fit(X, y).n_iter_ == 6
    assert NDClassifier(random_state=0).fit(wide, y).n_iter_ == 3
    assert NDClassifier(n_indices="pairs", random_state=0).fit(wide, y).n_iter_ == 6
    assert NDRegressor(random_state=0).fit(wide, y.astype(float)).n_iter_ == 3
    assert NDClassifier(max_epochs=2, random_state=0).fit(wide, y).n_iter_ == 2
    with pytest.raises(ValueError, match="max_epochs"):
        NDClassifier(max_epochs="fast").fit(X, y)


def test_broad_band_weights_are_held_after_a_tenth_of_training(spectra):
    X, y = spectra
    rng = np.random.default_rng(0)
    wide = np.repeat(X, 4, axis=1) * (1 + 0.01 * rng.standard_normal((len(X), 40)))
    seen = []

    class Record(Callback):
        def on_epoch_end(self, net, **kwargs):
            layer = net.module_.nd_layers[0]
            seen.append((layer.group_logit.detach().clone(), layer.log_ratio.detach().clone()))

    clf = NDClassifier(max_epochs=20, random_state=0, callbacks=[Record()]).fit(wide, y)
    # Epochs 1-2 (a tenth of 20) learn the band weights; 3-20 hold them and
    # train on the broad bands, while the indices' ratios go on learning.
    weights, ratios = zip(*seen)
    assert not torch.equal(weights[0], weights[1])
    assert all(torch.equal(weights[1], w) for w in weights[2:])
    assert not torch.equal(ratios[-2], ratios[-1])
    layer = clf.module_.nd_layers[0]
    assert not layer.takes_broad_bands
    assert clf.score(wide, y) > 0.5
    # Without noise, and with a validation set, which is then on broad bands too.
    clean = NDClassifier(max_epochs=10, noise=0.0, random_state=0).fit(wide, y)
    with pytest.warns(ConvergenceWarning, match="valid_loss"):
        stopped = NDClassifier(max_epochs=10, early_stopping=True, random_state=0).fit(wide, y)
    for fitted in (clean, stopped):
        assert fitted.n_iter_ == 10 and np.isfinite(fitted.history_[-1, "train_loss"])


def test_auto_first_layer_pairs_few_bands_and_groups_many(spectra):
    X, y = spectra
    auto = NDClassifier(max_epochs=3, random_state=0).fit(X, y)
    pairs = NDClassifier(n_indices="pairs", max_epochs=3, random_state=0).fit(X, y)
    assert auto.band_groups_ is None
    np.testing.assert_array_equal(auto.predict_proba(X), pairs.predict_proba(X))
    # 40 bands: 16 contiguous broad bands, 120 pairs of them, not 780 pairs of bands.
    rng = np.random.default_rng(0)
    wide = np.repeat(X, 4, axis=1) * (1 + 0.01 * rng.standard_normal((len(X), 40)))
    clf = NDClassifier(max_epochs=3, random_state=0).fit(wide, y)
    assert set(np.diff(clf.band_groups_)) <= {0, 1} and clf.band_groups_.max() == 15
    assert clf.module_.n_indices == 120 and clf.positive_coef_.shape == (120, 40)
    # band weights, ratios, projection 8, ReLU (32, 12), head on 8 + 12 (4 classes)
    assert sum(p.numel() for p in clf.module_.parameters()) == 40 + 120 + (
        120 * 8 + 8 + 8 * 32 + 32 + 32 * 12 + 12 + 20 * 4 + 4
    )
    lit = wide * rng.uniform(0.5, 1.5, size=(len(X), 1))
    np.testing.assert_allclose(clf.predict_proba(lit), clf.predict_proba(wide), atol=1e-12)
    # Each index is one positive ND of the bands, as formulas_ writes it.
    a, b = clf.positive_coef_, clf.negative_coef_
    group = clf.band_groups_[np.argmax(a[0] > 0)]
    assert (a[0][clf.band_groups_ != group] == 0).all()
    np.testing.assert_allclose(
        clf.module_.indices(torch.as_tensor(wide)).detach().numpy(),
        (wide @ (a - b).T) / (wide @ (a + b).T), rtol=1e-5, atol=1e-6,
    )  # fmt: skip
    refit = NDClassifier(max_epochs=3, random_state=0).fit(wide, y)
    np.testing.assert_array_equal(refit.predict_proba(wide), clf.predict_proba(wide))
