"""The ND torch layer against its numpy oracle, its gradients and its promises."""

import numpy as np
import pytest
import torch

from sknd import NDPairsTransformer
from sknd.nn import NDNetwork, NormalizedDifference, all_pairs
from sknd.reference import nd_dense, nd_index_network, nd_network, nd_pairwise


def _signed(rng, n=20, d=5):
    x = rng.normal(size=(n, d))
    x[0] = 0.0  # an all-zero row
    x[1, :2] = 0.0
    return x


def test_dense_matches_numpy_reference():
    rng = np.random.default_rng(0)
    layer = NormalizedDifference(5, 3, eps=1e-3).double()
    x = _signed(rng)
    a, b = (t.detach().numpy() for t in layer.coefficients())
    got = layer(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(got, nd_dense(x, a, b, eps=1e-3), rtol=0, atol=1e-12)


def test_pairwise_matches_numpy_reference():
    rng = np.random.default_rng(1)
    layer = NormalizedDifference(4, form="pairwise", eps=1e-4).double()
    with torch.no_grad():
        layer.log_ratio.normal_()
    x = _signed(rng, d=4)
    got = layer(torch.from_numpy(x)).detach().numpy()
    expected = nd_pairwise(x, all_pairs(4), layer.log_ratio.detach().numpy(), eps=1e-4)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_network_matches_numpy_reference():
    rng = np.random.default_rng(2)
    torch.manual_seed(0)
    net = NDNetwork(6, 4, (3,), 2, activation="nd").double()
    x = np.abs(rng.normal(size=(15, 6)))
    layers = [(m.alpha.detach().numpy(), m.beta.detach().numpy()) for m in net.nd_layers]
    head = (net.head.weight.detach().numpy(), net.head.bias.detach().numpy())
    got = net(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(got, nd_network(x, layers, head), rtol=0, atol=1e-12)


@pytest.mark.parametrize("n_components", [None, 3])
def test_relu_network_on_pairs_matches_numpy_reference(n_components):
    rng = np.random.default_rng(4)
    torch.manual_seed(0)
    net = NDNetwork(5, "pairs", (6, 4), 3, n_components=n_components).double()
    x = np.abs(rng.normal(size=(40, 5)))
    with torch.no_grad():
        net.nd_layers[0].log_ratio.normal_()
    net.standardize_indices(torch.from_numpy(x))
    log_ratio = net.nd_layers[0].log_ratio.detach().numpy()
    indices = nd_pairwise(x, all_pairs(5), log_ratio)
    mean, scale = indices.mean(axis=0), indices.std(axis=0)
    np.testing.assert_allclose(net.index_mean.numpy(), mean, atol=1e-12)
    np.testing.assert_allclose(net.index_scale.numpy(), np.maximum(scale, 1e-3), atol=1e-12)
    linears = [m for m in net.hidden if isinstance(m, torch.nn.Linear)]
    hidden = [(m.weight.detach().numpy(), m.bias.detach().numpy()) for m in linears]
    head = (net.head.weight.detach().numpy(), net.head.bias.detach().numpy())
    projection = None
    if n_components is not None:
        projection = (net.projection.weight.detach().numpy(), net.projection.bias.detach().numpy())
    expected = nd_index_network(
        indices, mean, np.maximum(scale, 1e-3), hidden, head, projection=projection
    )
    got = net(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10)
    # Illumination: the whole network is invariant to scaling a sample.
    scaled = net(torch.from_numpy(x * rng.uniform(1e-3, 1e3, size=(40, 1)))).detach().numpy()
    np.testing.assert_allclose(scaled, got, rtol=0, atol=1e-10)


def test_classical_pairs_equal_pairwise_layer_at_ratio_one():
    rng = np.random.default_rng(3)
    x = np.abs(rng.normal(size=(30, 5)))
    layer = NormalizedDifference(5, form="pairwise", eps=0.0).double()
    expected = layer(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(NDPairsTransformer().fit_transform(x), expected, atol=1e-14)


@pytest.mark.parametrize("form", ["dense", "pairwise"])
@pytest.mark.parametrize("eps", [0.0, 1e-2])
def test_gradcheck(form, eps):
    torch.manual_seed(0)
    layer = NormalizedDifference(4, 3, form=form, eps=eps).double()
    if form == "pairwise":
        with torch.no_grad():
            layer.log_ratio.normal_()
    # Away from the kinks of |x| and of the row maximum, where gradients exist.
    x = torch.tensor(
        [[0.3, -1.2, 0.7, 0.5], [2.0, 0.4, -0.9, 1.1], [0.2, 0.6, 1.5, -0.4]],
        dtype=torch.float64,
        requires_grad=True,
    )
    assert torch.autograd.gradcheck(layer, (x,))
    params = list(layer.parameters())
    assert torch.autograd.gradcheck(
        lambda *p: torch.func.functional_call(
            layer, dict(zip([n for n, _ in layer.named_parameters()], p)), (x.detach(),)
        ),
        tuple(q.detach().clone().requires_grad_(True) for q in params),
    )


@pytest.mark.parametrize("form", ["dense", "pairwise"])
def test_bounded_odd_and_scale_invariant(form):
    rng = np.random.default_rng(4)
    layer = NormalizedDifference(6, 5, form=form).double()
    x = torch.from_numpy(_signed(rng, d=6) * 10.0 ** rng.uniform(-6, 6, size=(20, 1)))
    out = layer(x)
    assert torch.isfinite(out).all() and out.abs().max() <= 1
    torch.testing.assert_close(layer(-x), -out, rtol=0, atol=1e-15)
    for c in (1e-3, 0.5, 1e3):
        torch.testing.assert_close(layer(c * x), out, rtol=0, atol=1e-13)


def test_zero_rows_give_zero_and_finite_gradients():
    layer = NormalizedDifference(3, 2, eps=0.0)
    x = torch.zeros(4, 3, requires_grad=True)
    out = layer(x)
    assert (out == 0).all()
    out.sum().backward()
    assert torch.isfinite(x.grad).all()
    assert all(torch.isfinite(p.grad).all() for p in layer.parameters())


def test_extreme_magnitudes_do_not_overflow():
    layer = NormalizedDifference(3, 2)
    x = torch.tensor([[1e38, 3e38, 1e37], [1e-40, 2e-40, 0.0]], dtype=torch.float32)
    out = layer(x)
    assert torch.isfinite(out).all() and out.abs().max() <= 1


def test_sparsity_penalty_is_scale_free_and_favours_few_bands():
    layer = NormalizedDifference(4, 1).double()
    with torch.no_grad():
        layer.alpha.fill_(0.0)
        layer.beta.fill_(0.0)
        uniform = layer.sparsity_penalty().item()
        layer.alpha.fill_(-30.0)
        layer.beta.fill_(-30.0)
        layer.alpha[0, 0] = 2.0
        layer.beta[0, 1] = 2.0
        two_bands = layer.sparsity_penalty().item()
    assert two_bands < 0.5 < uniform
    # (a, b) -> (c a, c b) changes neither the index nor the penalty.
    a, b = layer.coefficients()
    other = NormalizedDifference(4, 1).double()
    with torch.no_grad():
        other.alpha.copy_(torch.log(torch.expm1(3 * a)))
        other.beta.copy_(torch.log(torch.expm1(3 * b)))
    assert other.sparsity_penalty().item() == pytest.approx(two_bands, rel=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"form": "tree"}, "form"),
        ({"eps": -1.0}, "eps"),
        ({"form": "pairwise", "pairs": [(0, 9)]}, "pair indices"),
        ({"form": "pairwise", "pairs": []}, "at least one pair"),
    ],
)
def test_invalid_layer_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        NormalizedDifference(3, 2, **kwargs)


