"""What the learned-index estimators share: input checks, targets, coefficients.

The base of NDIndexTransformer, NDClassifier and NDRegressor. Imports torch;
no estimator-specific code here.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import torch
from scipy import sparse
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import Callback
from torch import nn

from .._loop import MultiplicativeNoise
from .._params import Integral, Interval, Real, StrOptions, Widths
from .._training import TorchEstimator
from .._validation import check_bands, unit_peak_rows
from ..nn import NDNetwork
from ._formulas import _band_names, check_wavelengths, normalized_weights, readable_formula

#: The constructor parameters every learned-index estimator shares, with their
#: defaults, in signature order (``estimator_init`` builds the ``__init__``s;
#: ``_docs`` documents them once).
TRAINING_DEFAULTS = {
    "alpha": 1e-3,
    "max_epochs": 300,
    "batch_size": "auto",
    "lr": 0.02,
    "lr_schedule": "cosine",
    "early_stopping": False,
    "validation_fraction": 0.1,
    "n_iter_no_change": 10,
    "tol": 1e-4,
    "noise": 0.05,
    "eps": 1e-6,
    "wavelengths": None,
    "random_state": None,
    "device": "cpu",
    "verbose": 0,
    "callbacks": None,
}


class NDEstimator(TorchEstimator):
    """Base of the learned-index estimators: a network whose first layer is ND.

    A new estimator builds its ``__init__`` with ``estimator_init(first,
    **own, **TRAINING_DEFAULTS)``, implements ``_build_module`` and a ``fit``
    that calls ``_validate_fit``, ``_prepare_target`` and ``_fit_module``.
    """

    # Weights below this share of an index are left out of ``formulas_``.
    _FORMULA_TOL = 0.01
    # Steps cost the same at 200 or 512 rows on small models (per-step
    # overhead dominates), and 512 trained as well per step on the real
    # spectral library (benchmarks/study_real.py).
    _AUTO_BATCH_SIZE = 512

    _parameter_constraints: ClassVar[dict] = {
        **TorchEstimator._parameter_constraints,
        "hidden_layer_sizes": [Widths()],
        "n_indices": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "lr_schedule": [StrOptions({"cosine", "constant"})],
        "noise": [Interval(Real, 0, None, closed="left")],
        "eps": [Interval(Real, 0, None, closed="left")],
        "wavelengths": ["array-like", None],
    }

    def _augmentation(self):
        """The training augmentation of ``noise``: multiplicative per band, or None."""
        return MultiplicativeNoise(self.noise) if self.noise else None

    #: A first layer of broad bands learns its band weights in this share of
    #: the epochs, then holds them (``_HoldBandWeights``). Chosen on the
    #: tuning folds of the report's "Shorter training against the fit-time
    #: target": a twentieth lost accuracy on earthlib's 13 classes.
    _HOLD_BAND_WEIGHTS_AT = 0.1

    def _phase_callbacks(self, module, augment, max_epochs):
        first = module.nd_layers[0]
        start = round(self._HOLD_BAND_WEIGHTS_AT * max_epochs)
        if not first.grouped or not 0 < start < max_epochs:
            return []
        return [("sknd_hold_band_weights", _HoldBandWeights(start, augment))]

    def _train(self, X, y, n_outputs, **kwargs):
        # Every model here is exactly invariant to scaling a sample's bands:
        # train on rows of unit peak, computed in float64 before the float32
        # cast, so X * 1e-300 cannot underflow (or X * 1e300 overflow) to a
        # different model.
        return super()._train(unit_peak_rows(X)[0], y, n_outputs, **kwargs)

    def _validate_fit(self, X, y):
        X, y = check_bands(
            self,
            X,
            y,
            ensure_min_features=2,
            ensure_min_samples=2,
            multi_output=not self._is_classification_estimator(),
            y_numeric=False,
        )
        if self.wavelengths is not None:
            self.wavelengths_ = check_wavelengths(self.wavelengths, X.shape[1], type(self).__name__)
        elif hasattr(self, "wavelengths_"):
            del self.wavelengths_  # from an earlier fit with wavelengths
        return X, y

    def _validate_predict(self, X):
        check_is_fitted(self, "module_")
        return check_bands(self, X, reset=False)

    @staticmethod
    def _is_classification_estimator() -> bool:
        return False

    def _prepare_target(self, y, classification: bool):
        """The training target of ``y``, its number of outputs and the loss's
        ``_train`` arguments: class codes (sets ``classes_``) for cross-entropy,
        or standardized columns for squared error."""
        if classification:
            target = self._encode_classes(y)
            return (
                target,
                len(self.classes_),
                {"criterion": nn.CrossEntropyLoss, "stratify": target},
            )
        target = self._standardize_targets(y)
        self._single_output_ = target.ndim == 1
        if self._single_output_:
            target = target[:, None]
        return target, target.shape[1], {"criterion": nn.MSELoss}

    def _fit_module(self, X, target, n_outputs, **kwargs):
        """Train the network on ``target`` and read its first layer into
        ``positive_coef_``, ``negative_coef_`` and ``formulas_``."""
        self._train(
            X,
            target,
            n_outputs,
            penalty_weight=self.alpha,
            augment=self._augmentation(),
            lr_schedule=self.lr_schedule,
            **kwargs,
        )
        self._set_coefficients()

    def _encode_classes(self, y):
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        if len(encoder.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in the "
                f"data, but the data contains only one class: {encoder.classes_[0]!r}."
            )
        self.classes_ = encoder.classes_
        return encoder.transform(y).astype(np.int64)

    def _standardize_targets(self, y):
        try:
            y = np.asarray(y, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise ValueError(
                f"{type(self).__name__} needs a numeric target y for regression, but y "
                f"holds non-numbers ({err}). For class labels use a classifier"
                + (' or task="classification".' if "task" in self.get_params() else ".")
            ) from err
        if not np.all(np.isfinite(y)):
            raise ValueError("Input y contains NaN or infinity.")
        # Divide by the largest magnitude first, so that targets of 1e160 do not
        # overflow the variance, nor targets of 1e-300 underflow it.
        peak = np.abs(y).max(axis=0)
        peak = np.where(peak > 0, peak, 1.0)
        unit = y / peak
        mean, scale = unit.mean(axis=0), unit.std(axis=0)
        scale = np.where(scale > 0, scale, 1.0)
        self._y_mean_, self._y_scale_ = mean * peak, scale * peak
        return ((unit - mean) / scale).astype(np.float32)

    def _hidden_sizes(self) -> tuple[int, ...]:
        """``hidden_layer_sizes`` as a tuple (one int is one layer)."""
        sizes = self.hidden_layer_sizes
        return (sizes,) if isinstance(sizes, (int, np.integer)) else tuple(sizes)

    def _initialize_module(self, module, X):
        # The paper's ND stack reads the raw indices; ReLU and tanh layers read
        # them standardized on the training data, as an MLP reads its bands.
        if module.activation != "nd":
            module.standardize_indices(X)

    def _build_network(
        self, n_features, n_indices, hidden, n_outputs, activation="relu", dropout=0.0,
        groups=None, n_components=None,
    ):  # fmt: skip
        return NDNetwork(
            n_features,
            n_indices,
            hidden,
            n_outputs,
            activation=activation,
            eps=self.eps,
            dropout=dropout,
            groups=groups,
            n_components=n_components,
        )

    def _first_layer_weights(self) -> tuple[np.ndarray, np.ndarray, float]:
        """The first ND layer's positive weights ``a`` and ``b`` (float64) and its ``eps``."""
        layer = self.module_.nd_layers[0]
        a, b = (t.detach().cpu().double().numpy() for t in layer.coefficients())
        return a, b, layer.eps

    def _set_coefficients(self) -> None:
        layer = self.module_.nd_layers[0]
        names = _band_names(self)
        if _stored_sparse(layer):
            self.positive_coef_, self.negative_coef_ = _sparse_pair_coefficients(layer)
            # Each row's one weight per side, on the pair (i, j), i < j: the
            # formula of the dense row, read off the pair's two bands alone.
            self.formulas_ = [
                readable_formula(np.array([p, 0.0]), np.array([0.0, n]), [names[i], names[j]],
                                 self._FORMULA_TOL)
                for (i, j), p, n in zip(
                    layer.pairs.tolist(), self.positive_coef_.data, self.negative_coef_.data
                )
            ]  # fmt: skip
            return
        a, b, _ = self._first_layer_weights()
        self.positive_coef_, self.negative_coef_, _ = normalized_weights(a, b)
        self.formulas_ = [
            readable_formula(p, n, names, self._FORMULA_TOL)
            for p, n in zip(self.positive_coef_, self.negative_coef_)
        ]

    def _cast(self, out: np.ndarray, X: np.ndarray) -> np.ndarray:
        return out.astype(X.dtype, copy=False)


