"""
Learned indices + random forest, against a random forest on raw bands
=====================================================================

Synthetic land-cover spectra in ten Sentinel-2-like bands, each sample seen
under its own illumination (brightness x U(0.5, 1.5)). A random forest on raw
bands has to learn that brightness does not matter; learned
normalized-difference indices are immune to it by construction, and say which
band math they found.
"""

import time

from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from sknd import NDIndexTransformer, NDPairsTransformer
from sknd.datasets import make_spectral_classification

X, y = make_spectral_classification(
    n_samples=3000, n_classes=5, purity=6.0, as_frame=True, random_state=0
)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)

models = {
    "random forest on raw bands": RandomForestClassifier(random_state=0),
    "classical NDs + random forest": Pipeline(
        [("nd", NDPairsTransformer()), ("rf", RandomForestClassifier(random_state=0))]
    ),
    "learned NDs + random forest": Pipeline(
        [
            ("nd", NDIndexTransformer(n_indices=4, alpha=1e-2, random_state=0)),
            ("rf", RandomForestClassifier(random_state=0)),
        ]
    ),
}

print(f"{'model':32s} {'accuracy':>8s} {'fit (s)':>8s}")
for name, model in models.items():
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    print(f"{name:32s} {model.score(X_test, y_test):8.3f} {seconds:8.1f}")

# Brighten every test sample by 2x: outside anything seen in training.
bright = X_test * 2.0
print("\nAccuracy with the test scene twice as bright:")
for name, model in models.items():
    print(f"{name:32s} {model.score(bright, y_test):8.3f}")

nd = models["learned NDs + random forest"].named_steps["nd"]
print("\nLearned indices (weights under 1% omitted):")
for name, formula in zip(nd.get_feature_names_out(), nd.formulas_):
    print(f"  {name} = {formula}")
