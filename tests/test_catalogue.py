"""sknd.catalogue: exported formulas evaluated without eval, and standard band names."""

import numpy as np
import pytest

from sknd import NDIndexTransformer
from sknd.catalogue import evaluate_formula, standard_band_names
from sknd.datasets import make_spectral_classification

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def fitted():
    X, y = make_spectral_classification(n_samples=200, as_frame=True, random_state=0)
    return X, NDIndexTransformer(n_indices=3, max_epochs=5, random_state=0).fit(X, y)


def test_entries_reproduce_transform_on_numpy_pandas_xarray_and_dask(fitted):
    X, nd = fitted
    expected = nd.transform(X)
    entries = nd.export_indices()
    arrays = {name: X[name].to_numpy() for name in X.columns}
    for k, entry in enumerate(entries):
        np.testing.assert_allclose(evaluate_formula(entry, arrays), expected[:, k], atol=1e-12)
        by_frame = evaluate_formula(entry["formula"], X)
        assert isinstance(by_frame, pd.Series)
        np.testing.assert_allclose(by_frame.to_numpy(), expected[:, k], atol=1e-12)
    xr = pytest.importorskip("xarray")
    da = pytest.importorskip("dask.array")
    dataset = xr.Dataset({n: ("pixel", v) for n, v in arrays.items()})
    out = evaluate_formula(entries[0], dataset)
    assert isinstance(out, xr.DataArray)
    np.testing.assert_allclose(out.values, expected[:, 0], atol=1e-12)
    lazy = evaluate_formula(entries[1], {n: da.from_array(v, chunks=50) for n, v in arrays.items()})
    assert isinstance(lazy, da.Array)
    np.testing.assert_allclose(lazy.compute(), expected[:, 1], atol=1e-12)


def test_standard_names_go_into_the_export(fitted):
    pytest.importorskip("spyndex")
    X, nd = fitted
    names = standard_band_names(list(X.columns), "Sentinel-2")
    assert names == ["B", "G", "R", "RE1", "RE2", "RE3", "N", "N2", "S1", "S2"]
    entry = nd.export_indices(band_names=names)[0]
    assert set(entry["bands"]) <= set(names)
    bands = dict(zip(names, X.to_numpy().T))
    np.testing.assert_allclose(evaluate_formula(entry, bands), nd.transform(X)[:, 0], atol=1e-12)
    # spyndex files Landsat 8's B5 under N2 (N lists Landsat 4-7).
    assert standard_band_names(["B4", "B5"], "Landsat 8") == ["R", "N2"]
    with pytest.raises(ValueError, match=r"Bands \['B10'\] have no standard name"):
        standard_band_names(["B4", "B10"], "sentinel2a")
    with pytest.raises(ValueError, match="no platform 'Sentinel-9'"):
        standard_band_names(["B4"], "Sentinel-9")


@pytest.mark.parametrize(
    ("formula", "match"),
    [
        ("__import__('os').system('true')", r"has '__import__\(' at 0"),
        ("N.__class__", r"has '.__class__' at 1"),
        ("N ** 2", r"has '\* 2' at 3"),
        ("(lambda: 1)()", "band 'lambda'"),
        ("abs(N, R)", r"has ', R\)' at 5"),
        ("'text'", "has \"'text'\" at 0"),
        ("N +", "Not a formula"),
        ("N R", "an operator is missing at 2"),
        ("(N - R", "unclosed"),
        ("N - R)", "unmatched"),
        ("N * ()", "operand is missing"),
        ("1 / (2 - 2)", "divides a constant by zero"),
        ("1 / abs(0)", "divides a constant by zero"),
        ("N * 1e400", "too large"),
        ("N * 1" + "0" * 400, "too large"),
        ("(N - Q) / (N + Q)", r"band 'Q'.*\['N', 'R'\]"),
    ],
)
def test_anything_else_is_refused(formula, match):
    bands = {"N": np.ones(2), "R": np.ones(2)}
    with pytest.raises(ValueError, match=match):
        evaluate_formula(formula, bands)


def test_entry_without_formula_and_other_types():
    with pytest.raises(ValueError, match="'formula' key"):
        evaluate_formula({"short_name": "ND0"}, {})
    with pytest.raises(TypeError, match="string or an entry"):
        evaluate_formula(3, {})


def test_integer_bands_are_computed_in_floating_point():
    # Raw GeoTIFF reads are uint16: N - R must not wrap around, N + R not overflow.
    bands = {"N": np.array([3000, 40000], np.uint16), "R": np.array([4000, 30000], np.uint16)}
    np.testing.assert_allclose(
        evaluate_formula("(N - R)/(N + R)", bands), [-1 / 7, 1 / 7], rtol=1e-12
    )
    xr = pytest.importorskip("xarray")
    dataset = xr.Dataset({name: ("x", v) for name, v in bands.items()})
    np.testing.assert_allclose(
        evaluate_formula("(N - R)/(N + R)", dataset).values, [-1 / 7, 1 / 7], rtol=1e-12
    )
    half = {"N": np.array([60000.0], np.float16), "R": np.array([60000.0], np.float16)}
    assert evaluate_formula("N + R", half)[0] == 120000.0  # float16 would overflow to inf


