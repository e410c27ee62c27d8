# khepri-db: every target installs what it needs, from a bare machine with python3 (>= 3.11).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
KHEPRI := $(BIN)/khepri-db

.PHONY: help install demo test lint bench schema stop clean

help:
	@echo "make demo   install, start the embedded Postgres, migrate + seed, run the onboarding demo and doctor"
	@echo "make test   install and run the test suite"
	@echo "make lint   ruff + sqlfluff"
	@echo "make bench  measure migrate, db reset, doctor, policy tests, start-up and the ratios to psql and Supabase's tools (writes BENCHMARKS.md)"
	@echo "make schema regenerate supabase/schema.sql from the migrations"
	@echo "make stop   stop the embedded Postgres"

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("khepri-db needs Python >= 3.11, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --editable '.[dev]'
	@# pgTAP for `khepri-db test db` and its tests: the machine's (Debian: postgresql-15-pgtap), else
	@# Debian's package fetched into khepri-db's cache; never fatal (those tests then skip, saying why).
	@$(KHEPRI) test pgtap >/dev/null 2>&1 || $(KHEPRI) test pgtap --fetch || \
	  echo "no pgTAP: khepri-db test db needs it (apt-get install postgresql-15-pgtap)"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(KHEPRI) db start
	$(KHEPRI) migrate
	$(KHEPRI) seed
	$(KHEPRI) demo
	$(KHEPRI) doctor

# The suite on the embedded engine (PostgreSQL 18), then the tests whose outcome may differ by server
# version (marked `pytest.mark.pg`; see pyproject.toml) again on the system PostgreSQL (15 on Debian)
# when one is installed.

# The policy suite once more on the docker engine, when an image is named (KHEPRI_DOCKER_IMAGE, e.g.
# one built by tests/docker/build_image.sh; .ci/run does it): `make test` never starts a Docker daemon.
# Those tests carry `pytest.mark.docker_rerun` (see pyproject.toml).

test: install
	$(BIN)/pytest
	@if $(BIN)/python -c 'from khepri_db.engines import system_bin_dir; system_bin_dir()' 2>/dev/null; then \
	  $(BIN)/pytest --khepri-engine system -m pg; \
	else echo "no system PostgreSQL (PG_BIN, pg_config or initdb on PATH): skipping the second-version run"; fi
	@if [ -n "$$KHEPRI_DOCKER_IMAGE" ]; then \
	  echo "the policy tests on the docker engine ($$KHEPRI_DOCKER_IMAGE)"; \
	  $(BIN)/pytest --khepri-engine docker -m docker_rerun; \
	else echo "KHEPRI_DOCKER_IMAGE is not set: skipping the docker-engine run of the policy tests"; fi

schema: install
	$(KHEPRI) db dump --schema-only --from-migrations -f supabase/schema.sql

bench: install
	$(BIN)/python benchmarks/bench.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint supabase sql tests/doctor

stop:
	@if [ -x $(KHEPRI) ]; then $(KHEPRI) db stop; fi

clean: stop
	rm -rf $(VENV) .khepri .pytest_cache .ruff_cache
