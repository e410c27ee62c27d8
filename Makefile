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

# The suite on the embedded engine (PostgreSQL 18), then the policy, schema and migration tests again
# on the system PostgreSQL (15 on Debian) when one is installed, to catch version differences.
PG15_TESTS := tests/test_access.py tests/test_access_matrix.py tests/test_session.py tests/test_plugin.py \
	tests/test_schema.py tests/test_migrations.py tests/test_compat.py tests/test_rpc_training.py \
	tests/test_rpc_people.py tests/test_rpc_client.py tests/test_concurrency.py tests/test_seed.py \
	tests/test_doctor.py tests/test_doctor_parity.py tests/test_doctor_khepri.py tests/test_doctor_runtime.py \
	tests/test_doctor_output.py tests/test_doctor_bodies.py tests/test_doctor_gate.py tests/test_cli.py \
	tests/test_rpc_hostile.py tests/test_existence_oracles.py tests/test_gen_types.py tests/test_workflow.py \
	tests/test_cli_parity.py tests/test_migrate_semantics.py tests/test_cli_output.py tests/test_clone_settings.py \
	tests/test_access_init.py tests/test_rpc_fold.py tests/test_ext_unavailable.py tests/test_extension_staging.py \
	tests/test_ext_crypto.py tests/test_ext_platform.py tests/test_ext_platform_plugin.py tests/test_schema_dump.py \
	tests/test_doctor_rules.py tests/test_migrate_batch.py tests/test_ext_timescaledb.py \
	tests/test_ext_pgroonga.py tests/test_test_db.py tests/test_dbdev_test_helpers.py tests/test_platform_fidelity.py \
	tests/test_ext_pg_tle.py tests/test_dbdev_offline.py tests/test_access_export.py tests/test_access_undecided.py \
	tests/test_hosted_targets.py tests/test_hosted_fixtures.py tests/test_hosted_connection.py \
	tests/test_access_risks.py tests/test_access_html.py tests/test_access_storage.py tests/test_access_tenancy.py \
	tests/test_doctor_facts.py tests/test_access_rows.py tests/test_access_owner_calls.py tests/test_statement_digests.py

# The policy suite once more on the docker engine, when an image is named (KHEPRI_DOCKER_IMAGE, e.g.
# one built by tests/docker/build_image.sh; .ci/run does it): `make test` never starts a Docker daemon.
DOCKER_TESTS := tests/test_access_matrix.py tests/test_session.py tests/test_plugin.py tests/test_access.py

test: install
	$(BIN)/pytest
	@if $(BIN)/python -c 'from khepri_db.engines import system_bin_dir; system_bin_dir()' 2>/dev/null; then \
	  $(BIN)/pytest --khepri-engine system $(PG15_TESTS); \
	else echo "no system PostgreSQL (PG_BIN, pg_config or initdb on PATH): skipping the second-version run"; fi
	@if [ -n "$$KHEPRI_DOCKER_IMAGE" ]; then \
	  echo "the policy tests on the docker engine ($$KHEPRI_DOCKER_IMAGE)"; \
	  $(BIN)/pytest --khepri-engine docker $(DOCKER_TESTS); \
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
