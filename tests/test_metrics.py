"""PSNR and RMSE: the right formulas, and as scorers in a grid search."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from sknd.denoise import (
    L1Denoiser,
    soft_threshold,
)
from sknd.metrics import neg_rmse_scorer, psnr, psnr_scorer, rmse


def test_psnr_uses_rmse_not_mse():
    clean = np.array([[0.0, 10.0, 0.0, 0.0]])
    noisy = clean + np.array([[2.0, 0.0, 0.0, 0.0]])
    assert rmse(clean, noisy) == pytest.approx(1.0)
    assert psnr(clean, noisy) == pytest.approx(20.0)  # 20 log10(10 / 1)
    assert psnr(clean, noisy, peak=100.0) == pytest.approx(40.0)
    assert np.isinf(psnr(clean, clean))
    with pytest.raises(ValueError, match="same shape"):
        rmse(clean, noisy[:, :3])


def test_scorers_drive_grid_search(spikes):
    X, y = spikes
    search = GridSearchCV(L1Denoiser(), {"lam": [0.5, 3.0, 30.0]}, scoring=psnr_scorer, cv=2)
    search.fit(X, y)
    assert search.best_params_["lam"] == 3.0
    assert neg_rmse_scorer(L1Denoiser(lam=3.0).fit(X), X, y) == pytest.approx(
        -rmse(y, soft_threshold(X, 3.0))
    )
