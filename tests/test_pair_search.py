"""NDPairsSelector and pair_scores: the exhaustive two-band search."""

import numpy as np
import pytest
from sklearn.feature_selection import f_classif, r_regression

import sknd.nd._pair_search as pair_search
from sknd import NDPairsSelector, NDPairsTransformer
from sknd.nd._pair_search import pair_scores


@pytest.fixture
def bands():
    rng = np.random.default_rng(0)
    return rng.uniform(0.05, 1.0, size=(300, 9))


def _at_pairs(scores, pairs):
    return np.array([scores[i, j] for i, j in pairs])


def test_scores_are_f_classif_and_r2_of_the_classical_indices(bands):
    rng = np.random.default_rng(1)
    pairs = NDPairsTransformer().fit(bands).pairs_
    indices = NDPairsTransformer().fit_transform(bands)
    labels = rng.integers(0, 3, len(bands))
    np.testing.assert_allclose(_at_pairs(pair_scores(bands, labels), pairs),
                               f_classif(indices, labels)[0], rtol=1e-9)  # fmt: skip
    targets = rng.normal(size=(len(bands), 2))
    r2 = np.mean([r_regression(indices, t) ** 2 for t in targets.T], axis=0)
    np.testing.assert_allclose(_at_pairs(pair_scores(bands, targets), pairs), r2, rtol=1e-9)
    scores = pair_scores(bands, labels)
    np.testing.assert_array_equal(scores, scores.T)
    assert np.isnan(np.diag(scores)).all()


def test_scores_do_not_depend_on_the_chunk(bands, monkeypatch):
    y = bands[:, 2] / bands[:, 5]
    whole = pair_scores(bands, y)
    monkeypatch.setattr(pair_search, "_CHUNK_VALUES", 700)  # two bands per chunk
    np.testing.assert_allclose(pair_scores(bands, y), whole, rtol=1e-12)


def test_selector_finds_the_planted_pair_and_transforms_as_the_pairs(bands):
    ndvi = (bands[:, 6] - bands[:, 3]) / (bands[:, 6] + bands[:, 3])
    y = (ndvi > 0).astype(int)
    sel = NDPairsSelector(k=3).fit(bands, y)
    assert sel.pairs_[0] == (3, 6)
    assert len(sel.pairs_) == 3 and all(i < j for i, j in sel.pairs_)
    expected = NDPairsTransformer(pairs=sel.pairs_).fit(bands).transform(bands)
    np.testing.assert_array_equal(sel.transform(bands), expected)
    assert sel.get_feature_names_out()[0] == "nd(x3,x6)"
    # Illumination: a per-spectrum factor changes no score.
    lit = bands * np.random.default_rng(2).uniform(0.5, 2.0, size=(len(bands), 1))
    np.testing.assert_allclose(NDPairsSelector(k=3).fit(lit, y).scores_, sel.scores_, rtol=1e-9)


def test_constant_and_perfect_indices_score_zero_and_inf():
    X = np.array([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [1.0, 1.0, 3.0], [3.0, 3.0, 9.0]])
    scores = pair_scores(X, [0, 0, 1, 1])
    assert scores[0, 1] == 0.0  # bands 0 and 1 are equal: their ND is 0 everywhere
    assert scores[0, 2] == np.inf  # nd(0, 2) is 0 in one class, -0.5 in the other


def test_more_pairs_asked_than_exist_keeps_all_with_a_warning(bands):
    with pytest.warns(UserWarning, match="k=40 is more than the 36 band pairs"):
        sel = NDPairsSelector(k=40).fit(bands, bands[:, 0] > 0.5)
    assert sorted(sel.pairs_) == NDPairsTransformer().fit(bands).pairs_


def test_bad_input_is_refused(bands):
    with pytest.raises(ValueError, match="NaN"):
        NDPairsSelector().fit(np.where(bands > 0.9, np.nan, bands), bands[:, 0] > 0.5)
    with pytest.raises(ValueError, match="score_func"):
        NDPairsSelector(score_func="mi").fit(bands, bands[:, 0] > 0.5)
    sel = NDPairsSelector(k=2).fit(bands, bands[:, 0] > 0.5)
    with pytest.raises(ValueError, match="9 features"):
        sel.transform(bands[:, :5])
