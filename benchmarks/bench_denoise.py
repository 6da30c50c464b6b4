"""Every denoiser on the seed's spike task and on smooth / piecewise-constant families.

    python benchmarks/bench_denoise.py [--n-train 10000] [--n-test 1000] [--epochs 30]
                                       [--families spikes,smooth7,smooth2,pwc7,pwc2]

For each family: RMSE, standard PSNR (20 log10(peak / RMSE), per signal) and
milliseconds per signal of every method: the learned denoiser with fixed and
unfixed batch norm (unfixed predicted with the whole test set as one batch and
one signal at a time), sparse batch-norm variants (soft, hard, firm shrinkage;
L1 penalty), label-free R2R, and the Wiener, L1 and GMC filters in every
domain with lam="auto". All numbers come from this run.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import torch

from sknd.datasets import make_piecewise_constant_signals, make_smooth_signals, make_spike_signals
from sknd.denoise import GMCDenoiser, L1Denoiser, SparseBNDenoiser, WienerDenoiser
from sknd.metrics import psnr, rmse

FAMILIES = {
    "spikes": lambda n, seed: make_spike_signals(n, random_state=seed),
    "smooth7": lambda n, seed: make_smooth_signals(n, snr=7, random_state=seed),
    "smooth2": lambda n, seed: make_smooth_signals(n, snr=2, random_state=seed),
    "pwc7": lambda n, seed: make_piecewise_constant_signals(n, snr=7, random_state=seed),
    "pwc2": lambda n, seed: make_piecewise_constant_signals(n, snr=2, random_state=seed),
}

LEARNED = {
    "CNN, batch norm fixed": {},
    "CNN, sparse BN soft (l1)": {"norm": "sparse", "penalty": "l1"},
    "CNN, sparse BN hard (l0)": {"norm": "sparse", "penalty": "l0"},
    "CNN, sparse BN firm (gmc)": {"norm": "sparse", "penalty": "gmc"},
    "CNN, BN + L1 penalty 0.1": {"lam": 0.1},
    "CNN, per-signal norm": {"norm": "instance"},
}


def classical():
    methods = {"Wiener (window 3)": WienerDenoiser(3)}
    for domain in ("time", "tv", "dft", "wavelet"):
        methods[f"L1, {domain}"] = L1Denoiser(domain=domain)
        methods[f"GMC, {domain}"] = GMCDenoiser(domain=domain)
    return methods


def timed(fn, X):
    start = time.perf_counter()
    out = fn(X)
    return out, 1e3 * (time.perf_counter() - start) / len(X)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n-train", type=int, default=10_000)
    parser.add_argument("--n-test", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument(
        "--skip-variants", action="store_true", help="train only the default CNN (faster)"
    )
    args = parser.parse_args()
    print(
        f"train {args.n_train}, test {args.n_test} signals of length 100, max {args.epochs} "
        f"epochs; python {platform.python_version()}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads"
    )
    for family in args.families.split(","):
        X, y = FAMILIES[family](args.n_train, 0)
        X_test, y_test = FAMILIES[family](args.n_test, 1)
        rows = [("noisy input", X_test, 0.0)]
        for name, est in classical().items():
            out, ms = timed(est.fit(X).transform, X_test)
            rows.append((name, out, ms))
        variants = {"CNN, batch norm fixed": {}} if args.skip_variants else LEARNED
        for name, params in variants.items():
            est = SparseBNDenoiser(max_epochs=args.epochs, random_state=0, **params)
            start = time.perf_counter()
            est.fit(X, y)
            fit_s = time.perf_counter() - start
            out, ms = timed(est.predict, X_test)
            rows.append((f"{name} [fit {fit_s:.0f} s]", out, ms))
            if name == "CNN, batch norm fixed":
                est.set_params(bn_mode="unfixed")
                out, ms = timed(est.predict, X_test)
                rows.append(("CNN, BN unfixed, test batch = all", out, ms))
                start = time.perf_counter()
                out = np.concatenate([est.predict(X_test[i : i + 1]) for i in range(len(X_test))])
                ms = 1e3 * (time.perf_counter() - start) / len(X_test)
                rows.append(("CNN, BN unfixed, test batch = 1", out, ms))
        est = SparseBNDenoiser(max_epochs=args.epochs, random_state=0)
        start = time.perf_counter()
        est.fit(X)
        fit_s = time.perf_counter() - start
        out, ms = timed(est.predict, X_test)
        rows.append((f"CNN, no clean signals (R2R) [fit {fit_s:.0f} s]", out, ms))
        print(f"\n{family}: noise std {np.std(X_test - y_test):.3f}")
        print(f"  {'method':44s} {'RMSE':>7s} {'PSNR dB':>8s} {'ms/signal':>10s}")
        for name, out, ms in rows:
            print(f"  {name:44s} {rmse(y_test, out):7.3f} {psnr(y_test, out):8.2f} {ms:10.3f}")


if __name__ == "__main__":
    main()
