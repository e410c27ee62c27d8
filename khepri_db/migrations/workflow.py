"""The daily Supabase CLI workflow: ``init``, ``db reset``, ``migration new|list|repair``.

Each function follows the Supabase CLI command of the same name (v2.117.0, whose migration
commands run the CLI's Go code: ``internal/init``, ``internal/db/reset``,
``internal/migration/{new,list,repair}``, ``pkg/migration``) and writes the same files and history
rows, so a project can switch between ``supabase`` and ``khepri-db`` at any time. Where khepri-db
adds something (the drift column of ``migration list``, the facts table, the embedded engine's
fast reset), the docstring says so.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg

from khepri_db.core.db import (
    connect,
    database_exists,
    redact,
    refuse_unsuitable_target,
    require_session_connection,
    with_database,
)
from khepri_db.core.errors import KhepriError, MigrationError, UsageError
from khepri_db.core.project import bundled_path
from khepri_db.migrations.apply import migrate
from khepri_db.migrations.compat import TargetInfo, TargetKind, detect
from khepri_db.migrations.execute import LOCK_KEY, release_lock
from khepri_db.migrations.files import FILE_PATTERN, MigrationFile, discover
from khepri_db.migrations.history import ensure_history_tables, read_history
from khepri_db.migrations.result import MigrateResult
from khepri_db.migrations.status import MigrationState, compare

Progress = Callable[[str], None]

VERSION_LAYOUT = "%Y%m%d%H%M%S"
"""Migration versions are UTC timestamps in this layout (the CLI's Go layout ``20060102150405``)."""

TIME_LAYOUT = "%Y-%m-%d %H:%M:%S"
"""How ``migration list`` shows a version's time (the CLI's ``2006-01-02 15:04:05``, UTC)."""


class ResetRefusedError(UsageError):
    """``db reset`` refused a target it must not reset without an explicit flag (exit 2)."""


# -- init ----------------------------------------------------------------------------------------

_CONFIG_TOML = """\
# Supabase CLI configuration, in the layout `supabase init` writes (see
# https://supabase.com/docs/guides/local-development/cli/config for every key). khepri-db reads
# [api] schemas (the schemas the Data API exposes: `khepri-db doctor`, `verify-access`) and
# [db.seed] (`khepri-db db reset`, `migrate --include-seed`, `seed`). The Supabase CLI reads all.

# Tells Supabase projects on the same machine apart; `supabase init` uses the directory name.
project_id = "{project_id}"

[api]
enabled = true
# Port of the local API URL.
port = 54321
# Schemas whose tables, views and functions get Data API endpoints.
schemas = ["public", "graphql_public"]
# Schemas added to the search_path of every API request.
extra_search_path = ["public", "extensions"]
# Most rows one API request returns.
max_rows = 1000

[db]
# Port of the local database (`supabase start`).
port = 54322
# Port of the shadow database `supabase db diff` starts.
shadow_port = 54320
# Major version of the database; keep it the same as the hosted project's (`show server_version`).
major_version = 17

[db.migrations]
# When false, `db push` and `db reset` skip the migrations.
enabled = true
# Declarative schema files, in order (globs relative to supabase/).
schema_paths = []

[db.seed]
# When true, `db reset` loads the seed files after the migrations.
enabled = true
# Seed files, in order (globs relative to supabase/, e.g. "./seeds/*.sql").
sql_paths = ["./seed.sql"]

[auth]
enabled = true
# Where Supabase Auth sends users back after sign-in.
site_url = "http://127.0.0.1:3000"
additional_redirect_urls = ["https://127.0.0.1:3000"]
# Lifetime of an access token, in seconds (one hour).
jwt_expiry = 3600
enable_signup = true
enable_anonymous_sign_ins = false

[auth.email]
enable_signup = true
enable_confirmations = false
"""

_SEED_SQL = """\
-- Seed data: run after every migration by `khepri-db db reset` and `supabase db reset`
-- ([db.seed] in config.toml). Keep it idempotent, e.g. `insert ... on conflict do nothing`.
"""

_CONFTEST = '''\
"""Policy tests for this Supabase project, with khepri-db's pytest plugin.

Installing khepri-db activates the plugin (from its repository: `pip install /path/to/khepri-db pytest`,
or a wheel built there with `python -m build`): each test session
starts a throwaway PostgreSQL, applies supabase/migrations once into a template database, and
gives every test a rolled-back transaction. Fixtures: `db`, `make_user`, `as_user`, `as_anon`,
`as_service_role`, `khepri_clone_url`, `khepri_database_factory` (see khepri-db's docs/testing.md).

    def test_strangers_see_nothing(db, alice, bob, as_user):
        with as_user(alice):
            db.execute("insert into public.notes (body) values ('mine')")
        with as_user(bob):
            assert db.execute("select count(*) from public.notes").fetchone() == (0,)
"""

from __future__ import annotations

import pytest


@pytest.fixture
def alice(make_user):
    """A signed-up user (a real auth.users row), for `as_user(alice)`."""
    return make_user("alice@example.com")


@pytest.fixture
def bob(make_user):
    """A second user, to check that one user cannot see or change the other's rows."""
    return make_user("bob@example.com")
'''


@dataclass(frozen=True)
class InitResult:
    """What :func:`init_project` wrote.

    Attributes:
        root: the project directory.
        written: files written, in order (config.toml, seed.sql, tests/conftest.py).
        directories: directories created (``supabase/migrations`` when it was missing).
        kept: files that existed and were left as they are (without ``force``).
    """

    root: Path
    written: list[Path]
    directories: list[Path]
    kept: list[Path] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "root": str(self.root),
            "written": [str(p) for p in self.written],
            "directories": [str(p) for p in self.directories],
            "kept": [str(p) for p in self.kept],
        }


