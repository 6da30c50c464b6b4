"""Light imports: the classical filters, metrics and datasets load without torch."""

import subprocess
import sys

import pytest


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(out.stdout.split())


@pytest.mark.parametrize(
    "code",
    [
        "from sknd.denoise import WienerDenoiser, L1Denoiser, GMCDenoiser, tv_denoise",
        "import sknd.metrics",
        "import sknd.catalogue",
        "import sknd.raster",
        "from sknd.datasets import make_spike_signals, make_spectral_classification",
        "import sknd; sknd.__version__",
        "from sknd.nd import NDPairsTransformer, NDPairsSelector",
    ],
)
def test_no_torch_without_a_torch_estimator(code):
    loaded = _loaded_after(code)
    assert "torch" not in loaded and "skorch" not in loaded


def test_torch_modules_do_not_import_scikit_learn():
    # sknd.nn is pure torch: its layers never see numpy arrays or estimators.
    assert "sklearn" not in _loaded_after("import sknd.nn")


def test_torch_estimators_load_on_first_use():
    loaded = _loaded_after(
        "import sknd\nsknd.NDClassifier\nfrom sknd.denoise import SparseBNDenoiser"
    )
    assert "torch" in loaded


def test_public_names_resolve():
    import sknd
    import sknd.denoise
    import sknd.nd

    for name in sknd.__all__:
        assert getattr(sknd, name) is not None
    assert set(sknd.__all__) <= set(dir(sknd))
    assert "SparseBNDenoiser" in dir(sknd.denoise)
    for name in [*sknd.nd.__all__, *sknd.denoise.__all__]:  # the wings' names are public
        assert name in dir(sknd.nd) or name in dir(sknd.denoise)
    estimators = {n for n in sknd.denoise.__all__ if n[0].isupper()}
    assert set(sknd.__all__) == {*sknd.nd.__all__, *estimators, "__version__"}
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        sknd.nope  # noqa: B018
