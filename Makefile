# Two entry points on a fresh machine (see README):
#   make demo   build a demo salon workbook, check it, write its weekly report
#   make test   lint, type-check and run the test-suite (installs LibreOffice if missing)
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin

.PHONY: demo test lint typecheck docs system-deps clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

demo: $(VENV)/.installed
	mkdir -p demo
	$(BIN)/sheetkit demo demo/salon.xlsx --force
	$(BIN)/sheetkit check demo/salon.xlsx --limit 20
	$(BIN)/sheetkit report demo/salon.xlsx --out demo/weekly.xlsx --html demo/weekly.html --force

system-deps:
	sh scripts/install-system-deps.sh

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check sheetkit tests benchmarks scripts
	$(BIN)/ruff format --check sheetkit
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# The documentation site (mkdocs.yml), built strictly: a broken link, anchor or API reference fails.
docs: $(VENV)/.installed-dev
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir .site

test: system-deps lint typecheck docs
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) demo .pytest_cache .mypy_cache .ruff_cache
