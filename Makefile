# sasaeai — see README.md. Quick start: `make demo`, then `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install system-deps test-deps demo serve migrate test test-fast lint format bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@scripts/system-deps.sh base
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

test-deps: install
	@scripts/system-deps.sh test
	@[ -f node_modules/axe-core/axe.min.js ] || npm ci --no-audit --no-fund --silent

migrate: install
	@mkdir -p var
	$(BIN)/sasaeai migrate --no-input -v0

demo: migrate
	$(BIN)/sasaeai loaddemo
	@echo ""
	@echo "http://$(HOST):$(PORT)/ で起動します（終了は Ctrl+C）。"
	$(BIN)/sasaeai runserver $(HOST):$(PORT)

serve: migrate
	$(BIN)/sasaeai runserver $(HOST):$(PORT)

test: test-deps
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: install
	@scripts/system-deps.sh bench
	@set -e; for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script; done

clean:
	rm -rf $(VENV) node_modules var/*.sqlite3* .pytest_cache .mypy_cache .ruff_cache
