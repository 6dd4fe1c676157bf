# comity: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser java run test test-fast bench lint fix docs clean

# Recreate the environment whenever the project's dependencies change.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
		{ echo "Cannot create $(VENV): install Debian's python3-venv package."; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Browser libraries for the web app, from the npm registry at build time (Debian's npm).
VENDOR := src/comity/web/static/vendor/.installed
$(VENDOR): assets/package.json assets/package-lock.json scripts/vendor_assets.py
	@command -v npm >/dev/null || { echo "Building the web assets needs npm: install Debian's npm package."; exit 1; }
	cd assets && npm ci --no-audit --no-fund --loglevel=error
	$(PYTHON) scripts/vendor_assets.py
	touch $@

# Byte-compile comity's own modules: an editable install leaves that to their first import,
# which never happens where PYTHONDONTWRITEBYTECODE is set, and every command then pays for it.
install: $(STAMP) $(VENDOR)
	@$(BIN)/python -m compileall -q -j 0 src > /dev/null

# The browser tests drive Debian's Chromium.
browser:
	@test -x /usr/bin/chromium || { \
		sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo"; \
		$$sudo apt-get install -y -qq chromium || \
		{ echo "The browser tests need Debian's chromium package."; exit 1; }; }

# Main job on the embedded SQLite store: create and migrate it, make a demo administrator (its
# password is printed once), load the bundled real data (only what is new or changed since the
# last start), then serve the web app and the API on http://127.0.0.1:8000.
run: install
	$(BIN)/comity init --admin demo --admin-nation USA --generate-password
	$(BIN)/comity import --all
	@echo "comity is starting on http://127.0.0.1:8000 : sign in as demo (password above)."
	$(BIN)/comity serve --host 127.0.0.1 --port 8000

# The Spark parity tests need a Java 17 runtime (Debian's openjdk-17-jre-headless).
java:
	@command -v java >/dev/null || { \
		sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo"; \
		$$sudo apt-get install -y -qq openjdk-17-jre-headless || \
		{ echo "The Spark tests need Debian's openjdk-17-jre-headless package."; exit 1; }; }

# The whole suite: unit, PostgreSQL, full-data, browser and Spark tests, on every core
# (COMITY_TEST_WORKERS=0 for one process); a module's tests stay together on one worker.
COMITY_TEST_WORKERS ?= auto
test: install browser java
	$(BIN)/python -m pytest -n $(COMITY_TEST_WORKERS) --dist loadscope \
		--cov=comity --cov-report=term --cov-fail-under=90

# Unit tests only, for the edit-test loop.
test-fast: install
	$(BIN)/python -m pytest -q -n $(COMITY_TEST_WORKERS) --dist loadscope \
		-m "not postgres and not full_data and not slow"

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy
	$(BIN)/python -m comity.cli.reference --check docs/cli.md

fix: install
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

docs: install
	$(BIN)/python -m comity.cli.reference --write docs/cli.md

# Retrain the model of kinds of `comity extract` on src/comity/extract/labelled/train.jsonl and
# write src/comity/extract/kinds_model.json (docs/extraction.md). Training never reads eval.jsonl:
# that part of the labelled set is the benchmark's (bench/extraction.py).
.PHONY: extract-model
extract-model: install
	$(BIN)/python -m comity.extract.train

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage build src/*.egg-info assets/node_modules src/comity/web/static/vendor
