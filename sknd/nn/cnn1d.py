"""1-D denoising modules: sparse batch norm, a local Wiener layer, a DnCNN-style net.

Pure torch: no numpy and no scikit-learn.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["DenoisingCNN1d", "SparseBatchNorm1d", "WienerFilter1d", "receptive_field", "shrink"]

_PROX = (0, 1, 2, "gmc")


def receptive_field(depth: int, kernel_size: int, wiener_window: int | None = None) -> int:
    """Samples of input that one output of :class:`DenoisingCNN1d` depends on."""
    extra = wiener_window - 1 if wiener_window else 0
    return depth * (kernel_size - 1) + 1 + extra


def shrink(u: torch.Tensor, tau: torch.Tensor, p, gamma: float = 0.5) -> torch.Tensor:
    """Proximal map of ``tau |u|^p``, elementwise (``tau`` broadcasts per channel).

    ``p=1`` soft threshold; ``p=0`` hard threshold (forward exact, ``tau`` learns
    through the soft threshold's gradient: a straight-through estimate, since
    the hard threshold's gradient in ``tau`` is zero almost everywhere);
    ``"gmc"`` firm threshold with ``T1 = tau``, ``T2 = tau / gamma``;
    ``p=2`` the scaling ``u / (1 + 2 tau)``.
    """
    if p == 1:
        return torch.sign(u) * F.relu(u.abs() - tau)
    if p == 2:
        return u / (1.0 + 2.0 * tau)
    if p == 0:
        soft = torch.sign(u) * F.relu(u.abs() - tau)
        hard = torch.where(u.abs() > tau, u, torch.zeros_like(u))
        return hard.detach() + soft - soft.detach()
    if p == "gmc":
        t2 = tau / gamma
        middle = torch.sign(u) * t2 * (u.abs() - tau) / (t2 - tau)
        outer = torch.where(u.abs() <= t2, middle, u)
        return torch.where(u.abs() <= tau, torch.zeros_like(u), outer)
    raise ValueError(f"p must be one of {_PROX}, got {p!r}.")


class SparseBatchNorm1d(nn.BatchNorm1d):
    """Batch norm followed by an optional learned per-channel shrinkage, or a sparsity penalty.

    ``u = gamma * x_hat + beta`` as in :class:`torch.nn.BatchNorm1d`, then
    ``prox_{tau |.|^p}(u)`` with ``tau = softplus(rho)`` learned per channel when
    ``prox=True``. The mean ``|u|^p`` of the last forward pass is kept in
    ``last_penalty`` for a loss penalty ``Lambda * mean|u|^p`` (``p`` in (0, 2]).

    ``use_batch_stats=True`` normalizes with the current batch's statistics
    even in eval mode, without touching the running statistics: the seed
    study's "unfixed" mode.

    Examples
    --------
    >>> import torch
    >>> from sknd.nn import SparseBatchNorm1d
    >>> bn = SparseBatchNorm1d(4, p=1)
    >>> bn(torch.randn(16, 4, 30)).shape
    torch.Size([16, 4, 30])
    """

    def __init__(
        self,
        num_features: int,
        *,
        p=1,
        prox: bool = True,
        gamma: float = 0.5,
        momentum: float = 0.1,
        track_penalty: bool = False,
    ) -> None:
        super().__init__(num_features, momentum=momentum)
        if p not in _PROX:
            raise ValueError(f"p must be one of {_PROX}, got {p!r}.")
        if not 0 < gamma < 1:
            raise ValueError(f"gamma must be in (0, 1), got {gamma}.")
        self.p = p
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
            u = shrink(u, self.tau[:, None], self.p, self.gamma)
        if self.track_penalty:
            power = 1.0 if self.p in (0, "gmc") else float(self.p)
            self.last_penalty = u.abs().pow(power).mean()
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
    p : {0, 1, 2, "gmc"}
        Shrinkage for ``norm="sparse"``, and the power of the penalty.
    track_penalty : bool
        Record ``mean |u|^p`` after each norm layer, for a loss penalty.
    prior : {None, "wiener"}
        ``"wiener"`` feeds the network a local Wiener estimate as a second
        input channel, a classical estimate the network can correct.
    wiener_window : int

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
        p=1,
        track_penalty: bool = False,
        prior: str | None = None,
        wiener_window: int = 3,
    ) -> None:
        super().__init__()
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
                        channels, p=p, prox=norm == "sparse", track_penalty=track_penalty
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
