"""Sphinx configuration: numpydoc docstrings, a sphinx-gallery of examples, the pydata theme."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import sknd

project = "sknd"
author = "the sknd developers"
copyright = "2026, the sknd developers"
release = version = sknd.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "**.zip"]
root_doc = "index"

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"  # numpydoc's Parameters sections say it better
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
myst_heading_anchors = 3

here = Path(__file__).parent
sphinx_gallery_conf = {
    "examples_dirs": str(here.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    # Any failing example fails the build.
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "show_memory": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
}
# SKND_DOCS_FAST=1 builds pages without running examples (for quick edits only).
if os.environ.get("SKND_DOCS_FAST"):
    sphinx_gallery_conf["plot_gallery"] = "False"

html_theme = "pydata_sphinx_theme"
html_title = f"sknd {version}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": False,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path: list[str] = []

# Examples and docs build without a display or a GPU.
os.environ.setdefault("MPLBACKEND", "Agg")
warnings.filterwarnings("ignore", message="Matplotlib is currently using agg")


def _skip_metadata_requests(app, what, name, obj, skip, options):
    # scikit-learn generates set_*_request methods whose docstrings point into
    # its own glossary; they are documented there, not here.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_requests)
