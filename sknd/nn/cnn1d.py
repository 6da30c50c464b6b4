"""1-D denoising modules: sparse batch norm, a local Wiener layer, a DnCNN-style net.

Pure torch: no numpy and no scikit-learn.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .._warnings import warn_renamed

__all__ = [
    "DenoisingCNN1d",
    "SparseBatchNorm1d",
    "WienerFilter1d",
    "penalty_power",
    "receptive_field",
    "shrink",
]

_PENALTIES = ("l0", "l1", "l2", "gmc")
# The former integer names of the penalties (``p``), accepted with a FutureWarning.
_FORMER_P = {0: "l0", 1: "l1", 2: "l2", "gmc": "gmc"}


def receptive_field(depth: int, kernel_size: int, wiener_window: int | None = None) -> int:
    """Samples of input that one output of :class:`DenoisingCNN1d` depends on."""
    extra = wiener_window - 1 if wiener_window else 0
    return depth * (kernel_size - 1) + 1 + extra


def _penalty(penalty, p, where: str) -> str:
    """``penalty``, or what the deprecated ``p`` meant (with a FutureWarning)."""
    if p is not None:
        if p not in _FORMER_P:
            raise ValueError(f"p must be one of {tuple(_FORMER_P)}, got {p!r}.")
        penalty = _FORMER_P[p]
        warn_renamed(where, "p", "penalty", penalty)
    if penalty not in _PENALTIES:
        raise ValueError(f"penalty must be one of {_PENALTIES}, got {penalty!r}.")
    return penalty


def penalty_power(penalty: str) -> float:
    """The power ``q`` of the loss penalty ``mean |u|^q`` that goes with a penalty."""
    return 2.0 if penalty == "l2" else 1.0


def shrink(u: torch.Tensor, tau: torch.Tensor, penalty: str = "l1", gamma: float = 0.5):
    """Proximal map of the penalty ``tau * R(u)``, elementwise (``tau`` per channel).

    ``"l1"`` (``R = |u|``): soft threshold. ``"l0"`` (the count of non-zeros):
    hard threshold (forward exact, ``tau`` learns through the soft threshold's
    gradient: a straight-through estimate, since the hard threshold's gradient
    in ``tau`` is zero almost everywhere). ``"gmc"`` (the GMC penalty of
    Selesnick, 2017): firm threshold with ``T1 = tau``, ``T2 = tau / gamma``.
    ``"l2"`` (``R = u^2``): the scaling ``u / (1 + 2 tau)``.
    """
    if penalty == "l1":
        return torch.sign(u) * F.relu(u.abs() - tau)
    if penalty == "l2":
        return u / (1.0 + 2.0 * tau)
    if penalty == "l0":
        soft = torch.sign(u) * F.relu(u.abs() - tau)
        hard = torch.where(u.abs() > tau, u, torch.zeros_like(u))
        return hard.detach() + soft - soft.detach()
    if penalty == "gmc":
        t2 = tau / gamma
        middle = torch.sign(u) * t2 * (u.abs() - tau) / (t2 - tau)
        outer = torch.where(u.abs() <= t2, middle, u)
        return torch.where(u.abs() <= tau, torch.zeros_like(u), outer)
    raise ValueError(f"penalty must be one of {_PENALTIES}, got {penalty!r}.")


class SparseBatchNorm1d(nn.BatchNorm1d):
    """Batch norm followed by an optional learned per-channel shrinkage, or a sparsity penalty.

    ``u = weight * x_hat + bias`` as in :class:`torch.nn.BatchNorm1d`, then the
    proximal map of ``tau * R(u)`` (see :func:`shrink`) with ``tau =
    softplus(rho)`` learned per channel when ``prox=True``. The mean
    ``|u|^q`` of the last forward pass (``q = 2`` for ``"l2"``, else 1) is
    kept in ``last_penalty`` for a loss penalty ``lam * mean |u|^q``.

    ``use_batch_stats=True`` normalizes with the current batch's statistics
    even in eval mode, without touching the running statistics (the
    "unfixed" mode of :class:`sknd.denoise.SparseBNDenoiser`).

    Parameters
    ----------
    num_features : int
    penalty : {"l1", "l0", "l2", "gmc"}, default="l1"
        The sparse penalty ``R`` whose proximal map is the shrinkage.
    prox : bool, default=True
    gamma : float, default=0.5
        The GMC penalty's convexity parameter (Selesnick, 2017), in (0, 1):
        the firm threshold's upper knee is ``tau / gamma``. Not batch norm's
        scale, which is ``weight``.
    momentum : float, default=0.1
    track_penalty : bool, default=False
    p : {0, 1, 2, "gmc"}, optional
        Deprecated name of ``penalty`` (0 is ``"l0"``, 1 ``"l1"``, 2 ``"l2"``).

    Examples
    --------
    >>> import torch
    >>> from sknd.nn import SparseBatchNorm1d
    >>> bn = SparseBatchNorm1d(4, penalty="l1")
    >>> bn(torch.randn(16, 4, 30)).shape
    torch.Size([16, 4, 30])
    """

    def __init__(
        self,
        num_features: int,
        *,
        penalty: str = "l1",
        prox: bool = True,
        gamma: float = 0.5,
        momentum: float = 0.1,
        track_penalty: bool = False,
        p=None,
    ) -> None:
        super().__init__(num_features, momentum=momentum)
        penalty = _penalty(penalty, p, "SparseBatchNorm1d")
        if not 0 < gamma < 1:
            raise ValueError(f"gamma must be in (0, 1), got {gamma}.")
        self.penalty = penalty
        self.gamma = gamma
        self.use_batch_stats = False
        self.track_penalty = track_penalty
        self.last_penalty = None
        # Thresholds start small (softplus(-3) ~ 0.05 of a unit-variance feature).
        self.rho = nn.Parameter(torch.full((num_features,), -3.0)) if prox else None

    @property
    def tau(self) -> torch.Tensor | None:
        return None if self.rho is None else F.softplus(self.rho)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.use_batch_stats and not self.training:
            u = F.batch_norm(x, None, None, self.weight, self.bias, True, 0.0, self.eps)
        else:
            u = super().forward(x)
        if self.rho is not None:
            u = shrink(u, self.tau[:, None], self.penalty, self.gamma)
        if self.track_penalty:
            self.last_penalty = u.abs().pow(penalty_power(self.penalty)).mean()
        return u


class WienerFilter1d(nn.Module):
    """Differentiable local Wiener filter, per signal and channel (``scipy.signal.wiener``).

    Local mean ``m`` and variance ``v`` over ``window`` samples (zero padding);
    noise power ``s2`` is the signal's mean local variance; output
    ``m + relu(v - s2) / max(v, s2) * (x - m)``, which equals scipy's
    ``m`` where ``v <= s2`` and ``m + (1 - s2 / v)(x - m)`` elsewhere.

    Examples
    --------
    >>> import numpy as np, scipy.signal, torch
    >>> from sknd.nn import WienerFilter1d
    >>> x = np.random.default_rng(0).standard_normal(40)
    >>> out = WienerFilter1d(5)(torch.tensor(x)[None, None])[0, 0].numpy()
    >>> bool(np.allclose(out, scipy.signal.wiener(x, 5)))
    True
    """

    def __init__(self, window: int = 3) -> None:
        super().__init__()
        if window < 1 or window % 2 == 0:
            raise ValueError(f"window must be an odd positive integer, got {window}.")
        self.window = window

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pad = self.window // 2
        mean = F.avg_pool1d(x, self.window, stride=1, padding=pad, count_include_pad=True)
        power = F.avg_pool1d(x * x, self.window, stride=1, padding=pad, count_include_pad=True)
        var = power - mean * mean
        s2 = var.mean(dim=-1, keepdim=True)
        gain = F.relu(var - s2) / torch.maximum(var, s2).clamp_min(torch.finfo(x.dtype).tiny)
        return mean + gain * (x - mean)


class DenoisingCNN1d(nn.Module):
    """DnCNN-style 1-D denoiser: predicts the noise and subtracts it.

    ``conv -> ReLU``, then ``depth - 2`` blocks of ``conv -> norm -> ReLU``,
    then ``conv`` to one channel; output ``x - net(x)``. Convolutions are zero
    padded ("same"), so any length works; the receptive field is
    ``depth * (kernel_size - 1) + 1`` samples.

    Parameters
    ----------
    channels : int
    depth : int
        Number of convolutions, at least 2.
    kernel_size : int
        Odd.
    norm : {"batch", "sparse", "instance", "none"}
        ``"sparse"`` is :class:`SparseBatchNorm1d` with a learned shrinkage;
        ``"instance"`` normalizes with each signal's own statistics (the same
        in training and inference).
    penalty : {"l1", "l0", "l2", "gmc"}
        The sparse penalty: its shrinkage for ``norm="sparse"``, and the power
        of the tracked loss penalty (see :class:`SparseBatchNorm1d`).
    track_penalty : bool
        Record ``mean |u|^q`` after each norm layer, for a loss penalty.
    prior : {None, "wiener"}
        ``"wiener"`` feeds the network a local Wiener estimate as a second
        input channel, a classical estimate the network can correct.
    wiener_window : int
    p : {0, 1, 2, "gmc"}, optional
        Deprecated name of ``penalty``.

    Examples
    --------
    >>> import torch
    >>> from sknd.nn import DenoisingCNN1d
    >>> net = DenoisingCNN1d(channels=8, depth=4)
    >>> net(torch.randn(2, 1, 50)).shape
    torch.Size([2, 1, 50])
    """

    def __init__(
        self,
        channels: int = 32,
        depth: int = 6,
        kernel_size: int = 3,
        *,
        norm: str = "batch",
        penalty: str = "l1",
        track_penalty: bool = False,
        prior: str | None = None,
        wiener_window: int = 3,
        p=None,
    ) -> None:
        super().__init__()
        penalty = _penalty(penalty, p, "DenoisingCNN1d")
        if norm not in ("batch", "sparse", "instance", "none"):
            raise ValueError(f"norm must be batch, sparse, instance or none; got {norm!r}.")
        if depth < 2 or kernel_size < 1 or kernel_size % 2 == 0 or channels < 1:
            raise ValueError("need depth >= 2, an odd kernel_size and channels >= 1.")
        if prior not in (None, "wiener"):
            raise ValueError(f'prior must be None or "wiener", got {prior!r}.')
        self.depth, self.kernel_size = depth, kernel_size
        self.prior = WienerFilter1d(wiener_window) if prior == "wiener" else None
        pad = kernel_size // 2
        in_channels = 2 if self.prior is not None else 1
        self.head = nn.Conv1d(in_channels, channels, kernel_size, padding=pad)
        blocks = []
        for _ in range(depth - 2):
            layers = [nn.Conv1d(channels, channels, kernel_size, padding=pad, bias=norm == "none")]
            if norm in ("batch", "sparse"):
                layers.append(
                    SparseBatchNorm1d(
                        channels,
                        penalty=penalty,
                        prox=norm == "sparse",
                        track_penalty=track_penalty,
                    )
                )
            elif norm == "instance":
                layers.append(nn.InstanceNorm1d(channels, affine=True))
            layers.append(nn.ReLU())
            blocks.append(nn.Sequential(*layers))
        self.blocks = nn.Sequential(*blocks)
        self.tail = nn.Conv1d(channels, 1, kernel_size, padding=pad)

    @property
    def receptive_field(self) -> int:
        window = self.prior.window if self.prior is not None else None
        return receptive_field(self.depth, self.kernel_size, window)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        squeeze = x.ndim == 2
        if squeeze:
            x = x[:, None, :]
        inp = x if self.prior is None else torch.cat([x, self.prior(x)], dim=1)
        h = F.relu(self.head(inp))
        out = x - self.tail(self.blocks(h))
        return out[:, 0] if squeeze else out

    def batch_norms(self) -> list[SparseBatchNorm1d]:
        return [m for m in self.modules() if isinstance(m, SparseBatchNorm1d)]

    def sparsity_penalty(self) -> torch.Tensor:
        """Mean ``|u|^p`` over the norm layers in the last forward pass."""
        values = [m.last_penalty for m in self.batch_norms() if m.last_penalty is not None]
        if not values:
            return self.tail.weight.new_zeros(())
        return torch.stack(values).mean()
