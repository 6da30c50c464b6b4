"""Learned indices on real pixels: per-band noise, calibration, offsets, sensor SNR.

    python benchmarks/study_robust.py            # full (15 to 20 minutes on 2 cores)
    python benchmarks/study_robust.py --quick    # small subsets, under a minute
    python benchmarks/study_robust.py --only cause   # one part: also robustness, projection,
                                                     # capacity or head

Data: the earthlib spectral library (real labeled spectra) in Sentinel-2 and
Landsat 8 bands. Every model is fitted on clean library spectra of 4 folds and
scored, with :func:`sknd.inspection.robustness_scores`, on the fifth fold as
given and perturbed band by band as real pixels are. The "cause" part runs on
tuning splits (3 folds, split seed 1) that no other table uses.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import _report
import numpy as np
import torch
from _report import QUICK_EPOCHS, plt, save, set_quick, table, warm_up
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from study_real import brightness_normalized_mlp, load, mlp, n_params

from sknd import NDClassifier, NDIndexTransformer, NDPairsTransformer
from sknd._loop import MultiplicativeNoise, randn_like
from sknd.inspection import robustness_scores
from sknd.nd._base import TRAINING_DEFAULTS


def _forest(seed):
    return RandomForestClassifier(20 if _report.QUICK else 100, random_state=seed)


NOISE = (0.005, 0.01, 0.02, 0.05, 0.1)
GAIN = (0.02, 0.05)
OFFSET = (0.005, 0.01)
# Radiometric requirements at reference radiance (signal-to-noise ratio per
# band): Sentinel-2 MSI for B2-B12 as loaded, Landsat 8 OLI for SR_B2-SR_B7.
# Applied at each band's mean over the test fold, a stand-in for L_ref.
SNR = {
    "Sentinel2": np.array([154, 168, 142, 117, 89, 105, 174, 72, 100, 100], dtype=float),
    "Landsat8": np.array([130, 100, 90, 90, 100, 100], dtype=float),
}
SETTINGS = [("Sentinel2", 2), ("Landsat8", 2), ("Sentinel2", 3)]


def _epochs(quick):
    return {"max_epochs": QUICK_EPOCHS} if quick else {}


def models(quick):
    """The report's five models, each a function of the fold's seed."""
    e = _epochs(quick)
    return {
        "MLP (64, 64), standardized": mlp,
        "NDClassifier()": lambda s: NDClassifier(random_state=s, **e),
        "NDClassifier(noise=0) (earlier default)": lambda s: NDClassifier(
            noise=0.0, random_state=s, **e
        ),
        "45 classical NDs + RF": lambda s: make_pipeline(NDPairsTransformer(), _forest(s)),
        "NDIndexTransformer(8) + RF": lambda s: make_pipeline(
            NDIndexTransformer(8, random_state=s, **e), _forest(s)
        ),
    }


def _fit(model, X, y):
    with warnings.catch_warnings():
        # The MLP's ConvergenceWarning at 200 iterations; the noise=0 model's
        # fragility warning, which is what this study measures.
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        model.fit(X, y)
    return time.perf_counter() - start


def evaluate(make, X, y, folds, sensor, quick):
    """Per fold: clean accuracy and F1, and accuracy under every perturbation."""
    repeats = 3 if quick else 20
    rows = []
    for k, (tr, te) in enumerate(folds):
        model = make(k)
        seconds = _fit(model, X[tr], y[tr])
        # The same draws for every model: the seed depends on the fold only.
        noise = robustness_scores(
            model, X[te], y[te], noise=NOISE, gain=None, offset=None, n_repeats=1,
            random_state=100 + k,
        )  # fmt: skip
        with warnings.catch_warnings():
            # Offsets push dark bands below 0, and NDPairsTransformer says so:
            # that is the perturbation measured here.
            warnings.filterwarnings("ignore", "NDPairsTransformer: X holds", UserWarning)
            other = robustness_scores(
                model, X[te], y[te], noise=None, gain=GAIN, offset=OFFSET, snr=SNR[sensor],
                illumination=0.5, n_repeats=repeats, random_state=200 + k,
            )  # fmt: skip
        pred = model.predict(X[te])
        rows.append(
            {
                "clean": 100 * np.mean(pred == y[te]),
                "f1": 100 * f1_score(y[te], pred, average="macro"),
                "time": seconds,
                **{lab: 100 * v for lab, v in zip(noise.labels, noise.scores_mean)},
                # One draw is one bias for a whole test set: its median over draws.
                **{lab: 100 * v for lab, v in zip(other.labels, other.scores_median)},
            }
        )
    keys = rows[0].keys()
    return {key: (np.mean([r[key] for r in rows]), np.std([r[key] for r in rows])) for key in keys}


NOISE_LABELS = [f"noise {100 * s:g}%" for s in NOISE]
OTHER_LABELS = ["gain 2%", "gain 5%", "offset 0.005", "offset 0.01", "snr per band"]


def setting(sensor, level, quick, results):
    X, y = load(sensor, level, quick)
    folds = list(StratifiedKFold(2 if quick else 5, shuffle=True, random_state=0).split(X, y))
    out = {name: evaluate(make, X, y, folds, sensor, quick) for name, make in models(quick).items()}
    results[(sensor, level)] = out
    head = ["model", "clean", *(lab.replace("noise ", "") for lab in NOISE_LABELS), "macro-F1"]
    noise_rows = [
        [name, f"{r['clean'][0]:.2f} ± {r['clean'][1]:.2f}"]
        + [f"{r[lab][0]:.2f} ± {r[lab][1]:.2f}" for lab in NOISE_LABELS]
        + [f"{r['f1'][0]:.1f} ± {r['f1'][1]:.1f}"]
        for name, r in out.items()
    ]
    other_head = [
        "model",
        "gain bias 2%",
        "gain bias 5%",
        "offset ±0.005",
        "offset ±0.01",
        "sensor SNR",
        "illumination drop",
        "fit s",
    ]
    other_rows = [
        [name]
        + [f"{r[lab][0]:.2f}" for lab in OTHER_LABELS]
        + [f"{r['clean'][0] - r['illumination 50%'][0]:.2f}", f"{r['time'][0]:.1f}"]
        for name, r in out.items()
    ]
    title = f"**{sensor}, level {level}** ({len(y)} spectra, {len(np.unique(y))} classes)"
    return "\n".join(
        [
            title,
            "",
            "Accuracy % under independent per-band noise `x (1 + s N(0, 1))` (mean ± std "
            "over folds):",
            "",
            table(head, noise_rows),
            "",
            "Accuracy % under a per-band gain bias and offset (median over "
            f"{3 if quick else 20} draws of one bias for the whole test fold, mean over "
            "folds), under the sensor's specified SNR per band, and the drop under "
            "illumination x U(0.5, 1.5):",
            "",
            table(other_head, other_rows),
        ]
    )


def targets(results) -> str:
    """The issue's targets, each met or missed by how much."""
    lines = []
    for (sensor, level), out in results.items():
        nd, mlp = out["NDClassifier()"], out["MLP (64, 64), standardized"]
        gaps = [nd[lab][0] - mlp[lab][0] for lab in NOISE_LABELS]
        lines.append(
            f"- {sensor} level {level}: NDClassifier() minus the MLP, accuracy points: clean "
            f"{nd['clean'][0] - mlp['clean'][0]:+.2f} (target >= -0.3), macro-F1 "
            f"{nd['f1'][0] - mlp['f1'][0]:+.1f} (>= -1); per-band noise "
            + ", ".join(f"{s * 100:g}% {g:+.2f}" for s, g in zip(NOISE, gaps))
            + " (>= 0 up to 5%, >= -1 at 10%); gain bias 2% "
            f"{nd['gain 2%'][0] - mlp['gain 2%'][0]:+.2f}, 5% "
            f"{nd['gain 5%'][0] - mlp['gain 5%'][0]:+.2f} (>= 0); fit time "
            f"{nd['time'][0] / mlp['time'][0]:.2f}x (<= 1.5x)."
        )
        ndt, pairs = out["NDIndexTransformer(8) + RF"], out["45 classical NDs + RF"]
        lines.append(
            f"- {sensor} level {level}: NDIndexTransformer(8) + RF minus 45 classical NDs + "
            f"RF: 1% {ndt['noise 1%'][0] - pairs['noise 1%'][0]:+.2f}, 2% "
            f"{ndt['noise 2%'][0] - pairs['noise 2%'][0]:+.2f} (target >= 0)."
        )
    return "\n".join(lines)


