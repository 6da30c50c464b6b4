"""Every public estimator documents each parameter once, and every attribute it lists."""

import inspect

import pytest

import sknd

docscrape = pytest.importorskip("numpydoc.docscrape")

ESTIMATORS = [getattr(sknd, name) for name in sknd.__all__ if inspect.isclass(getattr(sknd, name))]


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
def test_parameters_and_attributes_documented(Est):
    doc = docscrape.ClassDoc(Est)
    documented = [p.name for p in doc["Parameters"]]
    assert documented == list(inspect.signature(Est).parameters)
    assert all(p.desc for p in doc["Parameters"]), "a parameter without a description"
    assert all(a.desc for a in doc["Attributes"]), "an attribute without a description"
    assert "{params" not in Est.__doc__ and "{attrs" not in Est.__doc__


@pytest.mark.parametrize(
    ("Est", "kind"),
    [
        (sknd.NDClassifier, 'int or "auto"'),
        (sknd.NDRegressor, 'int or "auto"'),
        (sknd.NDIndexTransformer, "int"),
        (sknd.SparseBNDenoiser, "int"),
    ],
)
def test_shared_entries_show_each_estimators_own_default(Est, kind):
    doc = docscrape.ClassDoc(Est)
    types = {p.name: p.type for p in doc["Parameters"]}
    default = inspect.signature(Est).parameters["max_epochs"].default
    shown = f'"{default}"' if isinstance(default, str) else default
    assert types["max_epochs"] == f"{kind}, default={shown}"
