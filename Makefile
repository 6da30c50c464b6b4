# Quick start: `make demo` and `make test`. Each target installs what it needs
# into .venv once; later runs skip the install while pyproject.toml is unchanged.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.sknd-installed

.PHONY: demo test test-fast docs lint bench report clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# The CPU wheel of torch 2.13.0 is fast where it is available locally;
	# anywhere else any torch >= 2.1 from the index will do.
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install -q torch==2.13.0 || $(BIN)/python -m pip install -q torch
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/plot_learned_indices_pipeline.py

# One test process per CPU core (pytest-xdist; worksteal balances the few long tests).
test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto --dist worksteal

# The inner loop: everything but the docs build, the gallery, the demo and the report.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto --dist worksteal -m "not slow"

# The html site in docs/_build/html; every gallery example runs, and any warning fails.
docs: $(STAMP)
	$(BIN)/python -m sphinx -W --keep-going -q -b html docs docs/_build/html

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_training.py

# Regenerates docs/benchmarks.md and its figures (tens of minutes on 2 cores); the
# bench extra adds the peers it measures (scikit-image, spyndex) and numba.
report: $(STAMP)
	$(BIN)/python -m pip install -q -e ".[dev,bench]"
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis docs/_build docs/auto_examples docs/generated
