# Brede Toegang — the two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --quiet --custom-compile-command "make lock"

.PHONY: run test install lock migrate demo lint typecheck check-migrations worker relay bench load wrk clean browser-deps

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is nodig ($(PYTHON) niet gevonden)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

## Only what the lock file names, with its hashes; then the project itself, without
## resolving anything (its dependencies are already in place), and a consistency check.
$(STAMP): requirements/dev.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	@touch $(STAMP)

install: $(STAMP)

## Regenerate the lock files from the ranges in pyproject.toml (needs the registry).
lock: install
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) -o requirements/runtime.txt
	$(BIN)/uv pip compile pyproject.toml requirements/build.in --extra demo --extra dev \
		$(LOCK_FLAGS) -o requirements/dev.txt

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py demo

## Embedded default: SQLite, in-memory channel layer, local demo keys, demo data.
run: demo
	$(BIN)/python manage.py serve --host 127.0.0.1 --port $(PORT)

## The whole test suite (SQLite unless DATABASE_URL/REDIS_URL are set).
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy toegang audit signalen casussen

check-migrations: install
	$(BIN)/python manage.py makemigrations --check --dry-run

worker: install
	$(BIN)/python manage.py worker

relay: install
	$(BIN)/python manage.py relay

bench: install
	$(BIN)/python -m bench

## The load generator of `make load` (Debian's wrk), installed with apt-get when missing.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
		echo "wrk (load generator) ontbreekt; installeren met apt-get install -y wrk ..."; \
		{ apt-get install -y -qq wrk >/dev/null 2>&1 || \
			{ apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1; }; } || \
		{ echo "Kon wrk niet installeren; doe het zelf: sudo apt-get install -y wrk"; exit 1; }; }

## Production topology on PostgreSQL + Redis under load (wrk over loopback); prints figures.
## LOAD_DATABASE_URL (a database it drops and creates) and LOAD_REDIS_URL (flushed) pick where.
## Both servers (uvicorn, gunicorn), 2,000 websockets each, and the audit overhead ratio.
LOAD_ARGS ?= --compare-no-audit
load: install wrk
	$(BIN)/python -m bench.load $(LOAD_ARGS)

## axe-core for the accessibility checks of the browser tests and oidc-provider, the real
## OpenID Connect provider of the SSO tests (npm registry).
## Fails loudly when it cannot: without axe-core the browser tests skip (REQUIRE_BROWSER=1: error).
browser-deps:
	@if [ -f node_modules/axe-core/axe.min.js ] && [ -f node_modules/oidc-provider/package.json ]; then exit 0; fi; \
	command -v npm >/dev/null 2>&1 || { echo "npm is nodig voor axe-core en oidc-provider (apt-get install npm)" >&2; exit 1; }; \
	npm install --no-save --no-audit --no-fund --silent axe-core@4 oidc-provider@9 && \
	test -f node_modules/axe-core/axe.min.js && test -f node_modules/oidc-provider/package.json || \
		{ echo "axe-core of oidc-provider kon niet worden geïnstalleerd" >&2; exit 1; }

clean:
	rm -rf $(VENV) var node_modules