class _HoldBandWeights(Callback):
    """From epoch ``start`` on, hold the broad bands' weights and train on the broad bands.

    The band weights of a first layer of broad bands settle early; the
    indices and the network on top keep learning. Held, the broad bands of
    the training data are computed once (``NormalizedDifference.broad_bands``)
    and a step costs what a step on ``n_groups`` bands costs, however many
    bands there are. The noise augmentation is drawn on the broad bands, at
    exactly the distribution that per-band noise gives them. The band
    weights then get no gradient, so Adam leaves them as they are. The layer
    is back to reading bands when training ends.
    """

    def __init__(self, start: int, augment=None) -> None:
        self.start = start
        self.augment = augment

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        # The net's own hook has already opened this epoch's history row.
        if len(net.history) != self.start + 1:
            return
        layer = net.module_.nd_layers[0]
        sums, spread = layer.broad_bands(dataset_train.X)
        if self.augment is None:
            dataset_train.X = sums
        else:
            dataset_train.X = torch.cat([sums, spread], dim=-1)
            self.augment.summed = True
        if dataset_valid is not None:
            dataset_valid.X = layer.broad_bands(dataset_valid.X)[0]
        layer.takes_broad_bands = True

    def on_train_end(self, net, **kwargs):
        layer = net.module_.nd_layers[0]
        layer.takes_broad_bands = False


#: A pairwise first layer (one index per band pair, two non-zero weights an
#: index) with more weights than this stores ``positive_coef_`` and
#: ``negative_coef_`` as ``scipy.sparse.csr_array``: dense, 300 bands' 44,850
#: pairs would hold 215 MB of zeros.
_SPARSE_COEF_SIZE = 2**20


def _stored_sparse(layer) -> bool:
    """Whether the first layer's coefficients are stored sparse (see ``_SPARSE_COEF_SIZE``)."""
    return (
        layer.form == "pairwise"
        and not layer.grouped
        and layer.out_features * layer.in_features > _SPARSE_COEF_SIZE
    )


def _sparse_pair_coefficients(layer):
    """``positive_coef_``, ``negative_coef_`` of a pairwise layer, as CSR arrays.

    Index ``k`` reads ``(r x_i - x_j) / (r x_i + x_j)``: normalized so its
    weights sum to 1, ``r / (r + 1)`` on band ``i`` and ``1 / (r + 1)`` on ``j``.
    """
    # exp in the layer's dtype, as the dense path's coefficients() takes it.
    ratio = layer.log_ratio.detach().cpu().exp().double().numpy()
    pairs = layer.pairs.cpu().numpy()
    rows, shape = np.arange(len(ratio)), (len(ratio), layer.in_features)
    total = ratio + 1.0
    positive = sparse.csr_array((ratio / total, (rows, pairs[:, 0])), shape=shape)
    negative = sparse.csr_array((1.0 / total, (rows, pairs[:, 1])), shape=shape)
    return positive, negative


def is_classification_target(y) -> bool:
    return type_of_target(y) in ("binary", "multiclass")
