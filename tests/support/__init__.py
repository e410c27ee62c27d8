"""Helpers the tests share, in one place (issue 23): test modules import from here, never from
``conftest.py`` (fixtures and hooks only) nor from another test module.

* this module: :data:`REPO`, :class:`Cli` (the CLI in-process), :func:`write_migration`,
  :func:`database_state`, :func:`scalar`, :func:`skip_or_fail` and :data:`STRICT`;
* :mod:`tests.support.khepri`: calling the Khepri RPCs as PostgREST does (``rpc``, ``onboard``, ...);
* :mod:`tests.support.payloads`: hypothesis strategies of hostile RPC payloads;
* :mod:`tests.support.doctor`: running one doctor rule on a database (``plant``, ``findings``, ...);
* :mod:`tests.support.pgtap`: the real ``pg_prove``;
* :mod:`tests.support.hosted`: stand-ins for hosted Supabase (PgBouncer, a hot standby, a hosted role).

``tests`` is importable because pyproject's ``[tool.pytest.ini_options] pythonpath`` puts the
repository root on ``sys.path``; test modules themselves are imported with ``--import-mode=importlib``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from khepri_db.cli import app
from khepri_db.core.db import connect

REPO = Path(__file__).resolve().parents[2]
"""The repository's root directory."""


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


STRICT = os.environ.get("KHEPRI_STRICT", "") not in ("", "0")
"""Set by CI (``.ci/run``): a test whose oracle or tool is missing fails instead of skipping."""


def skip_or_fail(reason: str) -> None:
    """Skip the test saying ``reason``; under ``KHEPRI_STRICT=1`` (CI, where every oracle can be
    installed) fail with it instead, so a missing oracle never passes for coverage."""
    if STRICT:
        pytest.fail(f"KHEPRI_STRICT is set and {reason}")
    pytest.skip(reason)
