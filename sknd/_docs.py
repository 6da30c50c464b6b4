"""Docstring entries the estimators share, written once.

A class docstring names the shared entries it wants with ``{params: a, b}`` or
``{attrs: a, b}`` markers, and :func:`fill_doc` expands them, taking each
parameter's default from the class's own ``__init__``: the type and text are
the same for every estimator, the default is always the real one. No imports
beyond the standard library.
"""

from __future__ import annotations

import inspect
import re
import textwrap

__all__ = ["fill_doc"]

_PARAMS = {
    "alpha": (
        "float",
        "Strength of a scale-free penalty that makes each dense ND unit use fewer "
        "bands (see :meth:`sknd.nn.NormalizedDifference.sparsity_penalty`); "
        "pairwise indices use two by construction.",
    ),
    "max_epochs": ("int", "Most passes over the training data."),
    "batch_size": (
        'int or "auto"',
        'Mini-batch size; ``"auto"`` is ``min({auto}, n_samples)``.',
    ),
    "lr": ("float", "Adam learning rate (at the start, under a schedule)."),
    "lr_schedule": (
        '{"cosine", "constant"}',
        '``"cosine"`` anneals the learning rate to 0 over ``max_epochs``, which then '
        "fixes the length of training unless ``early_stopping``. A skorch "
        "``LRScheduler`` in ``callbacks`` replaces it.",
    ),
    "early_stopping": (
        "bool",
        "Hold out ``validation_fraction`` of the data and stop when its loss has not "
        "improved by ``tol`` for ``n_iter_no_change`` epochs, restoring the best "
        "weights. Without it, and without a cosine schedule, the same rule watches "
        "the training loss (``MLPClassifier``'s rule); reaching ``max_epochs`` first "
        "warns with ``ConvergenceWarning``.",
    ),
    "validation_fraction": ("float", "Share of the data ``early_stopping`` holds out."),
    "n_iter_no_change": ("int", "Epochs without improvement the stopping rule waits."),
    "tol": ("float", "Smallest improvement of the watched loss that counts."),
    "noise": (
        "float",
        "Training augmentation against independent per-band noise (sensor noise, "
        "calibration and atmospheric differences between bands): each training "
        "spectrum, every epoch, is multiplied band by band by ``1 + s * N(0, 1)``, "
        "with its own level ``s`` drawn uniformly in ``[0, noise]``. Without it a "
        "model leans on differences of nearly collinear bands, which 1-2% of "
        "per-band noise destroys; ``0`` trains on the spectra as given (the most "
        "accurate on clean library spectra, and fragile). Never applied at "
        "prediction. ``noise_sensitivity_`` (classifier and regressor) and "
        ":func:`sknd.inspection.robustness_scores` measure what it buys.",
    ),
    "eps": (
        "float",
        "Denominator stabilizer, relative to each sample's mean band magnitude (so "
        "exact illumination invariance holds whatever its value).",
    ),
    "random_state": (
        "int, RandomState instance or None",
        "Seeds initialization, shuffling, the validation split and augmentation: a "
        "fixed value reproduces a fit exactly.",
    ),
    "device": (
        "str",
        'Torch device for training, e.g. ``"cuda"``. The fitted module is kept in '
        "float64 on the CPU; prediction uses ``device`` when this machine has it and "
        "the CPU (with a warning) when not.",
    ),
    "verbose": ("int", "1 prints skorch's per-epoch table."),
    "callbacks": (
        "list of skorch callbacks",
        "Extra callbacks (learning-rate schedules, checkpoints, logging); a fit uses "
        "copies, so these objects are never changed.",
    ),
    "wavelengths": (
        "array-like of shape (n_features,) or None",
        "Band centers in nm, one per column of ``X``. ``formulas_`` and "
        "``export_indices`` then name the bands by wavelength (``R705``, see "
        ":func:`sknd.catalogue.wavelength_names`), the plots draw on the wavelength "
        "axis, and :func:`sknd.catalogue.transfer_indices` can carry the learned "
        "indices to another sensor's bands. Kept as ``wavelengths_``.",
    ),
    # The lam="sure" filters' settings for long signals (AutoDenoiser says more).
    "window_length": (
        "int or None",
        "Denoise signals longer than this window by window: overlapping windows of "
        "this many samples (a quarter overlap, cross-faded there), each with its own "
        "noise estimate and weight, for noise whose level drifts along a long "
        "recording and for memory bounded by one window. Shorter signals are "
        "denoised whole, as without it. With it, ``lam_`` and ``risk_`` have a window "
        "axis: shape ``(n_signals, n_windows)``.",
    ),
    "tuning_length": (
        "int or None",
        'With ``lam="sure"``: signals longer than twice this are tuned first on their '
        "central ``tuning_length`` samples, and from that weight a walk downhill on "
        "the whole signal's risk curve finds the whole signal's weight in a few "
        "solves (the same weight as a search of the whole grid where the curve has "
        "one minimum); None searches the whole grid.",
    ),
}

