"""One recording, no clean reference: AutoDenoiser against the per-signal oracle.

    python benchmarks/study_single.py            # full (a few minutes on 2 cores)
    python benchmarks/study_single.py --quick    # two short signals
    python benchmarks/study_single.py --development   # GMC-TV's SURE smoothing on
                                                      # the development signals

Data: the Donoho-Johnstone test signals Blocks, Bumps, HeaviSine and Doppler
(2048 samples, ``pywt.data.demo_signal``) and PyWavelets' ECG (1024 samples),
each with one draw of white Gaussian noise of std ``std(x) / SNR`` (seeded).
PSNR is ``20 log10(max|x| / RMSE)``. The oracle is the best candidate filter
and weight for each signal chosen with the clean signal: the filters of
AutoDenoiser, each over its whole grid.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
from _report import table

from sknd.denoise import AutoDenoiser, GMCDenoiser, L1Denoiser, multiscale_noise_std, soft_threshold
from sknd.denoise._auto import candidate_filters
from sknd.denoise._families import Family, TotalVariation, soft_divergence, swt_gains, swt_level
from sknd.denoise._sure import sure
from sknd.metrics import psnr

DEVELOPED_ON = ["Blocks", "Bumps", "HeaviSine", "Doppler"]
# PyWavelets demo signals no choice of AutoDenoiser was made on (Piece-Regular,
# Piece-Polynomial and Ramp were used while tuning GMC-TV's solver: left out).
HELD_OUT = [
    "LinChirp",
    "TwoChirp",
    "QuadChirp",
    "MishMash",
    "HypChirps",
    "LoSine",
    "HiSine",
    "WernerSorrows",
    "LinChirps",
    "Chirps",
    "Riemann",
]


def signals(names, n):
    import pywt

    out = {name: pywt.data.demo_signal(name, n) for name in names}
    return out


def noisy(clean, snr, seed):
    rng = np.random.default_rng(seed)
    return clean + rng.standard_normal(clean.shape) * clean.std() / snr


def bayes_shrink(y):
    """scikit-image's BayesShrink (sym8, soft), or None when it is not installed."""
    try:
        from skimage.restoration import denoise_wavelet
    except ImportError:
        return None
    return denoise_wavelet(y, method="BayesShrink", mode="soft", wavelet="sym8", rescale_sigma=True)


def calibrated_wavelet(y):
    """scikit-image's J-invariant calibration (``calibrate_denoiser``, Noise2Self)
    of its wavelet denoiser (sym8, soft, BayesShrink) over the noise level it is
    given: 17 values from 1/4 to 4 times its own estimate. None without it."""
    try:
        from skimage.restoration import calibrate_denoiser, denoise_wavelet, estimate_sigma
    except ImportError:
        return None

    def wavelet(x, sigma):
        return denoise_wavelet(x, sigma=sigma, wavelet="sym8", mode="soft", rescale_sigma=True)

    grid = {"sigma": list(estimate_sigma(y) * np.geomspace(0.25, 4.0, 17))}
    return calibrate_denoiser(y, wavelet, denoise_parameters=grid)(y)


def peers_table(names, n, snr=7):
    """The label-free peers against AutoDenoiser, in PSNR and MSE."""
    import pywt

    items = [*signals(names, n).items(), ("ECG", pywt.data.ecg().astype(float))]
    rows = []
    for k, (name, clean) in enumerate(items):
        y = noisy(clean, snr, seed=100 * snr + k)  # the first table's draws
        outputs = {
            "noisy": y,
            "BayesShrink": bayes_shrink(y),
            "calibrate_denoiser": calibrated_wavelet(y),
            "AutoDenoiser": AutoDenoiser().fit_transform(y[None])[0],
        }
        cells = [f"{name}, SNR {snr}"]
        for out in outputs.values():
            mse = None if out is None else float(np.mean((out - clean) ** 2))
            cells.append("-" if out is None else f"{psnr(clean, out):.1f} / {mse:.4g}")
        rows.append(cells)
    header = ["signal", *(f"{k} dB / MSE" for k in ("noisy", "BayesShrink sym8",
              "calibrate_denoiser (J-invariant)", "AutoDenoiser"))]  # fmt: skip
    return table(header, rows)


def oracle(clean, y):
    """Best PSNR over every candidate filter and weight, chosen with the clean signal."""
    sigma = multiscale_noise_std(y)
    best, which = -np.inf, ""
    families = candidate_filters()
    families["GMC tv"] = TotalVariation(0.8, tol=1e-4)
    for name, family in families.items():
        previous = None
        for factor in family.grid:
            if family.warm:
                x, _ = family.solve(y, sigma * factor, x0=previous)
                previous = x
            else:
                x, _ = family.solve(y, sigma * factor)
            score = psnr(clean, x)
            if score > best:
                best, which = score, name
    return best, which


