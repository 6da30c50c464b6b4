"""Label-free denoising of one long recording: time and peak memory against length.

    python benchmarks/bench_long.py [--lengths 1e4 1e5 1e6] [--skip-gmc]

Data: PyWavelets' ECG (``pywt.data.ecg()``, 1024 real samples at 360 Hz) tiled to
each length, with white noise at SNR 7 (noise std = the signal's std / 7). On a
tiled recording a denoiser works as hard as on a long one (same content per
sample), and it is the only real recording bundled here.

Every figure is measured in this run: the anchors (scikit-image's BayesShrink,
PyWavelets' 4-level SWT round trip, scikit-image's Chambolle TV, sknd's exact TV
at one weight) give the machine's speed, and the ratios to BayesShrink are what
to compare across machines. Peak memory is numpy's, traced by ``tracemalloc``.
Needs PyWavelets and scikit-image (the ``bench`` extra); numba (in ``bench``)
compiles the exact TV loop.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
import warnings

import numpy as np

from sknd.denoise import AutoDenoiser, GMCDenoiser, tv_denoise


def recording(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    import pywt

    ecg = pywt.data.ecg().astype(float)
    clean = np.tile(ecg, n // len(ecg) + 1)[:n]
    noisy = clean + clean.std() / 7 * np.random.default_rng(seed).standard_normal(n)
    return clean, noisy


def timed(fn, *args):
    """(seconds, peak MB of numpy memory, result) of one call."""
    tracemalloc.start()
    start = time.perf_counter()
    out = fn(*args)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak, out


def anchors(noisy):
    import pywt
    from skimage.restoration import denoise_tv_chambolle, denoise_wavelet

    n4 = len(noisy) - len(noisy) % 16  # the SWT needs a multiple of 2^4
    return {
        "BayesShrink (skimage)": lambda: denoise_wavelet(noisy, method="BayesShrink"),
        "SWT 4 levels, round trip (pywt)": lambda: pywt.iswt(
            pywt.swt(noisy[:n4], "sym8", level=4, trim_approx=True), "sym8"
        ),
        "Chambolle TV (skimage)": lambda: denoise_tv_chambolle(noisy, weight=0.1),
        "exact TV, one weight (sknd)": lambda: tv_denoise(noisy, 0.1),
    }


def psnr(clean, x):
    peak = np.abs(clean).max()
    return 10 * np.log10(peak**2 / np.mean((x - clean) ** 2))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=float, nargs="+", default=[1e4, 1e5, 1e6])
    parser.add_argument("--skip-gmc", action="store_true", help="leave GMCDenoiser out")
    args = parser.parse_args(argv)
    tv_denoise(np.arange(8.0), 0.5)  # compile the TV loop before timing (numba)
    times = {}
    for n in (int(v) for v in args.lengths):
        clean, noisy = recording(n)
        print(f"\n## {n:,} samples (tiled ECG, SNR 7; noisy input {psnr(clean, noisy):.1f} dB)")
        print("| method | seconds | x BayesShrink | peak MB | PSNR dB |")
        print("|---|---|---|---|---|")
        base = None
        for name, fn in anchors(noisy).items():
            seconds, peak, _ = timed(fn)
            base = base or seconds
            print(f"| {name} | {seconds:.2f} | {seconds / base:.1f} | {peak:.0f} | |")
        models = {"AutoDenoiser()": AutoDenoiser()}
        if not args.skip_gmc:
            models['GMCDenoiser(lam="sure", domain="tv")'] = GMCDenoiser(lam="sure", domain="tv")
        for name, model in models.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # implausible-noise rows
                seconds, peak, out = timed(model.fit_transform, noisy[None])
            times.setdefault(name, {})[n] = seconds
            extra = f" (chose {model.choice_[0]})" if hasattr(model, "choice_") else ""
            print(
                f"| {name}{extra} | {seconds:.2f} | {seconds / base:.0f} | {peak:.0f} | "
                f"{psnr(clean, out[0]):.1f} |"
            )
    lengths = sorted(int(v) for v in args.lengths)
    if len(lengths) > 1:
        print("\nGrowth of time with length (1 = linear), first to last length:")
        for name, by_n in times.items():
            slope = np.log(by_n[lengths[-1]] / by_n[lengths[0]]) / np.log(lengths[-1] / lengths[0])
            print(f"- {name}: {slope:.2f}")


if __name__ == "__main__":
    main()
