"""Report section: label-free denoising of one long recording (bench_long's tables).

Time, peak memory and PSNR against length for AutoDenoiser and GMC-TV SURE
with plain-transform anchors measured in the same run, and windowed
AutoDenoiser against noise that drifts. Data: PyWavelets' real ECG, tiled.
"""

from __future__ import annotations

import numpy as np
from bench_long import drift_table, length_table

from sknd.denoise import tv_denoise

TITLE = "## Long recordings"


def run(quick: bool, out_dir=None) -> str:
    tv_denoise(np.arange(8.0), 0.5)  # compile the TV loop before timing (numba)
    lengths = [10_000] if quick else [10_000, 100_000, 1_000_000]
    drift_n = 8192 if quick else 262_144
    lines = [
        TITLE,
        "",
        "One recording, one thread: PyWavelets' real ECG (`pywt.data.ecg()`, 1024 samples "
        "at 360 Hz) tiled to each length, with white noise at SNR 7. Each call is timed "
        "untraced, then repeated for its peak memory (numpy's, by `tracemalloc`). The "
        "anchors are one plain transform each, measured in the same run: ratios to the "
        "first are what compares across machines. `python benchmarks/bench_long.py "
        "--lengths 1e4 1e5 1e6 --window 65536` prints the same tables, and `--lengths "
        "1e7 --skip-gmc --window 65536` the same at ten million samples (11 minutes).",
        *length_table(lengths, window=None if quick else 65_536, gmc=not quick),
        "",
        *drift_table(
            drift_n,
            (drift_n // 4,) if quick else (drift_n // 16, drift_n // 4),
            seeds=1 if quick else 3,
        ),
    ]
    return "\n".join(lines) + "\n"
