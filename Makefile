# Voice Privacy: the two set-up commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_USER := amzn1.ask.account.DEMO

.PHONY: run demo test install system-deps clean

HOST ?= 127.0.0.1
PORT ?= 8080
# The dashboard's address for `make run` and `make demo` (unless PRIVACY_SKILL_PUBLIC_URL is set):
# the skill tells people to open it there and say the code it shows.
DASHBOARD_URL = PRIVACY_SKILL_PUBLIC_URL=$${PRIVACY_SKILL_PUBLIC_URL:-http://$(HOST):$(PORT)}

run: $(STAMP) ## install, then serve the skill endpoint (POST /alexa) on SQLite
	$(BIN)/privacy-skill db upgrade
	$(DASHBOARD_URL) $(BIN)/privacy-skill serve --host $(HOST) --port $(PORT)

demo: $(STAMP) ## load demo recordings and talk to the skill by typing
	@if [ "$$($(BIN)/privacy-skill recordings list --user $(DEMO_USER) --json --limit 1)" = "[]" ]; then \
		$(BIN)/python examples/demo_recordings.py --user $(DEMO_USER) > .demo_recordings.jsonl && \
		$(BIN)/privacy-skill ingest .demo_recordings.jsonl && rm -f .demo_recordings.jsonl; fi
	@$(DASHBOARD_URL) $(BIN)/privacy-skill dialog --user $(DEMO_USER)

test: $(STAMP) ## install, then run the whole test suite and the static checks
	$(BIN)/pytest
	$(BIN)/ruff check .
	$(BIN)/mypy

install: $(STAMP)

$(STAMP): pyproject.toml | system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# A fresh Debian machine may lack the venv module; install it when missing.
system-deps:
	@if ! $(PYTHON) -c 'import venv, ensurepip' 2>/dev/null; then \
		echo "installing python3-venv with apt-get"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv; fi
	@if ! command -v espeak-ng >/dev/null; then \
		echo "installing espeak-ng with apt-get"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq espeak-ng; fi
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "installing chromium with apt-get (the dashboard's browser tests)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; fi
# pgbouncer: the tests and the benchmark run the product through it (transaction pooling);
# they start their own on a free loopback port, not the packaged service.
	@if ! command -v pgbouncer >/dev/null && [ ! -x /usr/sbin/pgbouncer ]; then \
		echo "installing pgbouncer with apt-get"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq pgbouncer; fi

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
