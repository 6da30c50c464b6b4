"""
Robustness to illumination and to per-band noise
================================================

Two different things are both called "multiplicative noise":

* **illumination**: one factor scales all bands of a pixel (sun angle,
  terrain shading, sensor gain). A normalized difference is exactly
  invariant to it;
* **per-band noise**: every band gets its own factor ``1 + s * N(0, 1)``.
  Nothing is invariant to that; ``noise=s`` at fit time trains on batches
  perturbed the same way.

An ``NDClassifier`` and an ``MLPClassifier`` (on standardized bands) are
trained on spectra under moderate illumination changes, then tested on
brighter or darker scenes and on per-band noise.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknd import NDClassifier
from sknd.datasets import make_spectral_classification

X, y = make_spectral_classification(
    n_samples=3000, n_classes=5, illumination=(0.8, 1.2), random_state=0
)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.4, random_state=0)

models = {
    "NDClassifier": NDClassifier(random_state=0),
    "NDClassifier, noise=0.1": NDClassifier(noise=0.1, random_state=0),
    "MLP (64, 64)": make_pipeline(
        StandardScaler(), MLPClassifier((64, 64), max_iter=500, random_state=0)
    ),
}
for model in models.values():
    model.fit(X_train, y_train)

# %%
# Illumination: scale every band of every test pixel by ``c``
# -----------------------------------------------------------
factors = [0.25, 0.5, 1.0, 2.0, 4.0]
illum = {name: [m.score(c * X_test, y_test) for c in factors] for name, m in models.items()}

# %%
# Per-band noise: multiply each band by ``1 + s * N(0, 1)``
# ---------------------------------------------------------
rng = np.random.default_rng(0)
levels = [0.0, 0.05, 0.1, 0.2]
draws = [rng.standard_normal(X_test.shape) for _ in range(3)]
noisy = {
    name: [np.mean([m.score(X_test * np.abs(1 + s * d), y_test) for d in draws]) for s in levels]
    for name, m in models.items()
}

print(f"{'model':26s} {'clean':>6s} {'x0.25':>6s} {'x4':>6s} {'10% noise':>9s}")
for name in models:
    i = levels.index(0.1)
    print(
        f"{name:26s} {illum[name][2]:6.3f} {illum[name][0]:6.3f} {illum[name][-1]:6.3f} "
        f"{noisy[name][i]:9.3f}"
    )

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True)
for name in models:
    ax1.plot(factors, illum[name], "o-", label=name)
    ax2.plot(levels, noisy[name], "o-", label=name)
ax1.set_xscale("log", base=2)
ax1.set_xlabel("illumination factor c")
ax1.set_ylabel("accuracy")
ax1.set_title("one factor for all bands")
ax2.set_xlabel("per-band noise s")
ax2.set_title("a factor per band")
ax2.legend(fontsize="small")
fig.tight_layout()
