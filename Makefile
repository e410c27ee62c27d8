# khepri-db: every target installs what it needs, from a bare machine with python3 (>= 3.11).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
KHEPRI := $(BIN)/khepri-db

.PHONY: help install demo test lint bench stop clean

help:
	@echo "make demo   install, start the embedded Postgres, migrate + seed, run the onboarding demo and doctor"
	@echo "make test   install and run the test suite"
	@echo "make lint   ruff + sqlfluff"
	@echo "make bench  measure migrate on a brand-new data dir (writes BENCHMARKS.md)"
	@echo "make stop   stop the embedded Postgres"

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("khepri-db needs Python >= 3.11, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --editable '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(KHEPRI) db start
	$(KHEPRI) migrate
	$(KHEPRI) seed
	$(KHEPRI) demo
	$(KHEPRI) doctor

test: install
	$(BIN)/pytest

bench: install
	$(BIN)/python benchmarks/bench.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint supabase sql

stop:
	@if [ -x $(KHEPRI) ]; then $(KHEPRI) db stop; fi

clean: stop
	rm -rf $(VENV) .khepri .pytest_cache .ruff_cache
