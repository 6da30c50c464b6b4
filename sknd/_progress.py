"""Progress lines on stderr for long work (rasters, long recordings).

One line rewritten in place (``\\r``) at most every half second, the last one
always, ended by a newline. Plain Python: no torch, no optional dependency.
"""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


class Progress:
    """Report ``done`` of ``total`` units of work done by ``who``.

    Disabled (``enabled=False``), every call is a no-op, so callers need not
    test it themselves.

    Examples
    --------
    >>> from sknd._progress import Progress
    >>> progress = Progress("demo", 2, "signals", enabled=False)
    >>> progress.update(1)
    >>> progress.update(2)
    """

    def __init__(self, who: str, total: int, unit: str, *, enabled: bool, every: float = 0.5):
        self.who, self.total, self.unit, self.enabled = who, total, unit, enabled
        self.every = every
        self._start = self._last = time.perf_counter()
        self._width = 0

    def update(self, done: int, detail: str = "") -> None:
        """``done`` units are finished (``detail`` says what the last one was)."""
        if not self.enabled:
            return
        now = time.perf_counter()
        last = done >= self.total
        if not last and now - self._last < self.every:
            return
        self._last = now
        share = done / self.total if self.total else 1.0
        detail = f", {detail}" if detail else ""
        line = f"{self.who}: {share:4.0%} of {self.total:,} {self.unit}{detail}, "
        line += f"{now - self._start:.1f} s"
        # Spaces over what is left of a longer line before.
        line, self._width = line.ljust(self._width), len(line)
        print(
            "\r" + line,
            end="\n" if last else "",
            file=sys.stderr,
            flush=True,
        )
