"""skorch's training loop, trimmed for small models: the net, its batches, augmentation.

What runs inside one fit: :class:`_Net` (skorch's ``NeuralNet`` plus the
module's penalty, a divergence check and a telling interrupt), batches as
tensor slices (:class:`_BatchIterator`), multiplicative noise, and the fused
Adam probe. Estimators never use these directly; ``sknd._training.TorchEstimator``
does. Must not import scikit-learn estimators.

The skorch internals :class:`_Net` relies on, all in this file: it overrides
``NeuralNet._zero_grad_optimizer``, ``_set_training``, ``run_single_epoch``
(a copy of skorch's loop with the same history records), ``train_step``,
``notify`` and ``fit_loop``, calls ``train_step_single``, ``_step_optimizer``
and ``get_all_learnable_params``, and reads ``_optimizers`` and
``EarlyStopping.misses_`` / ``patience``. ``SKORCH_INTERNALS`` lists them;
``tests/test_loop.py`` checks that the installed skorch still has each, and
pyproject.toml pins skorch below the next major version.
"""

from __future__ import annotations

import functools
import math
import threading
from contextlib import contextmanager

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping
from skorch.utils import TeeGenerator

__all__ = ["SKORCH_INTERNALS", "MultiplicativeNoise", "randn_like", "stopping_rule_fired"]

#: skorch's private names this module overrides, calls or reads (see above).
SKORCH_INTERNALS = {
    NeuralNet: (
        "_zero_grad_optimizer",
        "_set_training",
        "run_single_epoch",
        "train_step",
        "train_step_single",
        "_step_optimizer",
        "get_all_learnable_params",
        "notify",
        "fit_loop",
        "_optimizers",
    ),
    EarlyStopping: ("misses_", "patience"),
}


def stopping_rule_fired(callbacks) -> bool:
    """Whether one of skorch's ``EarlyStopping`` rules among ``callbacks`` ran out
    of patience (and so ended the fit), rather than the fit running to the end."""
    return any(cb.misses_ >= cb.patience for cb in callbacks if isinstance(cb, EarlyStopping))


@functools.cache
def _fused_adam(device_type: str) -> bool:
    """Whether this torch has a fused Adam for ``device_type``.

    The fused kernel updates every parameter in one pass; on small models it
    takes a third of the time of the default per-tensor loops (torch >= 2.4
    has it on the CPU).
    """
    try:
        weight = torch.zeros(1, device=device_type, requires_grad=True)
        torch.optim.Adam([weight], fused=True)
    except (RuntimeError, TypeError, ValueError):
        return False
    return True


class _TensorData(torch.utils.data.Dataset):
    """Tensors held whole, so batches are slices rather than per-sample fetches."""

    def __init__(self, X: torch.Tensor, y: torch.Tensor) -> None:
        self.X, self.y = X, y

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], self.y[i]


