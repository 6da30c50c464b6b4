"""Properties that hold for any input: bounds, finiteness, scale invariance."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sknd import NDClassifier, NDIndexTransformer, NDPairsTransformer
from sknd.datasets import make_spectral_classification

# The drawn spectra hold negative values, of which NDPairsTransformer warns.
pytestmark = pytest.mark.filterwarnings(
    "ignore:NDPairsTransformer. X holds .* negative band value:UserWarning"
)

# What each property is checked on, built when a test first asks (not at import,
# so collecting or deselecting these tests trains nothing).
MODELS = {
    "learned": lambda: NDIndexTransformer(n_indices=4, max_epochs=10, random_state=0),
    "stacked": lambda: NDClassifier((5, 3), max_epochs=10, random_state=0),
    "pairs": NDPairsTransformer,
}


@pytest.fixture(scope="module")
def fitted():
    X, y = make_spectral_classification(n_samples=200, random_state=0)
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = MODELS[name]().fit(X, y)
        return cache[name]

    return get


def _apply(est, X):
    return est.predict_proba(X) if isinstance(est, NDClassifier) else est.transform(X)


# Magnitudes stay where c * x is exact up to rounding for c in [1e-3, 1e3]:
# scaling a subnormal number loses its digits, in any code.
values = st.one_of(
    st.just(0.0),
    st.floats(-1e6, 1e6, allow_subnormal=False),
    st.floats(-1e-6, 1e-6, allow_subnormal=False),
).filter(lambda v: v == 0 or abs(v) > 1e-290)
spectra = arrays(np.float64, st.tuples(st.integers(1, 8), st.just(10)), elements=values)


@pytest.mark.parametrize("name", ["learned", "pairs"])
@settings(max_examples=60, deadline=None)
@given(X=spectra)
def test_indices_finite_and_bounded(fitted, name, X):
    Z = _apply(fitted(name), X)
    assert np.isfinite(Z).all()
    assert (np.abs(Z) <= 1).all()
    zero_rows = ~X.any(axis=1)
    assert (Z[zero_rows] == 0).all()


@pytest.mark.parametrize("name", ["learned", "stacked", "pairs"])
@settings(max_examples=60, deadline=None)
@given(X=spectra, c=st.floats(1e-3, 1e3))
def test_transform_is_scale_invariant(fitted, name, X, c):
    est = fitted(name)
    np.testing.assert_allclose(_apply(est, c * X), _apply(est, X), rtol=0, atol=1e-9)
