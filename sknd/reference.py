"""Numpy forward passes, written independently of the torch modules, as test oracles.

numpy only, and nothing from ``sknd.nn``: an oracle that shared code with what
it checks would share its bugs.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "avg_pool_same",
    "batch_norm",
    "conv1d",
    "denoising_cnn",
    "nd_dense",
    "nd_index_network",
    "nd_network",
    "nd_pairwise",
    "shrink",
    "softplus",
    "wiener",
]


def softplus(v: np.ndarray) -> np.ndarray:
    """``log(1 + exp(v))`` without overflow."""
    return np.logaddexp(0.0, v)


def nd_dense(x: np.ndarray, a: np.ndarray, b: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Dense ND of rows ``x`` (n, d) with positive weights ``a``, ``b`` (k, d)."""
    out = np.zeros((x.shape[0], a.shape[0]))
    for r, row in enumerate(x):
        scale = np.max(np.abs(row))
        if scale == 0:
            continue
        z = row / scale
        for k in range(a.shape[0]):
            num = np.sum(a[k] * z) - np.sum(b[k] * z)
            den = np.sum((a[k] + b[k]) * np.abs(z)) + eps * np.mean(np.abs(z))
            out[r, k] = num / den if den > 0 else 0.0
    return out


def nd_pairwise(x: np.ndarray, pairs, log_ratio: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Pairwise ND per pair, ``r = exp(log_ratio)``::

    (r x_i - x_j) / (r |x_i| + |x_j| + eps (|x_i| + |x_j|) / 2)
    """
    out = np.zeros((x.shape[0], len(pairs)))
    for k, (i, j) in enumerate(pairs):
        r = np.exp(log_ratio[k])
        for n, row in enumerate(x):
            scale = max(abs(row[i]), abs(row[j]))
            if scale == 0:
                continue
            xi, xj = row[i] / scale, row[j] / scale
            den = r * abs(xi) + abs(xj) + eps * (abs(xi) + abs(xj)) / 2
            out[n, k] = (r * xi - xj) / den
    return out


def nd_network(x, layers, head=None, eps: float = 1e-6) -> np.ndarray:
    """Stacked dense ND layers, each ``(alpha, beta)`` raw parameters, then ``(W, c)``."""
    for alpha, beta in layers:
        x = nd_dense(x, softplus(alpha), softplus(beta), eps)
    if head is not None:
        weight, bias = head
        x = x @ weight.T + bias
    return x


def nd_index_network(indices, mean, scale, hidden, head, projection=None) -> np.ndarray:
    """The head of ``NDNetwork`` with ReLU layers on precomputed ``indices``.

    ``hidden`` and ``head`` are lists / a pair of ``(W, c)``; the indices are
    standardized by ``mean`` and ``scale`` first. With a ``projection`` pair,
    the hidden layers read the projected indices and the head reads the
    projection beside the last hidden layer.
    """
    x = (indices - mean) / scale
    if projection is not None:
        x = x @ projection[0].T + projection[1]
    linear = x
    for weight, bias in hidden:
        x = np.maximum(x @ weight.T + bias, 0.0)
    if projection is not None and hidden:
        x = np.concatenate([linear, x], axis=1)
    weight, bias = head
    return x @ weight.T + bias


def conv1d(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """'Same' zero-padded 1-D convolution (cross-correlation, as torch) of (n, c_in, L)."""
    n, _, length = x.shape
    c_out, _, k = weight.shape
    pad = k // 2
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad)))
    out = np.zeros((n, c_out, length))
    for t in range(length):
        window = xp[:, :, t : t + k]  # (n, c_in, k)
        out[:, :, t] = np.einsum("nik,oik->no", window, weight)
    if bias is not None:
        out += bias[None, :, None]
    return out


def batch_norm(x, weight, bias, running_mean, running_var, eps, *, batch_stats: bool):
    """Batch norm of (n, c, L): running statistics ("fixed") or the batch's ("unfixed")."""
    if batch_stats:
        mean = x.mean(axis=(0, 2))
        var = x.var(axis=(0, 2))  # biased, as torch normalizes
    else:
        mean, var = running_mean, running_var
    xhat = (x - mean[None, :, None]) / np.sqrt(var[None, :, None] + eps)
    return weight[None, :, None] * xhat + bias[None, :, None]


def shrink(u: np.ndarray, tau: np.ndarray, penalty: str, gamma: float = 0.5) -> np.ndarray:
    """Soft ("l1"), hard ("l0"), firm ("gmc") or scaling ("l2") shrinkage, per-channel tau."""
    tau = tau[None, :, None]
    if penalty == "l1":
        return np.sign(u) * np.maximum(np.abs(u) - tau, 0)
    if penalty == "l0":
        return np.where(np.abs(u) > tau, u, 0.0)
    if penalty == "l2":
        return u / (1 + 2 * tau)
    t2 = tau / gamma
    middle = np.sign(u) * t2 * (np.abs(u) - tau) / (t2 - tau)
    return np.where(np.abs(u) <= tau, 0.0, np.where(np.abs(u) <= t2, middle, u))


def avg_pool_same(x: np.ndarray, window: int) -> np.ndarray:
    """Mean over a centered window with zero padding (divides by ``window`` everywhere)."""
    pad = window // 2
    xp = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(pad, pad)])
    return np.mean([xp[..., i : i + x.shape[-1]] for i in range(window)], axis=0)


def wiener(x: np.ndarray, window: int) -> np.ndarray:
    """Local Wiener filter along the last axis, as ``scipy.signal.wiener`` per signal."""
    mean = avg_pool_same(x, window)
    var = avg_pool_same(x * x, window) - mean**2
    noise = var.mean(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(var <= noise, mean, mean + (1 - noise / var) * (x - mean))


def denoising_cnn(x: np.ndarray, state: dict, config: dict, *, batch_stats: bool = False):
    """Forward pass of :class:`sknd.nn.DenoisingCNN1d` from its ``state_dict`` (as numpy).

    ``config`` holds ``depth``, ``norm``, ``penalty`` and ``prior`` (None or the Wiener
    window); ``batch_stats`` selects the "unfixed" batch-norm mode.
    """
    x = x[:, None, :]
    inp = x if config["prior"] is None else np.concatenate([x, wiener(x, config["prior"])], 1)
    h = np.maximum(conv1d(inp, state["head.weight"], state["head.bias"]), 0)
    for i in range(config["depth"] - 2):
        key = f"blocks.{i}."
        h = conv1d(h, state[key + "0.weight"], state.get(key + "0.bias"))
        if config["norm"] in ("batch", "sparse"):
            h = batch_norm(
                h,
                state[key + "1.weight"],
                state[key + "1.bias"],
                state[key + "1.running_mean"],
                state[key + "1.running_var"],
                1e-5,
                batch_stats=batch_stats,
            )
            if config["norm"] == "sparse":
                h = shrink(h, softplus(state[key + "1.rho"]), config["penalty"])
        h = np.maximum(h, 0)
    noise = conv1d(h, state["tail.weight"], state["tail.bias"])
    return (x - noise)[:, 0]
