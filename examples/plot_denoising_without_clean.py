"""
Denoising without clean signals
===============================

Clean recordings rarely exist. ``SparseBNDenoiser.fit(X)`` without ``y``
learns from the noisy signals alone. With Recorrupted-to-Recorrupted
(``self_supervised="r2r"``, the default) each batch is corrupted once more
with noise of the estimated level, ``x + z/2``, and trained to predict
``x - 2z``: in expectation that is the supervised loss. The noise level is
estimated from the data (``noise_std_``) unless you give it.
"""

import matplotlib.pyplot as plt

from sknd import GMCDenoiser, SparseBNDenoiser
from sknd.datasets import make_spike_signals
from sknd.metrics import rmse
from sknd.plotting import plot_denoising

X_train, clean_train = make_spike_signals(1500, noise=3.0, random_state=0)
X_test, clean_test = make_spike_signals(300, noise=3.0, random_state=1)

self_supervised = SparseBNDenoiser(max_epochs=10, random_state=0).fit(X_train)
supervised = SparseBNDenoiser(max_epochs=10, random_state=0).fit(X_train, clean_train)
gmc = GMCDenoiser().fit(X_train)

print(f"true noise std 3.0, estimated from the noisy signals: {self_supervised.noise_std_:.3f}")
outputs = {
    "GMC (no training)": gmc.transform(X_test),
    "SparseBN, noisy signals only": self_supervised.predict(X_test),
    "SparseBN, with clean signals": supervised.predict(X_test),
}
print(f"{'noisy input':30s} RMSE {rmse(clean_test, X_test):.3f}")
for name, out in outputs.items():
    print(f"{name:30s} RMSE {rmse(clean_test, out):.3f}")

# %%
# Training curves
# ---------------
# The self-supervised loss is measured against recorrupted targets, so it
# sits far above the supervised one; its trend is what matters.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
plot_denoising(X_test, outputs, clean_test, sample=3, ax=ax1)
ax1.set_xlim(0, 50)
ax2.plot(self_supervised.history_[:, "train_loss"], label="noisy signals only")
ax2.plot(supervised.history_[:, "train_loss"], label="with clean signals")
ax2.set_yscale("log")
ax2.set_xlabel("epoch")
ax2.set_ylabel("training loss")
ax2.legend()
fig.tight_layout()