def init_project(root: Path, *, project_id: str | None = None, force: bool = False) -> InitResult:
    """Create the Supabase project layout in ``root``, as ``supabase init`` does, plus a pytest conftest.

    Writes ``supabase/config.toml`` (the sections of the Supabase CLI's template khepri-db and a
    new project need, with the CLI's defaults), an empty ``supabase/migrations/``,
    ``supabase/seed.sql`` and ``tests/conftest.py`` (fixtures on top of khepri-db's pytest plugin).
    In a project that has some of them already (a Supabase project adopting khepri-db), only the
    missing ones are written; the others are kept as they are and listed in ``kept``. ``force``
    overwrites them too.

    Args:
        root: the project directory (created if missing).
        project_id: ``project_id`` in config.toml; default: the directory's name, as the CLI does.
        force: overwrite existing files.

    Returns:
        An :class:`InitResult`.
    """
    root = root.resolve()
    pid = project_id or root.name or "project"
    files = {
        root / "supabase" / "config.toml": _CONFIG_TOML.format(project_id=pid.replace('"', "")),
        root / "supabase" / "seed.sql": _SEED_SQL,
        root / "tests" / "conftest.py": _CONFTEST,
    }
    directories: list[Path] = []
    migrations = root / "supabase" / "migrations"
    if not migrations.is_dir():
        migrations.mkdir(parents=True)
        directories.append(migrations)
    written: list[Path] = []
    kept: list[Path] = []
    for path, text in files.items():
        if path.exists() and not force:
            kept.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return InitResult(root, written, directories, kept)


# -- migration new -------------------------------------------------------------------------------


def version_now(now: datetime | None = None) -> str:
    """The 14-digit UTC timestamp ``supabase migration new`` uses as the version, e.g. ``20261201091500``."""
    return (now or datetime.now(UTC)).astimezone(UTC).strftime(VERSION_LAYOUT)


def new_migration(directory: Path, name: str, *, content: str = "", now: datetime | None = None) -> Path:
    """Create ``<directory>/<14-digit UTC timestamp>_<name>.sql``, as ``supabase migration new NAME``.

    The Supabase CLI takes the name as given (no case or character rules) and writes
    ``supabase/migrations/<timestamp>_<name>.sql``, copying stdin into it when stdin is not a
    terminal. khepri-db accepts the same names, except ones that would not give a migration file in
    ``directory``: an empty name, or one holding a path separator (the CLI would create a
    subdirectory, which no migration tool reads).

    Args:
        directory: the migrations directory (created if missing).
        name: the migration name, e.g. ``create_notes``.
        content: the file's text (empty by default).
        now: the time to use (default: now, UTC).

    Returns:
        The path of the new file.

    Raises:
        UsageError: the name is empty or holds ``/`` or ``\\``, or a file of that name exists
            (two ``migration new`` within one second).
    """
    if not name.strip():
        raise UsageError("migration name is empty", hint="e.g. `khepri-db migration new create_notes`")
    if "/" in name or "\\" in name or "\x00" in name:
        raise UsageError(
            f"migration name {name!r} holds a path separator: the file would not be in {directory}",
            hint="use letters, digits and underscores, e.g. create_notes",
        )
    path = directory / f"{version_now(now)}_{name}.sql"
    if not FILE_PATTERN.match(path.name):
        raise UsageError(f"{path.name}: not a migration file name (expected <digits>_<name>.sql)")
    directory.mkdir(parents=True, exist_ok=True)
    if path.exists():
        raise UsageError(f"{path} already exists", hint="wait a second and run it again")
    path.write_text(content, encoding="utf-8")
    return path


# -- migration list ------------------------------------------------------------------------------


