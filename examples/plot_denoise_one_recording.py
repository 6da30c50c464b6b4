"""
Denoise a recording without a clean reference
=============================================

Most users have one noisy recording and no clean version of it. Stein's
unbiased risk estimate (SURE) estimates a filter's mean squared error from the
noisy signal alone, given the noise level, which is itself estimated from the
signal. :class:`sknd.denoise.AutoDenoiser` tunes every candidate filter (L1 and
GMC thresholds of samples, wavelet and stationary-wavelet coefficients, total
variation) by SURE and keeps, for each recording, the one it estimates best:
no training set, no clean signal.

The recording is PyWavelets' ECG (1024 samples) with white noise added at a
signal-to-noise ratio of 4; the clean ECG is used only to score the result.
"""

import matplotlib.pyplot as plt
import numpy as np
import pywt

from sknd.denoise import AutoDenoiser, L1Denoiser
from sknd.metrics import psnr

clean = pywt.data.ecg().astype(float)
rng = np.random.default_rng(0)
noisy = clean + rng.standard_normal(clean.size) * clean.std() / 4

# %%
# One call, label-free
# --------------------
den = AutoDenoiser()
denoised = den.fit_transform(noisy[None])[0]
print(f"noise std: true {clean.std() / 4:.1f}, estimated {den.noise_std_[0]:.1f}")
print(f"chosen: {den.choice_[0]} with lam = {den.lam_[0]:.1f}")
print(f"PSNR: noisy {psnr(clean, noisy):.1f} dB, AutoDenoiser {psnr(clean, denoised):.1f} dB")

# %%
# Why it chose that filter
# ------------------------
# Every candidate's lowest estimated risk, next to its true error (which only
# this example, with its clean signal, can compute). The estimate ranks the
# candidates as the truth does where it matters, at the top.
rows = []
for name, risk in zip(den.families_, den.risks_[0]):
    if np.isnan(risk):
        continue  # GMC total variation is tried only where L1-TV leads
    out = AutoDenoiser(families=[name]).fit_transform(noisy[None])[0]
    rows.append((risk, np.mean((out - clean) ** 2), name))
for risk, true, name in sorted(rows)[:6]:
    print(f"  {name:18s} estimated MSE {risk:8.1f}   true MSE {true:8.1f}")

# %%
# One filter family, tuned by SURE
# --------------------------------
# ``lam="sure"`` does the same for a single filter; ``lam_`` and ``risk_``
# tell what it chose.
tv = L1Denoiser(lam="sure", domain="tv")
tv_out = tv.fit_transform(noisy[None])[0]
print(f"L1 total variation: lam = {tv.lam_[0]:.1f}, PSNR {psnr(clean, tv_out):.1f} dB")

fig, ax = plt.subplots(figsize=(9, 3.5), layout="constrained")
span = slice(200, 600)
ax.plot(noisy[span], color="0.75", lw=0.8, label="noisy")
ax.plot(clean[span], color="k", lw=1.2, label="clean (unseen)")
ax.plot(denoised[span], color="C3", lw=1.2, label=f"AutoDenoiser: {den.choice_[0]}")
ax.set(xlabel="sample", ylabel="ECG")
ax.legend(loc="upper right", fontsize=8)
