"""
Learned indices on hyperspectral data: 180 bands, named by wavelength
=====================================================================

With hundreds of bands nobody tries every band pair by hand. What
hyperspectral studies do today is the exhaustive two-band search: score the
classical normalized difference of every pair against the target and draw the
scores as a map, band i against band j (the "NDSI map").
:class:`sknd.NDPairsSelector` does that search and keeps the best ``k`` pairs;
:class:`sknd.NDClassifier` learns its indices instead.

Real data: the earthlib spectral library in its own 180 bands (400-2450 nm,
the water-vapour bands left out; :func:`sknd.datasets.load_spectral_library`
with ``sensor="Earthlib"``, the ``data`` extra). On more than 16 bands the
default ``NDClassifier()`` cuts the spectrum into 16 contiguous broad bands
where its shape turns, learns each broad band's band weights and one ratio per
pair of broad bands: its size does not grow with the square of the band count.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sknd import NDClassifier, NDPairsSelector
from sknd.datasets import load_spectral_library
from sknd.plotting import plot_index_spectra, plot_pair_scores

lib = load_spectral_library(sensor="Earthlib", level=2)
X_train, X_test, y_train, y_test = train_test_split(
    lib.data, lib.target, test_size=0.3, stratify=lib.target, random_state=0
)
wavelengths = lib.wavelengths
print(f"{X_train.shape[0]} training spectra, {X_train.shape[1]} bands")

# %%
# The exhaustive search, and a random forest on its 8 best pairs
# --------------------------------------------------------------
search = make_pipeline(NDPairsSelector(k=8), RandomForestClassifier(random_state=0))
search.fit(X_train, y_train)
pred = search.predict(X_test)
print(f"8 searched pairs + forest: accuracy {np.mean(pred == y_test):.3f}, "
      f"macro-F1 {f1_score(y_test, pred, average='macro'):.3f}")  # fmt: skip
best = [tuple(round(wavelengths[b]) for b in pair) for pair in search[0].pairs_[:4]]
print("best pairs (nm):", best)

# %%
# Each pair is scored alone, so the best ones crowd into one corner of the
# map: neighbouring bands, nearly the same index.
ax = plot_pair_scores(search[0], wavelengths=wavelengths)
ax.set_title("ANOVA F of every pair's classical ND")
plt.show()

# %%
# Learned indices on 16 broad bands
# ---------------------------------
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)  # a fragility warning, if any, is shown below
    clf = NDClassifier(random_state=0).fit(X_train, y_train)
pred = clf.predict(X_test)
n_params = sum(p.numel() for p in clf.module_.parameters())
print(f"NDClassifier(): accuracy {np.mean(pred == y_test):.3f}, "
      f"macro-F1 {f1_score(y_test, pred, average='macro'):.3f}, {n_params} parameters")  # fmt: skip
edges = [round(wavelengths[np.flatnonzero(clf.band_groups_ == g)[0]]) for g in range(16)]
print("broad bands start at (nm):", edges)
drops = {f"{level:.0%}": round(drop, 4) for level, drop in clf.noise_sensitivity_.items()}
print("drop in training accuracy under per-band noise:", drops)

# %%
# Each learned index is one positive normalized difference of two broad bands;
# its band weights over the wavelength axis show which windows it reads.
ax = plot_index_spectra(clf, wavelengths=wavelengths, indices=[0, 15, 60, 119])
ax.set_title("Learned indices: net weight of each band")
plt.show()
