# The two set-up commands of the README: `make demo` and `make test`.
# Both create .venv and install citydiplo into it (editable) when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(STAMP)

demo: install
	$(BIN)/citydiplo demo

lint: install
	$(BIN)/ruff check .

test: install lint
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/ingest_and_query.py
	$(BIN)/python bench/climactor_ingest.py
	$(BIN)/python bench/centrality.py

clean:
	rm -rf $(VENV) .citydiplo .pytest_cache tests/artifacts
