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
    assert psnr(clean, clean) == 100.0  # capped: a perfect signal
    assert np.isinf(psnr(clean, clean, max_db=None))
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


def test_one_perfect_signal_does_not_hide_the_others():
    clean = np.array([[0.0, 10.0], [0.0, 10.0]])
    pred = np.array([[0.0, 10.0], [1.0, 10.0]])  # first perfect, second at 23 dB
    per_signal = psnr(clean, pred, average=False)
    np.testing.assert_allclose(per_signal, [100.0, 20 * np.log10(10 / np.sqrt(0.5))])
    assert np.isfinite(psnr(clean, pred)) and psnr(clean, pred) == per_signal.mean()


def test_an_all_zero_clean_signal_or_nan_is_refused():
    clean = np.array([[0.0, 10.0], [0.0, 0.0], [1.0, 1.0]])
    pred = np.ones_like(clean)
    with pytest.raises(ValueError, match=r"rows \[1\] are all zero.*peak="):
        psnr(clean, pred)
    assert np.isfinite(psnr(clean, pred, peak=10.0))  # a given peak makes it defined
    with pytest.raises(ValueError, match="y_pred contains NaN"):
        psnr(clean[:1], np.array([[0.0, np.nan]]))
    with pytest.raises(ValueError, match="y_true contains NaN or infinity"):
        rmse(np.array([[np.inf, 0.0]]), clean[:1])