def format_version_time(version: str) -> str:
    """``20260101093000`` -> ``2026-01-01 09:30:00`` (UTC); a version that is no timestamp is returned as is.

    Mirrors the CLI's ``FormatTimestampVersion`` (Go layout ``20060102150405``, strict).
    """
    if len(version) != 14 or not version.isdigit():
        return version
    try:
        return datetime.strptime(version, VERSION_LAYOUT).strftime(TIME_LAYOUT)
    except ValueError:
        return version


_OLD_INIT = re.compile(r"^([0-9]{14})_init\.sql$")


def local_versions(directory: Path) -> list[MigrationFile]:
    """The local migrations ``supabase migration list`` counts, in order.

    As the CLI's ``ListLocalMigrations``: every ``<digits>_<name>.sql`` file, except a first file
    ``<timestamp>_init.sql`` older than 20211209000000 (the deprecated init schema of old CLI
    versions). A missing directory has no migrations.

    Raises:
        UsageError: two files share a version.
    """
    if not directory.is_dir():
        return []
    files, _ignored = discover(directory)
    names = sorted(p.name for p in directory.iterdir() if not p.is_dir())
    if names:
        match = _OLD_INIT.match(names[0])
        if match and int(match.group(1)) < 20211209000000:
            files = [f for f in files if f.filename != names[0]]
    return files


class Drift(StrEnum):
    """The drift column of ``khepri-db migration list`` (not in the Supabase CLI's table)."""

    NONE = ""
    CHANGED = "changed"
    """Applied, but the local file differs from what was applied."""
    MISSING_LOCALLY = "missing-locally"
    """Recorded in the database, with no local file."""
    OUT_OF_ORDER = "out-of-order"
    """Local only, and older than the newest applied version (``db push`` refuses without ``--include-all``)."""


