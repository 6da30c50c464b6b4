"""Label-free training modes of SparseBNDenoiser, one object per mode.

Each mode carries everything that makes it a mode: the training targets it
derives from the noisy signals (``targets``), the pairs it draws per batch
(``__call__``, the training augmentation) and how the trained network then
denoises (``predict``). The estimator picks one by name (``self_supervised``)
and never branches on the name again. Imports torch: only ``_learned`` (which
loads on first use) imports this module.
"""

from __future__ import annotations

import numpy as np
import torch

from .._net import randn_like

__all__ = ["SELF_SUPERVISED", "Noise2Self", "Recorrupted2Recorrupted"]


class Recorrupted2Recorrupted:
    """Recorrupted-to-Recorrupted (Pang et al., CVPR 2021).

    Trains on pairs ``x + a z -> x - z / a`` with ``z ~ N(0, sigma^2)`` and each
    signal's own noise std ``sigma``: the pair's expected loss is the clean
    target's, up to a constant. Predicts the mean output over ``r2r_draws``
    fixed recorruptions ``x + a sigma z``.
    """

    #: The recorruption strength ``a``.
    a = 0.5

    def targets(self, estimator, X: np.ndarray) -> np.ndarray:
        """Each signal's noise std, shape (n, 1); the pairs are drawn per batch."""
        return estimator._fit_noise_levels(X)[:, None]

    def __call__(self, X, sigma, generator):
        z = sigma * randn_like(X, generator)
        return X + self.a * z, X - z / self.a

    def predict(self, estimator, X: np.ndarray) -> np.ndarray:
        # The network saw y + a z: average it over fixed, seeded recorruptions,
        # so a prediction does not depend on the batch it came in.
        gen = torch.Generator().manual_seed(estimator._predict_seed)
        draws = torch.randn(estimator.r2r_draws, X.shape[1], generator=gen).numpy()
        sigma = self.a * estimator._noise_levels(X)[:, None]
        return np.mean([estimator._forward(X + sigma * z) for z in draws], axis=0)


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

    def targets(self, estimator, X: np.ndarray) -> np.ndarray:
        """The noisy signals themselves; the hidden samples are chosen per batch."""
        return X

    def __call__(self, X, y, generator):
        n, length = X.shape
        phase = torch.randint(self.k, (n, 1), generator=generator).to(X.device)
        pos = torch.arange(length, device=X.device)[None, :]
        hidden = (pos % self.k) == phase
        target = torch.where(hidden, X, torch.full_like(X, float("nan")))
        return _hide(X, hidden), target

    def predict(self, estimator, X: np.ndarray) -> np.ndarray:
        Xt = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float64))
        phases = np.arange(X.shape[1]) % self.k
        out = np.empty(X.shape, dtype=np.float64)
        for phase in range(self.k):
            hidden = phases == phase
            pred = estimator._forward(_hide(Xt, torch.from_numpy(hidden)[None, :]).numpy())
            out[:, hidden] = pred[:, hidden]
        return out


#: ``self_supervised`` names and their modes.
SELF_SUPERVISED = {"r2r": Recorrupted2Recorrupted, "noise2self": Noise2Self}
