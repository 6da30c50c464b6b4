"""Plots of what an estimator learned and how it trained (needs matplotlib).

matplotlib is an optional dependency: ``pip install matplotlib`` (or the
``sknd[plot]`` extra). Every function draws on ``ax`` when given, on a new
figure otherwise, and returns the axes it drew on. matplotlib is imported
inside the functions, and torch never: estimators are read through their
fitted attributes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "plot_coefficients",
    "plot_denoising",
    "plot_history",
    "plot_index_spectra",
    "plot_pair_scores",
]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "sknd.plotting needs matplotlib: pip install matplotlib (or sknd[plot])."
        ) from exc
    return plt


def _axes(ax):
    if ax is not None:
        return ax
    _, ax = _pyplot().subplots()
    return ax


def plot_history(estimator, keys: Sequence[str] | None = None, *, ax=None, log: bool = False):
    """Per-epoch training curves from an estimator's skorch ``history_``.

    Parameters
    ----------
    estimator : fitted sknd estimator, skorch NeuralNet or skorch History
        Anything with a ``history_`` (sknd) or ``history`` (skorch) attribute,
        or the history itself.
    keys : list of str, optional
        History columns to plot, e.g. ``["train_loss", "valid_loss"]`` (the
        default: whichever of the two were recorded) or ``["event_lr"]`` for a
        learning-rate schedule.
    ax : matplotlib Axes, optional
    log : bool, default=False
        Logarithmic y axis.

    Returns
    -------
    matplotlib Axes
        Epochs on x; the best validation epoch (when recorded) is marked.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sknd import NDClassifier
    >>> from sknd.datasets import make_spectral_classification
    >>> from sknd.plotting import plot_history
    >>> X, y = make_spectral_classification(n_samples=200, random_state=0)
    >>> clf = NDClassifier(max_epochs=5, early_stopping=True, random_state=0).fit(X, y)
    >>> ax = plot_history(clf)
    >>> [line.get_label() for line in ax.get_lines()][:2]
    ['train_loss', 'valid_loss']
    """
    history = getattr(estimator, "history_", None)
    if history is None:
        history = getattr(estimator, "history", estimator)
    if not isinstance(history, Sequence) or not history:
        raise ValueError(
            "plot_history needs a fitted estimator (or a skorch History) with at least one epoch."
        )
    recorded = set().union(*(row.keys() for row in history))
    if keys is None:
        keys = [k for k in ("train_loss", "valid_loss") if k in recorded]
    missing = [k for k in keys if k not in recorded]
    if missing or not keys:
        raise ValueError(f"History has no column {missing or keys}; it has {sorted(recorded)}.")
    ax = _axes(ax)
    epochs = np.array([row.get("epoch", i + 1) for i, row in enumerate(history)])
    for key in keys:
        values = np.array([row.get(key, np.nan) for row in history], dtype=float)
        ax.plot(epochs, values, label=key)
    if "valid_loss_best" in recorded and "valid_loss" in keys:
        best = [i for i, row in enumerate(history) if row.get("valid_loss_best")]
        if best:
            i = best[-1]
            ax.plot(epochs[i], history[i]["valid_loss"], "o", color="k", label="best valid_loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel(keys[0] if len(keys) == 1 else "value")
    if log:
        ax.set_yscale("log")
    ax.legend()
    return ax


def plot_coefficients(
    estimator,
    band_names: Sequence[str] | None = None,
    *,
    ax=None,
    annotate: bool = True,
    cmap: str = "RdBu_r",
):
    """Heatmap of learned indices: each band's net weight in each index.

    Cell ``(k, i)`` is ``positive_coef_[k, i] - negative_coef_[k, i]``: red bands
    add to index ``k``'s numerator, blue bands subtract. NDVI would be one row
    with +0.5 on NIR and -0.5 on red.

    Parameters
    ----------
    estimator : fitted NDIndexTransformer, NDClassifier, NDRegressor or NDPairsTransformer
        The classical pairs of an ``NDPairsTransformer`` are drawn as +0.5 and
        -0.5 on their two bands.
    band_names : list of str, optional
        Column labels; the fitted feature names by default.
    ax : matplotlib Axes, optional
    annotate : bool, default=True
        Write each weight in its cell.
    cmap : str, default="RdBu_r"
        A diverging colormap; the color scale is symmetric around 0.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sknd import NDIndexTransformer
    >>> from sknd.datasets import make_spectral_classification
    >>> from sknd.plotting import plot_coefficients
    >>> X, y = make_spectral_classification(n_samples=200, as_frame=True, random_state=0)
    >>> nd = NDIndexTransformer(n_indices=3, max_epochs=5, random_state=0).fit(X, y)
    >>> ax = plot_coefficients(nd)
    >>> [t.get_text() for t in ax.get_xticklabels()][:3]
    ['B2', 'B3', 'B4']
    """
    net = _net_weights(estimator)
    if band_names is None:
        names = getattr(estimator, "feature_names_in_", None)
        band_names = [f"x{i}" for i in range(net.shape[1])] if names is None else list(names)
    if len(band_names) != net.shape[1]:
        raise ValueError(f"band_names has {len(band_names)} names for {net.shape[1]} bands.")
    ax = _axes(ax)
    limit = float(np.abs(net).max()) or 1.0
    image = ax.imshow(net, cmap=cmap, vmin=-limit, vmax=limit, aspect="auto")
    ax.set_xticks(range(net.shape[1]), [str(n) for n in band_names], rotation=90)
    ax.set_yticks(range(net.shape[0]), [f"nd{k}" for k in range(net.shape[0])])
    ax.set_xlabel("band")
    ax.set_ylabel("index")
    if annotate:
        for (k, i), value in np.ndenumerate(net):
            color = "white" if abs(value) > 0.6 * limit else "black"
            ax.text(i, k, f"{value:+.2f}", ha="center", va="center", fontsize=7, color=color)
    ax.figure.colorbar(image, ax=ax, label="net weight (positive - negative)")
    return ax


def _net_weights(estimator) -> np.ndarray:
    """Each index's net band weights: learned coefficients, or a classical pair's."""
    if hasattr(estimator, "pairs_") and not hasattr(estimator, "positive_coef_"):
        net = np.zeros((len(estimator.pairs_), estimator.n_features_in_))
        for k, (i, j) in enumerate(estimator.pairs_):
            net[k, i], net[k, j] = 0.5, -0.5
        return net
    check_is_fitted(estimator, ["positive_coef_", "negative_coef_"])
    net = estimator.positive_coef_ - estimator.negative_coef_
    return net.toarray() if hasattr(net, "toarray") else net


def _band_axis(wavelengths, n_bands: int) -> tuple[np.ndarray, str]:
    if wavelengths is None:
        return np.arange(n_bands, dtype=float), "band"
    centers = np.asarray(wavelengths, dtype=float)
    if centers.shape != (n_bands,):
        raise ValueError(f"wavelengths has {centers.size} values for {n_bands} bands.")
    return centers, "wavelength (nm)"


def plot_pair_scores(selector, wavelengths=None, *, ax=None, cmap: str = "viridis"):
    """The "NDSI map": every band pair's score, band i against band j.

    Parameters
    ----------
    selector : fitted NDPairsSelector, or an (n_bands, n_bands) score array
        The selector's ``scores_`` (its kept pairs are circled), or such a
        map of any score.
    wavelengths : array-like of shape (n_bands,), optional
        Band centers in nm for the axes (band numbers by default).
    ax : matplotlib Axes, optional
    cmap : str, default="viridis"

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sknd import NDPairsSelector
    >>> from sknd.plotting import plot_pair_scores
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(0.1, 1, size=(100, 12))
    >>> sel = NDPairsSelector(k=2).fit(X, X[:, 2] / X[:, 7])
    >>> ax = plot_pair_scores(sel, wavelengths=np.linspace(400, 950, 12))
    >>> ax.get_xlabel()
    'wavelength (nm)'
    """
    if hasattr(selector, "get_params"):
        check_is_fitted(selector, "scores_")
        scores, pairs = selector.scores_, selector.pairs_
    else:
        scores, pairs = np.asarray(selector, dtype=float), []
    if scores.ndim != 2 or scores.shape[0] != scores.shape[1]:
        raise ValueError(f"scores must be a square (n_bands, n_bands) array, got {scores.shape}.")
    centers, label = _band_axis(wavelengths, len(scores))
    ax = _axes(ax)
    order = np.argsort(centers)
    image = ax.pcolormesh(
        centers[order], centers[order], scores[np.ix_(order, order)], cmap=cmap, shading="nearest"
    )
    if pairs:
        idx = np.asarray(pairs)
        ax.scatter(centers[idx[:, 1]], centers[idx[:, 0]], s=30, facecolors="none",
                   edgecolors="red", label="kept pairs")  # fmt: skip
        ax.legend(fontsize="small", loc="lower right")
    ax.set_xlabel(label)
    ax.set_ylabel(label)
    ax.set_aspect("equal")
    ax.figure.colorbar(image, ax=ax, label="score of (band i - band j) / (band i + band j)")
    return ax


def plot_index_spectra(estimator, wavelengths=None, *, indices=None, ax=None):
    """Learned indices on the wavelength axis: each index's net weight per band.

    A line per index, above 0 where a band adds to the numerator and below
    where it subtracts; a band group of ``NDClassifier(n_indices="auto")`` on
    many bands shows as a block of weights over its wavelengths.

    Parameters
    ----------
    estimator : fitted NDIndexTransformer, NDClassifier, NDRegressor or NDPairsTransformer
    wavelengths : array-like of shape (n_bands,), optional
        Band centers in nm; by default the estimator's ``wavelengths_`` where
        it was given ``wavelengths``, else band numbers.
    indices : list of int, optional
        Which indices to draw (the first 8 by default).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sknd import NDPairsTransformer
    >>> from sknd.plotting import plot_index_spectra
    >>> nd = NDPairsTransformer(pairs=[(3, 1)]).fit(np.ones((2, 5)))
    >>> len(plot_index_spectra(nd, wavelengths=[450, 550, 650, 750, 850]).get_lines())
    2
    """
    net = _net_weights(estimator)
    if wavelengths is None:
        wavelengths = getattr(estimator, "wavelengths_", None)
    centers, label = _band_axis(wavelengths, net.shape[1])
    chosen = range(min(8, len(net))) if indices is None else list(indices)
    ax = _axes(ax)
    order = np.argsort(centers)
    for k in chosen:
        ax.plot(centers[order], net[k, order], marker=".", lw=1, label=f"nd{k}")
    ax.axhline(0.0, color="0.5", lw=0.8)
    ax.set_xlabel(label)
    ax.set_ylabel("net weight (positive - negative)")
    ax.legend(fontsize="small", ncol=2)
    return ax


def plot_denoising(
    noisy,
    denoised,
    clean=None,
    *,
    sample: int = 0,
    ax=None,
):
    """One signal: noisy, clean (if known), and one or more denoised versions.

    Parameters
    ----------
    noisy : array-like of shape (n_signals, length) or (length,)
    denoised : array-like of the same shape, or dict of name to array-like
        Several methods' outputs to compare, e.g.
        ``{"Wiener": ..., "GMC": ..., "SparseBN": ...}``.
    clean : array-like of the same shape, optional
        When given, each legend entry shows that method's RMSE on the sample.
    sample : int, default=0
        Which signal (row) to draw.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sknd import L1Denoiser
    >>> from sknd.datasets import make_spike_signals
    >>> from sknd.plotting import plot_denoising
    >>> noisy, clean = make_spike_signals(n_signals=4, random_state=0)
    >>> ax = plot_denoising(noisy, {"L1": L1Denoiser().fit_transform(noisy)}, clean)
    >>> [line.get_label().split(" ")[0] for line in ax.get_lines()]
    ['noisy', 'clean', 'L1']
    """
    if not isinstance(denoised, Mapping):
        denoised = {"denoised": denoised}
    rows = {"noisy": _row(noisy, sample, "noisy")}
    if clean is not None:
        rows["clean"] = _row(clean, sample, "clean")
    for name, values in denoised.items():
        rows[str(name)] = _row(values, sample, str(name))
    lengths = {len(r) for r in rows.values()}
    if len(lengths) != 1:
        raise ValueError(
            f"Signals to plot have different lengths: { {k: len(v) for k, v in rows.items()} }."
        )
    ax = _axes(ax)
    ax.plot(rows.pop("noisy"), color="0.75", lw=1, label="noisy")
    truth = rows.pop("clean", None)
    if truth is not None:
        ax.plot(truth, color="k", lw=1.5, label="clean")
    for name, values in rows.items():
        label = name
        if truth is not None:
            label += f" (RMSE {np.sqrt(np.mean((values - truth) ** 2)):.3g})"
        ax.plot(values, lw=1.2, label=label)
    ax.set_xlabel("sample")
    ax.legend(fontsize="small")
    return ax


def _row(values, sample: int, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2:
        raise ValueError(f"{name} must be 1-D or 2-D (signals in rows), got {array.ndim}-D.")
    if not -array.shape[0] <= sample < array.shape[0]:
        raise ValueError(f"sample={sample} is out of range for {array.shape[0]} signals in {name}.")
    return array[sample]
