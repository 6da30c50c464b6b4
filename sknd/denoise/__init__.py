"""1-D signal denoisers: learned (SparseBNDenoiser), classical (Wiener, L1, GMC), and
AutoDenoiser, which picks the classical filter of lowest estimated risk per signal.

Where things go: ``_filters`` holds the bases of the classical filters (stateless
fit, per-signal choices, windows), ``_classical`` the L1 and GMC filters,
``_wiener`` the Wiener filter, ``_auto`` AutoDenoiser; ``_families`` the SURE
families (one filter, one weight) and ``_sure`` the risk and its search;
``_signal`` the signal checks and noise estimators; ``_learned`` and
``_self_supervised`` the torch-backed SparseBNDenoiser. A new filter is one
file plus its name in ``__all__`` below and in ``sknd.__init__``.

The classical filters and functions import without torch; ``SparseBNDenoiser``
(and with it torch and skorch) loads on first use (PEP 562).
"""

from ._auto import AutoDenoiser
from ._classical import GMCDenoiser, L1Denoiser
from ._signal import estimate_noise, estimate_noise_pooled, mad_bias_factor, multiscale_noise_std
from ._solvers import gmc_general, ista_l1
from ._thresholds import firm_threshold, soft_threshold, threshold
from ._tv import tv_denoise, tv_gmc_denoise
from ._wiener import WienerDenoiser

__all__ = [
    "AutoDenoiser",
    "GMCDenoiser",
    "L1Denoiser",
    "SparseBNDenoiser",
    "WienerDenoiser",
    "estimate_noise",
    "estimate_noise_pooled",
    "firm_threshold",
    "gmc_general",
    "ista_l1",
    "mad_bias_factor",
    "multiscale_noise_std",
    "soft_threshold",
    "threshold",
    "tv_denoise",
    "tv_gmc_denoise",
]


def __getattr__(name):
    if name == "SparseBNDenoiser":
        from ._learned import SparseBNDenoiser

        globals()[name] = SparseBNDenoiser
        return SparseBNDenoiser
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), "SparseBNDenoiser"})
