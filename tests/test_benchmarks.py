"""The benchmark report regenerates (quick mode), so it never rots."""

import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")
sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))

import run_all


def test_quick_report(tmp_path):
    report = run_all.main(["--quick", "--out", str(tmp_path)])
    text = report.read_text()
    for heading in (
        "### Accuracy against parameters",
        "### Robustness",
        "### Depth consistency",
        "### The seed's table, with correct metrics",
        "Bayes posterior mean",
        "### Sparsity strength",
        "### Training time per epoch",
        "### Inference",
        "## Rasters at scale",
    ):
        assert heading in text
    assert "nan" not in text.lower().replace("nanosecond", "")
    for png in ("nd_pareto.png", "sparsity_sweep.png"):
        assert (tmp_path / "benchmarks" / png).stat().st_size > 10_000
