"""SparseBNDenoiser: a DnCNN-style network with (sparse) batch norm, as an estimator.

The estimator only: the torch network is ``sknd.nn.DenoisingCNN1d``, the
label-free modes are ``_self_supervised``. The one module of ``sknd.denoise``
that imports torch; the package loads it on first use.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import ClassVar

import numpy as np
from sklearn.base import OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted

from .._docs import fill_doc
from .._params import (
    Integral,
    Interval,
    OddInt,
    Options,
    Real,
    StrOptions,
    _check_feature_names,
    _check_sample_weight,
    estimator_init,
    renamed,
    wrap_output,
)
from .._training import TorchEstimator
from .._validation import FLOATS
from ..metrics import psnr
from ..nn import DenoisingCNN1d
from ..nn.cnn1d import _FORMER_P, receptive_field
from ._self_supervised import SELF_SUPERVISED
from ._signal import NOISE_MIN_LENGTH, SignalMixin, estimate_noise, mad_bias_factor
from ._training_data import MaskedMSE, RandomCrops, decade

__all__ = ["SparseBNDenoiser"]


@fill_doc
class SparseBNDenoiser(
    SignalMixin,
    OneToOneFeatureMixin,
    TransformerMixin,
    TorchEstimator,
    # transform names its own output columns: their number follows the input's.
    auto_wrap_output_keys=None,
):
    """1-D denoising CNN with fixed, unfixed or sparse batch norm.

    A DnCNN-style residual network (conv, norm, ReLU blocks; zero-padded, so
    any signal length works) trained on rows of ``X``. With clean signals,
    ``fit(X, y)`` minimizes the squared error. Without them, ``fit(X)`` learns
    from the noisy signals alone: by default Recorrupted-to-Recorrupted with
    a MAD estimate of the noise level, or Noise2Self masking
    (``self_supervised="noise2self"``, which needs correlated neighbours and
    fails on i.i.d. spikes).

    Parameters
    ----------
    channels : int, default=32
        Feature channels of every hidden convolution.
    depth : int, default=6
        Convolutions in the network (at least 2).
    kernel_size : int, default=3
        Odd width of every convolution kernel.
    norm : {"batch", "sparse", "instance", "none"}, default="batch"
        ``"sparse"`` adds a learned per-channel shrinkage after each batch
        norm (see ``penalty``); ``"instance"`` uses each signal's own statistics in
        training and inference alike.
    penalty : {"l1", "l0", "l2", "gmc"}, default="l1"
        The sparse penalty ``R`` on latent features: ``norm="sparse"`` applies
        its proximal map, a learned per-channel shrinkage (soft threshold for
        "l1", hard for "l0", scaling for "l2", firm for the GMC penalty of
        Selesnick, 2017); ``lam`` weighs it in the loss (as ``mean |u|``, or
        ``mean u^2`` for "l2").
    lam : float, default=0.0
        Weight of the sparse penalty in the loss, ``lam * mean R(u)`` on the
        normalized latent features ``u``: the same ``lam`` as the classical
        filters' weight of their penalty.
    bn_mode : {"fixed", "unfixed"}, default="fixed"
        "fixed": running statistics at prediction (eval mode). "unfixed": the
        statistics of the batch being predicted (all rows given to
        ``predict``); outputs then depend on the other rows (batch norm's
        training behaviour at test time, Ioffe and Szegedy, 2015).
    prior : {None, "wiener"}, default=None
        Feed a differentiable local Wiener estimate as a second input channel.
    self_supervised : {"r2r", "noise2self", "sure"}, default="r2r"
        Rule used by ``fit(X)`` without clean signals. ``"sure"`` trains on
        Stein's unbiased risk estimate with a Monte-Carlo divergence (each
        batch runs twice, at ``y`` and at ``y + 0.05 sigma b``). It holds the
        network fixed, so a network that memorizes its data (crops of one
        recording) drives it below zero while its true error grows: use it on
        many signals.
    noise_std : float or "auto", default="auto"
        Noise std for Recorrupted-to-Recorrupted and SURE, the same for every
        signal.
        "auto" estimates each signal's own, in training and prediction alike:
        its MAD estimate (:func:`sknd.denoise.estimate_noise`) times the bias
        correction learned from all training signals
        (:func:`sknd.denoise.mad_bias_factor`).
    r2r_draws : int, default=8
        Recorruptions averaged at prediction after label-free R2R training.
    crop_length : int, optional
        Train on random crops of this many samples, drawn afresh for every
        batch (at least 1024 per epoch, the rows of ``X`` repeated to that
        many): one long recording then trains like a data set of signals. At
        least the receptive field, at most the signals' length. The network is
        convolutional, so it still denoises signals of any length.
    {params: max_epochs, batch_size, lr, early_stopping, validation_fraction}
    {params: n_iter_no_change, tol, random_state, device, verbose, callbacks}
    p : {0, 1, 2, "gmc"}, default="deprecated"
        Former name of ``penalty`` (0, 1 and 2 are "l0", "l1" and "l2"); still
        read, with a FutureWarning, until sknd 0.3.
    sparsity : float, default="deprecated"
        Former name of ``lam``; still read, with a FutureWarning, until sknd 0.3.

    Attributes
    ----------
    module_ : sknd.nn.DenoisingCNN1d
        The trained network, in float64 on the CPU.
    {attrs: history_, n_iter_}
    scale_ : float
        The power of ten that puts the training signals' std in [0.5, 5):
        signals are divided by it for the network and outputs multiplied
        back, so a model fitted in microvolts matches one fitted in volts.
    noise_std_ : float
        Typical noise std used by label-free R2R or SURE, in the signals' units (NaN
        otherwise).
    supervised_ : bool
        Whether ``fit`` had clean signals ``y``.
    n_features_in_ : int
        Length of the training signals (``predict`` accepts any length).
    {attrs: feature_names_in_}

    Examples
    --------
    >>> from sknd.datasets import make_spike_signals
    >>> from sknd.denoise import SparseBNDenoiser
    >>> X, y = make_spike_signals(200, random_state=0)
    >>> den = SparseBNDenoiser(channels=8, depth=3, max_epochs=2, random_state=0).fit(X, y)
    >>> den.predict(X[:3, :50]).shape
    (3, 50)
    """

    # With crop_length, an epoch draws at least this many crops.
    _CROPS_PER_EPOCH = 1024

    _parameter_constraints: ClassVar[dict] = {
        **TorchEstimator._parameter_constraints,
        "crop_length": [None, Interval(Integral, 1, None, closed="left")],
        "channels": [Interval(Integral, 1, None, closed="left")],
        "depth": [Interval(Integral, 2, None, closed="left")],
        "kernel_size": [OddInt()],
        "norm": [StrOptions({"batch", "sparse", "instance", "none"})],
        "penalty": [StrOptions({"l0", "l1", "l2", "gmc"})],
        "lam": [Interval(Real, 0, None, closed="left")],
        # Former names, accepted with a FutureWarning until sknd 0.3.
        "p": [Options(Integral, {0, 1, 2}), StrOptions({"gmc", "deprecated"})],
        "sparsity": [Interval(Real, 0, None, closed="left"), StrOptions({"deprecated"})],
        "bn_mode": [StrOptions({"fixed", "unfixed"})],
        "prior": [None, StrOptions({"wiener"})],
        "self_supervised": [StrOptions({"r2r", "noise2self", "sure"})],
        "noise_std": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
        "r2r_draws": [Interval(Integral, 1, None, closed="left")],
    }

    __init__ = estimator_init(
        ("channels", "depth", "kernel_size"),
        channels=32,
        depth=6,
        kernel_size=3,
        norm="batch",
        penalty="l1",
        lam=0.0,
        bn_mode="fixed",
        prior=None,
        self_supervised="r2r",
        noise_std="auto",
        r2r_draws=8,
        crop_length=None,
        max_epochs=30,
        batch_size=64,
        lr=2e-3,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        random_state=None,
        device="cpu",
        verbose=0,
        callbacks=None,
        p="deprecated",
        sparsity="deprecated",
    )

    @property
    def _min_length(self) -> int:
        # Shorter signals would be mostly zero padding: refuse them.
        try:
            window = 3 if self.prior == "wiener" else None
            return max(1, receptive_field(int(self.depth), int(self.kernel_size), window))
        except (TypeError, ValueError):  # bad parameters are reported by fit
            return 1

    def _build_module(self, n_features, n_outputs, penalty, lam):
        return DenoisingCNN1d(
            self.channels,
            self.depth,
            self.kernel_size,
            norm=self.norm,
            penalty=penalty,
            track_penalty=bool(lam),
            prior=self.prior,
        )

    def fit(self, X, y=None):
        """Learn from noisy ``X`` and clean ``y``, or from noisy ``X`` alone.

        With ``crop_length``, one long recording (or a few) is enough: every
        batch holds random crops of it.
        """
        self._validate_params()
        penalty = renamed(self, "p", "penalty", _FORMER_P.get)
        lam = renamed(self, "sparsity", "lam")
        if y is None:
            X = self._check_signals(X, reset=True)
            target = X
        else:
            X, target = self._check_signals(X, reset=True, y=y)
        # Train in a unit that makes the model independent of the signals'
        # unit (V, mV, uV): divide by the power of ten of their spread.
        self.scale_ = decade(X)
        X, target = X / self.scale_, target / self.scale_
        self.supervised_ = y is not None
        self.noise_std_ = np.nan
        # A label-free mode carries both its training pairs and its prediction rule.
        self._mode_ = None if self.supervised_ else SELF_SUPERVISED[self.self_supervised]()
        if self._mode_ is not None:
            sigma = self._fit_noise_levels(X) if self._mode_.needs_noise_std else None
            target = self._mode_.targets(X, sigma)
        augment = self._mode_
        if self.crop_length is not None:
            X, target, augment = self._crops(X, target)
        self._train(
            X,
            np.asarray(target, dtype=np.float32),
            1,
            criterion=getattr(self._mode_, "criterion", MaskedMSE),
            penalty_weight=lam,
            augment=augment,
            augment_valid=not self.supervised_,
            module_options={"penalty": penalty, "lam": lam},
        )
        # Fixed noise patterns for R2R prediction: batch-independent and seeded.
        self._predict_seed_ = int(self._seeds()[1])
        return self

    def _crops(self, X, target):
        """Rows repeated to at least ``_CROPS_PER_EPOCH``, cropped afresh in every batch."""
        length = X.shape[1]
        if not self._min_length <= self.crop_length <= length:
            raise ValueError(
                f"crop_length={self.crop_length} must lie between the network's receptive "
                f"field ({self._min_length} samples) and the signals' length ({length})."
            )
        rows = max(len(X), self._CROPS_PER_EPOCH)
        X = np.resize(X, (rows, length))
        target = np.resize(target, (rows, target.shape[1]))
        return X, target, RandomCrops(self.crop_length, self._mode_)

    def _fit_noise_levels(self, X):
        """Each training signal's noise std for the label-free modes; sets ``noise_std_``."""
        if self.noise_std == "auto" and X.shape[1] < NOISE_MIN_LENGTH:
            raise ValueError(
                f'SparseBNDenoiser(noise_std="auto") estimates each signal\'s noise from '
                f"pairs of samples and needs signals of at least {NOISE_MIN_LENGTH} samples; "
                f"X's signals have {X.shape[1]}. Pass noise_std, or clean signals as y."
            )
        if self.noise_std == "auto":
            # New signals at prediction get the same correction of their MAD.
            self._sigma_scale_ = mad_bias_factor(X)
        else:
            self._sigma_scale_ = None
        sigma = self._noise_levels(X)
        self.noise_std_ = float(np.median(sigma)) * self.scale_
        if not self.noise_std_ > 0:
            raise ValueError("The estimated noise level is 0: X looks noise-free. Pass noise_std.")
        return sigma

    def _noise_levels(self, X):
        """Noise std of each row of ``X``: fixed, or its corrected MAD estimate."""
        if self._sigma_scale_ is None:
            return np.full(len(X), float(self.noise_std) / self.scale_)
        return estimate_noise(X) * self._sigma_scale_

    @contextmanager
    def _batch_statistics(self):
        norms = self.module_.batch_norms()
        for m in norms:
            m.use_batch_stats = self.bn_mode == "unfixed"
        try:
            yield
        finally:
            for m in norms:
                m.use_batch_stats = False

    def set_output(self, *, transform=None):
        """Output container of ``transform``, ``predict`` and ``fit_transform``.

        As scikit-learn's ``set_output``: ``"default"`` (arrays), ``"pandas"``,
        ``"polars"``, or None to leave it unchanged. Signals of the training
        length get the columns of :meth:`get_feature_names_out`; signals of
        another length get a DataFrame's own string column names, else
        ``x0`` ... ``x{n-1}``.

        Returns
        -------
        self : SparseBNDenoiser
        """
        if transform is not None:
            self._sklearn_output_config = {
                **getattr(self, "_sklearn_output_config", {}),
                "transform": transform,
            }
        return self

    def transform(self, X):
        """Denoised signals, same shape as ``X`` (any length).

        float32 and float64 keep their dtype; other dtypes (integers, float16)
        come back as float64. Column names of a DataFrame are checked against
        the training ones only at the training length: at another length the
        columns are other sample positions.
        """
        check_is_fitted(self, "module_")
        signals = self._check_predict(X)
        dtype, signals = signals.dtype, signals / self.scale_
        with self._batch_statistics():
            mode = self._mode_
            if mode is None:
                out = self._forward(signals)
            else:
                sigma = self._noise_levels(signals) if mode.needs_noise_std else None
                out = mode.predict(
                    self._forward, signals, sigma, self._predict_seed_, self.r2r_draws
                )
        return wrap_output(
            self, (out * self.scale_).astype(dtype, copy=False), X, self._output_names(X)
        )

    def _output_names(self, X):
        n = np.shape(X)[1]
        if n == self.n_features_in_:
            return self.get_feature_names_out()
        columns = getattr(X, "columns", None)
        if columns is not None and all(isinstance(c, str) for c in columns):
            return np.asarray(columns, dtype=object)
        return np.asarray([f"x{i}" for i in range(n)], dtype=object)

    def _check_predict(self, X):
        # Fully convolutional: any length from the receptive field up, so the
        # feature-count check of validate_data does not apply, and names are
        # checked only at the training length.
        signals = check_array(X, dtype=FLOATS)
        if signals.shape[1] == self.n_features_in_:
            _check_feature_names(self, X, reset=False)
        self._check_length(signals)
        return signals

    def score(self, X, y, sample_weight=None):
        """Mean PSNR (dB) of the denoised ``X`` against the clean signals ``y``.

        With ``sample_weight``, the weighted mean of the signals' PSNRs. Each
        signal's PSNR is capped at 100 dB, and an all-zero clean signal raises
        (see :func:`sknd.metrics.psnr`).
        """
        X_checked = self._check_predict(X)
        y = check_array(y, dtype=np.float64)
        if y.shape != X_checked.shape:
            raise ValueError(
                f"y must hold the clean signals, with the shape of X {X_checked.shape}; "
                f"got {y.shape}."
            )
        per_signal = psnr(y, self.transform(X), average=False)
        if sample_weight is None:
            return float(per_signal.mean())
        weights = _check_sample_weight(sample_weight, X_checked)
        return float(np.average(per_signal, weights=weights))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags
