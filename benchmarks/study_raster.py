"""Learned indices on a whole dask-backed scene: pixels per second and peak memory.

Each measurement runs in its own process, so its peak resident memory is its own
(in quick mode, a smoke run, all run in this one). The scene is 10 bands of
float32 generated lazily chunk by chunk, so it never exists in memory as a
whole; the result is reduced (one mean per index) so it never does either.
Baselines in the same run: producing and reducing the scene alone, and the
exported formulas evaluated by numpy on each chunk.

    python benchmarks/study_raster.py            # 10,000 x 10,000 pixels
    python benchmarks/study_raster.py --quick    # 500 x 500, in this process
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

N_BANDS, N_INDICES = 10, 8


def _scene(side: int, chunk: int):
    import dask.array as da
    import xarray as xr

    # Reflectance-like values in [0.01, 0.51); the seed makes every chunk reproducible.
    rng = da.random.default_rng(0)
    data = rng.random((N_BANDS, side, side), chunks=(N_BANDS, chunk, chunk), dtype=np.float32)
    return xr.DataArray(data * np.float32(0.5) + np.float32(0.01), dims=("band", "y", "x"))


def _worker(mode: str, side: int, chunk: int, model: str) -> dict:
    import dask

    from sknd.raster import transform_raster

    with open(model, "rb") as f:
        nd = pickle.load(f)
    scene = _scene(side, chunk)
    if mode == "scene only":
        result = scene.mean(dim=("y", "x"))
    elif mode == "numpy formulas":
        entries = nd.export_indices(band_names=[f"b{i}" for i in range(N_BANDS)])

        def formulas(block):
            bands = {f"b{i}": block[i] for i in range(N_BANDS)}
            return np.stack([eval(e["formula"], {"abs": np.abs}, bands) for e in entries])

        chunks = (N_INDICES, *scene.data.chunks[1:])
        out = scene.data.map_blocks(formulas, chunks=chunks, meta=np.array((), np.float32))
        result = out.mean(axis=(1, 2))
    else:
        result = transform_raster(nd, scene).mean(dim=("y", "x"))
    start = time.perf_counter()
    with dask.config.set(scheduler="threads"):
        values = np.asarray(result.compute() if hasattr(result, "compute") else result)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak_mb, "checksum": float(values.sum())}


def measure(quick: bool) -> list[dict]:
    from sknd import NDIndexTransformer
    from sknd.datasets import make_spectral_classification

    side, chunk = (500, 250) if quick else (10_000, 2000)
    X, y = make_spectral_classification(n_samples=2000, random_state=0)
    nd = NDIndexTransformer(n_indices=N_INDICES, max_epochs=5 if quick else 20, random_state=0)
    nd.fit(X, y)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "nd.pkl"
        model.write_bytes(pickle.dumps(nd))
        for mode in ("scene only", "numpy formulas", "sknd transform_raster"):
            if quick:  # a smoke run: in this process, without three interpreter starts
                rows.append({"mode": mode, **_worker(mode, side, chunk, str(model))})
                continue
            cmd = [sys.executable, __file__, "--worker", mode, str(side), str(chunk), str(model)]
            done = subprocess.run(cmd, capture_output=True, text=True, check=True)
            rows.append({"mode": mode, **json.loads(done.stdout.splitlines()[-1])})
    for row in rows:
        row["side"], row["chunk"] = side, chunk
    return rows


def run(quick: bool, out_dir=None) -> str:
    from _report import table

    rows = measure(quick)
    side, chunk = rows[0]["side"], rows[0]["chunk"]
    pixels = side * side
    base = rows[0]["seconds"]
    scene_gb = N_BANDS * pixels * 4 / 1e9
    out_gb = N_INDICES * pixels * 4 / 1e9
    sknd_row = rows[-1]
    body = table(
        ["computation", "seconds", "Mpixels / s", "time / scene only", "peak memory (MB)"],
        [
            [
                r["mode"],
                r["seconds"],
                pixels / r["seconds"] / 1e6,
                r["seconds"] / base,
                r["peak_mb"],
            ]
            for r in rows
        ],
        ".2f",
    )
    return "\n".join(
        [
            "## Rasters at scale",
            "",
            f"{N_INDICES} learned indices on a {N_BANDS}-band {side:,} x {side:,} float32 scene "
            f"({scene_gb:.2f} GB in bands, {out_gb:.2f} GB of indices), dask-backed in "
            f"{chunk} x {chunk} chunks, threaded scheduler, reduced to one mean per index. "
            "Each row runs in its own process; peak memory is that process's maximum "
            "resident size, Python, torch and the model included. Baselines: generating "
            "and reducing the scene alone, and the formulas from `export_indices` evaluated "
            "by numpy on each chunk.",
            "",
            body,
            "",
            f"`transform_raster` ran at {pixels / sknd_row['seconds'] / 1e6:.1f} Mpixels/s with "
            f"a peak of {sknd_row['peak_mb']:.0f} MB, "
            f"{sknd_row['peak_mb'] / 1e3 / (scene_gb + out_gb):.1%} of the scene and its indices.",
            "",
        ]
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--worker", nargs=4, metavar=("MODE", "SIDE", "CHUNK", "MODEL"))
    args = parser.parse_args()
    if args.worker:
        mode, side, chunk, model = args.worker
        print(json.dumps(_worker(mode, int(side), int(chunk), model)))
    else:
        sys.path.insert(0, str(Path(__file__).parent))
        print(run(args.quick))
