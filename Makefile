# Diplograph — the two quick-start commands are `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8080

.PHONY: serve build test lint typecheck pytest benchmark clean

# The venv is (re)installed whenever pyproject.toml changes; the stamp records that.
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

serve: $(BIN)/.installed build
	$(BIN)/diplograph serve --host $(HOST) --port $(PORT)

build: $(BIN)/.installed
	$(BIN)/diplograph build

lint: $(BIN)/.installed
	$(BIN)/ruff check publisher tests benchmarks
	$(BIN)/ruff format --check publisher tests benchmarks

typecheck: $(BIN)/.installed
	$(BIN)/mypy

pytest: $(BIN)/.installed
	$(BIN)/pytest -q -ra

test: lint typecheck pytest

benchmark: $(BIN)/.installed
	$(BIN)/python benchmarks/sparql_benchmark.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
