"""The documentation builds with no warnings, running every gallery example."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("sphinx_gallery")
pytest.importorskip("numpydoc")

ROOT = Path(__file__).parent.parent

pytestmark = pytest.mark.slow  # make test-fast skips it; make test runs it
GENERATED = ("_build", "auto_examples", "generated", "sg_execution_times.rst")


def test_docs_build_without_warnings(tmp_path):
    # Build a copy, so the checkout's docs/ gets no generated files.
    shutil.copytree(ROOT / "docs", tmp_path / "docs", ignore=shutil.ignore_patterns(*GENERATED))
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    out = tmp_path / "html"
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
    done = subprocess.run(
        [*cmd, str(tmp_path / "docs"), str(out)], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-5000:]
    examples = sorted(p.stem for p in (ROOT / "examples").glob("plot_*.py"))
    for name in examples:
        page = (out / "auto_examples" / f"{name}.html").read_text()
        assert "Traceback" not in page, name
    assert len(examples) >= 8
    # `make demo` runs this example; its printed table is on the page.
    demo = (out / "auto_examples" / "plot_learned_indices_pipeline.html").read_text()
    assert "NDClassifier()" in demo and "re-lit" in demo and "/ (" in demo
    api = (out / "api.html").read_text()
    for name in ("NDIndexTransformer", "transform_raster", "plot_coefficients", "SparseBNDenoiser"):
        assert name in api
    # The first example has no figure; every other one draws at least one.
    images = {p.name for p in (out / "_images").glob("sphx_glr_*_001.png")}
    assert len(images) >= len(examples) - 1
