"""Iterative solvers for sparse least squares: ISTA (L1) and the GMC saddle point.

Rows of ``y`` are solved at once; ``A`` and ``AH`` are callables on the last
axis. Plain numpy; no estimators and no torch here.
"""

from __future__ import annotations

import numpy as np

from ._thresholds import soft_threshold

__all__ = ["gmc_general", "ista_l1"]


def _converged(new, old, tol):
    top = np.abs(new).max(axis=-1)
    return np.abs(new - old).max(axis=-1) <= tol * np.where(top > 0, top, 1.0)


def ista_l1(y, A, AH, lam, *, rho=1.0, tol=1e-6, max_iter=1000):
    """ISTA for ``min 1/2 ||y - A x||^2 + lam ||x||_1`` (rows of ``y`` solved at once).

    ``A`` and ``AH`` (its adjoint) are callables on the last axis; ``rho >= ||A^H A||``.
    """
    mu = 1.9 / rho
    x = AH(y)
    for _ in range(max_iter):
        new = soft_threshold(x - mu * AH(A(x) - y), mu * lam)
        done = _converged(new, x, tol).all()
        x = new
        if done:
            break
    return x


def gmc_general(y, A, AH, lam, gamma, *, rho=1.0, tol=1e-4, max_iter=1000):
    """GMC-regularized least squares (Selesnick 2017) by its saddle-point iteration.

    Minimizes ``1/2 ||y - A x||^2 + lam psi_B(x)`` with ``B = sqrt(gamma / lam) A``,
    ``0 <= gamma < 1``, by forward-backward steps on ``(x, v)`` with
    ``mu = 1.9 / (rho max(1, gamma / (1 - gamma)))``; stops when
    ``max|dx| / max|x| < tol``.
    """
    mu = 1.9 / (rho * max(1.0, gamma / (1.0 - gamma)))
    x = AH(y)
    v = x.copy()
    for _ in range(max_iter):
        w = x - mu * AH(A(x + gamma * (v - x)) - y)
        u = v - mu * gamma * AH(A(v - x))
        new, v = soft_threshold(w, mu * lam), soft_threshold(u, mu * lam)
        done = _converged(new, x, tol).all()
        x = new
        if done:
            break
    return x


def _dft_ops():
    def A(c):  # coefficients -> signal (unitary inverse DFT)
        return np.fft.ifft(c, norm="ortho")

    def AH(s):
        return np.fft.fft(s, norm="ortho")

    return A, AH