def figure(results, out_dir) -> str:
    fig, axes = plt.subplots(1, len(results), figsize=(5 * len(results), 4), squeeze=False)
    levels = [0.0, *NOISE]
    for ax, ((sensor, level), out) in zip(axes[0], results.items()):
        for name, r in out.items():
            ax.plot(
                [100 * s for s in levels],
                [r["clean"][0]] + [r[lab][0] for lab in NOISE_LABELS],
                marker="o",
                label=name,
            )
        ax.set_xscale("symlog", linthresh=0.5)
        ax.set_xlabel("per-band noise s, %")
        ax.set_ylabel("accuracy %")
        ax.set_title(f"{sensor}, level {level} (earthlib, 5-fold)")
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7)
    return save(fig, out_dir, "robust_noise.png")


def robustness(quick, out_dir) -> str:
    results = {}
    parts = [setting(sensor, level, quick, results) for sensor, level in SETTINGS]
    text = "\n\n".join(parts)
    return "\n\n".join([text, figure(results, out_dir), "Against the targets:", targets(results)])


# --- The cause: ablations on the tuning splits -------------------------------


class _CommonScaleND(NDClassifier):
    """The ablation with one shared scale for all indices instead of one per index."""

    def _initialize_module(self, module, X):
        super()._initialize_module(module, X)
        scale = module.index_scale
        scale.fill_(float(scale.pow(2).mean().sqrt()))


