"""
Denoising spikes: classical filters against the sparse batch-norm network
=========================================================================

The spike task: sparse spikes of heights 2 to 10 in Gaussian noise of
standard deviation 3. Classical filters need no training: the local Wiener
filter, the L1 norm (soft threshold) and the GMC penalty (firm threshold,
Selesnick 2017), each with its threshold set from the signal's own noise
estimate. The learned ``SparseBNDenoiser`` trains on noisy/clean pairs, once
with a plain batch norm and once with a sparse one (a learned firm
shrinkage after each batch norm).
"""

import matplotlib.pyplot as plt

from sknd import GMCDenoiser, L1Denoiser, SparseBNDenoiser, WienerDenoiser
from sknd.datasets import make_spike_signals
from sknd.metrics import psnr, rmse
from sknd.plotting import plot_denoising

X_train, clean_train = make_spike_signals(1500, random_state=0)
X_test, clean_test = make_spike_signals(300, random_state=1)

methods = {
    "Wiener": WienerDenoiser(),
    "L1": L1Denoiser(),
    "GMC": GMCDenoiser(),
    "SparseBN, plain BN": SparseBNDenoiser(max_epochs=10, random_state=0),
    "SparseBN, sparse BN": SparseBNDenoiser(
        norm="sparse", penalty="gmc", max_epochs=10, random_state=0
    ),
}
outputs = {}
for name, method in methods.items():
    if isinstance(method, SparseBNDenoiser):
        method.fit(X_train, clean_train)
    else:
        method.fit(X_train)
    outputs[name] = method.transform(X_test)

print(f"{'method':22s} {'RMSE':>6s} {'PSNR (dB)':>9s}")
print(f"{'noisy input':22s} {rmse(clean_test, X_test):6.3f} {psnr(clean_test, X_test):9.2f}")
for name, out in outputs.items():
    print(f"{name:22s} {rmse(clean_test, out):6.3f} {psnr(clean_test, out):9.2f}")

# %%
# One test signal
# ---------------
fig, ax = plt.subplots(figsize=(9, 3.5))
shown = {k: outputs[k] for k in ("Wiener", "GMC", "SparseBN, plain BN")}
plot_denoising(X_test, shown, clean_test, sample=0, ax=ax)
fig.tight_layout()

# %%
# Error per method
# ----------------
fig, ax = plt.subplots(figsize=(6, 3))
names = list(outputs)
ax.barh(names, [rmse(clean_test, outputs[n]) for n in names])
ax.axvline(rmse(clean_test, X_test), color="k", ls="--", label="noisy input")
ax.set_xlabel("RMSE (lower is better)")
ax.invert_yaxis()
ax.legend()
fig.tight_layout()
