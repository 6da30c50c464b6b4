"""What SparseBNDenoiser trains on: the unit of its signals, random crops of
them, and the loss that ignores hidden samples. Imports torch: only
``_learned`` (which loads on first use) imports this module.
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["MaskedMSE", "RandomCrops", "decade"]


class RandomCrops:
    """Training augmentation: a random window of ``length`` samples per row, then ``then``.

    Targets shaped like the signals (clean signals, Noise2Self's) are cropped
    at the same place; per-row targets (R2R's noise levels) are kept.
    """

    def __init__(self, length: int, then=None):
        self.length, self.then = length, then

    def __call__(self, X, y, generator):
        n, total = X.shape
        start = torch.randint(total - self.length + 1, (n, 1), generator=generator)
        idx = (start + torch.arange(self.length)[None, :]).to(X.device)
        X = torch.gather(X, 1, idx)
        if y.shape[1] == total:
            y = torch.gather(y, 1, idx)
        return (X, y) if self.then is None else self.then(X, y, generator)


def decade(X: np.ndarray) -> float:
    """The power of ten ``s`` that puts ``std(X) / s`` in [0.5, 5); 1 for constant
    ``X``. Data of spread 0.5 to 5 keeps its numbers, and a change of unit by
    powers of ten (V, mV, uV) leaves the network's training unchanged."""
    peak = np.abs(X).max()
    spread = float(np.std(X / peak)) * peak if peak > 0 else 0.0
    if not spread > 0:
        return 1.0
    return float(10.0 ** np.floor(np.log10(2.0 * spread)))


class MaskedMSE(torch.nn.Module):
    """Mean squared error over the target's non-NaN entries (Noise2Self hides the rest)."""

    def forward(self, pred, target):
        known = ~torch.isnan(target)
        diff = torch.where(known, pred - torch.nan_to_num(target), torch.zeros_like(pred))
        return diff.pow(2).sum() / known.sum().clamp_min(1)
