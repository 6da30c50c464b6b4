"""Stacks of normalized-difference layers with a linear head."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import torch
from torch import nn

from .nd import NormalizedDifference

__all__ = ["NDNetwork"]


class NDNetwork(nn.Module):
    """ND layers like an MLP's hidden layers, then a linear head.

    The first layer reads the (positive) bands; later layers read the signed
    outputs of the previous one, which the ``|x|`` denominator keeps bounded.

    Parameters
    ----------
    in_features : int
    hidden_layer_sizes : sequence of int
        Width of each ND layer; at least one.
    out_features : int or None
        Width of the linear head; ``None`` for no head (the indices are the
        output, as in ``NDIndexTransformer``).
    eps : float
        Passed to every :class:`NormalizedDifference` layer.

    Examples
    --------
    >>> import torch
    >>> from sknd.nn import NDNetwork
    >>> net = NDNetwork(10, (8, 4), 3)
    >>> net(torch.rand(5, 10)).shape, net.indices(torch.rand(5, 10)).shape
    (torch.Size([5, 3]), torch.Size([5, 4]))
    """

    def __init__(
        self,
        in_features: int,
        hidden_layer_sizes: Sequence[int],
        out_features: int | None,
        *,
        eps: float = 1e-6,
    ) -> None:
        super().__init__()
        sizes = [int(h) for h in hidden_layer_sizes]
        if not sizes or min(sizes) < 1:
            raise ValueError("hidden_layer_sizes needs at least one positive width.")
        widths = [in_features, *sizes]
        self.nd_layers = nn.ModuleList(
            NormalizedDifference(w_in, w_out, eps=eps) for w_in, w_out in pairwise(widths)
        )
        self.head = None if out_features is None else nn.Linear(sizes[-1], out_features)

    def indices(self, x: torch.Tensor) -> torch.Tensor:
        """Output of the last ND layer, before the head."""
        for layer in self.nd_layers:
            x = layer(x)
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.indices(x)
        return x if self.head is None else self.head(x)

    def sparsity_penalty(self) -> torch.Tensor:
        """Sum of the ND layers' scale-free sparsity penalties."""
        return sum(layer.sparsity_penalty() for layer in self.nd_layers)
