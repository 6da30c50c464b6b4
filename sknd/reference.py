"""Numpy forward passes, written independently of the torch modules, as test oracles."""

from __future__ import annotations

import numpy as np

__all__ = ["nd_dense", "nd_network", "nd_pairwise", "softplus"]


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
            den = np.sum((a[k] + b[k]) * np.abs(z)) + eps
            out[r, k] = num / den if den > 0 else 0.0
    return out


def nd_pairwise(x: np.ndarray, pairs, log_ratio: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Pairwise ND ``(r x_i - x_j) / (r |x_i| + |x_j| + eps)`` per pair, ``r = exp(log_ratio)``."""
    out = np.zeros((x.shape[0], len(pairs)))
    for k, (i, j) in enumerate(pairs):
        r = np.exp(log_ratio[k])
        for n, row in enumerate(x):
            scale = max(abs(row[i]), abs(row[j]))
            if scale == 0:
                continue
            xi, xj = row[i] / scale, row[j] / scale
            out[n, k] = (r * xi - xj) / (r * abs(xi) + abs(xj) + eps)
    return out


def nd_network(x, layers, head=None, eps: float = 1e-6) -> np.ndarray:
    """Stacked dense ND layers, each ``(alpha, beta)`` raw parameters, then ``(W, c)``."""
    for alpha, beta in layers:
        x = nd_dense(x, softplus(alpha), softplus(beta), eps)
    if head is not None:
        weight, bias = head
        x = x @ weight.T + bias
    return x
