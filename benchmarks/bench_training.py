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
from sknd._net import _fused_adam
from sknd.datasets import make_spectral_classification
from sknd.nn import NDNetwork

HIDDEN = (20, 12)  # NDClassifier's default: ReLU layers on the learned pair indices
BATCH = 200
LR = 0.01


def plain_torch_epoch_seconds(X, y, epochs):
    torch.manual_seed(0)
    module = NDNetwork(X.shape[1], "pairs", HIDDEN, int(y.max()) + 1)
    # The optimizer sknd uses: fused Adam where this torch has it.
    optimizer = torch.optim.Adam(module.parameters(), lr=LR, fused=_fused_adam("cpu"))
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
    module.standardize_indices(Xt)
    generator = torch.Generator().manual_seed(0)
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(Xt), generator=generator)
        for i in range(0, len(Xt), BATCH):
            idx = order[i : i + BATCH]
            optimizer.zero_grad()
            loss = loss_fn(module(Xt[idx]), yt[idx])
            loss.backward()
            optimizer.step()
    return (time.perf_counter() - start) / epochs


def sknd_epoch_seconds(X, y, epochs):
    # The cosine schedule (the default) runs every epoch.
    clf = NDClassifier(HIDDEN, max_epochs=epochs, batch_size=BATCH, lr=LR, random_state=0)
    start = time.perf_counter()
    clf.fit(X, y)
    return (time.perf_counter() - start) / clf.n_iter_


def skorch_default_epoch_seconds(X, y, epochs):
    torch.manual_seed(0)
    net = NeuralNetClassifier(
        NDNetwork(X.shape[1], "pairs", HIDDEN, int(y.max()) + 1),
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=20_000)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    X, y = make_spectral_classification(args.n_samples, n_classes=6, random_state=0)
    print(
        f"{args.n_samples} x {X.shape[1]}, hidden {HIDDEN}, batch {BATCH}, "
        f"{args.epochs} epochs, best of {args.repeats}; python {platform.python_version()}, "
        f"torch {torch.__version__}, skorch {skorch.__version__}, sklearn {sklearn.__version__}, "
        f"{torch.get_num_threads()} torch threads available"
    )
    runs = {
        "plain torch loop (baseline)": plain_torch_epoch_seconds,
        "sknd NDClassifier": sknd_epoch_seconds,
        "skorch, default DataLoader": skorch_default_epoch_seconds,
        f"MLPClassifier({HIDDEN})": mlp_epoch_seconds,
        "MLPClassifier((64, 64))": lambda X, y, e: mlp_epoch_seconds(X, y, e, (64, 64)),
    }
    before = torch.get_num_threads()
    best = {}
    # Interleave the repeats so drifts in machine load hit every method alike.
    for _ in range(args.repeats):
        for name, fn in runs.items():
            # The plain loop and skorch get the single thread sknd picks for small models.
            torch.set_num_threads(1 if "MLP" not in name else before)
            best[name] = min(best.get(name, np.inf), fn(X, y, args.epochs))
    torch.set_num_threads(before)
    base = best["plain torch loop (baseline)"]
    print(f"{'method':32s} {'ms/epoch':>9s} {'ratio':>6s}")
    for name, seconds in best.items():
        print(f"{name:32s} {1e3 * seconds:9.1f} {seconds / base:6.2f}")


if __name__ == "__main__":
    main()
