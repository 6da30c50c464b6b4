"""The one private base behind every torch-backed sknd estimator.

It owns what each estimator would otherwise repeat: seeding from
``random_state``, thread count, dtypes, the device, the training recipe
(schedule, early stopping, convergence and interrupt reports) and float64
inference. The net that runs the loop is in ``sknd._loop``. Estimators only
say which module to build and which loss to train it with.
"""

from __future__ import annotations

import copy
import threading
from typing import ClassVar

import numpy as np
import torch
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from skorch.callbacks import EarlyStopping, LRScheduler
from skorch.helper import predefined_split

from ._loop import (
    _BatchIterator,
    _callback_objects,
    _fused_adam,
    _Net,
    _TensorData,
    _threads,
    stopping_rule_fired,
)
from ._params import Callbacks, Device, Integral, Interval, ParamsMixin, Real, StrOptions
from ._warnings import warn_user
from .nn import SeededDropout

__all__ = ["TorchEstimator"]

# Models below this many parameters train faster on one thread than on many:
# per-batch work is too small to amortize thread synchronization.
_SMALL_MODEL = 100_000
# Held while a fit seeds torch's global generator and builds its module.
_GLOBAL_GENERATOR = threading.Lock()
# Inference runs in chunks of at most this many rows, fewer where a module
# says a row takes more than _INFERENCE_BYTES / _CHUNK, so memory stays bounded.
_CHUNK = 65_536
_INFERENCE_BYTES = 2**30


