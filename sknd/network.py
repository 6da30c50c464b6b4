"""Classifiers and regressors built from stacked ND layers."""

from __future__ import annotations

import numpy as np
from scipy.special import softmax
from sklearn.base import ClassifierMixin, RegressorMixin
from torch import nn

from ._nd_base import NDEstimator

__all__ = ["NDClassifier", "NDRegressor"]

_PARAMS_DOC = """
    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(16, 16)
        Width of each ND layer. The first reads the bands; later ones read
        the signed outputs of the layer before, which stay bounded.
    alpha : float, default=1e-3
        Strength of the scale-free penalty that makes the ND units use fewer
        inputs.
    max_epochs : int, default=200
    batch_size : int or "auto", default="auto"
        ``"auto"`` is ``min(200, n_samples)``.
    lr : float, default=0.01
        Adam learning rate.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` and stop when its loss has not
        improved by ``tol`` for ``n_iter_no_change`` epochs, restoring the best
        weights; otherwise the training loss is watched the same way.
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=10
    tol : float, default=1e-4
    noise : float, default=0.0
        Multiplicative per-band noise ``1 + noise * N(0, 1)`` applied to
        training batches only.
    eps : float, default=1e-6
        Denominator stabilizer, relative to each sample's mean band magnitude.
    random_state : int, RandomState instance or None, default=None
    device : str, default="cpu"
    verbose : int, default=0
    callbacks : list of skorch callbacks, default=None
"""


class _NDNetworkEstimator(NDEstimator):
    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] = (16, 16),
        *,
        alpha: float = 1e-3,
        max_epochs: int = 200,
        batch_size: int | str = "auto",
        lr: float = 0.01,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        noise: float = 0.0,
        eps: float = 1e-6,
        random_state=None,
        device: str = "cpu",
        verbose: int = 0,
        callbacks: list | None = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.alpha = alpha
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.noise = noise
        self.eps = eps
        self.random_state = random_state
        self.device = device
        self.verbose = verbose
        self.callbacks = callbacks

    def _build_module(self, n_features, n_outputs):
        sizes = self.hidden_layer_sizes
        sizes = (sizes,) if isinstance(sizes, (int, np.integer)) else tuple(sizes)
        if not sizes or any(not isinstance(h, (int, np.integer)) or h < 1 for h in sizes):
            raise ValueError(
                f"hidden_layer_sizes must be positive integers, got {self.hidden_layer_sizes!r}."
            )
        return self._build_network(n_features, sizes, n_outputs)


class NDClassifier(ClassifierMixin, _NDNetworkEstimator):
    __doc__ = (
        """Classifier on learned normalized-difference layers.

    Like :class:`~sklearn.neural_network.MLPClassifier`, with ND layers in
    place of affine + ReLU layers and a linear softmax head. Its predictions
    are exactly invariant to scaling a sample's bands by any ``c > 0`` and it
    needs a fraction of an MLP's parameters.
"""
        + _PARAMS_DOC
        + """
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    positive_coef_, negative_coef_ : ndarray of shape (n_units, n_features)
        Normalized band weights of the first ND layer.
    formulas_ : list of str
        Readable band math of the first layer's units.
    module_, history_, n_iter_, n_features_in_, feature_names_in_

    Examples
    --------
    >>> from sknd import NDClassifier
    >>> from sknd.datasets import make_spectral_classification
    >>> X, y = make_spectral_classification(n_samples=400, random_state=0)
    >>> clf = NDClassifier(max_epochs=30, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 4)
    """
    )

    @staticmethod
    def _is_classification_estimator() -> bool:
        return True

    def _criterion(self):
        return nn.CrossEntropyLoss

    def fit(self, X, y):
        """Fit the network to bands ``X`` and class labels ``y``."""
        X, y = self._validate_fit(X, y)
        target = self._encode_classes(y)
        self._train(X, target, len(self.classes_), stratify=target)
        self._set_coefficients()
        return self

    def decision_function(self, X):
        """Logits of the head, shape (n_samples, n_classes) (n_samples for two)."""
        X = self._validate_predict(X)
        logits = self._forward(X)
        if len(self.classes_) == 2:
            logits = logits[:, 1] - logits[:, 0]
        return self._cast(logits, X)

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes)."""
        X = self._validate_predict(X)
        return self._cast(softmax(self._forward(X), axis=1), X)

    def predict(self, X):
        """Most probable class of each sample."""
        X = self._validate_predict(X)
        return self.classes_[np.argmax(self._forward(X), axis=1)]


class NDRegressor(RegressorMixin, _NDNetworkEstimator):
    __doc__ = (
        """Regressor on learned normalized-difference layers.

    The ND layers of :class:`NDClassifier` with a linear head for continuous
    targets (leaf area index, biomass, ...); targets are standardized for
    training and predictions returned in their units. Multi-output ``y`` works.
"""
        + _PARAMS_DOC
        + """
    Attributes
    ----------
    positive_coef_, negative_coef_ : ndarray of shape (n_units, n_features)
    formulas_ : list of str
    module_, history_, n_iter_, n_features_in_, feature_names_in_

    Examples
    --------
    >>> import numpy as np
    >>> from sknd import NDRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(0.1, 1, size=(300, 4))
    >>> y = (X[:, 0] - X[:, 1]) / (X[:, 0] + X[:, 1])
    >>> reg = NDRegressor(hidden_layer_sizes=(4,), max_epochs=200, random_state=0)
    >>> bool(reg.fit(X, y).score(X, y) > 0.9)
    True
    """
    )

    def _criterion(self):
        return nn.MSELoss

    def fit(self, X, y):
        """Fit the network to bands ``X`` and targets ``y``."""
        X, y = self._validate_fit(X, y)
        target = self._standardize_targets(y)
        self._single_output = target.ndim == 1
        if self._single_output:
            target = target[:, None]
        self._train(X, target, target.shape[1])
        self._set_coefficients()
        return self

    def predict(self, X):
        """Predicted targets, in the units of the training ``y``."""
        X = self._validate_predict(X)
        out = self._forward(X) * self._y_scale + self._y_mean
        return self._cast(out[:, 0] if self._single_output else out, X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