class _FixedLevelND(NDClassifier):
    """The ablation whose every training row gets the full level ``noise``."""

    def _augmentation(self):
        return _FixedLevelNoise(self.noise)


class _FixedLevelNoise(MultiplicativeNoise):
    """``MultiplicativeNoise`` at the level ``scale`` on every row (10 bands: never summed)."""

    def __call__(self, X, y, generator):
        return X * (1.0 + self.scale * randn_like(X, generator)), y


class _Augmented:
    """A model fitted on 5 noisy copies of its training data (levels uniform in
    [0, 5%], as NDClassifier's default): augmentation for models without it."""

    def __init__(self, model, seed):
        self.model, self.seed = model, seed

    def fit(self, X, y):
        rng = np.random.default_rng(self.seed)
        copies = [
            X * (1 + 0.05 * rng.uniform(size=(len(X), 1)) * rng.standard_normal(X.shape))
            for _ in range(5)
        ]
        self.model.fit(np.concatenate(copies), np.concatenate([y] * 5))
        return self

    def predict(self, X):
        return self.model.predict(X)

    def score(self, X, y):
        return float(np.mean(self.predict(X) == y))


#: The per-band noise levels of the tables on tuning splits.
TUNING_LEVELS = (0.01, 0.02, 0.05, 0.1)


def _noise_scores(model, X, y, k) -> list[float]:
    """Clean accuracy, then accuracy under each of ``TUNING_LEVELS`` (fold ``k``'s draws)."""
    r = robustness_scores(
        model, X, y, noise=TUNING_LEVELS, gain=None, offset=None, n_repeats=1,
        random_state=100 + k,
    )  # fmt: skip
    return [r.baseline_score, *r.scores_mean]


def noise_paths(model, X) -> tuple[float, float]:
    """How 1% per-band noise reaches the head's logits, to first order.

    Index ``k`` carries noise of std ``0.01 (1 - z_k^2) / sqrt(2)`` under 1%
    per-band noise (the derivative of an ND in the log of each band). Each
    index's noise power at the logits is that variance times the squared
    gradient of the (class-centered) logits in ``z_k``, averaged over ``X``;
    noise shared between indices through a common band is ignored. Returns the
    root of the summed power (the logits' noise std) and the share of it that
    comes through *fragile* indices: those whose noise exceeds a third of their
    spread over ``X``.
    """
    m = model.module_
    x = torch.as_tensor(model._validate_predict(X), dtype=torch.float64)
    z = m.indices(x).detach().requires_grad_(True)
    logits = m.head(m.features_of_indices(z))
    logits = logits - logits.mean(dim=1, keepdim=True)
    power = torch.zeros_like(z)
    for c in range(logits.shape[1]):
        (grad,) = torch.autograd.grad(logits[:, c].sum(), z, retain_graph=True)
        power += grad**2
    z = z.detach()
    variance = (0.01 * (1 - z**2)) ** 2 / 2
    per_index = (power * variance).mean(dim=0)
    fragile = variance.mean(dim=0).sqrt() > z.std(dim=0) / 3
    total = float(per_index.sum())
    return total**0.5, float(per_index[fragile].sum()) / total


