# One task runner. `make demo` and `make test` are the whole set-up on a fresh machine:
# each creates the virtual environment on first use. `make demo` installs the package alone;
# `make test` adds the test, lint and Spark extras (pyspark is ~430 MB, so only tests pull it).
PYTHON   ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
DEMO_DIR ?= demo

.PHONY: demo test lint bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-all: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,dev,spark,pdf]"
	touch $@ $(VENV)/.installed-base

demo: $(VENV)/.installed-base
	$(BIN)/keyaccount demo --out $(DEMO_DIR) --force

test: $(VENV)/.installed-all
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-all
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

docs: $(VENV)/.installed-base
	$(BIN)/python -m keyaccount.docs

bench: $(VENV)/.installed-all
	$(BIN)/python bench/import_csv.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
