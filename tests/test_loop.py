"""sknd._loop: the trimmed skorch net, and the skorch internals it relies on."""

import pytest
import torch

from sknd._loop import SKORCH_INTERNALS, MultiplicativeNoise, _Net


@pytest.mark.parametrize(
    ("owner", "name"),
    [(owner, name) for owner, names in SKORCH_INTERNALS.items() for name in names],
    ids=lambda v: v if isinstance(v, str) else v.__name__,
)
def test_installed_skorch_has_every_internal_we_rely_on(owner, name):
    # Instance attributes (misses_, _optimizers) exist once an object is built.
    if owner.__name__ == "EarlyStopping":
        assert hasattr(owner(), name)
    else:
        assert hasattr(owner, name) or name in vars(owner(torch.nn.Linear(1, 1), None))


def test_gradient_reset_keeps_skorch_set_to_none_option():
    net = _Net(torch.nn.Linear(3, 2), criterion=torch.nn.CrossEntropyLoss).initialize()
    weight = net.module_.weight
    weight.grad = torch.ones_like(weight)
    net._zero_grad_optimizer(set_to_none=False)
    assert weight.grad is not None and not weight.grad.any()
    net._zero_grad_optimizer()
    assert weight.grad is None


def test_noise_drawn_on_summed_bands_is_summed_per_band_noise():
    # Held broad bands train on B = x @ w with noise B + s * sqrt(x^2 @ w^2) * N(0, 1):
    # the same distribution as per-band noise x (1 + s n) summed with the weights.
    gen = torch.Generator().manual_seed(0)
    x = (0.5 + torch.rand(1, 5, generator=gen, dtype=torch.float64)).expand(50_000, 5)
    w = torch.tensor([[0.3, 0], [0.7, 0], [0, 0.5], [0, 0.2], [0, 0.3]], dtype=torch.float64)
    noise = MultiplicativeNoise(0.2)
    per_band = noise(x, None, gen)[0] @ w
    noise.summed = True
    spread = torch.sqrt(x.square() @ w.square())
    summed, _ = noise(torch.cat([x @ w, spread], dim=1), None, gen)
    assert summed.shape == per_band.shape
    torch.testing.assert_close(summed.mean(0), per_band.mean(0), rtol=2e-3, atol=0)
    torch.testing.assert_close(summed.std(0), per_band.std(0), rtol=0.03, atol=0)
