# Cradle's one task runner. `make help` lists the targets; CI calls `make test` too.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help run test test-fast lint bench browser-deps node-deps frontend clean triage-model

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP) ## run the demo service on http://127.0.0.1:8080 (SQLite, phone simulator, no credentials)
	$(BIN)/cradle demo

browser-deps: ## install Debian's chromium for the browser tests (needs root or sudo)
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

AXE := node_modules/axe-core/axe.min.js

$(AXE): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq npm >/dev/null; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(AXE)

node-deps: $(AXE) ## install the pinned npm packages the browser tests use (axe-core)

test: $(STAMP) browser-deps node-deps ## lint, then every test, browser tests included
	$(BIN)/ruff check bot tests bench
	$(BIN)/pytest -q

test-fast: $(STAMP) ## the pure core tests only
	$(BIN)/pytest -q tests/core

lint: $(STAMP) ## ruff
	$(BIN)/ruff check bot tests bench

triage-model: $(STAMP) ## retrain the triage model on the labelled corpus (held-out batches excluded)
	$(BIN)/python scripts/train_triage_model.py

bench: $(STAMP) ## benchmarks, each printing ratios against a baseline measured in the same run
	$(BIN)/python -m bench

frontend: ## rebuild the NHS.UK design system files in bot/web/static/nhsuk from the pinned npm package
	bash scripts/build_frontend.sh

clean: ## remove the virtual environment
	rm -rf $(VENV)
