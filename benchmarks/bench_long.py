"""Label-free denoising of one long recording: time and peak memory against length.

    python benchmarks/bench_long.py [--lengths 1e4 1e5 1e6] [--skip-gmc]
        [--window 65536] [--drift 262144] [--blocks 524288]

Data: PyWavelets' ECG (``pywt.data.ecg()``, 1024 real samples at 360 Hz) tiled to
each length, with white noise at SNR 7 (noise std = the signal's std / 7). On a
tiled recording a denoiser works as hard as on a long one (same content per
sample), and it is the only real recording bundled here.

Every figure is measured in this run: the anchors (scikit-image's BayesShrink,
PyWavelets' 4-level SWT round trip, scikit-image's Chambolle TV, sknd's exact TV
at one weight) give the machine's speed, and the ratios to BayesShrink are what
to compare across machines. Peak memory is numpy's, traced by ``tracemalloc``
in a second call (the first is timed untraced).
Needs PyWavelets and scikit-image (the ``bench`` extra); numba (in ``bench``)
compiles the exact TV loop.

``--window W`` adds ``AutoDenoiser(window_length=W)`` at every length (its
memory is bounded by the window beyond the signal and its output).
``--drift N`` compares it with the whole-signal AutoDenoiser on N samples whose
noise std doubles halfway, and on stationary noise (the same clean ECG), over
three noise draws, at windows of N / 16 and N / 4.
``--blocks N`` compares AutoDenoiser's default tuning on a central block
(``tuning_length=2**17``) with tuning on the whole signal (``None``) on N
samples of the tiled ECG and of PyWavelets' Donoho-Johnstone test signals at
SNR 3, 7 and 20 (synthetic: the only long signals with a known truth besides
the tiled ECG).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
import warnings

import numpy as np

from sknd.denoise import AutoDenoiser, GMCDenoiser, tv_denoise


def recording(n: int, seed: int = 0, drift: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Tiled ECG and it with noise at SNR 7 (``drift``: doubled after halfway)."""
    import pywt

    ecg = pywt.data.ecg().astype(float)
    clean = np.tile(ecg, n // len(ecg) + 1)[:n]
    sigma = np.full(n, clean.std() / 7)
    if drift:
        sigma[n // 2 :] *= 2
    noisy = clean + sigma * np.random.default_rng(seed).standard_normal(n)
    return clean, noisy


def timed(fn, *args):
    """(seconds, peak MB of numpy memory, result): one call timed, then one
    more traced by ``tracemalloc`` (tracing slows Python down)."""
    start = time.perf_counter()
    out = fn(*args)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak, out


def anchors(noisy):
    """The machine's speed: one plain transform each (scikit-image's where installed)."""
    import pywt

    n4 = len(noisy) - len(noisy) % 16  # the SWT needs a multiple of 2^4
    out = {
        "SWT 4 levels, round trip (pywt)": lambda: pywt.iswt(
            pywt.swt(noisy[:n4], "sym8", level=4, trim_approx=True), "sym8"
        ),
        "exact TV, one weight (sknd)": lambda: tv_denoise(noisy, 0.1),
    }
    try:
        from skimage.restoration import denoise_tv_chambolle, denoise_wavelet
    except ImportError:  # the bench extra has it; the dev install may not
        return out
    return {
        "BayesShrink (skimage)": lambda: denoise_wavelet(noisy, method="BayesShrink"),
        **out,
        "Chambolle TV (skimage)": lambda: denoise_tv_chambolle(noisy, weight=0.1),
    }


def psnr(clean, x):
    peak = np.abs(clean).max()
    return 10 * np.log10(peak**2 / np.mean((x - clean) ** 2))


def drift_table(n: int, widths, seeds: int = 3) -> list[str]:
    """Windowed against whole-signal AutoDenoiser, noise doubling halfway or not."""
    lines = [
        f"Noise that drifts: {n:,} samples of tiled ECG at SNR 7, its noise std doubled "
        f"after halfway or not. PSNR in dB, mean ± std over {seeds} noise draws; gain = "
        "windowed - whole, mean (min) over the draws.",
        "",
        "| noise | whole | window | windowed | gain dB (min) | seconds whole / windowed |",
        "|---|---|---|---|---|---|",
    ]
    for drift in (True, False):
        for width in widths:
            whole, windowed, gains, times = [], [], [], [0.0, 0.0]
            for seed in range(seeds):
                clean, noisy = recording(n, seed, drift=drift)
                for k, model in enumerate((AutoDenoiser(), AutoDenoiser(window_length=width))):
                    start = time.perf_counter()
                    out = model.fit_transform(noisy[None])[0]
                    times[k] += time.perf_counter() - start
                    (whole if k == 0 else windowed).append(psnr(clean, out))
                gains.append(windowed[-1] - whole[-1])
            lines.append(
                f"| {'doubles halfway' if drift else 'stationary'} | "
                f"{np.mean(whole):.2f} ± {np.std(whole):.2f} | {width:,} | "
                f"{np.mean(windowed):.2f} ± {np.std(windowed):.2f} | "
                f"{np.mean(gains):+.2f} ({min(gains):+.2f}) | "
                f"{times[0] / seeds:.1f} / {times[1] / seeds:.1f} |"
            )
    return lines


def length_table(lengths, *, window=None, gmc=True) -> list[str]:
    """Seconds, ratio to the first anchor, peak MB and PSNR at each length."""
    lines, times = [], {}
    for n in lengths:
        clean, noisy = recording(n)
        lines += [
            "",
            f"{n:,} samples (noisy input {psnr(clean, noisy):.1f} dB):",
            "",
            "| method | seconds | x first anchor | peak MB | PSNR dB |",
            "|---|---|---|---|---|",
        ]
        base = None
        for name, fn in anchors(noisy).items():
            seconds, peak, _ = timed(fn)
            base = base or seconds
            lines.append(f"| {name} | {seconds:.2f} | {seconds / base:.1f} | {peak:.0f} | |")
        models = {"AutoDenoiser()": AutoDenoiser()}
        if window:
            models[f"AutoDenoiser(window_length={window})"] = AutoDenoiser(window_length=window)
        if gmc:
            models['GMCDenoiser(lam="sure", domain="tv")'] = GMCDenoiser(lam="sure", domain="tv")
        for name, model in models.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # implausible-noise rows
                seconds, peak, out = timed(model.fit_transform, noisy[None])
            times.setdefault(name, {})[n] = seconds
            chose = np.unique(getattr(model, "choice_", []))
            extra = f" (chose {', '.join(chose)})" if len(chose) else ""
            lines.append(
                f"| {name}{extra} | {seconds:.2f} | {seconds / base:.0f} | {peak:.0f} | "
                f"{psnr(clean, out[0]):.1f} |"
            )
    lengths = sorted(lengths)
    if len(lengths) > 1:
        lines += ["", "Growth of time with length (1 = linear), first to last length:", ""]
        for name, by_n in times.items():
            slope = np.log(by_n[lengths[-1]] / by_n[lengths[0]]) / np.log(lengths[-1] / lengths[0])
            lines.append(f"- {name}: {slope:.2f}")
    return lines


def blocks_table(n: int) -> list[str]:
    """Tuning on a central block against tuning on the whole signal."""
    import pywt

    lines = [
        f"Tuning on a block: {n:,} samples, one noise draw each; PSNR in dB and seconds.",
        "",
        "| signal | SNR | whole: PSNR, s, choice | block: PSNR, s, choice | gain dB |",
        "|---|---|---|---|---|",
    ]
    signals = {"ECG (tiled, real)": recording(n)[0]}
    for name in ("Blocks", "HeaviSine", "Doppler", "Bumps", "Piece-Regular"):
        signals[name] = np.asarray(pywt.data.demo_signal(name, n), dtype=float)
    for name, clean in signals.items():
        for snr in (7,) if name.startswith("ECG") else (3, 7, 20):
            rng = np.random.default_rng(1)
            noisy = clean + clean.std() / snr * rng.standard_normal(n)
            cells = []
            for length in (None, 2**17):
                model = AutoDenoiser(tuning_length=length)
                start = time.perf_counter()
                out = model.fit_transform(noisy[None])[0]
                seconds = time.perf_counter() - start
                cells.append((psnr(clean, out), seconds, model.choice_[0]))
            (a, ta, ca), (b, tb, cb) = cells
            lines.append(
                f"| {name} | {snr} | {a:.2f}, {ta:.1f}, {ca} | {b:.2f}, {tb:.1f}, {cb} | "
                f"{b - a:+.2f} |"
            )
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=float, nargs="+", default=[1e4, 1e5, 1e6])
    parser.add_argument("--skip-gmc", action="store_true", help="leave GMCDenoiser out")
    parser.add_argument("--window", type=int, help="also AutoDenoiser(window_length=W)")
    parser.add_argument("--drift", type=float, help="windows against noise that drifts")
    parser.add_argument("--blocks", type=float, help="tuning blocks against whole signals")
    args = parser.parse_args(argv)
    tv_denoise(np.arange(8.0), 0.5)  # compile the TV loop before timing (numba)
    if args.blocks:
        print("\n".join(blocks_table(int(args.blocks))))
    if args.drift:
        n = int(args.drift)
        print("\n".join(drift_table(n, (n // 16, n // 4))))
    lengths = [int(v) for v in args.lengths]
    print("\n".join(length_table(lengths, window=args.window, gmc=not args.skip_gmc)))


if __name__ == "__main__":
    main()