def _chunk_rows(module) -> int:
    """Rows per inference chunk: ``_CHUNK``, or as many as ``_INFERENCE_BYTES`` holds."""
    per_row = getattr(module, "inference_bytes_per_row", None)
    if per_row is None:
        return _CHUNK
    return int(max(1, min(_CHUNK, _INFERENCE_BYTES // max(per_row(), 1))))


def _inference_device(name) -> torch.device:
    """The device to predict on: ``name``, or the CPU with a warning when this
    machine lacks it (a model fitted on a GPU and unpickled elsewhere)."""
    device = torch.device(name)
    if device.type == "cpu":
        return device
    backend = getattr(torch, device.type, None)
    if backend is not None and backend.is_available():
        return device
    warn_user(
        f"This model was set to run on device={str(name)!r}, which this machine lacks; "
        "predicting on the CPU (same results, in float64). Set device='cpu' to silence this.",
        UserWarning,
    )
    return torch.device("cpu")


def _copy_callback(callback):
    """What ``sklearn.base.clone`` makes of a callback, or a shallow copy when its
    state cannot be copied (a lock, an open writer): the copy then shares it."""
    try:
        return clone(callback, safe=False)
    except TypeError:
        return copy.copy(callback)


class TorchEstimator(ParamsMixin, BaseEstimator):
    """Training and inference shared by sknd's torch estimators.

    Subclasses implement ``_build_module(n_features, n_outputs)`` (and
    optionally ``_initialize_module``), declare their own parameters by
    merging ``_parameter_constraints``, call ``self._validate_params()`` first
    in ``fit`` and then :meth:`_train` with float arrays and what their loss
    needs (criterion, penalty weight, augmentation).
    """

    #: The training parameters every subclass has.
    _parameter_constraints: ClassVar[dict] = {
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "device": [Device()],
        "verbose": ["verbose"],
        "callbacks": [None, Callbacks()],
    }

    #: ``batch_size="auto"`` is ``min(_AUTO_BATCH_SIZE, n_samples)``.
    _AUTO_BATCH_SIZE = 200

    def _max_epochs(self, n_features: int) -> int:
        """The epoch budget of a fit on ``n_features`` columns: ``max_epochs``."""
        return self.max_epochs

    def _seeds(self) -> tuple[int, int]:
        rng = check_random_state(self.random_state)
        return tuple(int(s) for s in rng.randint(0, 2**31 - 1, size=2))

    def _train(
        self,
        X: np.ndarray,
        y: np.ndarray,
        n_outputs: int,
        *,
        criterion: type[torch.nn.Module],
        penalty_weight: float = 0.0,
        augment=None,
        augment_valid: bool = False,
        stratify=None,
        lr_schedule: str = "constant",
        module_options: dict | None = None,
    ):
        """Fit a new module on float arrays; sets ``module_``, ``history_``, ``n_iter_``.

        What differs between estimators comes in as arguments: the loss
        ``criterion`` (a class), the weight ``penalty_weight`` of
        ``module_.sparsity_penalty()``, ``augment(X, y, generator) -> (X, y)``
        for training batches (and validation batches with ``augment_valid``),
        the labels to ``stratify`` the validation split on, and
        ``lr_schedule`` ("cosine" anneals ``lr`` to 0 over ``max_epochs``).
        The module comes from ``self._build_module(n_features, n_outputs,
        **module_options)`` (what fit derived from the data, e.g. band groups)
        and ``self._initialize_module(module, X_train)``; the rest of the
        recipe (``lr``, ``batch_size``, ``max_epochs``, ``early_stopping``,
        ``callbacks``, ...) are the parameters every subclass declares.
        """
        init_seed, data_seed = self._seeds()
        max_epochs = self._max_epochs(X.shape[1])
        device = torch.device(self.device)
        Xt = torch.tensor(X, dtype=torch.float32, device=device)
        yt = torch.tensor(y, dtype=torch.long if y.dtype.kind in "iu" else torch.float32)
        yt = yt.to(device)
        Xt, yt, valid = self._split(Xt, yt, stratify, data_seed)
        # torch.nn initializes layers from the global generator, which threads
        # share: one fit at a time seeds it and builds, so fits in threads
        # reproduce fits in sequence (and the caller's state is left as it was).
        with _GLOBAL_GENERATOR, torch.random.fork_rng(devices=[]):
            torch.manual_seed(init_seed)
            module = self._build_module(X.shape[1], n_outputs, **(module_options or {}))
        module = module.to(device)
        self._initialize_module(module, Xt)
        batch_size = self.batch_size
        if batch_size == "auto":
            batch_size = min(self._AUTO_BATCH_SIZE, len(Xt))
        optimizer_options = {"optimizer__fused": True} if _fused_adam(device.type) else {}
        net = _Net(
            module=module,
            criterion=criterion,
            optimizer=torch.optim.Adam,
            **optimizer_options,
            lr=self.lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            penalty_weight=penalty_weight,
            iterator_train=_BatchIterator,
            iterator_train__shuffle=True,
            iterator_train__generator=torch.Generator().manual_seed(data_seed),
            iterator_train__augment=augment,
            iterator_valid=_BatchIterator,
            # Self-supervised targets only exist after augmentation; a fixed
            # seed keeps the validation loss comparable across epochs.
            iterator_valid__augment=augment if augment_valid else None,
            iterator_valid__seed=data_seed + 1,
            train_split=None if valid is None else predefined_split(valid),
            callbacks=[
                *self._phase_callbacks(module, augment, max_epochs),
                *self._callbacks(lr_schedule, max_epochs),
            ],
            # skorch's PrintLog formats every epoch's table even when
            # verbose=0 prints nothing (3% of a default fit): leave it out then.
            **({} if self.verbose else {"callbacks__print_log": None}),
            verbose=self.verbose,
            device=self.device,
        )
        n_params = sum(p.numel() for p in module.parameters())
        # Training draws only from private generators: the batch iterator's
        # (shuffling, augmentation) and, for dropout, one of its own.
        dropouts = [m for m in module.modules() if isinstance(m, SeededDropout)]
        for m in dropouts:
            m.generator = torch.Generator().manual_seed(data_seed + 2)
        try:
            with _threads(1 if n_params < _SMALL_MODEL and device.type == "cpu" else None):
                net.fit(_TensorData(Xt, yt), None)
        finally:
            for m in dropouts:
                m.generator = None
        self._finish(net, max_epochs)
        return self

    def _split(self, Xt, yt, stratify, seed):
        """The training tensors and, with ``early_stopping``, a seeded validation set."""
        if not self.early_stopping:
            return Xt, yt, None
        # Our own split, so the iterator sees plain tensors and it is seeded.
        n = len(Xt)
        n_valid = int(np.ceil(self.validation_fraction * n))
        if n_valid >= n:
            raise ValueError(
                "early_stopping needs samples left to train on after the validation "
                f"split: {n} samples with validation_fraction="
                f"{self.validation_fraction} leave none."
            )
        idx = np.arange(n)
        try:
            tr, va = train_test_split(idx, test_size=n_valid, random_state=seed, stratify=stratify)
        except ValueError:  # a class too small to stratify
            tr, va = train_test_split(idx, test_size=n_valid, random_state=seed)
        tr, va = torch.as_tensor(tr, device=Xt.device), torch.as_tensor(va, device=Xt.device)
        return Xt[tr], yt[tr], _TensorData(Xt[va], yt[va])

    def _phase_callbacks(self, module, augment, max_epochs: int) -> list:
        """Named callbacks that change how ``module`` trains partway through; none here."""
        return []

    def _callbacks(self, lr_schedule: str, max_epochs: int) -> list:
        """The user's callbacks (copies), then the schedule and the stopping rule."""
        # Users' callbacks are parameters: train on copies so a fit never changes them.
        user = [
            (cb[0], _copy_callback(cb[1])) if isinstance(cb, tuple) else _copy_callback(cb)
            for cb in self.callbacks or []
        ]
        if any(isinstance(cb, LRScheduler) for cb in _callback_objects(user)):
            lr_schedule = "constant"  # the user's own schedule replaces ours
        ours = []
        if lr_schedule == "cosine":
            scheduler = torch.optim.lr_scheduler.CosineAnnealingLR
            ours.append(("sknd_lr_schedule", LRScheduler(scheduler, T_max=max_epochs)))
        # A cosine schedule fixes the length of training; the training-loss
        # rule would cut it short while the rate is still high.
        if self.early_stopping or lr_schedule != "cosine":
            stopper = EarlyStopping(
                monitor="valid_loss" if self.early_stopping else "train_loss",
                patience=self.n_iter_no_change,
                threshold=self.tol,
                threshold_mode="abs",
                load_best=self.early_stopping,
                sink=print,
            )
            ours.append(("sknd_early_stopping", stopper))
        return [*user, *ours]

    def _finish(self, net, max_epochs: int) -> None:
        """Keep the trained module, or report an interrupted or unconverged fit."""
        if net.interrupted_:
            # Interrupted by the user (skorch would return a half-trained
            # net as if fitted): stop here, and leave nothing that looks fitted.
            self._forget_fit()
            raise KeyboardInterrupt(
                f"{type(self).__name__}.fit was interrupted in epoch {len(net.history)} of "
                f"{max_epochs}; the estimator is left unfitted."
            )
        # Inference in float64 on the CPU: outputs then do not depend on the
        # batch size, and the pickled estimator loads on machines without a GPU.
        self.module_ = net.module_.to("cpu", torch.float64).eval()
        self.history_ = net.history
        self.n_iter_ = len(net.history)
        rules = [cb for cb in _callback_objects(net.callbacks_) if isinstance(cb, EarlyStopping)]
        stopped = stopping_rule_fired(rules)
        if rules and self.n_iter_ >= max_epochs and not stopped:
            watched = ", ".join(sorted({cb.monitor for cb in rules}))
            warn_user(
                f"{type(self).__name__} reached max_epochs={max_epochs} while {watched} "
                "was still improving by more than tol: training has not converged. Raise "
                "max_epochs (or tol).",
                ConvergenceWarning,
            )

    def _forget_fit(self) -> None:
        """Remove fitted attributes (those ending in ``_``), as before any fit."""
        for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
            delattr(self, name)

    def _initialize_module(self, module, X: torch.Tensor) -> None:
        """Data-dependent initialization from the training inputs; none by default."""

    def _forward(self, X: np.ndarray, method: str = "forward") -> np.ndarray:
        """Run ``module_.<method>`` on ``X`` in float64; returns float64 numpy."""
        module = self.module_
        device = _inference_device(self.device)
        if device.type != "cpu":
            module = copy.deepcopy(module).to(device)
        outs = []
        rows = _chunk_rows(module)
        with torch.no_grad():
            for start in range(0, max(len(X), 1), rows):
                xb = torch.tensor(X[start : start + rows], dtype=torch.float64, device=device)
                outs.append(getattr(module, method)(xb).cpu().numpy())
        return np.concatenate(outs)