def cause(quick) -> str:
    X, y = load("Sentinel2", 2, quick)
    folds = list(StratifiedKFold(2 if quick else 3, shuffle=True, random_state=1).split(X, y))
    e = _epochs(quick)
    variants = {
        "NDClassifier(noise=0): per-index standardization": lambda s: NDClassifier(
            noise=0.0, random_state=s, **e
        ),
        "NDClassifier(noise=0), one common scale": lambda s: _CommonScaleND(
            noise=0.0, random_state=s, **e
        ),
        "NDClassifier(noise=0.03), every row at 3%": lambda s: _FixedLevelND(
            noise=0.03, random_state=s, **e
        ),
        "NDClassifier(noise=0.05), every row at 5%": lambda s: _FixedLevelND(
            noise=0.05, random_state=s, **e
        ),
        "NDClassifier() (levels uniform in [0, 5%])": lambda s: NDClassifier(random_state=s, **e),
        "NDClassifier(noise=0.05), one common scale": lambda s: _CommonScaleND(random_state=s, **e),
        "MLP (64, 64), standardized bands": mlp,
        "MLP, bands divided by their sum (no brightness)": brightness_normalized_mlp,
        "MLP, standardized bands, augmented as NDClassifier()": lambda s: _Augmented(mlp(s), s),
        "MLP, no brightness, augmented as NDClassifier()": lambda s: _Augmented(
            brightness_normalized_mlp(s), s
        ),
    }
    if quick:  # the test suite's smoke run: the first and the MLP
        variants = {
            k: v for k, v in variants.items() if k.startswith(("NDClassifier(noise=0):", "MLP (64"))
        }
    rows = []
    for name, make in variants.items():
        scores, paths = [], []
        for k, (tr, te) in enumerate(folds):
            model = make(k)
            _fit(model, X[tr], y[tr])
            scores.append(_noise_scores(model, X[te], y[te], k))
            if isinstance(model, NDClassifier):
                paths.append(noise_paths(model, X[tr]))
        mean = 100 * np.mean(scores, axis=0)
        noise, share = np.mean(paths, axis=0) if paths else ("-", "-")
        rows.append(
            [name, *(f"{v:.2f}" for v in mean)]
            + ([f"{noise:.2f}", f"{share:.0%}"] if paths else ["-", "-"])
        )
    head = [
        "model",
        "clean",
        *(f"{100 * s:g}%" for s in TUNING_LEVELS),
        "logit noise at 1%",
        "of it through fragile indices",
    ]
    return table(head, rows)


def capacity(quick) -> str:
    """The noise-trained model against its parameter and time budgets (tuning splits)."""
    warm_up()
    X, y = load("Sentinel2", 2, quick)
    folds = list(StratifiedKFold(2 if quick else 3, shuffle=True, random_state=1).split(X, y))
    e = _epochs(quick)

    twice = 2 * e.get("max_epochs", TRAINING_DEFAULTS["max_epochs"])

    def nd(**options):
        return lambda s: NDClassifier(random_state=s, **{**e, **options})

    def flat(**options):
        return nd(**{"n_components": None, "hidden_layer_sizes": (20, 12), **options})

    variants = {
        "MLP (64, 64), standardized bands": mlp,
        "NDClassifier(): pairs -> projection 8 -> ReLU (32, 12), 300 epochs": nd(),
        "projection 8 -> ReLU (60,)": nd(hidden_layer_sizes=(60,)),
        "projection 8 -> ReLU (32, 12), 600 epochs": nd(max_epochs=twice),
        "no projection: ReLU (20, 12) (the default before)": flat(),
        "no projection: ReLU (10, 48)": flat(hidden_layer_sizes=(10, 48)),
        "no projection: ReLU (32, 16)": flat(hidden_layer_sizes=(32, 16)),
        "no projection: ReLU (64, 64)": flat(hidden_layer_sizes=(64, 64)),
        "no projection: ReLU (20, 12), 600 epochs": flat(max_epochs=twice),
        "no projection: ReLU (64, 64), 600 epochs": flat(
            hidden_layer_sizes=(64, 64), max_epochs=twice
        ),
        "45 classical NDs + RF, augmented as NDClassifier()": lambda s: _Augmented(
            make_pipeline(NDPairsTransformer(), _forest(s)), s
        ),
    }
    if quick:  # the test suite's smoke run: the MLP and the default
        variants = dict(list(variants.items())[:2])
    rows, base = [], None
    for name, make in variants.items():
        scores, times = [], []
        for k, (tr, te) in enumerate(folds):
            model = make(k)
            times.append(_fit(model, X[tr], y[tr]))
            scores.append(_noise_scores(model, X[te], y[te], k))
        params = n_params(model.model if isinstance(model, _Augmented) else model)
        seconds = np.mean(times)
        base = base or (params, seconds)
        share = f"{params / base[0]:.0%}" if isinstance(params, int) else "-"
        rows.append(
            [name, params, share, f"{seconds / base[1]:.2f}x"]
            + [f"{v:.2f}" for v in 100 * np.mean(scores, axis=0)]
        )
    head = ["model", "parameters", "params / MLP", "time / MLP", "clean"]
    return table([*head, *(f"{100 * s:g}%" for s in TUNING_LEVELS)], rows)


