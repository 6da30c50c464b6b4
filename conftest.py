"""Hooks for the doctests in ``sknd/`` (``tests/conftest.py`` reaches only ``tests/``)."""

import pytest
from _pytest.doctest import DoctestItem


def pytest_collection_modifyitems(items):
    # Docstring examples fit for a few epochs, to stay fast: that the fit has
    # not converged is expected there, and the suite stays quiet.
    quiet = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
    for item in items:
        if isinstance(item, DoctestItem):
            item.add_marker(quiet)
