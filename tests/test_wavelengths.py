"""Bands named by wavelength, and learned indices carried to another sensor."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator

from sknd import NDClassifier, NDIndexTransformer
from sknd.catalogue import evaluate_formula, transfer_indices, wavelength_names

CENTERS = [443.0, 490.0, 560.0, 665.0, 705.0, 740.0, 783.0, 842.0]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.uniform(0.02, 0.6, size=(120, len(CENTERS)))
    y = (X[:, 7] - X[:, 3] > 0).astype(int)
    return X, y


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    return NDIndexTransformer(n_indices=3, max_epochs=3, wavelengths=CENTERS, random_state=0).fit(
        X, y
    )


def test_formulas_and_exports_name_bands_by_wavelength(data, fitted):
    X, _ = data
    names = wavelength_names(CENTERS)
    assert names[:3] == ["R443", "R490", "R560"]
    np.testing.assert_array_equal(fitted.wavelengths_, CENTERS)
    assert "R842" in fitted.formulas_[0] and "x7" not in fitted.formulas_[0]
    entry = fitted.export_indices()[0]
    assert entry["bands"] == names
    value = evaluate_formula(entry["formula"], dict(zip(names, X.T)))
    np.testing.assert_allclose(value, fitted.transform(X)[:, 0], rtol=0, atol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_refit_without_wavelengths_forgets_them(data):
    X, y = data
    nd = NDClassifier(n_indices=2, max_epochs=2, wavelengths=CENTERS, random_state=0).fit(X, y)
    assert "R443" in " ".join(nd.formulas_)
    nd.set_params(wavelengths=None).fit(X, y)
    assert not hasattr(nd, "wavelengths_") and "x0" in " ".join(nd.formulas_)


@pytest.mark.parametrize(
    "wavelengths, match",
    [
        (CENTERS[:-1], "7 values .* for 8 bands"),
        ([np.nan, *CENTERS[1:]], "finite and positive"),
        ([-1.0, *CENTERS[1:]], "finite and positive"),
        ([490.0, *CENTERS[1:]], "share a wavelength"),
        (["blue", *CENTERS[1:]], "must be numbers"),
    ],
)
def test_bad_wavelengths_are_refused_by_name(data, wavelengths, match):
    X, y = data
    with pytest.raises(ValueError, match=f"NDIndexTransformer: wavelengths.*{match}|{match}"):
        NDIndexTransformer(n_indices=1, max_epochs=1, wavelengths=wavelengths).fit(X, y)


def test_wavelength_names_split_close_bands_by_tenths():
    assert wavelength_names([700.2, 700.4, 710.0]) == ["R700_2", "R700_4", "R710_0"]
    assert wavelength_names([550.0], prefix="B") == ["B550"]
    with pytest.raises(ValueError, match=r"closer than 0\.1 nm"):
        wavelength_names([700.01, 700.02])


def test_carried_to_the_same_centers_the_formulas_are_the_exports(fitted):
    names = [f"b{i}" for i in range(len(CENTERS))]
    carried = transfer_indices(fitted, CENTERS, names, tolerance=0.0)
    assert [e["formula"] for e in carried] == [
        e["formula"] for e in fitted.export_indices(band_names=names)
    ]


def test_carried_to_nearby_centers_the_indices_keep_their_values(data, fitted):
    X, _ = data
    shifted = np.array(CENTERS) + 4.0
    carried = transfer_indices(fitted, shifted, tolerance=5.0)
    names = wavelength_names(shifted)
    assert carried[0]["bands"] == names
    for k, entry in enumerate(carried):
        value = evaluate_formula(entry["formula"], dict(zip(names, X.T)))
        np.testing.assert_allclose(value, fitted.transform(X)[:, k], rtol=0, atol=1e-12)


class _Fixed(BaseEstimator):
    """A learned-index model whose first-layer weights are chosen, not fitted."""

    _FORMULA_TOL = 0.01

    def __init__(self, a=None, b=None, wavelengths=None):
        self.a, self.b, self.wavelengths = a, b, wavelengths

    def fit(self, X=None, y=None):
        self.positive_coef_ = np.atleast_2d(self.a).astype(float)
        self.wavelengths_ = np.asarray(self.wavelengths, dtype=float)
        self.n_features_in_ = self.positive_coef_.shape[1]
        return self

    def _first_layer_weights(self):
        return self.positive_coef_, np.atleast_2d(self.b).astype(float), 0.0


def test_bands_carried_to_one_band_add_their_weights():
    # (x0 + x1 - x2) / (x0 + x1 + x2); x0 and x1 both go to the target's 500 nm.
    model = _Fixed([1.0, 1.0, 0.0], [0.0, 0.0, 1.0], [495.0, 505.0, 665.0]).fit()
    (entry,) = transfer_indices(model, [500.0, 660.0], ["B", "R"], tolerance=6.0)
    B, R = np.array([0.3, 0.1]), np.array([0.1, 0.4])
    np.testing.assert_allclose(evaluate_formula(entry["formula"], {"B": B, "R": R}),
                               (2 * B - R) / (2 * B + R))  # fmt: skip


def test_a_band_an_index_uses_is_refused_where_no_band_is_near():
    model = _Fixed([1.0, 0.0, 0.005], [0.0, 1.0, 0.0], [665.0, 842.0, 1610.0]).fit()
    with pytest.raises(ValueError, match=r"842 nm .* nearest 865 nm, 23.0 nm away"):
        transfer_indices(model, [482.0, 655.0, 865.0], tolerance=15.0)
    # The 1610 nm band holds 0.5% of the index: left out where no band is near.
    (entry,) = transfer_indices(model, [482.0, 655.0, 865.0], ["B", "R", "N"], tolerance=30.0)
    R, N = np.array([0.1, 0.05]), np.array([0.4, 0.5])
    value = evaluate_formula(entry["formula"], {"B": R * 0, "R": R, "N": N})
    np.testing.assert_allclose(value, (R - N) / (R + N))


def test_transfer_needs_source_wavelengths_and_a_learned_model(data):
    from sknd import NDPairsTransformer

    X, y = data
    plain = NDIndexTransformer(n_indices=1, max_epochs=1, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="fitted without wavelengths: pass source_wavelengths"):
        transfer_indices(plain, CENTERS)
    carried = transfer_indices(plain, CENTERS, source_wavelengths=CENTERS, tolerance=0.0)
    assert carried[0]["bands"] == wavelength_names(CENTERS)
    with pytest.raises(TypeError, match="needs a fitted NDIndexTransformer"):
        transfer_indices(NDPairsTransformer().fit(X), CENTERS)


@pytest.mark.parametrize(
    ("names", "match"),
    [
        ([f"B{i}" for i in range(7)], "7 names for 8 wavelengths"),
        (["B0", *[f"B{i}" for i in range(7)]], "unique"),
        (["lambda", *[f"B{i}" for i in range(1, 8)]], "valid variable names"),
        (["\u00b5", *[f"B{i}" for i in range(1, 8)]], "Python normalizes"),
        (["abs", *[f"B{i}" for i in range(1, 8)]], "shadow the abs"),
    ],
)
def test_transfer_refuses_band_names_a_formula_cannot_use(fitted, names, match):
    # The same rules as export_indices: a keyword or an NFKC-changed name
    # would give a formula that cannot be evaluated back by name.
    with pytest.raises(ValueError, match=match):
        transfer_indices(fitted, CENTERS, names, tolerance=0.0)


def test_index_spectra_are_drawn_on_the_fitted_wavelengths(fitted):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from sknd.plotting import plot_index_spectra

    ax = plot_index_spectra(fitted)
    assert ax.get_xlabel() == "wavelength (nm)"
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), CENTERS)
