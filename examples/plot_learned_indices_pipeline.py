"""
Learned indices on real spectra, against an MLP and classical indices
=====================================================================

Real data: the earthlib spectral library (7261 labeled spectra of soils,
vegetation, urban materials, non-photosynthetic vegetation and burned
surfaces) in Sentinel-2's ten 10 m and 20 m bands, loaded with
:func:`sknd.datasets.load_spectral_library` (the ``data`` extra).

Three models on the same 70/30 stratified split: a scikit-learn MLP on
standardized bands, the 45 classical normalized differences + a random
forest, and :class:`sknd.NDClassifier` with its defaults (one learned-ratio
index per band pair, then a small ReLU network, trained against per-band noise
of up to 5%). The classes are very unequal (21 burned spectra), so macro-F1 is
shown beside accuracy. Then every test spectrum is re-lit by a random factor in
[0.5, 1.5], as shadows and slopes do, and, separately, given 2% of independent
per-band noise, as real pixels carry; the learned indices the network leans on
most are printed as band math.
"""

import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknd import NDClassifier, NDPairsTransformer
from sknd.datasets import load_spectral_library
from sknd.inspection import perturb_bands

library = load_spectral_library(sensor="Sentinel2", level=2, as_frame=True)
X, y = library.data, library.target
print(library.DESCR)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


def n_params(model):
    if isinstance(model, NDClassifier):
        return sum(p.numel() for p in model.module_.parameters())
    mlp = model[-1]
    if isinstance(mlp, MLPClassifier):
        return sum(w.size for w in mlp.coefs_) + sum(b.size for b in mlp.intercepts_)
    return "-"


models = {
    "MLP (64, 64), standardized": make_pipeline(
        StandardScaler(), MLPClassifier((64, 64), max_iter=300, random_state=0)
    ),
    "45 classical NDs + forest": make_pipeline(
        NDPairsTransformer(), RandomForestClassifier(random_state=0)
    ),
    "NDClassifier()": NDClassifier(random_state=0),
}

# Every test spectrum under its own brightness, as with shadows and slopes.
relit = perturb_bands(X_test, "illumination", 0.5, random_state=0)
# Every band of every test spectrum with its own 2% error (sensor noise, calibration).
noisy = perturb_bands(X_test, "noise", 0.02, random_state=0)

print(
    f"\n{'model':28s} {'accuracy':>8s} {'macro-F1':>8s} {'params':>7s} {'fit s':>6s} "
    f"{'re-lit':>7s} {'2% band noise':>13s}"
)
for name, model in models.items():
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    pred = model.predict(X_test)
    f1 = f1_score(y_test, pred, average="macro")
    print(
        f"{name:28s} {np.mean(pred == y_test):8.3f} {f1:8.3f} {n_params(model)!s:>7s} "
        f"{seconds:6.1f} {model.score(relit, y_test):7.3f} {model.score(noisy, y_test):13.3f}"
    )

# %%
# What the network learned
# ------------------------
# Its first layer holds one index per band pair, ``(r x_i - x_j) / (r x_i + x_j)``
# with a learned ratio ``r``. The network reads them through a linear
# projection onto 8 components (``module_.projection``): the indices whose
# weights into it are largest are the ones it leans on.
clf = models["NDClassifier()"]
projection = clf.module_.projection.weight.detach().numpy()
importance = np.linalg.norm(projection, axis=0)
print("\nThe five indices the network leans on most:")
for k in np.argsort(importance)[::-1][:5]:
    print(f"  {clf.formulas_[k]}")
