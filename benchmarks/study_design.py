"""The report's "Figures behind the design choices": recorded measurements that the
code's comments and docstrings refer to (see benchmarks/design_figures.md).

    python benchmarks/run_all.py --only design

Static text, not a measurement: each row names the command that measures it.
"""

from __future__ import annotations

from pathlib import Path

FIGURES = Path(__file__).with_name("design_figures.md")


def run(quick: bool, out: Path) -> str:
    return FIGURES.read_text()
