import pytest

from sknd.datasets import make_spectral_classification, make_spectral_regression, make_spike_signals


def pytest_collection_modifyitems(config, items):
    """The slow tests first, the docs build (the longest) before them all.

    Under ``-n auto`` the docs build then starts at once on one worker while
    the others share out the rest; run last, it would finish alone.
    """
    items.sort(
        key=lambda item: (
            item.get_closest_marker("slow") is None,
            item.path.name != "test_docs.py",
        )
    )


@pytest.fixture(scope="session")
def spectra():
    """A small classification set: 400 spectra, 10 bands, 4 classes."""
    return make_spectral_classification(n_samples=400, random_state=0)


@pytest.fixture(scope="session")
def spectra_frame():
    return make_spectral_classification(n_samples=300, as_frame=True, random_state=1)


@pytest.fixture(scope="session")
def regression_spectra():
    return make_spectral_regression(n_samples=400, random_state=0)


@pytest.fixture(scope="session")
def spikes():
    """The seed study's spike task, 300 signals."""
    return make_spike_signals(300, random_state=0)
