# PeerVisits: `make run` serves the whole application, `make test` tests it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py
VENDOR := static/vendor

.PHONY: run test lint check assets messages compilemessages demo bench docs-screenshots clean

# Python packages: reinstalled only when pyproject.toml changes.
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet '.[dev]'
	touch $@

# Front-end packages from npm, copied into static/ (nothing comes from a CDN).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.copied: node_modules/.package-lock.json
	mkdir -p $(VENDOR)/bootstrap/css $(VENDOR)/bootstrap/js
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/bootstrap/css/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/bootstrap/js/
	touch $@

assets: $(VENDOR)/.copied

compilemessages: $(BIN)/.installed
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

# Refresh the catalogues after changing UI text; translate the new entries.
messages: $(BIN)/.installed
	$(MANAGE) makemessages --all --no-obsolete --ignore=.venv --ignore=node_modules --ignore=var --ignore=tests --add-location=file

run: $(BIN)/.installed assets compilemessages
	mkdir -p var/media
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) load_demo
	@echo "PeerVisits: http://127.0.0.1:$(PORT)/ (web, Celery worker and beat; Ctrl-C stops all)"
	DEBUG=$${DEBUG:-True} $(BIN)/honcho -f Procfile.dev start --port $(PORT)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(MANAGE) makemigrations --check --dry-run -v 0

test: $(BIN)/.installed assets compilemessages lint
	$(BIN)/pytest

# Benchmarks on generated data in a throw-away database: a table and benchmarks/results/latest.json.
$(BIN)/.bench-installed: pyproject.toml $(BIN)/.installed
	$(BIN)/pip install --quiet '.[dev,bench]'
	touch $@

bench: $(BIN)/.bench-installed assets compilemessages
	$(BIN)/python -m benchmarks.run

# The user guide's pictures (docs/img/*.png), taken by the browser journeys.
docs-screenshots: $(BIN)/.installed assets compilemessages
	DOCS_SCREENSHOTS=1 $(BIN)/pytest tests/browser/test_journeys.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