CAPACITY_NOTE = (
    "The same tuning splits, every network trained with the default noise. Without "
    "the projection, every network within the parameter target (<= 25% of the MLP's) "
    "and the fit-time target (<= 1.5x) landed within about 0.1 point of the earlier "
    "default (20, 12), below the MLP; six times the parameters or twice the epochs "
    "each recovered part of the gap, and both together passed the MLP clean and under "
    "1% per-band noise. From 2% on even that model stays below the MLP, which also "
    "reads brightness (an illumination-invariant model cannot)."
)


def _tuning_runs(variants, settings, quick, gains=()):
    """Each variant on each setting's tuning folds (5, split seed 1).

    Yields the sensor, its band count, the level, the variant's name, its last
    fitted model and its mean scores over the folds: clean, each of
    ``TUNING_LEVELS``, then the median over 10 draws of each gain bias.
    """
    for sensor, level in settings:
        X, y = load(sensor, level, quick)
        folds = list(StratifiedKFold(2 if quick else 5, shuffle=True, random_state=1).split(X, y))
        for name, make in variants.items():
            scores = []
            for k, (tr, te) in enumerate(folds):
                model = make(k)
                _fit(model, X[tr], y[tr])
                row = _noise_scores(model, X[te], y[te], k)
                if gains:
                    g = robustness_scores(
                        model, X[te], y[te], noise=None, gain=gains, offset=None, n_repeats=10,
                        random_state=200 + k,
                    )  # fmt: skip
                    row = [*row, *g.scores_median]
                scores.append(row)
            yield sensor, X.shape[1], level, name, model, np.mean(scores, axis=0)


def projection(quick) -> str:
    """The projection of the indices against the earlier default, on every setting."""
    warm_up()
    e = _epochs(quick)
    variants = {
        "MLP (64, 64), standardized bands": mlp,
        "NDClassifier(): projection 8 -> ReLU (32, 12)": lambda s: NDClassifier(
            random_state=s, **e
        ),
        "no projection: ReLU (20, 12) (the default before)": lambda s: NDClassifier(
            n_components=None, hidden_layer_sizes=(20, 12), random_state=s, **e
        ),
        "MLP, bands divided by their sum (no brightness)": brightness_normalized_mlp,
    }
    settings = PROJECTION_SETTINGS[:1] if quick else PROJECTION_SETTINGS
    gains = (0.02, 0.05)
    rows = [
        [f"{sensor} {n_bands} bands, level {level}", name, n_params(model)]
        + [f"{v:.2f}" for v in 100 * scores]
        for sensor, n_bands, level, name, model, scores in _tuning_runs(
            variants, settings, quick, gains
        )
    ]
    head = ["setting", "model", "parameters", "clean", *(f"{100 * s:g}%" for s in TUNING_LEVELS)]
    return table([*head, *(f"gain bias {100 * g:g}%" for g in gains)], rows)


def transformer_head(quick) -> str:
    """NDIndexTransformer's training head, as a random forest after its indices sees it."""
    warm_up()
    e = _epochs(quick)

    def learned(**options):
        return lambda s: make_pipeline(
            NDIndexTransformer(8, random_state=s, **{**e, **options}), _forest(s)
        )

    variants = {
        "45 classical NDs + RF": lambda s: make_pipeline(NDPairsTransformer(), _forest(s)),
        "NDIndexTransformer(8) + RF: head (64, 64)": learned(),
        "head (32, 16) (the default before)": learned(hidden_layer_sizes=(32, 16)),
        "linear head ()": learned(hidden_layer_sizes=()),
    }
    if quick:
        variants = dict(list(variants.items())[:2])
    rows = [
        [f"{sensor} level {level}", name] + [f"{v:.2f}" for v in 100 * scores]
        for sensor, _, level, name, _, scores in _tuning_runs(
            variants, SETTINGS[:1] if quick else SETTINGS, quick
        )
    ]
    head = ["setting", "model", "clean", *(f"{100 * s:g}%" for s in TUNING_LEVELS)]
    return table(head, rows)


