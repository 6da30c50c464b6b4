"""Normalized-difference layers (pure torch, no sklearn).

One dense unit on inputs ``x`` (``n_in`` bands)::

    ND(x) = sum_i (a_i - b_i) x_i / (sum_i (a_i + b_i) |x_i| + eps * mean_i |x_i|)

with ``a = softplus(alpha)`` and ``b = softplus(beta)``. The triangle inequality
bounds it in [-1, 1] for inputs of any sign, it is odd (so layers stack), and
because ``eps`` is scaled by the row's mean magnitude it is exactly invariant
to ``x -> c * x`` for every ``c > 0``, whatever ``eps``. The ``eps`` term is
itself band math: it adds ``eps / n_in`` to every denominator weight, so a
learned index is one plain formula (see ``NDIndexTransformer.export_indices``).
Rows are divided by their largest magnitude before the sums, so the layer
neither overflows nor underflows on inputs of extreme scale.
"""

from __future__ import annotations

import itertools
import math

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["NormalizedDifference", "all_pairs"]


def all_pairs(n_features: int) -> list[tuple[int, int]]:
    """All ordered band pairs ``(i, j)`` with ``i < j``."""
    return list(itertools.combinations(range(n_features), 2))


def _safe_divide(num: torch.Tensor, den: torch.Tensor) -> torch.Tensor:
    # |num| <= den always; where den == 0 the numerator is 0 too, and so is the
    # output. torch.where keeps the gradient finite on that branch.
    zero = den == 0
    out = num / torch.where(zero, torch.ones_like(den), den)
    # Rounding may put |num| one ulp above den: keep the promised bound.
    return out.clamp(-1.0, 1.0)


class _PairwiseND(torch.autograd.Function):
    """Pairwise ND of every pair with a hand-derived backward.

    The same function as the composition of torch operations it replaces, in a
    third of the operations and without recording a graph for them: on small
    networks the first layer's per-operation overhead dominated training.
    ``pairs`` holds the ``i`` of every pair, then every ``j``. Rows are divided
    by their largest magnitude first; the index is homogeneous of degree 0, so
    this changes nothing but the range of the arithmetic, and the gradient
    with respect to ``x`` is the one at the normalized row divided by its scale.
    """

    @staticmethod
    def forward(ctx, x, log_ratio, pairs, eps):
        n_pairs = log_ratio.shape[0]
        scale = x.abs().amax(dim=-1, keepdim=True)
        scale = scale.masked_fill(scale == 0, 1.0)
        z = (x / scale).index_select(-1, pairs)
        zi, zj = z[..., :n_pairs], z[..., n_pairs:]
        mag = z.abs()
        ai, aj = mag[..., :n_pairs], mag[..., n_pairs:]
        r = log_ratio.exp()
        c = eps / 2
        num = zi * r - zj
        den = (ai * (r + c)).add_(aj, alpha=1.0 + c)
        # den is 0 only where both bands are 0, and then so is num: output 0.
        den.clamp_min_(torch.finfo(den.dtype).tiny)
        out = (num / den).clamp_(-1.0, 1.0)
        ctx.save_for_backward(z, mag, out, den, r, scale, pairs)
        ctx.eps, ctx.n_in = eps, x.shape[-1]
        return out

    @staticmethod
    def backward(ctx, grad_out):
        z, mag, out, den, r, scale, pairs = ctx.saved_tensors
        n_pairs = r.shape[0]
        zi, ai = z[..., :n_pairs], mag[..., :n_pairs]
        q = grad_out / den
        grad_x = grad_log_ratio = None
        if ctx.needs_input_grad[1]:
            # d out / d r = (z_i - out |z_i|) / den, and d r / d log r = r.
            dr = torch.addcmul(zi, out, ai, value=-1.0).mul_(q)
            grad_log_ratio = dr.reshape(-1, n_pairs).sum(dim=0).mul_(r)
        if ctx.needs_input_grad[0]:
            c = ctx.eps / 2
            sign = z.sign()
            si, sj = sign[..., :n_pairs], sign[..., n_pairs:]
            gi = q * (r - out * (r + c) * si)
            gj = -q * (1.0 + out * (1.0 + c) * sj)
            grad_z = z.new_zeros((*z.shape[:-1], ctx.n_in))
            grad_z.index_add_(-1, pairs, torch.cat([gi, gj], dim=-1))
            grad_x = grad_z / scale
        return grad_x, grad_log_ratio, None, None


