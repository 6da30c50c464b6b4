"""scikit-learn's estimator checks for every public estimator, discovered from sknd.__all__."""

import inspect

import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_global_output_transform_pandas,
    check_set_output_transform,
    check_set_output_transform_pandas,
    check_transformer_get_feature_names_out,
    check_transformer_get_feature_names_out_pandas,
    parametrize_with_checks,
)

import sknd

ESTIMATORS = [
    obj()
    for name in sknd.__all__
    if inspect.isclass(obj := getattr(sknd, name)) and issubclass(obj, BaseEstimator)
]
TRANSFORMERS = [e for e in ESTIMATORS if isinstance(e, TransformerMixin)]

# No check is expected to fail: sknd's estimators take no sample_weight, so the
# sample-weight equivalence check, the one stochastic-training models are
# allowed to fail, is not run on them.
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {}


def test_every_public_estimator_is_checked():
    names = {type(e).__name__ for e in ESTIMATORS}
    assert {"NDIndexTransformer", "NDClassifier", "NDRegressor", "NDPairsTransformer"} <= names


@parametrize_with_checks(
    ESTIMATORS,
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# Checks that parametrize_with_checks does not yield.
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_dataframe_column_names(estimator):
    check_dataframe_column_names_consistency(type(estimator).__name__, estimator)


@pytest.mark.parametrize(
    "check",
    [
        check_transformer_get_feature_names_out,
        check_transformer_get_feature_names_out_pandas,
        check_set_output_transform,
        check_set_output_transform_pandas,
        check_global_output_transform_pandas,
    ],
    ids=lambda c: c.__name__,
)
@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=lambda e: type(e).__name__)
def test_transformer_output_checks(transformer, check):
    check(type(transformer).__name__, transformer)
