"""NDNetwork: a layer of learned indices, hidden layers on top, and a linear head.

Pure torch: no numpy and no scikit-learn.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import torch
from torch import nn

from .nd import NormalizedDifference

__all__ = ["NDNetwork"]

_ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh}


class SeededDropout(nn.Dropout):
    """``nn.Dropout`` that draws its masks from ``generator`` when one is set.

    torch's global generator is shared by every thread of a process: two fits
    in threads (``GridSearchCV`` under a threading backend) would interleave
    their draws. sknd's training loop sets ``generator`` to a seeded
    ``torch.Generator`` for the length of a fit and clears it after (a
    generator does not pickle); unset, this is ``nn.Dropout``.
    """

    generator: torch.Generator | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0 or self.generator is None:
            return super().forward(x)
        draws = torch.rand(x.shape, generator=self.generator, dtype=x.dtype).to(x.device)
        return x * (draws >= self.p) / (1.0 - self.p)


class NDNetwork(nn.Module):
    """Learned ND indices, an optional linear projection, hidden layers, a linear head.

    The first layer is always a :class:`NormalizedDifference` layer on the
    bands, so the whole network is exactly invariant to scaling a sample's
    bands by any ``c > 0`` and its first layer reads as band math. What
    follows reads the bounded indices: ordinary affine layers with ReLU or
    tanh, or (``activation="nd"``) more ND layers on the signed outputs of
    the one before, the stack of Lotfi et al. (2026).

    Before the hidden layers the indices are standardized with a fixed
    per-index mean and scale (buffers, not parameters; identity until
    :meth:`standardize_indices` sets them from training data). This is the
    ``StandardScaler`` an MLP gets in front of it: it keeps the learned
    layers well conditioned and leaves the indices themselves untouched.

    Parameters
    ----------
    in_features : int
        Number of bands.
    n_indices : int or "pairs", default="pairs"
        The first layer: ``"pairs"`` for one learned-ratio index per band
        pair (``form="pairwise"``); an int for that many dense indices, each
        a weighted ND over all bands.
    hidden_layer_sizes : sequence of int, default=()
        Widths of the layers between the indices and the head.
    out_features : int or None, default=None
        Width of the linear head; ``None`` for no head.
    activation : {"relu", "tanh", "nd"}, default="relu"
        The hidden layers' kind; ``"nd"`` stacks signed ND layers.
    eps : float, default=1e-6
        Passed to every :class:`NormalizedDifference` layer.
    groups : sequence of int, optional
        With ``n_indices="pairs"``, the group of every band: the pairs are
        then of learned broad bands, one per group (see
        :class:`NormalizedDifference`).
    dropout : float, default=0.0
        Probability of zeroing each standardized index in training
        (:class:`SeededDropout`; inactive in ``eval()`` mode), so that no
        index relies on the others to carry its information.
    n_components : int or None, default=None
        Width of a linear projection of the standardized indices (an affine
        layer with no activation, ``projection``) that the hidden layers
        read instead of the indices; the head then reads the projection
        beside the last hidden layer, a linear path beside the nonlinear
        one. A few components are weighted sums of many indices, so each
        index's own noise averages out in them. ``None``: no projection.
        Needs ReLU or tanh hidden layers.

    Examples
    --------
    >>> import torch
    >>> from sknd.nn import NDNetwork
    >>> net = NDNetwork(10, "pairs", (16,), 3)
    >>> x = torch.rand(5, 10)
    >>> net(x).shape, net.indices(x).shape
    (torch.Size([5, 3]), torch.Size([5, 45]))
    >>> bool(torch.allclose(net(7 * x), net(x)))
    True
    >>> projected = NDNetwork(10, "pairs", (16,), 3, n_components=8)
    >>> projected.features(x).shape  # the 8 components beside the 16 hidden units
    torch.Size([5, 24])
    """

    def __init__(
        self,
        in_features: int,
        n_indices: int | str = "pairs",
        hidden_layer_sizes: Sequence[int] = (),
        out_features: int | None = None,
        *,
        activation: str = "relu",
        eps: float = 1e-6,
        dropout: float = 0.0,
        groups=None,
        n_components: int | None = None,
    ) -> None:
        super().__init__()
        if activation not in ("relu", "tanh", "nd"):
            raise ValueError(f"activation must be 'relu', 'tanh' or 'nd', got {activation!r}.")
        if n_indices == "pairs":
            first = NormalizedDifference(in_features, form="pairwise", groups=groups, eps=eps)
        elif groups is not None:
            raise ValueError('groups needs n_indices="pairs".')
        else:
            first = NormalizedDifference(in_features, int(n_indices), eps=eps)
        sizes = [int(h) for h in hidden_layer_sizes]
        if any(h < 1 for h in sizes):
            raise ValueError(f"hidden_layer_sizes must be positive, got {sizes}.")
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}.")
        if n_components is not None and (activation == "nd" or int(n_components) < 1):
            raise ValueError(
                "n_components needs ReLU or tanh hidden layers and must be positive, got "
                f"n_components={n_components!r} with activation={activation!r}."
            )
        self.activation = activation
        if n_components is None:
            projection, widths = None, [first.out_features, *sizes]
        else:
            projection = nn.Linear(first.out_features, int(n_components))
            widths = [int(n_components), *sizes]
        layers: list[nn.Module] = []
        nd_layers = [first]
        for w_in, w_out in pairwise(widths):
            if activation == "nd":
                nd_layers.append(NormalizedDifference(w_in, w_out, eps=eps))
            else:
                layers += [nn.Linear(w_in, w_out), _ACTIVATIONS[activation]()]
        self.nd_layers = nn.ModuleList(nd_layers)
        self.projection = projection
        self.hidden = nn.Sequential(*layers)
        self.register_buffer("index_mean", torch.zeros(first.out_features))
        self.register_buffer("index_scale", torch.ones(first.out_features))
        self.index_dropout = SeededDropout(dropout) if dropout else nn.Identity()
        # What the head reads: the last hidden layer, and the projection beside it.
        self.n_features_out = widths[-1]
        if self.projection is not None and sizes:
            self.n_features_out += widths[0]
        self.head = None if out_features is None else nn.Linear(self.n_features_out, out_features)

    @property
    def n_indices(self) -> int:
        """Number of learned indices (the first layer's width)."""
        return self.nd_layers[0].out_features

    def indices(self, x: torch.Tensor) -> torch.Tensor:
        """The first layer's indices of ``x``, in [-1, 1]."""
        return self.nd_layers[0](x)

    @torch.no_grad()
    def standardize_indices(self, x: torch.Tensor, floor: float = 1e-3) -> None:
        """Set the fixed standardization from the indices of training bands ``x``.

        ``floor`` bounds the scale below, so an index that is nearly constant
        on the training data is not blown up.
        """
        z = self.indices(x)
        self.index_mean.copy_(z.mean(dim=0))
        self.index_scale.copy_(z.std(dim=0, correction=0).clamp_min(floor))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """What the head reads (``n_features_out`` columns): the last hidden
        layer's output, and the projection's beside it where there is one."""
        return self.features_of_indices(self.indices(x))

    def features_of_indices(self, z: torch.Tensor) -> torch.Tensor:
        """:meth:`features` from the first layer's indices ``z``."""
        x = self.index_dropout((z - self.index_mean) / self.index_scale)
        for layer in self.nd_layers[1:]:
            x = layer(x)
        if self.projection is not None:
            x = self.projection(x)
            if len(self.hidden):
                x = torch.cat([x, self.hidden(x)], dim=-1)
            return x
        return self.hidden(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        return x if self.head is None else self.head(x)

    def inference_bytes_per_row(self) -> int:
        """Working memory of one row's forward pass in float64, in bytes (an upper estimate).

        The first layer holds about 8 values per index (the gathered pair,
        magnitudes, numerator, denominator, output, standardized), and each
        layer after it two per unit; the inputs three per band. sknd's
        inference chunks rows by it; the benchmark report's "Figures behind
        the design" compares it with what ``benchmarks/bench_pair_storage.py``
        measures.
        """
        widths = [layer.out_features for layer in self.nd_layers[1:]]
        widths += [m.out_features for m in self.hidden if isinstance(m, nn.Linear)]
        widths += [] if self.projection is None else [self.projection.out_features]
        return 8 * (3 * self.nd_layers[0].in_features + 8 * self.n_indices + 2 * sum(widths))

    @property
    def has_sparsity_penalty(self) -> bool:
        """Whether :meth:`sparsity_penalty` can be non-zero (dense ND layers only)."""
        return any(layer.form == "dense" for layer in self.nd_layers)

    def sparsity_penalty(self) -> torch.Tensor:
        """Sum of the ND layers' scale-free sparsity penalties."""
        return sum(layer.sparsity_penalty() for layer in self.nd_layers)