_ATTRS = {
    "positive_coef_": (
        "ndarray or scipy.sparse.csr_array of shape (n_indices, n_features)",
        "Band weights of each first-layer index's positive part, normalized so each "
        "index's weights (both parts) sum to 1. A ``csr_array`` for a layer of one index "
        'per band pair with over 2^20 weights (``n_indices="pairs"`` from 129 bands '
        "on): two of each row's weights are non-zero, and 300 bands' 44,850 pairs would "
        "hold 215 MB of zeros dense. ``.toarray()`` gives the dense array.",
    ),
    "negative_coef_": (
        "ndarray or scipy.sparse.csr_array of shape (n_indices, n_features)",
        "The same for the negative part.",
    ),
    "formulas_": (
        "list of str",
        "Readable band math of each first-layer index (weights under 1% left out).",
    ),
    "module_": ("torch.nn.Module", "The trained network, in float64 on the CPU."),
    "history_": (
        "skorch.History",
        "Per-epoch records (losses, durations); :func:`sknd.plotting.plot_history` draws them.",
    ),
    "n_iter_": ("int", "Epochs run."),
    "band_groups_": (
        "ndarray of shape (n_features,) or None",
        'With ``n_indices="auto"`` on more than 16 bands: the broad band (0 to 15) '
        "of every band, contiguous runs cut where the spectral shape turns (see the "
        'user guide\'s "Many bands"). None when the layer pairs the bands themselves.',
    ),
    "noise_sensitivity_": (
        "dict of float to float",
        "How much the training score (accuracy, or R^2) falls when every band of "
        "every spectrum is multiplied by ``1 + s * N(0, 1)``, for ``s`` = 0.01 and "
        "0.02 (keys); measured at the end of ``fit`` on up to 2000 training rows. A "
        "drop above 0.02 at 1% warns: real pixels carry that much per-band noise. "
        "For held-out data and more perturbations, use "
        ":func:`sknd.inspection.robustness_scores`.",
    ),
    "n_features_in_": ("int", "Number of features seen in ``fit``."),
    "feature_names_in_": (
        "ndarray of shape (``n_features_in_``,)",
        "Names of the features seen in ``fit``, when ``X`` had string column names.",
    ),
}

_MARKER = re.compile(r"^(?P<indent>[ ]*)\{(?P<kind>params|attrs): (?P<names>[^}]*)\}$", re.M)


def _entry(name: str, kind: str, text: str, indent: str) -> str:
    body = textwrap.fill(text, width=79 - len(indent) - 4)
    return f"{indent}{name} : {kind}\n" + textwrap.indent(body, indent + "    ")


def _show(value) -> str:
    """A default as the docstring writes it: ``"auto"``, ``1e-6``, ``0.02``."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float):
        return f"{value:g}".replace("e-0", "e-")
    return repr(value)


def fill_doc(cls):
    """Class decorator: expand the ``{params: ...}`` and ``{attrs: ...}`` markers."""
    defaults = {
        name: p.default
        for name, p in inspect.signature(cls.__init__).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    auto = getattr(cls, "_AUTO_BATCH_SIZE", None)

    def expand(match):
        indent, entries = match["indent"], []
        for name in (n.strip() for n in match["names"].split(",")):
            if match["kind"] == "params":
                kind, text = _PARAMS[name]
                default = defaults[name]
                shown = _show(default)
                entries.append(
                    _entry(name, f"{kind}, default={shown}", text.format(auto=auto), indent)
                )
            else:
                kind, text = _ATTRS[name]
                entries.append(_entry(name, kind, text, indent))
        return "\n".join(entries)

    cls.__doc__ = _MARKER.sub(expand, cls.__doc__)
    return cls
