# Atlas des tiers-lieux — every set-up step is here, so a fresh clone needs only `make run` / `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: run test test-fast lint data check-data bench refresh apercu clean

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 introuvable ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/streamlit run app.py --server.port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

test-fast: $(STAMP)
	$(BIN)/pytest -m "not e2e"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

data: $(STAMP)
	$(BIN)/python -m data.build

bench: $(STAMP)
	$(BIN)/python -m bench.run

refresh: $(STAMP)
	$(BIN)/python -m geo.refresh

TERRITOIRES ?= commune:89418 dep:34 reg:76
apercu: $(STAMP)
	$(BIN)/python -m tools.render_pack $(TERRITOIRES) --sortie apercu-dossier

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache static/vendor