class NormalizedDifference(nn.Module):
    """A layer of learned normalized-difference indices.

    Parameters
    ----------
    in_features : int
        Number of input bands (or units of the previous layer).
    out_features : int
        Number of indices for ``form="dense"``. Ignored for ``"pairwise"``,
        where there is one index per pair.
    form : {"dense", "pairwise"}
        ``"dense"``: every index is a weighted ND over all inputs, with two
        softplus-positive coefficient vectors. ``"pairwise"``: index ``k`` is
        ``(r_k x_i - x_j) / (r_k |x_i| + |x_j|)`` on one pair ``(i, j)``; it
        depends only on the ratio, parameterized as ``log r_k`` (0 gives the
        classical ND).
    pairs : list of (int, int), optional
        Band pairs for ``form="pairwise"``; all pairs ``i < j`` by default
        (of the groups, with ``groups``).
    groups : sequence of int, optional
        For ``form="pairwise"``: the group (0 to ``G - 1``) of every input
        band. The layer then combines each group's bands with learned
        positive weights into one broad band (weights summing to 1 in each
        group, equal at the start) and learns one index per pair of broad
        bands. Still one ND with positive weights on the bands: bounded,
        scale invariant and one formula, at ``n_in + G (G - 1) / 2``
        parameters instead of ``n_in (n_in - 1) / 2``.
    eps : float
        Stabilizer of the denominator, relative to the row's mean magnitude
        (the pair's, for ``"pairwise"``).

    Examples
    --------
    >>> import torch
    >>> from sknd.nn import NormalizedDifference
    >>> layer = NormalizedDifference(4, 2)
    >>> x = torch.rand(8, 4)
    >>> out = layer(x)
    >>> out.shape, bool(out.abs().max() <= 1), bool(torch.allclose(layer(3 * x), out))
    (torch.Size([8, 2]), True, True)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int | None = None,
        *,
        form: str = "dense",
        pairs: list[tuple[int, int]] | None = None,
        groups=None,
        eps: float = 1e-6,
    ) -> None:
        super().__init__()
        if form not in ("dense", "pairwise"):
            raise ValueError(f"form must be 'dense' or 'pairwise', got {form!r}.")
        if eps < 0:
            raise ValueError(f"eps must be >= 0, got {eps}.")
        self.in_features = int(in_features)
        self.form = form
        self.eps = float(eps)
        if form == "dense":
            if out_features is None or out_features < 1:
                raise ValueError("out_features must be a positive integer.")
            self.out_features = int(out_features)
            self.alpha = nn.Parameter(torch.empty(self.out_features, self.in_features))
            self.beta = nn.Parameter(torch.empty(self.out_features, self.in_features))
        else:
            n_sides = self.in_features
            if groups is not None:
                n_sides = self._init_groups(groups)
            pairs = all_pairs(n_sides) if pairs is None else list(pairs)
            if not pairs:
                raise ValueError("pairwise form needs at least one pair.")
            idx = torch.tensor(pairs, dtype=torch.long)
            if idx.ndim != 2 or idx.shape[1] != 2:
                raise ValueError("pairs must be a list of (i, j) tuples.")
            if idx.min() < 0 or idx.max() >= n_sides:
                raise ValueError(f"pair indices must lie in [0, {n_sides}).")
            self.register_buffer("pairs", idx)
            # Every pair's i, then every j: one gather serves both sides.
            self.register_buffer("pairs_flat", idx.T.reshape(-1).contiguous(), persistent=False)
            self.out_features = len(pairs)
            self.log_ratio = nn.Parameter(torch.zeros(self.out_features))
        self.reset_parameters()

    def _init_groups(self, groups) -> int:
        group_of = torch.as_tensor(groups, dtype=torch.long)
        if group_of.shape != (self.in_features,):
            raise ValueError(
                f"groups must give the group of each of the {self.in_features} inputs, "
                f"got shape {tuple(group_of.shape)}."
            )
        n_groups = int(group_of.max()) + 1
        if group_of.min() < 0 or len(group_of.unique()) != n_groups or n_groups < 2:
            raise ValueError("groups must number at least 2 groups 0, 1, ..., G - 1, none empty.")
        self.register_buffer("group_of", group_of)
        self.n_groups = n_groups
        self.group_logit = nn.Parameter(torch.zeros(self.in_features))
        return n_groups

    @property
    def grouped(self) -> bool:
        """Whether the pairs are of learned broad bands (``groups``) rather than of inputs."""
        return hasattr(self, "group_of")

    def group_weights(self) -> torch.Tensor:
        """``(in_features, n_groups)``: each broad band's positive weights, summing to 1."""
        w = F.softplus(self.group_logit)
        total = w.new_zeros(self.n_groups).index_add(0, self.group_of, w)
        w = w / total[self.group_of]
        return w.new_zeros(self.in_features, self.n_groups).index_put(
            (torch.arange(self.in_features, device=w.device), self.group_of), w
        )

    def reset_parameters(self) -> None:
        """Draw random dense coefficients; pairwise ratios start at 1 (classical ND)."""
        if self.form == "dense":
            # Centered so softplus gives weights around 1/n_in; the spread gives
            # every unit a different band profile to start from.
            center = math.log(math.expm1(1.0 / self.in_features))
            nn.init.normal_(self.alpha, center, 1.0)
            nn.init.normal_(self.beta, center, 1.0)
        else:
            nn.init.zeros_(self.log_ratio)
            if self.grouped:
                nn.init.zeros_(self.group_logit)

    def coefficients(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The positive weights ``(a, b)`` of numerator (+) and (-) parts.

        Both are ``(out_features, in_features)``; for the pairwise form they
        are zero outside each unit's pair (``a_i = r``, ``b_j = 1``).
        """
        if self.form == "dense":
            return F.softplus(self.alpha), F.softplus(self.beta)
        ratio = self.log_ratio.exp()
        if self.grouped:
            w = self.group_weights().T
            return ratio[:, None] * w[self.pairs[:, 0]], w[self.pairs[:, 1]]
        n = self.out_features
        rows = torch.arange(n, device=self.log_ratio.device)
        a = self.log_ratio.new_zeros(n, self.in_features)
        b = self.log_ratio.new_zeros(n, self.in_features)
        a = a.index_put((rows, self.pairs[:, 0]), ratio)
        b = b.index_put((rows, self.pairs[:, 1]), torch.ones_like(self.log_ratio))
        return a, b

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.form == "dense":
            scale = x.abs().amax(dim=-1, keepdim=True)
            z = x / torch.where(scale > 0, scale, torch.ones_like(scale))
            a, b = self.coefficients()
            num = z @ (a - b).T
            den = z.abs() @ (a + b).T + self.eps * z.abs().mean(dim=-1, keepdim=True)
            return _safe_divide(num, den)
        if self.takes_broad_bands:
            if x.shape[-1] != self.n_groups:
                raise ValueError(
                    f"This layer takes its {self.n_groups} broad bands now "
                    f"(takes_broad_bands), got {x.shape[-1]} columns."
                )
        elif self.grouped:
            x = x @ self.group_weights()
        return _PairwiseND.apply(x, self.log_ratio, self.pairs_flat, self.eps)

    #: Set while training on :meth:`broad_bands` computed once: ``forward``
    #: then takes the broad bands themselves (``n_groups`` columns).
    takes_broad_bands = False

    @torch.no_grad()
    def broad_bands(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The broad bands of ``x`` at the current weights ``w``, and their noise spread.

        Returns ``x @ w`` and ``sqrt(x^2 @ w^2)``: a band's independent noise
        ``x_k s n_k`` sums to broad-band noise of that spread times ``s``
        (see :class:`sknd._loop.MultiplicativeNoise`). Needs ``groups``.
        """
        w = self.group_weights()
        return x @ w, torch.sqrt(x.square() @ w.square())

    def band_weights(self) -> torch.Tensor:
        """Each unit's share of every input, ``(a + b) / sum(a + b)``."""
        a, b = self.coefficients()
        w = a + b
        return w / w.sum(dim=-1, keepdim=True)

    def sparsity_penalty(self) -> torch.Tensor:
        """Scale-free penalty that favours indices built on few bands.

        With ``p = a / S`` and ``q = b / S`` (``S`` the sum of all of a unit's
        weights), the penalty is ``mean over units of sum(sqrt(p) + sqrt(q)) - 1``:
        0 when one weight carries the unit, larger as weight spreads out, and
        unchanged by the redundant rescaling ``(a, b) -> (c a, c b)``, so the
        regularization sparsifies instead of shrinking a scale only ``eps`` sees.
        It also discourages a band on both sides of the same difference.
        """
        if self.form == "pairwise":
            return self.log_ratio.new_zeros(())
        a, b = self.coefficients()
        total = (a + b).sum(dim=-1, keepdim=True)
        tiny = torch.finfo(a.dtype).tiny
        root = torch.sqrt(a / total + tiny) + torch.sqrt(b / total + tiny)
        return (root.sum(dim=-1) - 1.0).mean()

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"form={self.form!r}, eps={self.eps}"
        )
