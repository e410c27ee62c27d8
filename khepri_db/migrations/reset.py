"""``khepri-db db reset``: empty the database, then apply every migration and the seed again, as
``supabase db reset`` does (the CLI's ``internal/db/reset`` and ``pkg/migration/queries/drop.sql``,
v2.117.0). khepri-db adds the embedded engine's fast path: recreate the database when an object
an in-place reset kept is in a migration's way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from khepri_db.core.db import (
    connect,
    database_exists,
    redact,
    refuse_unsuitable_target,
    require_session_connection,
    with_database,
)
from khepri_db.core.errors import MigrationError, UsageError
from khepri_db.core.project import bundled_path
from khepri_db.migrations.apply import migrate
from khepri_db.migrations.compat import TargetInfo, TargetKind, detect
from khepri_db.migrations.execute import LOCK_KEY, Progress, release_lock
from khepri_db.migrations.result import MigrateResult


class ResetRefusedError(UsageError):
    """``db reset`` refused a target it must not reset without an explicit flag (exit 2)."""


class ResetStrategy(StrEnum):
    """How :func:`reset_database` empties the database before migrating it again."""

    recreate = "recreate"
    """``drop database ... with (force)`` and ``create database`` from the maintenance database,
    then the compatibility layer, as ``supabase db reset`` recreates the local database."""
    in_place = "in-place"
    """Drop what migrations created inside the database, as ``supabase db reset --linked`` does
    on a remote one (``sql/workflow/drop_user_objects.sql``); the only way on hosted Supabase."""


@dataclass
class ResetResult:
    """What :func:`reset_database` did.

    Attributes:
        strategy: the strategy used.
        target: the database before the reset.
        drop_ms: time to empty (or recreate) the database, milliseconds.
        total_ms: time of the whole reset, milliseconds.
        migrate: what migrating and seeding did.
    """

    strategy: ResetStrategy
    target: TargetInfo
    drop_ms: float
    total_ms: float
    migrate: MigrateResult
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "strategy": self.strategy.value,
            "target": self.target.to_dict(),
            "drop_ms": round(self.drop_ms, 1),
            "total_ms": round(self.total_ms, 1),
            **{k: v for k, v in self.migrate.to_dict().items() if k != "target"},
        }


LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", ""})


def is_local_url(url: str) -> bool:
    """True when ``url`` names a server on this machine (localhost, a loopback address or a socket)."""
    host = urlsplit(url).hostname or ""
    return host in LOCAL_HOSTS or host.startswith("/") or host.startswith("127.")


def _database_name(url: str) -> str:
    path = urlsplit(url).path.lstrip("/")
    return path or "postgres"


def _recreate(url: str, say: Progress) -> None:
    """Drop and create the database of ``url`` again, with the same owner."""
    name = _database_name(url)
    maintenance = "template1" if name == "postgres" else "postgres"
    with connect(with_database(url, maintenance), autocommit=True) as admin:
        if not database_exists(admin, name):
            raise UsageError(f"database {name} does not exist on {redact(url)}")
        row = admin.execute(
            "select pg_catalog.pg_get_userbyid(datdba) from pg_catalog.pg_database where datname = %s", (name,)
        ).fetchone()
        owner = row[0] if row else None
        say(f"dropping and recreating database {name} ...")
        from psycopg import sql

        admin.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(name)))
        create = sql.SQL("create database {} owner {}").format(sql.Identifier(name), sql.Identifier(owner))
        if maintenance == "template1":
            create = sql.SQL("{} template template0").format(create)
        admin.execute(create)


def _drop_in_place(url: str, target: TargetInfo, say: Progress) -> None:
    """Run ``sql/workflow/drop_user_objects.sql`` in one transaction, holding the migration lock.

    On the compatibility layer, whose storage tables hold only what migrations and seeds put there,
    ``storage.buckets`` and ``storage.objects`` are emptied too (as recreating Supabase's local
    stack does); on real Supabase they are left alone, as ``supabase db reset --linked`` does.
    """
    script = bundled_path("sql", "workflow", "drop_user_objects.sql").read_text(encoding="utf-8")
    with connect(url, autocommit=True) as conn:
        say("dropping what the migrations created ...")
        conn.execute("select pg_advisory_lock(%s)", (LOCK_KEY,))
        try:
            with conn.transaction():
                conn.execute(script)
                if target.kind is TargetKind.COMPAT:
                    conn.execute("truncate storage.objects, storage.buckets cascade")
        finally:
            release_lock(conn)


def reset_database(
    url: str,
    directory: Path,
    *,
    strategy: ResetStrategy = ResetStrategy.in_place,
    recreate_on_leftovers: bool = False,
    seed_files: Sequence[Path] = (),
    seed_key: Callable[[Path], str] = lambda p: p.as_posix(),
    allow_supabase: bool = False,
    progress: Progress | None = None,
) -> ResetResult:
    """Empty the database, then apply every migration and the seed again, as ``supabase db reset``.

    ``recreate`` drops and creates the database (the Supabase CLI recreates its local database the
    same way) and installs the compatibility layer again; ``in_place`` drops user schemas and what
    the migrations added to ``public``, all policies and publications, extensions outside the CLI's
    keep-list, and truncates auth's tables (and, on the compatibility layer, storage's) and the
    migration history, as the CLI's
    ``pkg/migration/queries/drop.sql`` (the compatibility layer's schemas, roles and grants stay).
    Then :func:`khepri_db.migrations.apply.migrate` applies every file and runs every seed file.

    Args:
        url: the database to reset.
        directory: the migrations directory.
        strategy: see :class:`ResetStrategy`.
        recreate_on_leftovers: with ``in_place`` on the compatibility layer: when a migration then
            fails because an object it creates already exists (SQLSTATE 42P06, 42P07, 42701, 42710,
            42723, or a 23505 unique violation: something the migrations put in a schema the
            reset keeps, such as a column added to ``auth.users``), recreate the database and
            migrate again. ``khepri-db db reset`` sets it on the embedded server.
        seed_files: seed files to run after the migrations (``[db.seed] sql_paths``).
        seed_key: how a seed file is recorded in ``supabase_migrations.seed_files``.
        allow_supabase: reset even a real Supabase database (``--yes``); never with ``recreate``.
        progress: one-line progress messages.

    Returns:
        A :class:`ResetResult`.

    Raises:
        ResetRefusedError: the target is real Supabase and ``allow_supabase`` is false, or
            ``recreate`` was asked on real Supabase.
        MigrationError: a migration or seed failed (the database is left half-built; fix the file and reset again).
        ConnectionFailedError, UsageError: as for :func:`khepri_db.migrations.apply.migrate`.
    """
    say = progress or (lambda _m: None)
    require_session_connection(url, "db reset")
    started = time.perf_counter()
    with connect(url) as conn:
        refuse_unsuitable_target(conn, url, "db reset")
        target = detect(conn)
    if target.kind is TargetKind.SUPABASE:
        if not allow_supabase:
            raise ResetRefusedError(
                f"{redact(url)} is a real Supabase database: db reset would delete every table the "
                "migrations created, and their data",
                hint="rerun with --yes if you mean it",
            )
        if strategy is ResetStrategy.recreate:
            raise ResetRefusedError(
                "a real Supabase database cannot be recreated: its auth, storage and roles come from the platform",
                hint="use --strategy in-place",
            )
    if strategy is ResetStrategy.recreate:
        _recreate(url, say)
    else:
        _drop_in_place(url, target, say)
    dropped = time.perf_counter()
    warnings: list[str] = []
    try:
        result = migrate(url, directory, include_all=True, seed_files=seed_files, seed_key=seed_key, progress=say)
    except MigrationError as exc:
        leftover = exc.sql_error.sqlstate in _LEFTOVER_SQLSTATES
        if not (recreate_on_leftovers and strategy is ResetStrategy.in_place and leftover):
            raise
        if target.kind is not TargetKind.COMPAT:
            raise
        warnings.append(
            f"{exc.message}: an object the reset kept (in a schema of the compatibility layer) was "
            "in the way, so the database was recreated and migrated again"
        )
        say("an object survived the in-place reset; recreating the database instead ...")
        strategy = ResetStrategy.recreate
        _recreate(url, say)
        dropped = time.perf_counter()
        result = migrate(url, directory, include_all=True, seed_files=seed_files, seed_key=seed_key, progress=say)
    finished = time.perf_counter()
    result.warnings[:0] = warnings
    return ResetResult(strategy, target, (dropped - started) * 1000, (finished - started) * 1000, result, warnings)


_LEFTOVER_SQLSTATES = frozenset({"42P06", "42P07", "42701", "42710", "42723", "23505"})
"""SQLSTATEs that mean "already exists": duplicate schema, table, column, object, function; unique violation."""
