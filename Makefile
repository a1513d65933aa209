# gridcare: `make demo` sets everything up and serves the demo district; `make test` runs the suite on SQLite and
# PostgreSQL. Every target installs what it needs first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
GRIDCARE := $(BIN)/gridcare
RESIDENTS ?= 30000
SEED ?= 1
HOST ?= 127.0.0.1:8000

.PHONY: demo serve test test-sqlite test-postgres fault-test bench cluster cluster-down load-test lint install messages migrate screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,rq,redis]'
	touch $@

# Front-end libraries (ECharts) from package-lock.json; gridcare.vendor serves the built files as static files.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed messages

# compilemessages refuses to run when no app has a locale/ directory yet, so only call it when there is a .po file.
messages: $(VENV)/.installed
	@if find . -path ./.venv -prune -o -path ./var -prune -o -name '*.po' -print | grep -q .; then \
		$(GRIDCARE) compilemessages --ignore '.venv/*' --ignore 'var/*' >/dev/null; fi

migrate: install
	$(GRIDCARE) migrate --no-input

demo: migrate
	$(GRIDCARE) demo --residents $(RESIDENTS) --seed $(SEED) --url http://$(HOST)/ $(if $(PASSWORD),--password $(PASSWORD)) $(if $(RESET),--reset)
	$(GRIDCARE) serve $(HOST)

serve: migrate
	$(GRIDCARE) serve $(HOST)

test: install
	scripts/test.sh

test-sqlite: install
	scripts/test.sh sqlite

test-postgres: install
	scripts/test.sh postgres

fault-test: install
	$(BIN)/python scripts/fault_test.py

bench: install
	$(BIN)/python -m bench.run

# Past one machine, on this one (loopback only): its own PostgreSQL primary and streaming replica, 2 web processes,
# 2 RQ workers on Redis, the scheduler (scripts/cluster.py). `make load-test` runs locust (the load extra) against it.
$(VENV)/.cluster-installed: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev,rq,redis,load]'
	touch $@

cluster: install $(VENV)/.cluster-installed
	$(BIN)/python scripts/cluster.py up

cluster-down:
	$(BIN)/python scripts/cluster.py down

load-test: install $(VENV)/.cluster-installed
	$(BIN)/python scripts/load_test.py

screenshots: install
	$(BIN)/python scripts/screenshots.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check . || true
