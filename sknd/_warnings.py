"""Warnings that point at the user's code: the standard library only, so any
module (the torch-only ``nn`` included) can warn through it."""

from __future__ import annotations

import os
import sys
import warnings

__all__ = ["warn_renamed", "warn_user"]

_PACKAGE = os.path.dirname(os.path.abspath(__file__))
# scikit-learn's set_output wrapper sits between a user's fit_transform and ours.
_WRAPPER = os.path.join("sklearn", "utils", "_set_output.py")


def warn_user(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` pointing at the first caller outside sknd (and outside
    scikit-learn's ``set_output`` wrapper of transform methods)."""
    frame, level = sys._getframe(1), 2
    while frame is not None and (
        frame.f_code.co_filename.startswith(_PACKAGE) or frame.f_code.co_filename.endswith(_WRAPPER)
    ):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def warn_renamed(who: str, old: str, new: str, value) -> None:
    """The FutureWarning for a parameter ``old`` of ``who`` renamed ``new``
    (``value``: what to write for ``new``), pointing at the user's call."""
    warn_user(
        f"{who}: the parameter {old!r} was renamed {new!r} in sknd 0.2 "
        f"and will be removed in 0.3; write {new}={value!r}.",
        FutureWarning,
    )