class _BatchIterator:
    """Yields ``(X, y)`` slices of a :class:`_TensorData`.

    Replaces torch's ``DataLoader``, whose per-sample indexing and collation
    cost about half of an epoch on small tabular models. Shuffling and the
    training-batch ``augment(X, y, generator) -> (X, y)`` draw from one seeded
    ``torch.Generator``; with ``seed``, every pass restarts from that seed
    instead (fixed validation noise).
    """

    def __init__(self, dataset, batch_size, shuffle=False, generator=None, augment=None, seed=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.augment = augment
        self.seed = seed

    def __len__(self) -> int:
        return -(-len(self.dataset) // self.batch_size)

    def __iter__(self):
        X, y = self.dataset.X, self.dataset.y
        n = len(X)
        generator = self.generator
        if self.seed is not None:
            generator = torch.Generator().manual_seed(self.seed)
        if self.shuffle:
            # One gather per epoch, then batches are views: cheaper than a
            # gather per batch, with the same batches.
            order = torch.randperm(n, generator=generator).to(X.device)
            X, y = X[order], y[order]
        for start in range(0, n, self.batch_size):
            Xb, yb = X[start : start + self.batch_size], y[start : start + self.batch_size]
            if self.augment is not None:
                Xb, yb = self.augment(Xb, yb, generator)
            yield Xb, yb


def randn_like(t: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Standard normal noise shaped like ``t``, drawn on the CPU generator."""
    return torch.randn(t.shape, generator=generator, dtype=t.dtype).to(t.device)


class MultiplicativeNoise:
    """Training augmentation ``X * (1 + s * N(0, 1))``, independently per band.

    Each row draws its own level ``s`` uniformly in ``[0, scale]``: the model
    sees clean spectra and noisy ones in one batch, which kept clean accuracy
    higher than one fixed level of the same robustness (see the user guide).

    With ``summed``, batches hold sums of bands instead: the sums ``B``, then
    the spread ``S = sqrt(sum of w^2 x^2)`` of each, and the noise is drawn
    on the sums, ``B + s * S * N(0, 1)``. Per-band noise summed with weights
    ``w`` has exactly that distribution, at one draw per sum instead of one
    per band.
    """

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self.summed = False

    def __call__(self, X, y, generator):
        level = self.scale * torch.rand((len(X), 1), generator=generator, dtype=X.dtype)
        level = level.to(X.device)
        if self.summed:
            sums, spread = X.chunk(2, dim=-1)
            return torch.addcmul(sums, level * spread, randn_like(sums, generator)), y
        return X * (1.0 + level * randn_like(X, generator)), y


class _Net(NeuralNet):
    """skorch's net plus the module's regularization and a divergence check.

    Private: the public estimators wrap it rather than subclass it, because
    skorch's nets do not pass scikit-learn's estimator checks.
    """

    #: A batch loss this many times the first one means training diverged,
    #: even while it stays finite.
    _DIVERGENCE_FACTOR = 1e4

    def __init__(self, *args, penalty_weight: float = 0.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.penalty_weight = penalty_weight
        self.interrupted_ = False
        self._first_loss = None
        self._listeners = {}

    @staticmethod
    def _diverged(what: str):
        raise FloatingPointError(f"Training diverged: {what}. Lower `lr`, or scale the inputs.")

    def fit_loop(self, X, y=None, **fit_params):
        # skorch stops training by raising KeyboardInterrupt from its
        # EarlyStopping, and swallows every KeyboardInterrupt in fit. Tell a
        # stopping rule from a user's interrupt, so that one is not mistaken
        # for a finished fit.
        try:
            return super().fit_loop(X, y, **fit_params)
        except KeyboardInterrupt:
            if not stopping_rule_fired(cb for _, cb in self.callbacks_):
                self.interrupted_ = True
            raise

    def initialize_module(self):
        super().initialize_module()
        # A module whose penalty is identically 0 (pairwise indices only)
        # says so, and the loss skips computing it every batch.
        self._penalized = getattr(self.module_, "has_sparsity_penalty", True)
        return self

    def initialize_callbacks(self):
        super().initialize_callbacks()
        self._listeners = {}
        return self

    def _listening(self, method_name) -> list:
        """The callbacks that override hook ``method_name``, found once per set of callbacks."""
        listeners = self._listeners.get(method_name)
        if listeners is None:
            noop = getattr(Callback, method_name, None)
            listeners = [
                getattr(cb, method_name)
                for _, cb in self.callbacks_
                if getattr(type(cb), method_name, None) is not noop
            ]
            self._listeners[method_name] = listeners
        return listeners

    def notify(self, method_name, **cb_kwargs):
        # skorch calls every callback's hook three times per batch, mostly
        # the base class's no-ops; call only the callbacks that override it.
        getattr(self, method_name)(self, **cb_kwargs)
        for hook in self._listening(method_name):
            hook(self, **cb_kwargs)

    def _zero_grad_optimizer(self, set_to_none=None):
        # What optimizer.zero_grad() does by default (set_to_none=True),
        # without the wrappers around it (torch.compile's disable guard and a
        # profiler record), which cost more than the loop on a small model.
        for name in self._optimizers:
            for group in getattr(self, name + "_").param_groups:
                for param in group["params"]:
                    if set_to_none is False and param.grad is not None:
                        param.grad.zero_()  # skorch's option to keep the tensors
                    else:
                        param.grad = None

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        # skorch's loop, with the same history records and notifications;
        # batches here are always (X, y) tensors, so a batch's size is len(X).
        if iterator is None:
            return
        record = self.history.record_batch
        batch_count = 0
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            record(prefix + "_loss", step["loss"].item())
            record(prefix + "_batch_size", len(batch[0]))
            self.notify("on_batch_end", batch=batch, training=training, **step)
            batch_count += 1
        self.history.record(prefix + "_batch_count", batch_count)

    def train_step(self, batch, **fit_params):
        # skorch hands the optimizer a closure, for optimizers such as LBFGS
        # that evaluate it several times. sknd trains with Adam, which calls
        # it once: step directly, and build the parameter generator of
        # on_grad_computed only when a callback (gradient clipping) reads it.
        self._zero_grad_optimizer()
        step = self.train_step_single(batch, **fit_params)
        if self._listening("on_grad_computed"):
            self.notify(
                "on_grad_computed",
                named_parameters=TeeGenerator(self.get_all_learnable_params()),
                batch=batch,
                training=True,
            )
        self._step_optimizer(None)
        return step

    def _set_training(self, training=True):
        # skorch sets the mode of every submodule before every batch; a
        # recursive walk that costs as much as a small layer's forward pass.
        # Only walk when the mode changes.
        if self.module_.training != training:
            super()._set_training(training)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        loss = super().get_loss(y_pred, y_true, X=X, training=training)
        if self.penalty_weight and self._penalized:
            loss = loss + self.penalty_weight * self.module_.sparsity_penalty()
        # skorch reads the value for its history anyway: checking the float
        # costs nothing, where torch.isfinite is one more operation per batch.
        value = loss.item()
        epoch = len(self.history)
        if not math.isfinite(value):
            self._diverged(f"the loss became {value} in epoch {epoch}")
        if training:
            if self._first_loss is None:
                self._first_loss = value
            if value > self._DIVERGENCE_FACTOR * max(self._first_loss, 1e-12):
                self._diverged(
                    f"the loss grew from {self._first_loss:.3g} to {value:.3g} in epoch {epoch}"
                )
        return loss


def _callback_objects(callbacks):
    """The callbacks of a skorch ``callbacks`` list, with or without names."""
    return [cb[1] if isinstance(cb, tuple) else cb for cb in callbacks]


_THREADS_LOCK = threading.Lock()
_THREADS_STATE = {"users": 0, "before": None}


@contextmanager
def _threads(n: int | None):
    """torch's intra-op threads set to ``n`` for the block (``None``: as they are).

    The setting is process-wide: with fits in several threads of one process,
    the first to enter sets it and the last to leave restores it, so no fit
    has its thread count changed under it midway.
    """
    if n is None:
        yield
        return
    with _THREADS_LOCK:
        if _THREADS_STATE["users"] == 0:
            _THREADS_STATE["before"] = torch.get_num_threads()
            torch.set_num_threads(n)
        _THREADS_STATE["users"] += 1
    try:
        yield
    finally:
        with _THREADS_LOCK:
            _THREADS_STATE["users"] -= 1
            if _THREADS_STATE["users"] == 0:
                torch.set_num_threads(_THREADS_STATE["before"])
