"""scikit-learn's estimator checks for every public estimator, discovered from sknd.__all__."""

import inspect
import re

import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_global_output_transform_pandas,
    check_set_output_transform,
    check_set_output_transform_pandas,
    check_transformer_get_feature_names_out,
    check_transformer_get_feature_names_out_pandas,
    estimator_checks_generator,
    parametrize_with_checks,
)

import sknd

# Instances for the checks: defaults, but short to train (what the checks test
# does not depend on how long a network trains, and the defaults' 200-300
# epochs would make this file the suite's slowest); the learned denoiser is
# also made small (its default receptive field of 13 samples exceeds the
# checks' 2-10 features).
CHECK_PARAMS = {
    "AutoDenoiser": {"wavelets": ("haar",)},  # every kind of candidate, one wavelet
    "NDClassifier": {"max_epochs": 10},
    "NDIndexTransformer": {"max_epochs": 10},
    "NDRegressor": {"max_epochs": 10},
    "SparseBNDenoiser": {"channels": 4, "depth": 2, "kernel_size": 1, "max_epochs": 5},
}
ESTIMATORS = [
    obj(**CHECK_PARAMS.get(name, {}))
    for name in sknd.__all__
    if inspect.isclass(obj := getattr(sknd, name)) and issubclass(obj, BaseEstimator)
]
# The networks' other first layer (dense indices) and the ND stack of Lotfi et
# al.: the default's pairwise layer sees one ratio on the checks' 2-band data,
# so only these instances face the score checks. They run the checks that fit
# and predict numbers (the API checks do not depend on the first layer).
SCORED = [
    sknd.NDClassifier(n_indices=8, max_epochs=80),
    sknd.NDRegressor(n_indices=8, hidden_layer_sizes=(8,), activation="nd", max_epochs=80),
]
NUMERIC_CHECKS = re.compile(r"train|classes|_int$|y_2d|dtypes|pickle|idempotent|not_an_array")


def _check_name(check) -> str:
    return getattr(check, "func", check).__name__


SCORED_CHECKS = [
    pytest.param(est, check, id=f"{' '.join(repr(est).split())}-{_check_name(check)}")
    for est in SCORED
    for _, check in estimator_checks_generator(est)
    if NUMERIC_CHECKS.search(_check_name(check))
]
TRANSFORMERS = [e for e in ESTIMATORS if isinstance(e, TransformerMixin)]

# The checks' data are signed; NDPairsTransformer warns on negative bands, and
# NDPairsSelector keeps every pair, with a warning, of the checks' 2-3 bands.
pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:NDPairsTransformer. X holds .* negative band value:UserWarning"
    ),
    pytest.mark.filterwarnings("ignore:NDPairsSelector. k=8 is more than:UserWarning"),
    # scikit-learn's own checks: column-name mismatches they cause on purpose,
    # and set_output checks whose 2-3 sample signals are too short to denoise.
    pytest.mark.filterwarnings("ignore:X has feature names, but:UserWarning"),
    pytest.mark.filterwarnings("ignore:X does not have valid feature names:UserWarning"),
    pytest.mark.filterwarnings("ignore:.*needs signals of at least:UserWarning"),
    pytest.mark.filterwarnings("ignore:lam=.auto.. the MAD noise estimate is 0:UserWarning"),
]

# sknd's estimators take no sample_weight, so the sample-weight equivalence
# check is not run on them. The learned denoiser's y is the clean signals, with
# X's shape; the checks below fit it with 1-D class labels as y, which it
# rejects with a clear error (tests/test_learned.py checks the same properties
# with real targets). Its predict accepts signals of any length (fully
# convolutional), which check_n_features_in_after_fitting forbids.
_Y_IS_SIGNALS = "y must be clean signals shaped like X; this check passes 1-D labels"
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {
    "SparseBNDenoiser": {
        **dict.fromkeys(
            [
                "check_fit_score_takes_y",
                "check_estimators_overwrite_params",
                "check_dont_overwrite_parameters",
                "check_estimators_fit_returns_self",
                "check_readonly_memmap_input",
                "check_positive_only_tag_during_fit",
                "check_estimators_dtypes",
                "check_dtype_object",
                "check_pipeline_consistency",
                "check_estimators_nan_inf",
                "check_estimators_pickle",
                "check_f_contiguous_array_estimator",
                "check_transformer_data_not_an_array",
                "check_transformer_general",
                "check_transformer_preserve_dtypes",
                "check_methods_sample_order_invariance",
                "check_methods_subset_invariance",
                "check_fit2d_1sample",
                "check_fit2d_1feature",
                "check_dict_unchanged",
                "check_fit_idempotent",
                "check_fit_check_is_fitted",
                "check_n_features_in",
                "check_fit2d_predict1d",
            ],
            _Y_IS_SIGNALS,
        ),
        "check_n_features_in_after_fitting": "predict takes signals of any length by design",
    },
}


def test_every_public_estimator_is_checked():
    import sknd.denoise
    import sknd.nd

    names = {type(e).__name__ for e in ESTIMATORS}
    wings = {n for n in [*sknd.nd.__all__, *sknd.denoise.__all__] if n[0].isupper()}
    assert names == wings


@parametrize_with_checks(
    ESTIMATORS,
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize(("estimator", "check"), SCORED_CHECKS)
def test_other_first_layers_score_as_scikit_learn_expects(estimator, check):
    check(estimator)


def test_scored_instances_face_the_score_checks():
    names = {_check_name(c.values[1]) for c in SCORED_CHECKS}
    assert {"check_classifiers_train", "check_regressors_train"} <= names


# Checks that parametrize_with_checks does not yield.
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_dataframe_column_names(estimator, request):
    name = type(estimator).__name__
    if name == "SparseBNDenoiser":
        request.applymarker(pytest.mark.xfail(reason=_Y_IS_SIGNALS, strict=True))
    check_dataframe_column_names_consistency(name, estimator)


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
def test_transformer_output_checks(transformer, check, request):
    name = type(transformer).__name__
    if name == "SparseBNDenoiser":
        request.applymarker(pytest.mark.xfail(reason=_Y_IS_SIGNALS, strict=True))
    check(name, transformer)
