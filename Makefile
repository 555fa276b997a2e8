# Diplograph — the two quick-start commands are `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8080

.PHONY: serve build test lint typecheck pytest engine-tests engine-tests-oxigraph \
	engine-tests-virtuoso benchmark clean ui clients

# The venv is (re)installed whenever pyproject.toml changes; the stamp records that.
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

serve: $(BIN)/.installed ui build
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

# The linked-data, SPARQL-protocol and download tests again, with each release the tests serve
# on an external engine started on loopback by deploy/engines/*.sh (docs/engines.md), and the
# tests of the engine backend itself, which the embedded run skips.
ENGINE_TESTS := tests/test_resources.py tests/test_protocol_conformance.py tests/test_store_calls.py \
	tests/test_downloads.py tests/test_sparql_store.py tests/test_forward.py \
	tests/test_engine_load.py
# The two sessions run side by side: each spends most of its time waiting for its engine.
engine-tests: $(BIN)/.installed
	$(MAKE) -j2 --output-sync=target engine-tests-oxigraph engine-tests-virtuoso

# Virtuoso comes from Debian (virtuoso-opensource): without it its session is skipped with a
# message, unless DIPLOGRAPH_REQUIRE_ENGINES=1 (CI) makes that an error. Oxigraph server is
# installed from PyPI by deploy/engines/oxigraph.sh.
engine-tests-oxigraph engine-tests-virtuoso: $(BIN)/.installed
	@if [ $@ = engine-tests-virtuoso ] && ! command -v virtuoso-t >/dev/null \
	    && [ -z "$$DIPLOGRAPH_REQUIRE_ENGINES" ]; then \
	  echo "virtuoso-t not found (Debian: virtuoso-opensource): engine tests on Virtuoso skipped"; \
	else $(BIN)/pytest -q -ra -p no:cacheprovider --engine $(@:engine-tests-%=%) $(ENGINE_TESTS); fi

# The three test sessions run side by side (on 2 cores the suite uses about one on average:
# much of it waits for servers, engines and browsers), their outputs kept apart.
test: ui clients lint typecheck
	$(MAKE) -j3 --output-sync=target pytest engine-tests-oxigraph engine-tests-virtuoso

# The query page's YASGUI, from npm (package-lock.json); copied into publisher/web/static/yasgui/
# (gitignored). Without npm, or offline, the page keeps its plain form, which works alone.
YASGUI := publisher/web/static/yasgui/yasgui.min.js
ui: $(YASGUI)

$(YASGUI): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1 && \
	    npm ci --no-audit --no-fund --ignore-scripts --loglevel=error; then \
	  mkdir -p $(@D) && \
	  cp node_modules/@zazuko/yasgui/build/yasgui.min.js \
	     node_modules/@zazuko/yasgui/build/yasgui.min.css $(@D)/; \
	else echo "npm unavailable: the query page uses its plain form (no YASGUI)"; fi

# Linked Data clients the tests run against the real server (Comunica), from
# tests/clients/package-lock.json. Without npm the tests that need them skip, unless
# DIPLOGRAPH_REQUIRE_CLIENTS=1 (.ci/run) makes that a failure.
COMUNICA := tests/clients/node_modules/@comunica/query-sparql/package.json
clients: $(COMUNICA)

$(COMUNICA): tests/clients/package.json tests/clients/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd tests/clients && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error; \
	else echo "npm unavailable: the Linked Data client tests (Comunica) will skip"; fi

# Numbers, not tests: each script prints its measurements beside a peer run side by side.
# The large release (1M generated triples, built by the whole pipeline) is built once into
# benchmarks/out/ and reused.
benchmark: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[bench]'
	release=$$($(BIN)/python benchmarks/large_release.py --triples 1000000) && \
	$(BIN)/python benchmarks/pages_benchmark.py --release $$release && \
	$(BIN)/python benchmarks/throughput_benchmark.py --release $$release && \
	$(BIN)/python benchmarks/fresh_documents.py --release $$release && \
	$(BIN)/python benchmarks/sparql_benchmark.py --release $$release
	$(BIN)/python benchmarks/dump_benchmark.py
	$(BIN)/python benchmarks/resources_benchmark.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache node_modules tests/clients/node_modules publisher/web/static/yasgui