TRANSFORMER_HEAD_NOTE = (
    "Tuning splits (5 folds, split seed 1; the tables above use seed 0). Accuracy % "
    "of a random forest (100 trees) on 8 learned indices, clean and under per-band "
    "noise, by the head NDIndexTransformer trains its indices under and then "
    "discards. The forest is fitted on clean spectra, as in the first table."
)


PROJECTION_SETTINGS = [("Sentinel2", 2), ("Landsat8", 2), ("Sentinel2", 3), ("Earthlib", 3)]
PROJECTION_NOTE = (
    "Tuning splits (5 folds, split seed 1; the tables above use seed 0). Accuracy % "
    "under per-band noise, and under a per-band gain bias (median over 10 draws). "
    "The default network reads the 45 standardized indices (120 on broad bands) "
    "through a linear projection onto 8 components, and its head reads those 8 beside "
    "the last ReLU layer. Earthlib 180 bands is the hyperspectral library, its first "
    "layer of broad bands. The last row of each setting gives the MLP only what an "
    "illumination-invariant model sees: each spectrum divided by its sum (band ratios, "
    "no brightness)."
)


CAUSE_NOTE = (
    "Sentinel-2, level 2, on tuning splits (3 folds, split seed 1; the tables above "
    "use seed 0). Accuracy % under per-band noise. For the ND models, the noise std "
    "that 1% per-band noise puts on the head's (class-centered) logits, to first order "
    "(`study_robust.noise_paths`), and the share of its power that comes through "
    "*fragile* indices: those whose own noise, `0.01 (1 - z^2) / sqrt(2)`, exceeds a "
    "third of their spread over the training spectra (differences of nearly "
    "collinear bands such as B8 / B8A)."
)


def run(quick: bool, out_dir) -> str:
    set_quick(quick)
    warm_up()
    try:
        import earthlib  # noqa: F401
    except ImportError:
        return (
            "## Robustness on real pixels\n\n(earthlib not installed: pip install 'sknd[data]'.)\n"
        )
    md = [
        "## Robustness on real pixels",
        "",
        "Data: the earthlib spectral library, as in the section above. Models are fitted "
        "on clean library spectra (stratified 5-fold CV, split seed 0; 2 folds on a fifth "
        "of the data in quick mode) and scored on their test fold perturbed as real "
        "pixels are, with `sknd.inspection.robustness_scores` (the same draws for every "
        "model). Per-band noise multiplies each band of each spectrum by its own "
        "`1 + s N(0, 1)`; a gain bias multiplies each band by one factor for the whole "
        "test fold (two sensors' calibrations); an offset adds +a or -a reflectance to "
        "each band (one sign per band, for the whole fold; haze and atmospheric "
        "correction); the sensor SNR adds Gaussian noise at the sensor's specified "
        "signal-to-noise ratio per band (Sentinel-2 MSI, Landsat 8 OLI requirements), "
        "taken at the band's mean.",
        "",
        robustness(quick, out_dir),
        "",
        "### What makes a learned-index model fragile (tuning splits)",
        "",
        CAUSE_NOTE,
        "",
        cause(quick),
        "",
        "### Reading the indices through a projection (tuning splits)",
        "",
        PROJECTION_NOTE,
        "",
        projection(quick),
        "",
        "### The head NDIndexTransformer trains under (tuning splits)",
        "",
        TRANSFORMER_HEAD_NOTE,
        "",
        transformer_head(quick),
        "",
        "### What limits the noise-trained model: its budgets (tuning splits)",
        "",
        CAPACITY_NOTE,
        "",
        capacity(quick),
        "",
    ]
    return "\n".join(md)


def main(argv=None):
    out_dir = Path(__file__).parent.parent / "docs" / "benchmarks"
    parts = {
        "robustness": lambda quick: robustness(quick, out_dir),
        "cause": cause,
        "projection": projection,
        "capacity": capacity,
        "head": transformer_head,
    }
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=list(parts), default=None)
    args = parser.parse_args(argv)
    if args.only is None:
        print(run(args.quick, out_dir))
    else:
        print(parts[args.only](args.quick))


if __name__ == "__main__":
    sys.exit(main())
