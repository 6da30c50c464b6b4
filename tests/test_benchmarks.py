"""The benchmark report regenerates (quick mode), so it never rots."""

import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")
sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))

import run_all

pytestmark = pytest.mark.slow  # make test-fast skips it; make test runs it


# Quick mode trains for a few epochs, and the robustness study's offsets push
# bands below 0: both warnings are what those studies measure, not faults.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:NDPairsTransformer. X holds .* negative band value:UserWarning")
def test_quick_report(tmp_path):
    report = run_all.main(["--quick", "--out", str(tmp_path)])
    text = report.read_text()
    for heading in (
        "### Accuracy against parameters",
        "### Robustness",
        "### Depth consistency",
        "## Real spectra: the earthlib library",
        "### Defaults against the MLP",
        "### Landsat 8, level 2, class by class",
        "### What makes learned indices win",
        "### Cover-fraction regression on mixtures of real spectra",
        "## Robustness on real pixels",
        "offset ±0.005",
        "### What makes a learned-index model fragile (tuning splits)",
        "### Reading the indices through a projection (tuning splits)",
        "### The head NDIndexTransformer trains under (tuning splits)",
        "## Hyperspectral scale: hundreds of bands",
        "### Screening every band pair",
        "### Cover-fraction regression, 180 bands",
        "### The seed's table, with correct metrics",
        "Bayes posterior mean",
        "### Sparsity strength",
        "### Training time per epoch",
        "### Inference",
        "## Rasters at scale",
        "## Long recordings",
        "Noise that drifts",
        "## Figures behind the design choices",
    ):
        assert heading in text
    assert "nan" not in text.lower().replace("nanosecond", "")
    for png in ("nd_pareto.png", "sparsity_sweep.png", "real_pareto.png", "robust_noise.png"):
        assert (tmp_path / "benchmarks" / png).stat().st_size > 10_000


def test_only_splices_sections_into_the_report(tmp_path, monkeypatch):
    (tmp_path / "benchmarks.md").write_text("# Benchmarks\n\nhead\n## A\n\nold a\n## B\n\nold b\n")
    monkeypatch.setattr(run_all.STUDIES["speed"], "run", lambda quick, out: "## B\n\nnew b\n")
    run_all.main(["--only", "speed", "--out", str(tmp_path)])
    text = (tmp_path / "benchmarks.md").read_text()
    assert text.startswith("# Benchmarks\n\nhead\n## A\n\nold a\n## B\n")
    assert "new b" in text and "old b" not in text and "--only speed" in text


def test_fixed_level_ablation_noises_every_row_at_its_level():
    import study_robust
    import torch

    augment = study_robust._FixedLevelND(noise=0.05)._augmentation()
    X = torch.ones(200, 2000, dtype=torch.float64)
    noisy, _ = augment(X, None, torch.Generator().manual_seed(0))
    row_std = (noisy - 1).std(dim=1)  # every row at 5%, none clean
    assert 0.045 < float(row_std.min()) and float(row_std.max()) < 0.055
