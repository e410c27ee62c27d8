"""Shared helpers. The database fixtures come from khepri-db's own pytest plugin (dogfooding):
``db``, ``make_user``, ``as_user``, ``as_anon``, ``as_service_role``, ``khepri_clone_url``,
``khepri_database_factory``, ``khepri_server_url``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from khepri_db.cli import app
from khepri_db.core.db import connect

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def empty_db_url(khepri_database_factory: Callable[..., str]) -> str:
    """A new, empty database (no compatibility layer, no migrations)."""
    return khepri_database_factory()


@pytest.fixture
def migrations_dir(tmp_path: Path) -> Path:
    """An empty migrations directory; write files into it with ``write_migration``."""
    directory = tmp_path / "supabase" / "migrations"
    directory.mkdir(parents=True)
    return directory


def write_migration(directory: Path, filename: str, sql: str) -> Path:
    """Write ``sql`` to ``directory/filename`` and return the path."""
    path = directory / filename
    path.write_text(sql, encoding="utf-8")
    return path


class Cli:
    """Runs the khepri-db CLI in-process and decodes JSON output."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Any:
        import os

        previous = Path.cwd()
        if cwd:
            os.chdir(cwd)
        try:
            return self.runner.invoke(app, list(args), env=env, catch_exceptions=False)
        finally:
            os.chdir(previous)

    def json(self, *args: str, cwd: Path | None = None) -> tuple[int, Any]:
        """Run with ``--format json``; return (exit code, decoded stdout)."""
        result = self(*args, "--format", "json", cwd=cwd)
        return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def cli() -> Cli:
    """The CLI, in-process."""
    return Cli()


def database_state(url: str) -> dict[str, Any]:
    """A snapshot of everything a migration could change: relations, functions, policies, roles
    of the database's schemas, and the migration history rows."""
    with connect(url) as conn:
        relations = conn.execute(
            "select n.nspname, c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') order by 1, 2"
        ).fetchall()
        functions = conn.execute(
            "select n.nspname, p.proname, md5(p.prosrc) from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
            "where n.nspname not in ('pg_catalog', 'information_schema') order by 1, 2, 3"
        ).fetchall()
        policies = conn.execute("select schemaname, tablename, policyname from pg_policies order by 1, 2, 3").fetchall()
        history = (
            conn.execute("select version, name from supabase_migrations.schema_migrations order by 1").fetchall()
            if conn.execute("select to_regclass('supabase_migrations.schema_migrations')").fetchone() != (None,)
            else None
        )
    return {"relations": relations, "functions": functions, "policies": policies, "history": history}


def scalar(conn: psycopg.Connection, query: str, params: Any = None) -> Any:
    """The single value ``query`` returns."""
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


# -- oracles CI must have: skip elsewhere, fail under KHEPRI_STRICT ----------------------------------

STRICT = os.environ.get("KHEPRI_STRICT", "") not in ("", "0")
"""Set by CI (``.ci/run``): a test whose oracle or tool is missing fails instead of skipping."""


def skip_or_fail(reason: str) -> None:
    """Skip the test saying ``reason``; under ``KHEPRI_STRICT=1`` (CI, where every oracle can be
    installed) fail with it instead, so a missing oracle never passes for coverage."""
    if STRICT:
        pytest.fail(f"KHEPRI_STRICT is set and {reason}")
    pytest.skip(reason)


# -- the real Supabase CLI, the reference of the differential tests --------------------------------

SUPABASE_CLI_VERSION = "2.117.0"
NPM_TIMEOUT_S = 300


@pytest.fixture(scope="session")
def supabase_cli() -> Path:
    """The ``supabase`` executable of the real Supabase CLI 2.117.0, installed with npm on first use.

    Cached per machine in ``~/.cache/khepri-db/supabase-cli-2.117.0`` (override with
    ``KHEPRI_SUPABASE_CLI_DIR``). Every differential test against the CLI uses this one fixture and is
    skipped, saying why, when npm is missing or the registry does not answer (failed under
    ``KHEPRI_STRICT``, as in CI, which can install it).
    """
    default = Path.home() / ".cache" / "khepri-db" / f"supabase-cli-{SUPABASE_CLI_VERSION}"
    cache = Path(os.environ.get("KHEPRI_SUPABASE_CLI_DIR", default))
    binary = cache / "node_modules" / ".bin" / "supabase"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            skip_or_fail(
                f"npm is not installed: these tests run the real Supabase CLI (supabase@{SUPABASE_CLI_VERSION})"
            )
        cache.mkdir(parents=True, exist_ok=True)
        command = [npm, "install", "--exact", "--no-audit", "--no-fund", f"supabase@{SUPABASE_CLI_VERSION}"]
        try:
            done = subprocess.run(command, cwd=cache, capture_output=True, text=True, timeout=NPM_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            skip_or_fail(
                f"`npm install supabase@{SUPABASE_CLI_VERSION}` took over {NPM_TIMEOUT_S} s (registry unreachable?)"
            )
        if done.returncode != 0 or not binary.exists():
            reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
            skip_or_fail(f"npm could not install supabase@{SUPABASE_CLI_VERSION}: {reason}")
    # run it away from any project: the CLI writes supabase/.temp/ into the project it finds
    version = subprocess.run(
        [binary, "--version"], cwd=cache, capture_output=True, text=True, timeout=60
    ).stdout.strip()
    assert version == SUPABASE_CLI_VERSION, f"{binary} is Supabase CLI {version!r}, not {SUPABASE_CLI_VERSION}"
    return binary
