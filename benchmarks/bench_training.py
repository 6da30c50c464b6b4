"""Per-epoch training time of NDClassifier against baselines, as ratios from one run.

    python benchmarks/bench_training.py [--n-samples 20000] [--epochs 10] [--repeats 3]

Every timing is measured in this run on the same data and architecture: a plain
torch loop (tensor slicing, Adam), skorch's own NeuralNet with its default
DataLoader, and scikit-learn's MLPClassifier at the same hidden width (the
issue's comparison) and at (64, 64) (the real-data baseline). The machine is noisy:
read the ratios, not the seconds, and repeat.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import sklearn
import skorch
import torch
from sklearn.neural_network import MLPClassifier
from skorch import NeuralNetClassifier

from sknd import NDClassifier
from sknd._loop import _fused_adam
from sknd.datasets import make_spectral_classification
from sknd.nn import NDNetwork
from sknd.nn.nd import _PairwiseND

# ReLU layers on the learned pair indices, without NDClassifier's default projection
# (n_components): the hand-written backward of _manual_step covers plain ReLU layers.
HIDDEN = (20, 12)
COMPONENTS = None
BATCH = 200
LR = 0.01


def _setup(X, y):
    """The module NDClassifier trains, the optimizer sknd uses (fused Adam where
    this torch has it), the data as tensors and the fixed index scaling."""
    torch.manual_seed(0)
    module = NDNetwork(X.shape[1], "pairs", HIDDEN, int(y.max()) + 1, n_components=COMPONENTS)
    optimizer = torch.optim.Adam(module.parameters(), lr=LR, fused=_fused_adam("cpu"))
    Xt, yt = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
    module.standardize_indices(Xt)
    return module, optimizer, Xt, yt


def _epoch_seconds(Xt, yt, epochs, step):
    """Seconds per epoch of ``step(X_batch, y_batch)`` over shuffled batches."""
    generator = torch.Generator().manual_seed(0)
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(Xt), generator=generator)
        for i in range(0, len(Xt), BATCH):
            idx = order[i : i + BATCH]
            step(Xt[idx], yt[idx])
    return (time.perf_counter() - start) / epochs


def plain_torch_epoch_seconds(X, y, epochs):
    module, optimizer, Xt, yt = _setup(X, y)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step(xb, yb):
        optimizer.zero_grad()
        loss_fn(module(xb), yb).backward()
        optimizer.step()

    return _epoch_seconds(Xt, yt, epochs, step)


class _Ctx:
    """Stands in for autograd's context, so ``_PairwiseND``'s own forward and
    backward run as plain functions."""

    needs_input_grad = (False, True, False, False)

    def save_for_backward(self, *tensors):
        self.saved_tensors = tensors


def _manual_step(module, xb, yb):
    """One batch's loss and gradients of ``module`` (pair indices, ReLU layers,
    linear head, cross-entropy) without autograd: the ND layer's own forward
    and hand-derived backward, the rest written out. No graph is recorded and
    no operation is spent on what autograd would do, so it shows what torch's
    eager mode costs per batch once the engine is gone."""
    nd = module.nd_layers[0]
    ctx = _Ctx()
    with torch.no_grad():
        out = _PairwiseND.forward(ctx, xb, nd.log_ratio, nd.pairs_flat, nd.eps)
        h = (out - module.index_mean) / module.index_scale
        linears = [m for m in module.hidden if isinstance(m, torch.nn.Linear)] + [module.head]
        inputs = [h]
        for k, layer in enumerate(linears):
            h = torch.addmm(layer.bias, h, layer.weight.t())
            if k < len(linears) - 1:
                h = h.clamp_min_(0.0)
                inputs.append(h)
        logp = torch.log_softmax(h, 1)
        loss = -logp.gather(1, yb[:, None]).mean()
        g = logp.exp_()
        g[torch.arange(len(yb)), yb] -= 1.0
        g /= len(yb)
        for k in reversed(range(len(linears))):
            layer, a = linears[k], inputs[k]
            layer.weight.grad, layer.bias.grad = g.t().mm(a), g.sum(0)
            g = g.mm(layer.weight)
            if k > 0:
                g.mul_(a > 0)
        nd.log_ratio.grad = _PairwiseND.backward(ctx, g.div_(module.index_scale))[1]
    return loss


def manual_torch_epoch_seconds(X, y, epochs):
    """The plain loop with :func:`_manual_step` in place of autograd."""
    module, optimizer, Xt, yt = _setup(X, y)
    # The hand-written gradients are autograd's (to float32 rounding).
    loss = torch.nn.functional.cross_entropy(module(Xt[:BATCH]), yt[:BATCH])
    auto = torch.autograd.grad(loss, list(module.parameters()))
    _manual_step(module, Xt[:BATCH], yt[:BATCH])
    for a, p in zip(auto, module.parameters()):
        torch.testing.assert_close(p.grad, a, rtol=1e-4, atol=1e-6)

    def step(xb, yb):
        _manual_step(module, xb, yb)
        optimizer.step()

    return _epoch_seconds(Xt, yt, epochs, step)


def sknd_epoch_seconds(X, y, epochs):
    # The cosine schedule (the default) runs every epoch.
    clf = NDClassifier(
        HIDDEN, n_components=COMPONENTS, max_epochs=epochs, batch_size=BATCH, lr=LR,
        random_state=0,
    )  # fmt: skip
    start = time.perf_counter()
    clf.fit(X, y)
    return (time.perf_counter() - start) / clf.n_iter_


def skorch_default_epoch_seconds(X, y, epochs):
    torch.manual_seed(0)
    net = NeuralNetClassifier(
        NDNetwork(X.shape[1], "pairs", HIDDEN, int(y.max()) + 1, n_components=COMPONENTS),
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=LR,
        max_epochs=epochs,
        batch_size=BATCH,
        train_split=None,
        iterator_train__shuffle=True,
        verbose=0,
    )
    start = time.perf_counter()
    net.fit(X.astype(np.float32), y)
    return (time.perf_counter() - start) / epochs


def mlp_epoch_seconds(X, y, epochs, hidden=HIDDEN):
    mlp = MLPClassifier(hidden, max_iter=epochs, batch_size=BATCH, tol=0, random_state=0)
    start = time.perf_counter()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: we stop it on purpose
        mlp.fit(X, y)
    return (time.perf_counter() - start) / mlp.n_iter_


def epoch_times(X, y, epochs, repeats) -> dict:
    """Best seconds per epoch of every method, from ``repeats`` interleaved runs.

    Interleaved, so drifts in the machine's load (this one's speed jumps
    between two levels about 1.3x apart) hit every method alike.
    """
    runs = {
        "plain torch loop (baseline)": plain_torch_epoch_seconds,
        "sknd NDClassifier": sknd_epoch_seconds,
        "plain loop, hand-written backward (no autograd)": manual_torch_epoch_seconds,
        "skorch with its default DataLoader": skorch_default_epoch_seconds,
        f"MLPClassifier({HIDDEN}), the same hidden width": mlp_epoch_seconds,
        "MLPClassifier((64, 64))": lambda X, y, e: mlp_epoch_seconds(X, y, e, (64, 64)),
    }
    before = torch.get_num_threads()
    best = dict.fromkeys(runs, np.inf)
    for _ in range(repeats):
        for name, run in runs.items():
            # torch gets the single thread sknd picks for small models.
            torch.set_num_threads(before if name.startswith("MLP") else 1)
            try:
                best[name] = min(best[name], run(X, y, epochs))
            finally:
                torch.set_num_threads(before)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=20_000)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    X, y = make_spectral_classification(args.n_samples, n_classes=6, random_state=0)
    print(
        f"{args.n_samples} x {X.shape[1]}, hidden {HIDDEN}, batch {BATCH}, "
        f"{args.epochs} epochs, best of {args.repeats}; python {platform.python_version()}, "
        f"torch {torch.__version__}, skorch {skorch.__version__}, sklearn {sklearn.__version__}, "
        f"{torch.get_num_threads()} torch threads available"
    )
    best = epoch_times(X, y, args.epochs, args.repeats)
    base = best["plain torch loop (baseline)"]
    width = max(map(len, best))
    print(f"{'method':{width}s} {'ms/epoch':>9s} {'ratio':>6s}")
    for name, seconds in best.items():
        print(f"{name:{width}s} {1e3 * seconds:9.1f} {seconds / base:6.2f}")


if __name__ == "__main__":
    main()
