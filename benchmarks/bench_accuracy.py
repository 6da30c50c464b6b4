"""Default NDClassifier against MLPClassifier((64, 64)): accuracy, parameters, fit time.

    python benchmarks/bench_accuracy.py [--n-samples 7000] [--seeds 3]

Synthetic 10-band spectra (sknd.datasets.make_spectral_classification, 6 classes,
illumination x U(0.5, 1.5)); the MLP gets standardized bands, as users would
give it. Also prints the accuracy drop under two perturbations of the test set,
kept apart: per-sample illumination x U(0.5, 1.5), and independent per-band
multiplicative noise x (1 + 0.1 N(0, 1)).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknd import NDClassifier
from sknd.datasets import make_spectral_classification


def n_params(model):
    if isinstance(model, NDClassifier):
        return sum(p.numel() for p in model.module_.parameters())
    mlp = model[-1]
    return sum(w.size for w in mlp.coefs_) + sum(b.size for b in mlp.intercepts_)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n-samples", type=int, default=7000)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    rows = {}
    for seed in range(args.seeds):
        X, y = make_spectral_classification(args.n_samples, n_classes=6, random_state=seed)
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=seed)
        rng = np.random.default_rng(seed)
        lit = X_te * rng.uniform(0.5, 1.5, size=(len(X_te), 1))
        noisy = X_te * (1 + 0.1 * rng.standard_normal(X_te.shape))
        models = {
            "NDClassifier() default": NDClassifier(random_state=seed),
            "NDClassifier(noise=0.1)": NDClassifier(noise=0.1, random_state=seed),
            "MLP (64, 64), standardized": make_pipeline(
                StandardScaler(), MLPClassifier((64, 64), random_state=seed)
            ),
        }
        for name, model in models.items():
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(X_tr, y_tr)
            seconds = time.perf_counter() - start
            acc = model.score(X_te, y_te)
            rows.setdefault(name, []).append(
                (
                    acc,
                    acc - model.score(lit, y_te),
                    acc - model.score(noisy, y_te),
                    n_params(model),
                    seconds,
                )
            )
    print(f"{args.n_samples} spectra x 10 bands, 6 classes, 30% test, mean over {args.seeds} seeds")
    header = ("model", "accuracy", "drop illum.", "drop 10% noise", "params", "fit s")
    print(f"{header[0]:30s}" + "".join(f"{h:>15s}" for h in header[1:]))
    mlp_params = np.mean([r[3] for r in rows["MLP (64, 64), standardized"]])
    for name, runs in rows.items():
        acc, d_ill, d_noise, params, sec = np.mean(runs, axis=0)
        print(
            f"{name:30s}{100 * acc:15.2f}{100 * d_ill:15.2f}{100 * d_noise:15.2f}"
            f"{params:9.0f} ({params / mlp_params:4.0%}){sec:15.1f}"
        )
    print("accuracies and drops in percentage points")


if __name__ == "__main__":
    main()
