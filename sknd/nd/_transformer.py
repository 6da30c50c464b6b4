"""NDIndexTransformer: learned normalized-difference indices as features for any model.

The estimator only: training is the shared recipe of ``._base`` and
``sknd._training``, the formulas it writes come from ``._formulas``. Imports torch (through
its bases); never imported by the torch-free modules (``_pairs``, ``catalogue``,
the classical filters).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np
from sklearn.base import TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._docs import fill_doc
from .._params import Interval, Real, StrOptions, _check_feature_names_in, estimator_init
from .._validation import unit_peak_rows
from ._base import TRAINING_DEFAULTS, NDEstimator, is_classification_target
from ._formulas import catalogue_entries, export_names, index_weights

# Sums of products beyond these magnitudes risk overflow or lost precision.
_SAFE_MAX, _SAFE_MIN = 1e280, 1e-280

__all__ = ["NDIndexTransformer"]


@fill_doc
class NDIndexTransformer(TransformerMixin, NDEstimator):
    """Learn normalized-difference indices supervised by a target.

    Each index is ``sum_i (a_i - b_i) x_i / (sum_i (a_i + b_i) |x_i|)`` with
    learned positive band weights: NDVI is ``a = e_NIR, b = e_red``. The indices
    are trained with a temporary head on ``y`` (a small ReLU network on the
    standardized indices, ``hidden_layer_sizes``; cross-entropy for class
    labels, squared error for continuous targets), then ``transform`` returns
    them alone, in [-1, 1], exactly invariant to scaling a sample's bands by
    any ``c > 0`` (illumination). Put it before any model in a ``Pipeline``.

    Parameters
    ----------
    n_indices : int, default=8
        Number of indices to learn.
    task : {"auto", "classification", "regression"}, default="auto"
        What the indices are trained to predict: class labels (cross-entropy)
        or a continuous target (squared error). ``"auto"`` reads it from the
        dtype of ``y``: floats are a continuous target, anything else (ints,
        strings, bools) class labels. Say it when the dtype does not, e.g.
        ``"regression"`` for counts stored as ints.
    hidden_layer_sizes : tuple of int, default=(64, 64)
        Hidden ReLU layers of the training head, which is discarded after
        ``fit``. A nonlinear head lets the indices separate classes that no
        single threshold does, which suits the nonlinear models put after
        them; ``()`` trains them for a linear head. A head this wide costs
        little (it reads only ``n_indices`` inputs), and it gave a random
        forest after the indices more accuracy under per-band noise than
        (32, 16) did (user guide).
    dropout : float, default=0.3
        In training, each index is zeroed with this probability before the
        head reads it (``torch.nn.Dropout``), so every index has to carry
        information on its own. That is what a random forest after the
        transformer needs: each of its splits looks at one index, chosen from
        a few. ``0`` trains the indices as a team.
    {params: alpha, max_epochs, batch_size, lr, lr_schedule, early_stopping}
    {params: validation_fraction, n_iter_no_change, tol, noise, eps, wavelengths}
    {params: random_state}
    {params: device, verbose, callbacks}

    Attributes
    ----------
    {attrs: positive_coef_, negative_coef_, formulas_}
    module_ : sknd.nn.NDNetwork
        The trained network (float64, CPU) including its training head;
        ``transform`` uses only its first layer. For exact formulas that
        travel to other tools, see :meth:`export_indices`.
    {attrs: history_, n_iter_}
    task_ : {"classification", "regression"}
        The task trained for (``task``, or what ``"auto"`` chose).
    classes_ : ndarray
        Class labels, when fitted on a classification target.
    {attrs: n_features_in_, feature_names_in_}

    Examples
    --------
    >>> from sknd import NDIndexTransformer
    >>> from sknd.datasets import make_spectral_classification
    >>> X, y = make_spectral_classification(n_samples=300, random_state=0)
    >>> nd = NDIndexTransformer(n_indices=3, max_epochs=20, random_state=0)
    >>> Z = nd.fit_transform(X, y)
    >>> Z.shape, bool(abs(Z).max() <= 1)
    ((300, 3), True)
    """

    _parameter_constraints: ClassVar[dict] = {
        **NDEstimator._parameter_constraints,
        "task": [StrOptions({"auto", "classification", "regression"})],
        "dropout": [Interval(Real, 0, 1, closed="left")],
    }

    __init__ = estimator_init(
        "n_indices",
        n_indices=8,
        task="auto",
        hidden_layer_sizes=(64, 64),
        dropout=0.3,
        **{**TRAINING_DEFAULTS, "max_epochs": 200},
    )

    def _build_module(self, n_features, n_outputs):
        return self._build_network(
            n_features, self.n_indices, self._hidden_sizes(), n_outputs, dropout=self.dropout
        )

    def fit(self, X, y):
        """Learn ``n_indices`` indices from bands ``X`` and target ``y``."""
        self._validate_params()
        X, y = self._validate_fit(X, y)
        self.task_ = self.task if self.task != "auto" else _task_of(y)
        target, n_outputs, loss = self._prepare_target(y, self.task_ == "classification")
        self._fit_module(X, target, n_outputs, **loss)
        return self

    def transform(self, X):
        """The learned indices of ``X``, shape (n_samples, n_indices), in [-1, 1]."""
        X = self._validate_predict(X)
        return self._cast(self._indices(X), X)

    def _indices(self, X: np.ndarray) -> np.ndarray:
        """The first layer in numpy, as the exported formulas: ``(X A) / (|X| D)``.

        One pass of two small products instead of torch's per-row scaling: the
        index is homogeneous of degree 0, so only rows whose sums leave
        float64's comfortable range (a magnitude near 1e+300 or 1e-300, or all
        zeros) are redone at unit peak, as the layer does.
        """
        num_w, den_w = index_weights(*self._first_layer_weights())
        # The factor 1 + 1e-14 outweighs the rounding of both sums (about
        # 1e-15 for a few bands), so |num| < den: the result is in [-1, 1]
        # unclipped.
        num_w, den_w = num_w.T, den_w.T * (1.0 + 1e-14)
        X64 = np.asarray(X, dtype=np.float64)
        # Reflectances are non-negative, and then |X| = X: checking costs less
        # than the pass of abs it saves.
        num = X64 @ num_w
        den = (X64 if X64.size and X64.min() >= 0 else np.abs(X64)) @ den_w
        # |num| <= den: the smallest and largest den tell whether any row needs
        # the careful path (a zero row, or sums near float64's limits).
        if den.size and not _SAFE_MIN < den.min() <= den.max() < _SAFE_MAX:
            with np.errstate(invalid="ignore"):
                redo = ~((den > _SAFE_MIN) & (den < _SAFE_MAX)).all(axis=1)
            Z = unit_peak_rows(X64[redo])[0]
            num[redo], den[redo] = Z @ num_w, np.abs(Z) @ den_w
            out = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
        else:
            out = np.divide(num, den, out=num)
        return out

    def export_indices(
        self,
        band_names: Sequence[str] | None = None,
        *,
        prefix: str = "ND",
        application_domain: str = "vegetation",
        nonnegative: bool = False,
        platforms: Sequence[str] = (),
        contributor: str = "sknd",
    ) -> list[dict]:
        """The learned indices as Awesome Spectral Indices catalogue entries.

        Each entry's ``formula`` is plain band math (band names as variables,
        ``+ - * /`` and ``abs``) that reproduces :meth:`transform` to rounding
        error, so a learned index can go where only formulas travel: Earth
        Engine's ``Image.expression``, a GIS raster calculator, ``numexpr``, or
        ``eval`` on numpy arrays. The denominator stabilizer ``eps`` is part of
        the formula: relative to the mean band magnitude, it adds
        ``eps / n_features`` to every denominator weight. Coefficients are
        printed with all the digits a float64 needs to round-trip.

        Parameters
        ----------
        band_names : list of str, optional
            A variable name per input band, in column order, e.g. the
            catalogue's ``["B", "G", "R", "N", "S1", "S2"]``. Defaults to the
            DataFrame's column names, or ``x0``, ``x1``, ... Names must be valid
            identifiers.
        prefix : str, default="ND"
            ``short_name`` of index ``k`` is ``f"{prefix}{k}"``.
        application_domain : str, default="vegetation"
            The catalogue's domain to file the indices under ("vegetation",
            "water", "burn", "snow", "urban", "soil", ...).
        nonnegative : bool, default=False
            Leave ``abs`` out of the denominator, like the catalogue's classical
            indices. Exact only for band values >= 0 (reflectances): on
            negative values (surface reflectance with an offset, such as
            Landsat Collection 2 below 0) such a formula is unbounded and no
            longer equals ``transform``. Keep the default, or remove the
            offset first, where bands can go below 0.
        platforms : str or list of str, default=()
            Sensors that have the bands, e.g. ``["Sentinel-2"]`` (one string
            names one sensor).
        contributor : str, default="sknd"

        Returns
        -------
        list of dict
            One entry per index with the catalogue's keys: ``short_name``,
            ``long_name``, ``bands``, ``application_domain``, ``reference``,
            ``formula``, ``date_of_addition``, ``contributor`` and
            ``platforms``. A sample whose bands are all 0 gives ``0/0`` in the
            formula and 0 from :meth:`transform`.

        Examples
        --------
        >>> import numpy as np
        >>> from sknd import NDIndexTransformer
        >>> from sknd.datasets import make_spectral_classification
        >>> X, y = make_spectral_classification(n_samples=200, as_frame=True, random_state=0)
        >>> nd = NDIndexTransformer(n_indices=2, max_epochs=5, random_state=0).fit(X, y)
        >>> entry = nd.export_indices(platforms=["Sentinel-2"])[0]
        >>> entry["short_name"], entry["bands"][:3]
        ('ND0', ['B2', 'B3', 'B4'])
        >>> value = eval(entry["formula"], {"abs": np.abs}, dict(X.items()))
        >>> bool(np.allclose(value, nd.transform(X)[:, 0], rtol=0, atol=1e-12))
        True
        """
        check_is_fitted(self, "module_")
        names = export_names(self, band_names)
        a, b, eps = self._first_layer_weights()
        return catalogue_entries(
            a,
            b,
            eps,
            names,
            prefix=prefix,
            application_domain=application_domain,
            nonnegative=nonnegative,
            platforms=platforms,
            contributor=contributor,
        )

    def get_feature_names_out(self, input_features=None):
        """``nd0``, ``nd1``, ...: one name per learned index."""
        check_is_fitted(self, "module_")
        _check_feature_names_in(self, input_features)
        return np.asarray([f"nd{k}" for k in range(self.n_indices)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags


def _task_of(y) -> str:
    """``task="auto"``: float targets are continuous, other labels are classes."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1 and y.dtype.kind != "f":
        raise ValueError(
            f"NDIndexTransformer: y has {y.shape[1]} columns of {y.dtype} values, which "
            'task="auto" reads as class labels of several outputs; it trains on one column '
            'of class labels. Pass one column, or task="regression" to train on the '
            "columns as continuous targets."
        )
    if y.dtype.kind == "f" or not is_classification_target(y):
        return "regression"
    return "classification"
