"""sknd._loop: the trimmed skorch net, and the skorch internals it relies on."""

import pytest
import torch

from sknd._loop import SKORCH_INTERNALS, _Net


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
