# Atlas des tiers-lieux — every set-up step is here, so a fresh clone needs only `make run` / `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: run serve serve-restart test test-fast test-e2e-proxy lint data former-names bench bench-load refresh apercu clean

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 introuvable ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m serve.run --server.port $(PORT)

# Production: one Streamlit process per core behind nginx (Debian package), see README.
serve: $(STAMP)
	$(BIN)/python -m serve --port $(PORT)

# Rolling restart of a running `make serve` (one Streamlit process at a time).
serve-restart:
	@test -f /tmp/atlas-serve-$(PORT)/serve.pid || { echo "Aucun « make serve » en cours sur le port $(PORT)"; exit 1; }
	kill -HUP $$(cat /tmp/atlas-serve-$(PORT)/serve.pid)

# Two test processes (pytest-xdist): browser tests mostly wait for the page while the others compute.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist worksteal

test-fast: $(STAMP)
	$(BIN)/pytest -m "not e2e"

# The browser tests against `make serve` (nginx + Streamlit processes) instead of one process.
test-e2e-proxy: $(STAMP)
	ATLAS_E2E_TARGET=proxy $(BIN)/pytest -m e2e

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

data: $(STAMP)
	$(BIN)/python -m data.build

# Names of former communes (communes déléguées) from the pinned npm package: needs npm and the network once.
former-names: $(STAMP)
	$(BIN)/python -m data.build_former_names

bench: $(STAMP)
	$(BIN)/python -m bench.run

# Only the load benchmark (make run vs make serve, protocol clients and Chromium sessions).
bench-load: $(STAMP)
	$(BIN)/python -m bench.run load

refresh: $(STAMP)
	$(BIN)/python -m geo.io.refresh

TERRITOIRES ?= commune:89418 dep:34 reg:76
apercu: $(STAMP)
	$(BIN)/python -m tools.render_pack $(TERRITOIRES) --sortie apercu-dossier

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache static/vendor