def test_index_dropout_acts_in_training_only():
    torch.manual_seed(0)
    net = NDNetwork(6, 4, (8,), 3, dropout=0.5).double()
    x = torch.rand(64, 6, dtype=torch.float64)
    net.train()
    assert not torch.equal(net(x), net(x))  # a new mask each pass
    net.eval()
    assert torch.equal(net(x), net(x))
    # In eval mode it is the network without dropout.
    plain = NDNetwork(6, 4, (8,), 3).double()
    plain.load_state_dict(net.state_dict())
    plain.eval()
    assert torch.equal(plain(x), net(x))
    with pytest.raises(ValueError, match="dropout must be in"):
        NDNetwork(6, 4, dropout=1.0)


def test_grouped_pairs_are_one_positive_nd_of_the_bands():
    rng = np.random.default_rng(5)
    groups = [0, 0, 1, 1, 1, 2, 3, 3]
    layer = NormalizedDifference(8, form="pairwise", groups=groups, eps=0.0).double()
    with torch.no_grad():
        layer.log_ratio.normal_(0.0, 0.5)
        layer.group_logit.normal_(0.0, 1.0)
    assert layer.out_features == 6  # pairs of 4 broad bands
    x = torch.from_numpy(rng.uniform(0.05, 1.0, size=(30, 8)))
    a, b = layer.coefficients()
    # Each broad band's weights sum to 1; coefficients rebuild the forward pass.
    torch.testing.assert_close(layer.group_weights().sum(dim=0), torch.ones(4, dtype=a.dtype))
    dense = (x @ (a - b).T) / (x @ (a + b).T)
    torch.testing.assert_close(layer(x), dense, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(layer(7.0 * x), layer(x), rtol=0, atol=1e-13)
    # At the start, the classical ND of the group means.
    fresh = NormalizedDifference(8, form="pairwise", groups=groups, eps=0.0).double()
    means = torch.stack([x[:, [0, 1]].mean(1), x[:, [2, 3, 4]].mean(1)], dim=1)
    expected = (means[:, 0] - means[:, 1]) / (means[:, 0] + means[:, 1])
    torch.testing.assert_close(fresh(x)[:, 0], expected)


def test_grouped_pairs_gradcheck():
    layer = NormalizedDifference(5, form="pairwise", groups=[0, 1, 1, 2, 2]).double()
    with torch.no_grad():
        layer.log_ratio.normal_(0.0, 0.5)
    x = torch.rand(6, 5, dtype=torch.float64) + 0.1
    assert torch.autograd.gradcheck(
        lambda r, g: torch.func.functional_call(layer, {"log_ratio": r, "group_logit": g}, (x,)),
        (layer.log_ratio.detach().clone().requires_grad_(True),
         layer.group_logit.detach().clone().requires_grad_(True)),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("groups", "match"),
    [([0, 0, 1], "each of the 4 inputs"), ([0, 0, 2, 2], "none empty"), ([0] * 4, "at least 2")],
)
def test_invalid_groups(groups, match):
    with pytest.raises(ValueError, match=match):
        NormalizedDifference(4, form="pairwise", groups=groups)
