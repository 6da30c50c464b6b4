"""
skorch callbacks and training history
=====================================

Training runs on skorch, so its callbacks are the extension point: pass
them in ``callbacks=[...]``. Here a cosine learning-rate schedule and
gradient clipping join sknd's own early stopping (``early_stopping=True``
holds out 10% of the data and restores the best epoch's weights). Every
epoch is recorded in ``history_``, a skorch ``History``, which
:func:`sknd.plotting.plot_history` draws.
"""

import matplotlib.pyplot as plt
from skorch.callbacks import GradientNormClipping, LRScheduler

from sknd import NDClassifier
from sknd.datasets import make_spectral_classification
from sknd.plotting import plot_history

X, y = make_spectral_classification(n_samples=3000, n_classes=5, random_state=0)
schedule = LRScheduler("CosineAnnealingLR", T_max=60, event_name="event_lr")
clf = NDClassifier(
    max_epochs=60,
    lr=0.02,
    early_stopping=True,
    n_iter_no_change=15,
    callbacks=[schedule, GradientNormClipping(1.0)],
    random_state=0,
).fit(X, y)

best = [row["epoch"] for row in clf.history_ if row.get("valid_loss_best")][-1]
print(f"ran {clf.n_iter_} epochs; best validation loss at epoch {best}")
print(f"training accuracy {clf.score(X, y):.3f}")
print("history columns:", sorted(clf.history_[-1].keys()))

# The callbacks passed in are copied before training: ``schedule`` itself
# was never initialized, so the same list can go to another estimator.
print("schedule initialized:", hasattr(schedule, "lr_scheduler_"))

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
plot_history(clf, ax=ax1)
plot_history(clf, ["event_lr"], ax=ax2)
fig.tight_layout()
