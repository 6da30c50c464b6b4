"""
Reading what was learned: coefficients, formulas and classical indices
======================================================================

A learned index is band math. This example fits four indices, draws their
band weights, prints them as formulas, compares them with the classical
normalized differences they resemble (NDVI is ``(B8 - B4) / (B8 + B4)`` on
Sentinel-2), and exports them as catalogue entries that evaluate anywhere.
"""

import json

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from sknd import NDIndexTransformer, NDPairsTransformer
from sknd.datasets import make_spectral_classification
from sknd.plotting import plot_coefficients

X, y = make_spectral_classification(n_samples=2000, n_classes=5, as_frame=True, random_state=0)
nd = NDIndexTransformer(n_indices=4, alpha=0.1, random_state=0).fit(X, y)

# %%
# Band weights
# ------------
# Red cells add to the numerator, blue cells subtract; each row's absolute
# weights sum to 1.
fig, ax = plt.subplots(figsize=(7, 3))
plot_coefficients(nd, ax=ax)
fig.tight_layout()

for name, formula in zip(nd.get_feature_names_out(), nd.formulas_):
    print(f"{name} = {formula}")

# %%
# The closest classical normalized differences
# --------------------------------------------
# Every pair ``(b_i - b_j) / (b_i + b_j)`` of the 10 bands, correlated with
# each learned index on the same spectra.
pairs = NDPairsTransformer().fit(X)
classical = pairs.transform(X)
learned = nd.transform(X)
names = pairs.get_feature_names_out()
corr = np.corrcoef(learned.T, classical.T)[: learned.shape[1], learned.shape[1] :]
for k, row in enumerate(corr):
    best = np.argmax(np.abs(row))
    print(f"nd{k}: closest classical index {names[best]}, correlation {row[best]:+.2f}")

# %%
# Are four learned indices worth more than classical ones?
# --------------------------------------------------------
# The same linear classifier on four learned indices, on NDVI and NDWI (the
# classics for vegetation and water), and on all 45 classical pairs.
ndvi_ndwi = NDPairsTransformer(pairs=[("B8", "B4"), ("B3", "B8")])
for label, step in [
    ("4 learned indices", NDIndexTransformer(n_indices=4, alpha=0.1, random_state=0)),
    ("NDVI + NDWI", ndvi_ndwi),
    ("all 45 classical pairs", NDPairsTransformer()),
]:
    pipe = make_pipeline(step, LogisticRegression(max_iter=2000))
    print(f"{label:24s} accuracy {cross_val_score(pipe, X, y, cv=3).mean():.3f}")

# %%
# Exported formulas
# -----------------
# ``export_indices`` writes each index in the Awesome Spectral Indices format.
# Its formula is plain band math, exact to rounding error: here it is
# evaluated by ``eval`` on numpy arrays, as Earth Engine or a GIS raster
# calculator would evaluate it on images.
entries = nd.export_indices(platforms=["Sentinel-2"])
print(json.dumps(entries[0], indent=1)[:600], "...")
value = eval(entries[0]["formula"], {"abs": np.abs}, dict(X.items()))
print("largest difference from transform:", np.abs(value - learned[:, 0]).max())
