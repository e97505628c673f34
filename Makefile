# Brede Toegang — the two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install migrate demo lint typecheck check-migrations worker relay bench clean browser-deps

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is nodig ($(PYTHON) niet gevonden)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py demo

## Embedded default: SQLite, in-memory channel layer, local demo keys, demo data.
run: demo
	$(BIN)/python manage.py serve --host 127.0.0.1 --port 8000

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

## axe-core for the accessibility checks of the browser tests (npm registry).
browser-deps:
	@command -v npm >/dev/null 2>&1 && [ ! -f node_modules/axe-core/axe.min.js ] && \
		npm install --no-save --no-audit --no-fund --silent axe-core@4 || true

clean:
	rm -rf $(VENV) var node_modules
