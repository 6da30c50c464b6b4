"""Pickle size of an explicit one-index-per-pair layer on many bands, sparse against dense.

    python benchmarks/bench_pair_storage.py               # 300 bands, 44,850 pairs
    python benchmarks/bench_pair_storage.py --bands 180

Synthetic data (uniform reflectances, two classes): only the sizes matter here.
The dense baseline is the same fit with ``positive_coef_`` / ``negative_coef_``
kept dense (the sparse threshold set out of reach), in the same run.
"""

from __future__ import annotations

import argparse
import pickle
import time
import warnings

import numpy as np

from sknd import NDClassifier, _nd_base


def fit(X, y):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one epoch does not converge
        clf = NDClassifier(n_indices="pairs", max_epochs=1, random_state=0).fit(X, y)
    return clf, time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bands", type=int, default=300)
    parser.add_argument("--rows", type=int, default=500)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    X = rng.uniform(0.05, 1.0, size=(args.rows, args.bands))
    y = np.arange(args.rows) % 2
    sparse_clf, sparse_s = fit(X, y)
    limit = _nd_base._SPARSE_COEF_SIZE
    _nd_base._SPARSE_COEF_SIZE = np.inf
    try:
        dense_clf, dense_s = fit(X, y)
    finally:
        _nd_base._SPARSE_COEF_SIZE = limit
    sizes = [len(pickle.dumps(c)) / 2**20 for c in (dense_clf, sparse_clf)]
    n_pairs = args.bands * (args.bands - 1) // 2
    print(f"{args.bands} bands, {n_pairs} pairs, {args.rows} rows, 1 epoch")
    print(f"dense coefficients:  pickle {sizes[0]:8.1f} MB, fit {dense_s:.1f} s")
    print(f"sparse coefficients: pickle {sizes[1]:8.1f} MB, fit {sparse_s:.1f} s")
    print(f"sparse / dense: pickle {sizes[1] / sizes[0]:.3f}, fit time {sparse_s / dense_s:.2f}")


if __name__ == "__main__":
    main()
