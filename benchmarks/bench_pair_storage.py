"""An explicit one-index-per-pair layer on many bands: pickle size and inference memory.

    python benchmarks/bench_pair_storage.py               # 300 bands, 44,850 pairs
    python benchmarks/bench_pair_storage.py --bands 180

Synthetic data (uniform reflectances, two classes): only sizes matter here.
Baselines, in the same run: the same fit with ``positive_coef_`` /
``negative_coef_`` kept dense (the sparse threshold set out of reach), and
``predict`` on all rows in one chunk (the inference budget set out of reach),
each predict in a fresh process, its peak resident memory above the loaded
model's (Linux: read from /proc/self/status).
"""

from __future__ import annotations

import argparse
import pickle
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from sknd import NDClassifier
from sknd.nd import _base as _nd_base

# The child's own peak: VmHWM (Linux) starts afresh at exec, where ru_maxrss
# keeps the high-water mark of the parent it was forked from.
PREDICT = """
import pickle, sys, time
import numpy as np
import sknd._training
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 2**10
model = pickle.load(open(sys.argv[1], "rb"))
X = np.load(sys.argv[2])
if sys.argv[3] == "one-chunk":
    sknd._training._INFERENCE_BYTES = float("inf")
model.predict(X[:2])
before = peak()
start = time.perf_counter()
model.predict(X)
seconds = time.perf_counter() - start
print(peak() - before, seconds)
"""


def fit(X, y):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one epoch does not converge
        clf = NDClassifier(n_indices="pairs", max_epochs=1, random_state=0).fit(X, y)
    return clf, time.perf_counter() - start


def predict_memory(model_path, rows_path, mode):
    out = subprocess.run(
        [sys.executable, "-c", PREDICT, str(model_path), str(rows_path), mode],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    megabytes, seconds = (float(v) for v in out.stdout.split())
    return megabytes, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bands", type=int, default=300)
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--predict-rows", type=int, default=2000)
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
    with tempfile.TemporaryDirectory() as tmp:
        model, rows = Path(tmp, "model.pkl"), Path(tmp, "rows.npy")
        model.write_bytes(pickle.dumps(sparse_clf))
        np.save(rows, rng.uniform(0.05, 1.0, size=(args.predict_rows, args.bands)))
        one, one_s = predict_memory(model, rows, "one-chunk")
        chunked, chunked_s = predict_memory(model, rows, "chunked")
    per_row = sparse_clf.module_.inference_bytes_per_row() / 2**20
    print(f"predict on {args.predict_rows} rows, peak resident memory above the loaded model:")
    print(f"  one chunk:     {one:8.0f} MB ({one / args.predict_rows:.2f} MB a row), {one_s:.1f} s")
    estimate = f"estimate {per_row:.2f} MB a row"
    print(f"  sknd's chunks: {chunked:8.0f} MB, {chunked_s:.1f} s ({estimate})")
    print(f"  chunked / one chunk: memory {chunked / one:.3f}, time {chunked_s / one_s:.2f}")


if __name__ == "__main__":
    main()