def test_long_formulas_evaluate_and_oversized_ones_are_refused():
    bands = {"N": np.array([1.0, 2.0])}
    np.testing.assert_allclose(evaluate_formula("+".join(["N"] * 100_000), bands), [1e5, 2e5])
    nested = "(" * 5000 + "N" + ")" * 5000
    np.testing.assert_allclose(evaluate_formula("-" * 5001 + nested, bands), [-1.0, -2.0])
    with pytest.raises(ValueError, match="more than the 1000000"):
        evaluate_formula("N+" * 500_001 + "N", bands)


def test_band_names_are_matched_as_written():
    # Python's parser would read "µ" (micro sign) as "μ" (Greek mu) and miss the band.
    bands = {"\u00b5": np.array([2.0]), "\ufb01": np.array([3.0])}
    np.testing.assert_allclose(evaluate_formula("\u00b5 * \ufb01", bands), [6.0])


_DTYPES = ["uint8", "uint16", "int16", "int32", "int64", "float16", "float32", "float64"]


def _expressions():
    """(formula, float64 evaluator, scale) triples in the exporter's grammar."""
    hyp = pytest.importorskip("hypothesis.strategies")
    leaf = hyp.one_of(
        hyp.sampled_from(["A", "B", "C"]).map(lambda n: (n, lambda v, n=n: v[n])),
        hyp.floats(0.001, 1000).map(lambda c: (repr(c), lambda v, c=c: c)),
    )

    def extend(children):
        binary = hyp.tuples(children, hyp.sampled_from("+-*"), children).map(
            lambda t: (
                f"({t[0][0]} {t[1]} {t[2][0]})",
                lambda v, t=t: {"+": np.add, "-": np.subtract, "*": np.multiply}[t[1]](
                    t[0][1](v), t[2][1](v)
                ),
            )
        )
        return hyp.one_of(
            binary,
            children.map(lambda c: (f"-{c[0]}", lambda v, c=c: -c[1](v))),
            children.map(lambda c: (f"abs({c[0]})", lambda v, c=c: np.abs(c[1](v)))),
        )

    return hyp.recursive(leaf, extend, max_leaves=12)


def _exported_index(hyp):
    """An exported index's shape: (sum c_i x_i - ...) / (sum c_i abs(x_i) + eps), many terms."""
    terms = hyp.lists(
        hyp.tuples(hyp.sampled_from(["A", "B", "C"]), hyp.floats(1e-4, 1.0), hyp.booleans()),
        min_size=1,
        max_size=1500,
    )

    def build(ts):
        num = " + ".join(f"{'-' if neg else ''}{c!r}*{n}" for n, c, neg in ts)
        den = " + ".join(f"{c!r}*abs({n})" for n, c, _ in ts) + " + 1e-06"

        def f(v):
            top = sum((-c if neg else c) * v[n] for n, c, neg in ts)
            return top / (sum(c * np.abs(v[n]) for n, c, _ in ts) + 1e-6)

        return f"({num}) / ({den})", f

    return terms.map(build)


def test_random_formulas_match_float64_numpy():
    hypothesis = pytest.importorskip("hypothesis")
    hyp = hypothesis.strategies

    @hypothesis.settings(max_examples=60, deadline=None)
    @hypothesis.given(
        expr=hyp.one_of(_expressions(), _exported_index(hyp)),
        dtype=hyp.sampled_from(_DTYPES),
        seed=hyp.integers(0, 2**16),
    )
    def check(expr, dtype, seed):
        formula, reference = expr
        rng = np.random.default_rng(seed)
        info = np.iinfo(dtype) if dtype[0] in "ui" else None
        bands = {
            n: (
                rng.integers(info.min, info.max, size=6, endpoint=True, dtype=dtype)
                if info
                else rng.uniform(-2, 2, size=6).astype(dtype)
            )
            for n in "ABC"
        }
        exact = {n: v.astype(np.float64) for n, v in bands.items()}
        with np.errstate(all="ignore"):
            expected = np.broadcast_to(reference(exact), (6,))
            got = evaluate_formula(formula, bands)
        if np.ndim(got):  # a formula of constants alone is a number
            assert got.dtype == (np.float32 if dtype == "float32" else np.float64)
        got = np.broadcast_to(got, (6,))
        finite = np.isfinite(expected)
        # float32 bands compute in float32: compare on the scale of the terms.
        tol = 1e-3 if dtype == "float32" else 1e-9
        scale = np.abs(expected[finite]).max(initial=1.0)
        np.testing.assert_allclose(got[finite], expected[finite], rtol=tol, atol=tol * scale)

    check()
