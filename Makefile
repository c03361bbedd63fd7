PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export LEDGERDESK_PORT ?= 8000
# `make run` also starts the local chains and the demo exchange (see README).
run: export LEDGERDESK_DEMO_SERVICES ?= true
# The demo exchange's help page signs chat identity tokens with this demo-only secret, the
# same one the desk verifies them with; a real desk sets its own LEDGERDESK_CHAT_JWT_SECRET.
run: export LEDGERDESK_CHAT_JWT_SECRET ?= $(shell cat data/demo/chat-jwt-secret.txt)

.PHONY: install install-dev run test lint typecheck migrate demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The stamps make a second `make run` start at once; editing pyproject.toml installs again.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/ledgerdesk migrate
	$(BIN)/ledgerdesk demo --if-empty
	$(BIN)/ledgerdesk serve --port $(LEDGERDESK_PORT)

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install-dev
	$(BIN)/mypy

test: install-dev lint typecheck
	$(BIN)/pytest -q -p no:cacheprovider -n 2 --dist loadfile --no-loadscope-reorder

bench: install-dev
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
