"""The migration history as the Supabase CLI keeps it (``supabase_migrations.schema_migrations``)
plus khepri-db's own facts (``supabase_migrations.khepri_migration_facts``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg
from psycopg.rows import dict_row

from khepri_db import __version__
from khepri_db.core.project import bundled_path
from khepri_db.migrations.files import MigrationFile, decode_sql, statements_fingerprint


@dataclass(frozen=True)
class AppliedMigration:
    """A row of the database's migration history.

    Attributes:
        version: ``schema_migrations.version``.
        name: ``schema_migrations.name`` (may be ``None`` for rows written by old CLI versions).
        statements: ``schema_migrations.statements`` (``None`` if not recorded).
        sha256: the file checksum khepri-db recorded, if khepri-db applied it.
        applied_at: when khepri-db applied it.
        duration_ms: how long it took (milliseconds).
        tool_version: the khepri-db version that applied it.
        statements_sha256: :func:`statements_fingerprint` of the statements khepri-db recorded
            (``None`` for facts written before khepri-db recorded it).

    :func:`read_history` leaves the facts fields ``None`` when the facts row is stale (the history
    row was rewritten since khepri-db wrote it).
    """

    version: str
    name: str | None
    statements: list[str] | None
    sha256: str | None = None
    applied_at: datetime | None = None
    duration_ms: float | None = None
    tool_version: str | None = None
    statements_sha256: str | None = None

    @property
    def applied_by(self) -> str:
        """``"khepri-db <version>"`` or ``"supabase-cli"`` (no khepri-db facts for this version)."""
        return f"khepri-db {self.tool_version}" if self.tool_version else "supabase-cli"


_HISTORY_SHAPE = """
select h.oid is not null, f.oid is not null,
    array(select a.attname::text from pg_catalog.pg_attribute as a
        where a.attrelid = h.oid and a.attnum > 0 and not a.attisdropped),
    array(select a.attname::text from pg_catalog.pg_attribute as a
        where a.attrelid = f.oid and a.attnum > 0 and not a.attisdropped)
from (select to_regclass('supabase_migrations.schema_migrations') as oid) as h,
    (select to_regclass('supabase_migrations.khepri_migration_facts') as oid) as f
"""
"""Whether the history table and khepri-db's facts table exist, and their columns (one round trip)."""


def read_history(conn: psycopg.Connection) -> list[AppliedMigration] | None:
    """Read the migration history, or ``None`` when the database has none yet."""
    row = conn.execute(_HISTORY_SHAPE).fetchone()
    assert row is not None
    has_history, has_facts, history_columns, facts_columns = row
    if not has_history:
        return None
    columns = set(history_columns)
    statements = "m.statements" if "statements" in columns else "null::text[]"
    name = "m.name" if "name" in columns else "null::text"
    if has_facts:
        fingerprint = "f.statements_sha256" if "statements_sha256" in facts_columns else "null::text"
        query = (
            f"select m.version, {name} as name, {statements} as statements, f.sha256, f.applied_at, "
            f"f.duration_ms, f.tool_version, {fingerprint} as statements_sha256 "
            "from supabase_migrations.schema_migrations m "
            "left join supabase_migrations.khepri_migration_facts f using (version) order by m.version"
        )
    else:
        query = (
            f"select m.version, {name} as name, {statements} as statements from "
            "supabase_migrations.schema_migrations m order by m.version"
        )
    with conn.cursor(row_factory=dict_row) as cur:
        rows = [AppliedMigration(**row) for row in cur.execute(query)]  # type: ignore[arg-type]
    return [_without_stale_facts(row) for row in rows]


@dataclass(frozen=True)
class PartialRun:
    """A migration that committed part of itself (its own ``commit``) in a run that then failed.

    Attributes:
        version: the migration's version.
        sha256: the file's checksum in that run.
        committed_through_line: lines 1 to this one stay applied.
        recorded_at: when that part committed.
    """

    version: str
    sha256: str
    committed_through_line: int
    recorded_at: datetime


def read_partial(conn: psycopg.Connection) -> dict[str, PartialRun]:
    """The rows of ``supabase_migrations.khepri_partial_migrations`` by version (``{}`` when the
    table does not exist: a database khepri-db has not migrated, or an older khepri-db's)."""
    exists = conn.execute("select to_regclass('supabase_migrations.khepri_partial_migrations') is not null").fetchone()
    if not exists or not exists[0]:
        return {}
    rows = conn.execute(
        "select version, sha256, committed_through_line, recorded_at from supabase_migrations.khepri_partial_migrations"
    ).fetchall()
    return {row[0]: PartialRun(*row) for row in rows}


def _without_stale_facts(row: AppliedMigration) -> AppliedMigration:
    """Drop khepri-db's facts when the history row no longer holds the statements they were written
    for (``supabase migration repair --status applied`` or ``supabase db push`` rewrote it)."""
    if row.statements_sha256 is None or row.statements is None:
        return row
    if statements_fingerprint(row.statements) == row.statements_sha256:
        return row
    return AppliedMigration(row.version, row.name, row.statements)


def run_sql_file(conn: psycopg.Connection, path: Path) -> None:
    """Run one of khepri-db's own SQL files (no parameters, no transaction statements): the whole
    text in one round trip, its statements in order."""
    conn.execute(decode_sql(path, path.read_bytes()))


def ensure_history_tables(conn: psycopg.Connection) -> None:
    """Create ``supabase_migrations.schema_migrations`` (the CLI's DDL) and khepri-db's facts table."""
    with conn.transaction():
        run_sql_file(conn, bundled_path("sql", "migrations", "history.sql"))


def insert_history(conn: psycopg.Connection, file: MigrationFile, duration_ms: float) -> None:
    """Write the file's history row (``supabase_migrations.schema_migrations``, as the Supabase CLI
    writes it) and khepri-db's facts row (sha256, ``duration_ms`` in milliseconds, tool version): the
    two inserts in one round trip (one query string, values as literals), the first one first.

    Raises:
        psycopg.Error: an insert failed (the caller's transaction is then aborted).
    """
    from psycopg import sql

    statements = [s.text for s in file.statements]
    query = sql.SQL(
        "insert into supabase_migrations.schema_migrations (version, name, statements) values ({}, {}, {});\n"
        "insert into supabase_migrations.khepri_migration_facts "
        "(version, sha256, duration_ms, tool_version, statements_sha256) values ({}, {}, {}, {}, {}) "
        "on conflict (version) do update set sha256 = excluded.sha256, applied_at = now(), "
        "duration_ms = excluded.duration_ms, tool_version = excluded.tool_version, applied_by = current_user, "
        "statements_sha256 = excluded.statements_sha256"
    ).format(
        *map(sql.Literal, (file.version, file.name, statements)),
        *map(sql.Literal, (file.version, file.sha256, duration_ms, __version__, statements_fingerprint(statements))),
    )
    conn.execute(query)
