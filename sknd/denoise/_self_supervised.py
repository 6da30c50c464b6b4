"""Label-free training modes of SparseBNDenoiser, one object per mode.

Each mode carries everything that makes it a mode: the training targets it
derives from the noisy signals (``targets``), the pairs it draws per batch
(``__call__``, the training augmentation) and how the trained network then
denoises (``predict``). The estimator picks one by name (``self_supervised``)
and never branches on the name again. A mode never reads its estimator: it is
given what it needs.

- ``needs_noise_std``: whether ``targets`` and ``predict`` use each signal's
  noise std (the estimator then estimates it, or takes its ``noise_std``);
- ``targets(X, sigma)``: the training targets of noisy ``X`` (``sigma``: each
  row's noise std, or None);
- ``predict(forward, X, sigma, seed, draws)``: the denoised ``X``, where
  ``forward`` runs the trained network on an array, and ``seed`` and ``draws``
  fix the random draws a prediction averages over (the same for every batch).

Imports torch: only ``_learned`` (which loads on first use) imports this module.
"""

from __future__ import annotations

import numpy as np
import torch

from .._loop import randn_like

__all__ = ["SELF_SUPERVISED", "MonteCarloSURE", "Noise2Self", "Recorrupted2Recorrupted"]


class Recorrupted2Recorrupted:
    """Recorrupted-to-Recorrupted (Pang et al., CVPR 2021).

    Trains on pairs ``x + a z -> x - z / a`` with ``z ~ N(0, sigma^2)`` and each
    signal's own noise std ``sigma``: the pair's expected loss is the clean
    target's, up to a constant. Predicts the mean output over ``r2r_draws``
    fixed recorruptions ``x + a sigma z``.
    """

    #: The recorruption strength ``a``.
    a = 0.5
    needs_noise_std = True

    def targets(self, X: np.ndarray, sigma) -> np.ndarray:
        """Each signal's noise std, shape (n, 1); the pairs are drawn per batch."""
        return sigma[:, None]

    def __call__(self, X, sigma, generator):
        z = sigma * randn_like(X, generator)
        return X + self.a * z, X - z / self.a

    def predict(self, forward, X: np.ndarray, sigma, seed: int, draws: int) -> np.ndarray:
        # The network saw y + a z: average it over fixed, seeded recorruptions,
        # so a prediction does not depend on the batch it came in.
        gen = torch.Generator().manual_seed(seed)
        noise = torch.randn(draws, X.shape[1], generator=gen).numpy()
        scaled = self.a * sigma[:, None]
        return np.mean([forward(X + scaled * z) for z in noise], axis=0)


def _hide(X, hidden):
    """Replace the ``hidden`` samples by the mean of their two neighbours."""
    left = torch.cat([X[:, 1:2], X[:, :-1]], dim=1)  # reflect at the edges
    right = torch.cat([X[:, 1:], X[:, -2:-1]], dim=1)
    return torch.where(hidden, 0.5 * (left + right), X)


class Noise2Self:
    """Noise2Self masking (Batson and Royer, ICML 2019).

    Hides every ``k``-th sample (a random phase per signal), fills it with its
    neighbours' mean and scores only the hidden samples (NaN targets
    elsewhere). Predicts each phase of samples the same way, so the output at
    a sample never sees its own noise (J-invariance).
    """

    #: Every this-many-th sample is hidden.
    k = 4
    needs_noise_std = False

    def targets(self, X: np.ndarray, sigma) -> np.ndarray:
        """The noisy signals themselves; the hidden samples are chosen per batch."""
        return X

    def __call__(self, X, y, generator):
        n, length = X.shape
        phase = torch.randint(self.k, (n, 1), generator=generator).to(X.device)
        pos = torch.arange(length, device=X.device)[None, :]
        hidden = (pos % self.k) == phase
        target = torch.where(hidden, X, torch.full_like(X, float("nan")))
        return _hide(X, hidden), target

    def predict(self, forward, X: np.ndarray, sigma, seed: int, draws: int) -> np.ndarray:
        Xt = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float64))
        phases = np.arange(X.shape[1]) % self.k
        out = np.empty(X.shape, dtype=np.float64)
        for phase in range(self.k):
            hidden = phases == phase
            pred = forward(_hide(Xt, torch.from_numpy(hidden)[None, :]).numpy())
            out[:, hidden] = pred[:, hidden]
        return out


class _SureLoss(torch.nn.Module):
    """Monte-Carlo SURE per sample, from the pairs :class:`MonteCarloSURE` draws.

    ``pred`` holds ``f(y)`` for the batch, then ``f(y + e b)``; ``target`` holds
    ``y``, ``b``, then each row's ``sigma`` and ``e``.
    """

    def forward(self, pred, target):
        n, length = target.shape[0], pred.shape[-1]
        pred = pred.reshape(2 * n, length)
        y, b = target[:, :length], target[:, length : 2 * length]
        sigma, eps = target[:, -2], target[:, -1]
        f0, f1 = pred[:n], pred[n:]
        div = (b * (f1 - f0)).sum(dim=1) / eps
        risk = ((y - f0) ** 2).sum(dim=1) - length * sigma**2 + 2 * sigma**2 * div
        return risk.mean() / length


class MonteCarloSURE:
    """Train on Stein's unbiased risk estimate (Metzler et al., 2018; Soltanayev and
    Chun, NeurIPS 2018), with the Monte-Carlo divergence of Ramani et al. (2008).

    Each batch is run twice, at ``y`` and at ``y + e b`` (``b ~ N(0, I)``, ``e =
    eps * sigma``), and the loss is ``||y - f(y)||^2 - n sigma^2 + 2 sigma^2
    b.(f(y + e b) - f(y)) / e``: unbiased for the supervised loss up to the
    divergence estimate, with each signal's own noise std ``sigma``. Predicts
    with the network as it is.
    """

    #: The probe's step, relative to the noise std.
    eps = 0.05
    criterion = _SureLoss
    needs_noise_std = True

    def targets(self, X: np.ndarray, sigma) -> np.ndarray:
        """Each signal's noise std, shape (n, 1); the probes are drawn per batch."""
        return sigma[:, None]

    def __call__(self, X, sigma, generator):
        b = randn_like(X, generator)
        step = self.eps * sigma
        pairs = torch.cat([X, X + step * b])
        return pairs, torch.cat([X, b, sigma, step], dim=1)

    def predict(self, forward, X: np.ndarray, sigma, seed: int, draws: int) -> np.ndarray:
        return forward(X)


#: ``self_supervised`` names and their modes.
SELF_SUPERVISED = {
    "r2r": Recorrupted2Recorrupted,
    "noise2self": Noise2Self,
    "sure": MonteCarloSURE,
}
