# The two commands a newcomer types (see README): `make demo` and `make test`.
# Both create the virtual environment and install what they need on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
COMPILED := $(VENV)/.compiled-stamp
EXTRACT_SOURCES := setup.py $(wildcard src/tracelight/extract/*.py)

.PHONY: demo test lint typecheck pytest bench postgres-binaries browser go-note clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Tracelight needs Python 3.11 or newer")'
	@{ command -v g++ && command -v gcc; } >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
		echo "installing gcc and g++ (pdqhash builds from source; mypyc compiles the extractors)" && \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc g++ >/dev/null; } || \
		echo "gcc/g++ missing and not root: installing pdqhash will fail"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 'setuptools>=77' wheel
	TRACELIGHT_PURE_PYTHON=1 $(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# The extractors run compiled (mypyc, see setup.py), built here rather than above so that
# it happens once; after an edit of their sources the old build would be skipped with a
# warning, so it is rebuilt before the tests and the demo.
$(COMPILED): $(STAMP) $(EXTRACT_SOURCES)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

## Run the main job on the embedded default: a synthetic corpus through the whole pipeline.
demo: $(COMPILED)
	$(BIN)/tracelight demo --workspace demo-workspace

## ruff, mypy and the whole pytest suite, PostgreSQL included.
test: $(COMPILED) postgres-binaries browser go-note lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks eval setup.py
	$(BIN)/ruff format --check src tests benchmarks eval setup.py

typecheck: $(STAMP)
	$(BIN)/mypy

# Where a C compiler exists the extractors were compiled, and the suite checks it runs them.
pytest: $(COMPILED)
	$(if $(shell command -v gcc),TRACELIGHT_EXPECT_COMPILED=1) $(BIN)/pytest

# The test suite starts its own throwaway PostgreSQL cluster with initdb/pg_ctl; install
# the server binaries when the machine lacks them (needs root, as on CI).
postgres-binaries:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then \
		true; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "installing PostgreSQL server binaries for the test suite"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else \
		echo "PostgreSQL binaries missing and not root: the PostgreSQL tests will be skipped"; \
	fi

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here);
# installed when missing and running as root, as on CI.
browser:
	@if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then \
		true; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "installing Chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "Chromium missing and not root: the browser tests will be skipped"; \
	fi

# The ledger's interop test builds Go's reference signed-note verifier
# (golang.org/x/mod/sumdb/note, Debian-packaged, no module download); installed when
# missing and running as root, as on CI.
go-note:
	@if command -v go >/dev/null 2>&1 && [ -f /usr/share/gocode/src/golang.org/x/mod/sumdb/note/note.go ]; then \
		true; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "installing Go and golang.org/x/mod for the signed-note interop test"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go golang-golang-x-mod-dev >/dev/null; } || \
			echo "could not install Go: the Go interop test will be skipped"; \
	else \
		echo "Go or golang.org/x/mod missing and not root: the Go interop test will be skipped"; \
	fi

## Benchmarks (on demand, not part of the tests).
bench: $(COMPILED)
	$(BIN)/python benchmarks/pipeline_bench.py --posts 10000 100000

clean:
	rm -rf $(VENV) demo-workspace .mypy_cache .ruff_cache .pytest_cache build
	find src -name '*.so' -delete
	rm -f src/tracelight/extract/compiled-sources.json