class PerLevelSureShrink(Family):
    """Soft thresholds of stationary-wavelet details, one per level, each chosen by
    minimizing that level's own SURE (SureShrink): J + 1 tuned parameters. Its
    reported risk is the SURE of the result with the chosen thresholds held
    fixed, so it is optimistic: the naive rule that lets it compete."""

    name = "L1 swt sym8, per-level SureShrink"
    grid = np.array([1.0])

    def solve(self, y, lam, x0=None):
        import pywt

        sigma = lam
        level = swt_level(len(y), "sym8")
        coeffs = pywt.swt(y, "sym8", level=level, trim_approx=True, norm=True)
        gains = swt_gains("sym8", level)
        out, div = [coeffs[0]], gains[0] ** 2 * coeffs[0].size
        for c, g in zip(coeffs[1:], gains[1:]):
            z = np.abs(c) / (sigma * g)
            candidates = np.sort(z)
            # SURE of soft thresholding unit-noise coefficients at t, per level.
            n = z.size
            risks = [
                n - 2 * np.count_nonzero(z <= t) + np.sum(np.minimum(z, t) ** 2)
                for t in candidates[:: max(1, n // 64)]
            ]
            t = candidates[:: max(1, n // 64)][int(np.argmin(risks))] * sigma * g
            out.append(soft_threshold(c, t))
            div += g**2 * soft_divergence(c, t)
        return pywt.iswt(out, "sym8", norm=True), float(div)


def naive_choice(y, den):
    """AutoDenoiser's choice when per-level SureShrink competes on its own SURE."""
    sigma = multiscale_noise_std(y)
    x, div = PerLevelSureShrink().solve(y, sigma)
    naive_risk = sure(y, x, sigma, div)
    if naive_risk < den.risk_[0]:
        return x, PerLevelSureShrink.name
    return den.transform(y[None])[0], str(den.choice_[0])


def single_table(names, n, snrs, quick):
    rows, verdicts, times = [], [], []
    ecg = not quick
    for snr in snrs:
        items = list(signals(names, n).items())
        if ecg:
            import pywt

            items.append(("ECG", pywt.data.ecg().astype(float)))
        for k, (name, clean) in enumerate(items):
            y = noisy(clean, snr, seed=100 * snr + k)
            den = AutoDenoiser()
            start = time.perf_counter()
            auto = den.fit_transform(y[None])[0]
            times.append(time.perf_counter() - start)
            naive, naive_name = naive_choice(y, den)
            best, best_name = oracle(clean, y)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lam_auto = max(
                    psnr(clean, est.fit_transform(y[None])[0])
                    for est in (L1Denoiser(domain="time"), L1Denoiser(domain="tv"),
                                GMCDenoiser(domain="time"), GMCDenoiser(domain="tv"))
                )  # fmt: skip
            bs = bayes_shrink(y)
            gap = best - psnr(clean, auto)
            rows.append(
                [
                    f"{name}, SNR {snr}",
                    f"{psnr(clean, y):.1f}",
                    "-" if bs is None else f"{psnr(clean, bs):.1f}",
                    f"{lam_auto:.1f}",
                    f"{psnr(clean, naive):.1f} ({naive_name})",
                    f"{psnr(clean, auto):.1f} ({den.choice_[0]})",
                    f"{best:.1f} ({best_name})",
                    f"{gap:+.2f}",
                    f"{times[-1]:.2f}",
                ]
            )
            verdicts.append((snr, gap, psnr(clean, auto) > psnr(clean, y)))
    header = [
        "signal",
        "noisy dB",
        "BayesShrink sym8",
        'best lam="auto" (L1/GMC, time/TV)',
        "naive rule (per-level SureShrink competes)",
        "AutoDenoiser (choice)",
        "oracle (filter)",
        "oracle - Auto dB",
        "Auto s",
    ]
    return table(header, rows), verdicts, times


def auto_denoise(y, smooth_risk=True, families=None):
    """AutoDenoiser's output for one signal ``y``."""
    return AutoDenoiser(families, smooth_risk=smooth_risk).fit_transform(y[None])[0]


def draws_table(names, n, snrs, draws):
    """Mean gap to the oracle over fresh noise draws, with SURE smoothed (the
    default) and with the grid's argmin (``smooth_risk=False``)."""
    import pywt

    items = [*signals(names, n).items(), ("ECG", pywt.data.ecg().astype(float))]
    rows, counts = [], {}
    for snr in snrs:
        near = 0.5 if snr == 7 else 1.5
        for k, (name, clean) in enumerate(items):
            gaps = {"smoothed": [], "argmin": []}
            for d in range(draws):
                y = noisy(clean, snr, seed=10_000 + 1000 * d + 100 * snr + k)
                best, _ = oracle(clean, y)
                for rule in gaps:
                    out = auto_denoise(y, smooth_risk=rule != "argmin")
                    gaps[rule].append(best - psnr(clean, out))
            row = [f"{name}, SNR {snr}"]
            for rule, g in gaps.items():
                within = int(np.sum(np.array(g) <= near))
                counts[(snr, rule)] = counts.get((snr, rule), 0) + within
                row.append(f"{np.mean(g):.2f} ± {np.std(g):.2f} ({within} of {draws})")
            rows.append(row)
    header = [
        "signal",
        "oracle - Auto dB, SURE smoothed (default): mean ± std (draws within target)",
        "the same, SURE's grid argmin",
    ]
    return table(header, rows), counts


def development_table(draws=10):
    """GMC-TV's SURE with its divergence smoothed (the default) against its plain
    argmin, on the development signals Ramp, Piece-Regular and Piece-Polynomial
    (the data that rule was chosen on): AutoDenoiser with the TV families only
    (where GMC-TV is chosen often) and with every family."""
    rows, diffs = [], {}
    for label, families in (("TV families", ["L1 time", "L1 tv", "GMC tv"]), ("all", None)):
        for name, clean in signals(["Ramp", "Piece-Regular", "Piece-Polynomial"], 2048).items():
            for snr in (7, 2):
                scores = {"divergence": [], "argmin": []}
                for d in range(draws):
                    y = noisy(clean, snr, seed=5000 + d)
                    for rule in scores:
                        # argmin: every candidate smoothed but GMC-TV
                        smooth = True if rule != "argmin" else [
                            n for n in candidate_filters() if n != "GMC tv"]  # fmt: skip
                        scores[rule].append(psnr(clean, auto_denoise(y, smooth, families)))
                diff = np.subtract(scores["divergence"], scores["argmin"])
                diffs.setdefault(label, []).extend(diff)
                rows.append(
                    [
                        f"{label}: {name}, SNR {snr}",
                        f"{np.mean(scores['divergence']):.2f}",
                        f"{np.mean(scores['argmin']):.2f}",
                        f"{diff.mean():+.2f}",
                    ]
                )
    header = ["candidates: signal", "divergence smoothed dB", "argmin dB", "difference"]
    lines = [table(header, rows), ""]
    for label, d in diffs.items():
        d = np.array(d)
        lines.append(
            f"- {label}: {d.mean():+.3f} ± {d.std() / np.sqrt(len(d)):.3f} dB (paired, "
            f"± standard error) over {len(d)} draws; better on "
            f"{int(np.sum(d > 0.01))}, worse on {int(np.sum(d < -0.01))}."
        )
    return "\n".join(lines)


def held_out_table(n, snrs):
    rows, wins, total = [], 0, 0
    for snr in snrs:
        for k, (name, clean) in enumerate(signals(HELD_OUT, n).items()):
            y = noisy(clean, snr, seed=1000 + 100 * snr + k)
            den = AutoDenoiser()
            with warnings.catch_warnings():  # refused noise estimates: the "none" rows
                warnings.filterwarnings("ignore", "AutoDenoiser: the noise estimate", UserWarning)
                auto = psnr(clean, den.fit_transform(y[None])[0])
            bs = bayes_shrink(y)
            if bs is None:
                continue
            diff = auto - psnr(clean, bs)
            wins += diff >= 1.0
            total += 1
            rows.append([f"{name}, SNR {snr}", f"{psnr(clean, bs):.1f}", f"{auto:.1f}",
                         f"{diff:+.1f}", str(den.choice_[0])])  # fmt: skip
    header = ["signal", "BayesShrink sym8 dB", "AutoDenoiser dB", "difference", "choice"]
    return table(header, rows), wins, total


def learned_table(names, n, quick):
    """SparseBNDenoiser fitted label-free (R2R) on the one recording, against AutoDenoiser."""
    from sknd.denoise import SparseBNDenoiser

    epochs = 1 if quick else 20
    rows = []
    for k, (name, clean) in enumerate(signals(names, n).items()):
        y = noisy(clean, 7, seed=700 + k)
        auto = psnr(clean, AutoDenoiser().fit_transform(y[None])[0])
        row = [f"{name}, SNR 7", f"{auto:.1f}"]
        for crop, mode in ((None, "r2r"), (128, "r2r"), (128, "sure")):
            den = SparseBNDenoiser(
                crop_length=crop, self_supervised=mode, max_epochs=epochs, random_state=0
            )
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # ConvergenceWarning at a fixed budget
                den.fit(y[None])
            seconds = time.perf_counter() - start
            row += [f"{psnr(clean, den.predict(y[None])[0]):.1f}", f"{seconds:.0f}"]
        rows.append(row)
    header = [
        "signal",
        "AutoDenoiser dB",
        "SparseBN, whole recording dB",
        "fit s",
        "SparseBN, crop_length=128 dB",
        "fit s",
        "SparseBN, crops + MC-SURE loss dB",
        "fit s",
    ]
    return table(header, rows)


def run(quick: bool, out_dir=None) -> str:
    try:
        import pywt  # noqa: F401
    except ImportError:
        return "## One recording, no clean reference\n\n(PyWavelets not installed.)\n"
    n = 512 if quick else 2048
    names = DEVELOPED_ON[:2] if quick else DEVELOPED_ON
    snrs = (7,) if quick else (7, 2)
    md = ["## One recording, no clean reference", ""]
    md += [
        "Data: the Donoho-Johnstone signals (`pywt.data.demo_signal`, "
        f"{n} samples) and PyWavelets' ECG (1024 samples), one draw of white noise "
        "of std `std(x) / SNR` each; PSNR is `20 log10(max|x| / RMSE)`. The oracle is "
        "the best of AutoDenoiser's candidate filters and weights for each signal, "
        "chosen with the clean signal. The naive rule lets per-level SureShrink (one "
        "tuned threshold per level) compete on its own minimized SURE.",
        "",
    ]
    text, verdicts, times = single_table(names, n, snrs, quick)
    md += [text, ""]
    for snr in snrs:
        gaps = [g for s, g, _ in verdicts if s == snr]
        near = sum(g <= (0.5 if snr == 7 else 1.5) for g in gaps)
        md.append(
            f"- SNR {snr}: within {0.5 if snr == 7 else 1.5} dB of the oracle on {near} of "
            f"{len(gaps)} signals; within 2 dB on {sum(g <= 2 for g in gaps)} of {len(gaps)}; "
            f"worst gap {max(gaps):.2f} dB."
        )
    md.append(
        f"- Better than the noisy input on {sum(v for *_, v in verdicts)} of {len(verdicts)}; "
        f"AutoDenoiser took {np.mean(times):.2f} s per signal on average, "
        f"{max(times):.2f} s at most."
    )
    md += [
        "",
        "### Label-free peers, in PSNR and MSE (SNR 7)",
        "",
        "The first table's draws at SNR 7 against scikit-image's two label-free wavelet "
        "denoisers: BayesShrink (sym8, soft, its own noise estimate) and "
        "`calibrate_denoiser`, which tunes the noise level given to that denoiser "
        "(17 values, 1/4 to 4 times its estimate) by J-invariant self-supervision "
        "(Noise2Self, Batson and Royer 2019). MSE in the signal's squared units, as the "
        "classical papers report it.",
        "",
        peers_table(names, n),
    ]
    if not quick:
        draws = 5
        text, counts = draws_table(names, n, snrs, draws)
        md += [
            "",
            f"### The same signals over {draws} fresh noise draws",
            "",
            "One draw decides a signal above; here each signal gets "
            f"{draws} new draws (seeds no other table uses), and the gap to the oracle is "
            "averaged. The second column is AutoDenoiser with each family's weight at "
            "the lowest SURE of its grid, as before SURE was smoothed. Both smoothings "
            "were chosen on Ramp, Piece-Regular and Piece-Polynomial, not on these "
            "signals: a parabola in log lam around the lowest point for the thresholding "
            "and L1-TV families (6 draws each at SNR 7 and 2: +0.37 dB on average), and "
            "for GMC-TV, whose risk curve has a cliff, a local linear fit of the "
            "divergence alone (10 draws each: +0.12 dB with the TV families only, +0.06 "
            "with all; `python benchmarks/study_single.py --development`).",
            "",
            text,
            "",
        ]
        for snr in snrs:
            total = draws * (len(names) + 1)
            md.append(
                f"- SNR {snr}: draws within {0.5 if snr == 7 else 1.5} dB of the oracle: "
                f"{counts[(snr, 'smoothed')]} of {total} smoothed, "
                f"{counts[(snr, 'argmin')]} of {total} with the argmin."
            )
    md += [
        "",
        "### The learned denoiser on one recording (SNR 7)",
        "",
        "`SparseBNDenoiser` (defaults, label-free, "
        f"{3 if quick else 20} epochs) fitted to the recording alone: with "
        "Recorrupted-to-Recorrupted as one signal (one batch per epoch) and on random "
        "crops of 128 samples (1024 per epoch), and on the crops with a Monte-Carlo "
        'SURE loss (`self_supervised="sure"`).',
        "",
        learned_table(names, n, quick),
    ]
    if not quick:
        held, wins, total = held_out_table(n, (7,))
        md += ["", "### Other PyWavelets signals, against BayesShrink (SNR 7)", ""]
        md += [
            "No filter, grid or rule of AutoDenoiser was chosen on these, with one "
            "exception: the noise estimate (the finest wavelet scale's MAD unless a "
            "coarser scale's is lower by more than 3.5 of its standard errors, then "
            "the smallest such) replaced the finest-scale MAD after that one was seen "
            "to read these signals' high frequencies as noise (2-14 times too high). "
            "They are not a clean hold-out for that choice; the 3.5 standard errors "
            "(a fixed ratio of 0.8 before) were chosen on development signals. A choice "
            '"none" is a refused noise estimate (implausible for white noise: the fine '
            "scales hold signal), and the signal returned unchanged.",
            "",
            held,
            "",
            f"AutoDenoiser beats BayesShrink by at least 1 dB on {wins} of {total}.",
        ]
    return "\n".join(md) + "\n"


def plausibility_table(draws=3):
    """How often AutoDenoiser refuses its noise estimate, and what the estimate
    would have done: PyWavelets' demo signals at 256, 512 and 2048 samples,
    SNR 1 to 50, pure noise, and the quarterly SST series at SNR 7."""
    import pywt

    from sknd.denoise._signal import multiscale_noise_std_and_reason

    rng = np.random.default_rng(0)
    named = [n for n in pywt.data._wavelab_signals._implemented_signals if n != "Gabor"]
    rows = []
    for name in [*named, "white noise"]:
        repeat = draws * (20 if name == "white noise" else 1)
        refused = total = 0
        ratios, losses = [], []
        for n in (256, 512, 2048):
            if name == "white noise":
                x = np.zeros(n)
            else:
                try:
                    x = np.asarray(pywt.data.demo_signal(name, n), dtype=float)
                except (ValueError, IndexError):  # some signals need other lengths
                    continue
                x = (x - x.mean()) / x.std()
            for snr in (1, 2, 7, 15, 50):
                for _ in range(repeat):
                    sigma = 1.0 / snr
                    y = x + sigma * rng.standard_normal(n)
                    estimate, why = multiscale_noise_std_and_reason(y)
                    total += 1
                    if why is not None:
                        refused += 1
                        ratios.append(estimate / sigma)
                        # What denoising with it would have done:
                        out = AutoDenoiser(noise_std=estimate).fit_transform(y[None])[0]
                        losses.append(psnr(x[None], out[None]) - psnr(x[None], y[None]))
        if total:
            rows.append([
                name, f"{refused} / {total}",
                f"{min(ratios):.1f}-{max(ratios):.1f}" if ratios else "-",
                f"{min(losses):+.1f} to {max(losses):+.1f}" if losses else "-",
            ])  # fmt: skip
    _, sst = pywt.data.nino()
    x = (sst - sst.mean()) / sst.std()
    ratios, losses = [], []
    for _ in range(100):
        y = x + rng.standard_normal(x.size) / 7
        estimate, why = multiscale_noise_std_and_reason(y)
        if why is not None:
            ratios.append(7 * estimate)
            out = AutoDenoiser(noise_std=estimate).fit_transform(y[None])[0]
            losses.append(psnr(x[None], out[None]) - psnr(x[None], y[None]))
    rows.append(["quarterly SST (pywt nino), SNR 7", f"{len(ratios)} / 100",
                 f"{min(ratios):.1f}-{max(ratios):.1f}",
                 f"{min(losses):+.1f} to {max(losses):+.1f}"])  # fmt: skip
    return table(
        ["signal", "estimates refused", "refused estimate / true std", "dB had it been used"],
        rows,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--development",
        action="store_true",
        help="only GMC-TV's SURE smoothing against its argmin, on the development signals",
    )
    parser.add_argument(
        "--plausibility",
        action="store_true",
        help="only how often AutoDenoiser refuses its noise estimate, and on what",
    )
    args = parser.parse_args(argv)
    if args.plausibility:
        print(plausibility_table())
    else:
        print(development_table() if args.development else run(args.quick))


if __name__ == "__main__":
    sys.exit(main())