@dataclass(frozen=True)
class ListRow:
    """One row of ``migration list``.

    Attributes:
        local: the local version, or ``None`` (the CLI prints a blank).
        remote: the version in ``supabase_migrations.schema_migrations``, or ``None``.
        time: the version as a UTC time (``2026-01-01 09:30:00``), as the CLI's TIME column.
        drift: khepri-db's drift column.
        name: the migration's name (local file, else the history row).
        detail: why it drifts, or ``""``.
    """

    local: str | None
    remote: str | None
    time: str
    drift: Drift
    name: str | None
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "local": self.local,
            "remote": self.remote,
            "time": self.time,
            "drift": self.drift.value or None,
            "name": self.name,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class MigrationList:
    """The ``migration list`` table.

    Attributes:
        directory: the migrations directory read.
        rows: in version order.
        history_exists: whether the database has ``supabase_migrations.schema_migrations``.
    """

    directory: Path
    rows: list[ListRow]
    history_exists: bool

    @property
    def has_drift(self) -> bool:
        """True when an applied file changed or a recorded version has no file."""
        return any(r.drift in (Drift.CHANGED, Drift.MISSING_LOCALLY) for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``directory``, ``history_exists``, ``migrations`` (rows), ``drift``."""
        return {
            "directory": str(self.directory),
            "history_exists": self.history_exists,
            "migrations": [r.to_dict() for r in self.rows],
            "drift": self.has_drift,
        }


def list_migrations(conn: psycopg.Connection, directory: Path) -> MigrationList:
    """Pair local and remote versions as ``supabase migration list`` does, plus a drift column (read-only).

    The CLI merges the local versions (file names) with ``select version from
    supabase_migrations.schema_migrations order by version`` (none when the table is missing),
    comparing versions as integers and skipping any that is not one; each row shows LOCAL,
    REMOTE (blank when absent) and the version as a UTC time. The drift column comes from
    :func:`khepri_db.migrations.status.compare` (the same classification as ``khepri-db status``).

    Args:
        conn: a connection to the database.
        directory: the migrations directory.

    Returns:
        A :class:`MigrationList`.
    """
    files = local_versions(directory)
    history = read_history(conn)
    status = compare(files, [], history, directory)
    by_version = {e.version: e for e in status.entries}
    local = {f.version for f in files}
    remote = {m.version for m in history or []}
    rows: list[ListRow] = []
    for version in sorted((v for v in local | remote if v.isdigit()), key=int):
        entry = by_version[version]
        drift = {
            MigrationState.CHANGED: Drift.CHANGED,
            MigrationState.MISSING_LOCALLY: Drift.MISSING_LOCALLY,
            MigrationState.OUT_OF_ORDER: Drift.OUT_OF_ORDER,
        }.get(entry.state, Drift.NONE)
        rows.append(
            ListRow(
                version if version in local else None,
                version if version in remote else None,
                format_version_time(version),
                drift,
                entry.name,
                entry.detail if drift is not Drift.NONE else "",
            )
        )
    return MigrationList(directory, rows, history is not None)


# -- migration repair ----------------------------------------------------------------------------


class RepairStatus(StrEnum):
    """``--status`` of ``migration repair``."""

    applied = "applied"
    reverted = "reverted"


@dataclass(frozen=True)
class RepairResult:
    """What :func:`repair_migrations` wrote.

    Attributes:
        status: applied or reverted.
        versions: the versions repaired, in the order given.
        all_local: True when no version was given (the whole history was made to match the files).
        rows_written: history rows inserted or updated (applied).
        rows_deleted: history rows deleted (reverted, or the truncate of a whole-history repair).
    """

    status: RepairStatus
    versions: list[str]
    all_local: bool
    rows_written: int
    rows_deleted: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "status": self.status.value,
            "versions": self.versions,
            "all_local": self.all_local,
            "rows_written": self.rows_written,
            "rows_deleted": self.rows_deleted,
        }


def _local_file(directory: Path, version: str) -> MigrationFile:
    """The first ``<version>_*.sql`` in ``directory`` (the CLI's ``GetMigrationFile``)."""
    matches = sorted(directory.glob(f"{version}_*.sql")) if directory.is_dir() else []
    if not matches:
        raise KhepriError(
            f"no local migration file {directory / (version + '_*.sql')} for version {version}; nothing was written",
            hint="`--status applied` records a local file's statements (as the Supabase CLI does); "
            "restore the file, or use `--status reverted` to drop the version from the history",
        )
    return MigrationFile.load(matches[0])


def repair_migrations(
    url: str,
    directory: Path,
    versions: Sequence[str],
    status: RepairStatus,
) -> RepairResult:
    """Mark versions applied or reverted in the history, writing the rows ``supabase migration repair`` writes.

    As the CLI (``internal/migration/repair``): versions must be integers; the history table is
    created if missing (the CLI's DDL); ``applied`` upserts ``(version, name, statements)`` from
    the local file ``<version>_*.sql`` (its statements split as the CLI splits them) and fails,
    writing nothing, when a version has no local file; ``reverted`` deletes the rows (a version
    with no row is no error). With no versions the whole history is truncated and, for
    ``applied``, every local migration recorded (the CLI asks first; the caller must confirm).
    Everything happens in one transaction.

    khepri-db's facts table (``supabase_migrations.khepri_migration_facts``) is kept consistent:
    its row for each repaired version is deleted, since khepri-db did not apply that content
    (``status`` then compares the file with the recorded statements, as for a CLI-applied row);
    so is the note of lines a failed run left applied (``khepri_partial_migrations``): whoever
    repairs a version has decided its state.

    Args:
        url: the database.
        directory: the migrations directory.
        versions: the versions to repair; empty: all (see above).
        status: applied or reverted.

    Returns:
        A :class:`RepairResult`.

    Raises:
        UsageError: a version is not an integer.
        KhepriError: ``applied`` for a version with no local file (nothing written).
        ConnectionFailedError: the database cannot be reached.
    """
    for version in versions:
        if not re.fullmatch(r"[+-]?[0-9]+", version):
            raise UsageError(f"failed to parse {version}: invalid version number")
    all_local = not versions
    chosen = [f.version for f in local_versions(directory)] if all_local else list(versions)
    files = [_local_file(directory, v) for v in chosen] if status is RepairStatus.applied else []
    require_session_connection(url, "migration repair")
    written = deleted = 0
    with connect(url, autocommit=True) as conn:
        refuse_unsuitable_target(conn, url, "migration repair")
        ensure_history_tables(conn)
        with conn.transaction():
            if all_local:
                row = conn.execute("select count(*) from supabase_migrations.schema_migrations").fetchone()
                deleted = int(row[0]) if row else 0
                conn.execute("truncate supabase_migrations.schema_migrations")
                conn.execute("truncate supabase_migrations.khepri_migration_facts")
                conn.execute("truncate supabase_migrations.khepri_partial_migrations")
            if status is RepairStatus.applied:
                for file in files:
                    conn.execute(
                        "insert into supabase_migrations.schema_migrations (version, name, statements) "
                        "values (%s, %s, %s) on conflict (version) do update "
                        "set name = excluded.name, statements = excluded.statements",
                        (file.version, file.name, [s.text for s in file.statements]),
                    )
                    written += 1
                conn.execute(
                    "delete from supabase_migrations.khepri_migration_facts where version = any(%s)",
                    ([f.version for f in files],),
                )
            if not all_local:
                conn.execute(
                    "delete from supabase_migrations.khepri_partial_migrations where version = any(%s)", (chosen,)
                )
            if status is not RepairStatus.applied and not all_local:
                cur = conn.execute(
                    "delete from supabase_migrations.schema_migrations where version = any(%s)", (chosen,)
                )
                deleted = cur.rowcount
                conn.execute(
                    "delete from supabase_migrations.khepri_migration_facts where version = any(%s)", (chosen,)
                )
    return RepairResult(status, chosen, all_local, written, deleted)


# -- db reset ------------------------------------------------------------------------------------


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
