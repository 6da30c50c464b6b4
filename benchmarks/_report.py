"""Small helpers for the benchmark report: markdown tables and figures."""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no screen
import matplotlib.pyplot as plt

#: Epochs of the learned models in quick mode (``--quick``): a smoke run of every
#: study's code that keeps the report regenerating, not a measurement.
QUICK_EPOCHS = 5

#: Whether the studies run in quick mode; ``set_quick`` sets it, and the shared
#: baselines (``study_real.mlp``, ``study_real._forest``) shrink with it.
QUICK = False


def set_quick(quick: bool) -> None:
    """Quick mode for the shared baselines too: fewer MLP iterations and trees."""
    global QUICK
    QUICK = bool(quick)


_WARM = False


def warm_up() -> None:
    """One tiny fit per process before anything is timed.

    torch imports most of ``torch._dynamo`` the first time an optimizer is built
    (about 1.5 s here), and a process pays it once: without this, the first
    timed learned-index fit of a study would carry it and the MLP's would not.
    """
    global _WARM
    if not _WARM:
        import numpy as np

        from sknd import NDClassifier

        rng = np.random.default_rng(0)
        NDClassifier(max_epochs=1).fit(rng.uniform(0.1, 1, (8, 3)), [0, 1] * 4)
        _WARM = True


def table(header: list[str], rows: list[list], floatfmt: str = ".3f") -> str:
    """A markdown table; floats formatted with ``floatfmt``."""

    def cell(v):
        return format(v, floatfmt) if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def save(fig, out_dir: Path, name: str) -> str:
    """Save ``fig`` as ``out_dir/name`` and return the markdown image link."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(out_dir / name, dpi=110)
    plt.close(fig)
    return f"![{name}](benchmarks/{name})"


@contextmanager
def stopwatch(store: dict, key: str):
    start = time.perf_counter()
    yield
    store[key] = time.perf_counter() - start
