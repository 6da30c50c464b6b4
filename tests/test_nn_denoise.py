"""The torch denoising modules: shrinkage, batch statistics, and the numpy oracle."""

import numpy as np
import pytest
import torch

from sknd.nn import DenoisingCNN1d, SparseBatchNorm1d, shrink
from sknd.reference import denoising_cnn
from sknd.reference import shrink as np_shrink


@pytest.mark.parametrize("penalty", ["l0", "l1", "l2", "gmc"])
def test_shrink_matches_reference_and_has_gradients(penalty):
    u = torch.linspace(-3, 3, 61, dtype=torch.float64).reshape(1, 1, -1).repeat(1, 2, 1)
    tau = torch.tensor([0.5, 1.0], dtype=torch.float64, requires_grad=True)
    out = shrink(u, tau[:, None], penalty)
    expected = np_shrink(u.numpy(), tau.detach().numpy(), penalty)
    np.testing.assert_allclose(out.detach().numpy(), expected)
    out.abs().sum().backward()
    assert torch.isfinite(tau.grad).all() and tau.grad.abs().sum() > 0


def test_batch_statistics_mode_leaves_running_stats_alone():
    bn = SparseBatchNorm1d(3, prox=False).eval()
    before = bn.running_mean.clone()
    bn.use_batch_stats = True
    out = bn(torch.randn(5, 3, 20) * 4 + 2)
    torch.testing.assert_close(bn.running_mean, before)
    torch.testing.assert_close(out.mean(dim=(0, 2)), torch.zeros(3), atol=1e-5, rtol=0)


@pytest.mark.parametrize(
    "config",
    [
        {"norm": "batch", "penalty": "l1", "prior": None},
        {"norm": "sparse", "penalty": "l0", "prior": None},
        {"norm": "sparse", "penalty": "l1", "prior": 3},
        {"norm": "sparse", "penalty": "gmc", "prior": None},
        {"norm": "sparse", "penalty": "l2", "prior": 3},
        {"norm": "none", "penalty": "l1", "prior": None},
    ],
)
@pytest.mark.parametrize("batch_stats", [False, True])
def test_numpy_reference_equals_torch(config, batch_stats):
    torch.manual_seed(0)
    net = DenoisingCNN1d(
        6,
        4,
        3,
        norm=config["norm"],
        penalty=config["penalty"],
        prior="wiener" if config["prior"] else None,
    ).double()
    # Non-trivial running statistics and thresholds, as after training.
    net.train()
    with torch.no_grad():
        for _ in range(3):
            net(torch.randn(8, 50, dtype=torch.float64) * 3)
        for bn in net.batch_norms():
            if bn.rho is not None:
                bn.rho.normal_()
    net.eval()
    for bn in net.batch_norms():
        bn.use_batch_stats = batch_stats
    x = np.random.default_rng(8).normal(scale=3, size=(7, 50))
    with torch.no_grad():
        got = net(torch.from_numpy(x)).numpy()
    state = {k: v.numpy() for k, v in net.state_dict().items()}
    cfg = {"depth": 4, **config}
    expected = denoising_cnn(x, state, cfg, batch_stats=batch_stats)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10)


def test_former_p_names_still_work_with_a_future_warning():
    with pytest.warns(FutureWarning, match="'p' was renamed 'penalty'.*penalty='l0'"):
        bn = SparseBatchNorm1d(3, p=0)
    assert bn.penalty == "l0"
    with pytest.warns(FutureWarning, match="penalty='gmc'"):
        net = DenoisingCNN1d(4, 3, norm="sparse", p="gmc")
    assert all(m.penalty == "gmc" for m in net.batch_norms())
    with pytest.raises(ValueError, match="penalty must be one of"):
        SparseBatchNorm1d(3, penalty="l3")
    with pytest.raises(ValueError, match="p must be one of"):
        SparseBatchNorm1d(3, p=3)
