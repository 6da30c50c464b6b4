"""
Choosing the sparsity strength ``alpha`` with GridSearchCV
==========================================================

``alpha`` weights a penalty that makes each learned index use fewer bands.
Like any regularization strength it is a hyperparameter: tune it by
cross-validation over the whole pipeline, and look at what it changes: the
effective number of bands per index, ``1 / sum(w**2)`` for the index's
normalized band weights ``w`` (10 when all bands weigh the same, 1 for a
single band).
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from sknd import NDIndexTransformer
from sknd.datasets import make_spectral_classification

X, y = make_spectral_classification(n_samples=1500, n_classes=5, as_frame=True, random_state=0)
pipe = Pipeline(
    [
        ("nd", NDIndexTransformer(n_indices=4, max_epochs=60, random_state=0)),
        ("clf", LogisticRegression(max_iter=1000)),
    ]
)
alphas = [0.0, 0.01, 0.1, 1.0]
search = GridSearchCV(pipe, {"nd__alpha": alphas}, cv=3).fit(X, y)
print(
    f"best alpha: {search.best_params_['nd__alpha']}, "
    f"cross-validated accuracy {search.best_score_:.3f}"
)


# %%
# Accuracy and sparsity against ``alpha``
# ----------------------------------------
def bands_per_index(nd):
    weights = nd.positive_coef_ + nd.negative_coef_  # each row sums to 1
    return float(np.mean(1.0 / (weights**2).sum(axis=1)))


effective = [
    bands_per_index(
        NDIndexTransformer(n_indices=4, max_epochs=60, alpha=a, random_state=0).fit(X, y)
    )
    for a in alphas
]
scores = search.cv_results_["mean_test_score"]
for a, s, e in zip(alphas, scores, effective):
    print(f"alpha={a:<5} accuracy={s:.3f}  bands per index={e:.1f}")

x = np.arange(len(alphas))
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(x, scores, "o-", label="CV accuracy")
ax.set_xticks(x, [str(a) for a in alphas])
ax.set_xlabel("alpha")
ax.set_ylabel("accuracy")
ax2 = ax.twinx()
ax2.plot(x, effective, "s--", color="C1", label="bands per index")
ax2.set_ylabel("effective bands per index")
fig.legend(loc="lower left")
fig.tight_layout()
