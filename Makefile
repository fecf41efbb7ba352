# The two set-up commands of the README: `make demo` and `make test`.
# Both create .venv and install citydiplo into it (editable) when pyproject.toml changes.
# `make test` also installs and builds what the tests run for real: headless Chromium
# (Debian), a Neo4j 5.26 server and Apache Jena Fuseki (Maven Central, Java 17), the
# Oxigraph server (PyPI). Skip them explicitly, never silently:
#   CITYDIPLO_SKIP_BROWSER=1  no Chromium: the browser tests are reported as skipped
#   CITYDIPLO_SKIP_JAVA=1     no Java: the Neo4j and Fuseki tests are reported as skipped
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install view-assets demo test test-servers browser neo4j-server triple-stores bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# The JavaScript the HTML views inline (from the npm registry, pinned by package-lock.json).
view-assets:
	bash views/install-assets.sh

install: $(STAMP) view-assets

demo: install
	$(BIN)/citydiplo demo

lint: install
	$(BIN)/ruff check .

browser:
	bash tests/setup/browser.sh

neo4j-server:
	bash tests/setup/neo4j-server.sh

triple-stores:
	bash tests/setup/triple-stores.sh

test-servers: browser neo4j-server triple-stores

test: install lint test-servers
	$(BIN)/pytest

bench: install test-servers
	$(BIN)/python bench/ingest_and_query.py
	$(BIN)/python bench/climactor_ingest.py
	$(BIN)/python bench/centrality.py
	$(BIN)/python bench/views.py
	$(BIN)/python bench/endpoint_load.py
	$(BIN)/python bench/neo4j_push.py

clean:
	rm -rf $(VENV) .citydiplo .pytest_cache tests/artifacts
