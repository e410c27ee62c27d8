"""The migration runner: applies ``<version>_<name>.sql`` files, compatible with the Supabase CLI.

Contract (mirrors ``supabase db push`` / ``supabase migration up`` where they define one):

* Files named ``<digits>_<name>.sql`` in the migrations directory are migrations, applied in
  version order. Other files are reported as ignored, never silently skipped.
* History lives in ``supabase_migrations.schema_migrations (version, statements, name)`` exactly
  as the Supabase CLI writes it; khepri-db's extra facts (sha256, applied_at, duration, tool
  version) live in ``supabase_migrations.khepri_migration_facts``.
* Files are read as bytes, as the Supabase CLI reads them: no newline translation (a CRLF file
  records CRLF inside its statements), a leading UTF-8 byte-order mark dropped. Statements are
  split exactly as the CLI splits them (:func:`khepri_db.core.sqltext.split_statements`).
* Each file runs in one transaction together with its history rows. A failure rolls the file
  back, stops the run and reports file, line, SQLSTATE, message and hint. The statements of a
  transaction go to the server in one round trip (PostgreSQL 13+; :func:`_execute_batch`), one by
  one where PostgreSQL might read their text otherwise than the CLI's splitter cut it; either way
  they run as separate statements, in order, and a failure names the same statement and line.
  Before each file the session is reset (``RESET ALL``, as ``supabase db push`` does), so a
  ``set_config`` in one file never reaches the next.
* Transaction statements in a file (see :func:`plan_file`): ``begin; ... commit;`` pairs (also
  ``start transaction`` / ``end``), around the whole file or in the middle of it, leave the file in
  its one transaction with its history row. A ``commit`` that closes no ``begin`` (as after
  ``alter type ... add value``, so that the file can use the new value) splits the file, as
  ``supabase db push`` commits there: each part runs in its own transaction, the history row in
  the last, a warning names the file and line, and if a later part fails the error names the lines
  that stay committed. A ``begin`` inside an open one does nothing (as in PostgreSQL; a warning
  says so). A ``rollback`` (or ``abort``), a ``begin`` that no ``commit`` closes, ``commit and
  chain`` and prepared transactions are refused before anything runs, naming file and line.
* A file holding exactly one statement that PostgreSQL refuses inside a transaction (``create``/
  ``drop index concurrently``, ``reindex ... concurrently``, ``vacuum``, ``alter system``,
  ``create``/``drop database``/``tablespace``) runs outside a transaction, as the CLI runs it; its
  history rows follow in their own transaction. Such a statement in a file with other statements
  is refused before anything runs. A failed concurrent index build leaves no INVALID index behind.
  A file whose first line is ``-- khepri:no-transaction`` also runs its one statement outside a
  transaction.
* A session-level advisory lock makes concurrent runs wait for each other; the session checks its
  client every second (``client_connection_check_interval``), so a killed run's lock goes with it.
* Pending files older than the newest applied version, and applied versions with no local file,
  stop the run (as the Supabase CLI does); ``include_all`` applies the former. A first file named
  ``<timestamp before 20211209>_init.sql`` is skipped, as the CLI skips it.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row

from khepri_db import __version__
from khepri_db.core.db import connect, require_session_connection
from khepri_db.core.errors import (
    LockTimeoutError,
    MigrationError,
    MigrationOrderError,
    SqlErrorInfo,
    UsageError,
)
from khepri_db.core.project import bundled_path, find_project_root
from khepri_db.core.sqltext import Statement, comparable, line_at, split_statements
from khepri_db.migrations.compat import COMPAT_VERSION, TargetInfo, TargetKind, detect, install

FILE_PATTERN = re.compile(r"^([0-9]+)_(.*)\.sql$")
"""Migration file names, as the Supabase CLI matches them."""

LEGACY_INIT_PATTERN = re.compile(r"([0-9]{14})_init\.sql")
"""A first migration named so, older than 20211209000000, is the Supabase CLI's deprecated init
schema: the CLI skips it (pkg/migration/list.go), and so do we."""

LEGACY_INIT_BEFORE = 20211209000000

NO_TRANSACTION_MARKER = "-- khepri:no-transaction"

LOCK_KEY = 0x6B68_6570_7269_0001  # "khepri" + 1: the advisory lock all migrate runs share
"""Key of the session-level advisory lock held while migrating one database."""

Progress = Callable[[str], None]


CHECK_CLIENT_INTERVAL = "1s"
"""``client_connection_check_interval`` of the migrating session (PostgreSQL 14+): a backend whose
client died ends its statement, and releases the advisory lock, within this interval."""

_BOM = b"\xef\xbb\xbf"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_sql(path: Path, data: bytes) -> str:
    """The text of a SQL file read as bytes: UTF-8, a leading byte-order mark dropped (the Supabase
    CLI does not record it), newlines exactly as in the file.

    Raises:
        UsageError: the file is not UTF-8 (names the file and byte offset).
    """
    try:
        return data.removeprefix(_BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})") from exc


def statements_fingerprint(statements: Sequence[str]) -> str:
    """sha256 of a ``schema_migrations.statements`` value (joined by NUL, which text cannot hold).

    Stored in ``khepri_migration_facts.statements_sha256``: a facts row whose fingerprint no
    longer matches its history row was written for a row that something else (``supabase
    migration repair``, ``supabase db push``) has since rewritten, and is ignored.
    """
    return _sha256("\x00".join(statements).encode("utf-8"))


@dataclass(frozen=True)
class MigrationFile:
    """A local migration file.

    Attributes:
        version: the leading digits of the file name (e.g. ``"20261121100000"``).
        name: the rest of the name without ``.sql`` (e.g. ``"khepri_foundation"``).
        path: where the file is.
        data: its bytes, exactly as on disk.
    """

    version: str
    name: str
    path: Path
    data: bytes

    @classmethod
    def load(cls, path: Path) -> MigrationFile:
        """Read ``path`` (bytes, as the Supabase CLI reads it); its name must match :data:`FILE_PATTERN`.

        Raises:
            UsageError: the name does not match, or the file is not UTF-8 text.
        """
        match = FILE_PATTERN.match(path.name)
        if not match:
            raise UsageError(f"{path}: not a migration file name (expected <digits>_<name>.sql)")
        file = cls(match.group(1), match.group(2), path, path.read_bytes())
        _ = file.sql  # fail early on bytes that are not UTF-8
        return file

    @cached_property
    def sql(self) -> str:
        """The file's text: UTF-8, without a leading byte-order mark, newlines as written."""
        return decode_sql(self.path, self.data)

    @cached_property
    def sha256(self) -> str:
        """Hex sha256 of the file's bytes."""
        return _sha256(self.data)

    @cached_property
    def legacy_sha256(self) -> str:
        """The checksum khepri-db 0.x recorded: of the text with newlines translated to ``\\n``."""
        text = self.data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
        return _sha256(text.encode("utf-8"))

    @cached_property
    def statements(self) -> list[Statement]:
        """The file split into statements (see :func:`khepri_db.core.sqltext.split_statements`)."""
        return split_statements(self.sql)

    @property
    def transactional(self) -> bool:
        """False when the file opts out with ``-- khepri:no-transaction`` on its first line."""
        first = self.sql.lstrip().splitlines()[0] if self.sql.strip() else ""
        return first.strip().lower() != NO_TRANSACTION_MARKER

    @cached_property
    def plan(self) -> ExecutionPlan:
        """How the file runs (see :func:`plan_file`); raises what :func:`plan_file` raises."""
        return plan_file(self.path, self.statements, marker=not self.transactional)

    @property
    def filename(self) -> str:
        """``<version>_<name>.sql``."""
        return self.path.name


@dataclass(frozen=True)
class IgnoredFile:
    """A file in the migrations directory that is not a migration, and why."""

    path: Path
    reason: str


def discover(directory: Path) -> tuple[list[MigrationFile], list[IgnoredFile]]:
    """List the migrations in ``directory``, in apply order, and the files that are not migrations.

    Raises:
        UsageError: ``directory`` does not exist, or two files share a version.
    """
    if not directory.is_dir():
        raise UsageError(
            f"migrations directory {directory} does not exist",
            hint="pass --migrations-dir, or run from a project with supabase/migrations",
        )
    files: list[MigrationFile] = []
    ignored: list[IgnoredFile] = []
    for index, path in enumerate(sorted(directory.iterdir())):
        if path.is_dir():
            ignored.append(IgnoredFile(path, "a directory (migrations are not searched recursively)"))
        elif index == 0 and _legacy_init(path.name):
            ignored.append(
                IgnoredFile(
                    path,
                    "the Supabase CLI's deprecated init schema, skipped as `supabase db push` skips it "
                    "(rename it, replacing `init`, to apply it)",
                )
            )
        elif not path.name.endswith(".sql"):
            ignored.append(IgnoredFile(path, "not a .sql file"))
        elif not FILE_PATTERN.match(path.name):
            ignored.append(IgnoredFile(path, "name does not match <digits>_<name>.sql"))
        else:
            files.append(MigrationFile.load(path))
    by_version: dict[str, MigrationFile] = {}
    for file in files:
        if file.version in by_version:
            raise UsageError(
                f"two migration files share version {file.version}: "
                f"{by_version[file.version].path.name} and {file.path.name}",
                hint="give one of them a new timestamp",
            )
        by_version[file.version] = file
    files.sort(key=lambda f: (f.version, f.name))
    return files, ignored


def _legacy_init(name: str) -> bool:
    """The CLI's test for its deprecated init file (only ever applied to the directory's first entry)."""
    match = LEGACY_INIT_PATTERN.search(name)
    return bool(match) and int(match.group(1)) < LEGACY_INIT_BEFORE


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


def _without_stale_facts(row: AppliedMigration) -> AppliedMigration:
    """Drop khepri-db's facts when the history row no longer holds the statements they were written
    for (``supabase migration repair --status applied`` or ``supabase db push`` rewrote it)."""
    if row.statements_sha256 is None or row.statements is None:
        return row
    if statements_fingerprint(row.statements) == row.statements_sha256:
        return row
    return AppliedMigration(row.version, row.name, row.statements)


class MigrationState(StrEnum):
    """Where one migration version stands."""

    APPLIED = "applied"
    PENDING = "pending"
    OUT_OF_ORDER = "out-of-order"
    """Pending, but older than the newest applied version."""
    CHANGED = "changed"
    """Drift: applied, but the local file's content changed since."""
    MISSING_LOCALLY = "missing-locally"
    """Drift: recorded in the database, with no local file."""


@dataclass(frozen=True)
class MigrationEntry:
    """One row of :class:`MigrationStatus`."""

    version: str
    name: str | None
    state: MigrationState
    path: Path | None = None
    applied_at: datetime | None = None
    applied_by: str | None = None
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "version": self.version,
            "name": self.name,
            "state": self.state.value,
            "file": str(self.path) if self.path else None,
            "applied_at": self.applied_at.isoformat() if self.applied_at else None,
            "applied_by": self.applied_by,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class MigrationStatus:
    """Local files compared with the database's history.

    Attributes:
        directory: the migrations directory.
        entries: one per version, local or remote, sorted by version.
        ignored: files in the directory that are not migrations.
        history_exists: whether the database has a history table at all.
    """

    directory: Path
    entries: list[MigrationEntry]
    ignored: list[IgnoredFile]
    history_exists: bool

    def by_state(self, *states: MigrationState) -> list[MigrationEntry]:
        """Entries in any of ``states``."""
        return [e for e in self.entries if e.state in states]

    @property
    def has_drift(self) -> bool:
        """True if an applied file changed or an applied version has no file."""
        return bool(self.by_state(MigrationState.CHANGED, MigrationState.MISSING_LOCALLY))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``directory``, ``migrations``, ``ignored_files``, counts per state."""
        counts = {state.value: len(self.by_state(state)) for state in MigrationState}
        return {
            "directory": str(self.directory),
            "history_exists": self.history_exists,
            "migrations": [e.to_dict() for e in self.entries],
            "ignored_files": [{"file": str(i.path), "reason": i.reason} for i in self.ignored],
            "counts": counts,
            "drift": self.has_drift,
        }


def compare(
    files: Sequence[MigrationFile],
    ignored: Sequence[IgnoredFile],
    history: Sequence[AppliedMigration] | None,
    directory: Path,
) -> MigrationStatus:
    """Compare local files with the history and classify every version (pure; no I/O)."""
    applied = {m.version: m for m in history or []}
    local = {f.version: f for f in files}
    newest_applied = max(applied) if applied else None
    entries: list[MigrationEntry] = []
    for version in sorted(set(applied) | set(local)):
        file, row = local.get(version), applied.get(version)
        if file and row:
            state, detail = _judge(file, row)
            entries.append(MigrationEntry(version, file.name, state, file.path, row.applied_at, row.applied_by, detail))
        elif file:
            out_of_order = newest_applied is not None and version < newest_applied
            entries.append(
                MigrationEntry(
                    version,
                    file.name,
                    MigrationState.OUT_OF_ORDER if out_of_order else MigrationState.PENDING,
                    file.path,
                    detail=f"older than the newest applied version {newest_applied}" if out_of_order else "",
                )
            )
        else:
            assert row is not None
            entries.append(
                MigrationEntry(
                    version,
                    row.name,
                    MigrationState.MISSING_LOCALLY,
                    None,
                    row.applied_at,
                    row.applied_by,
                    f"recorded in the database, but no {version}_*.sql file exists in {directory}",
                )
            )
    return MigrationStatus(directory, entries, list(ignored), history is not None)


def _judge(file: MigrationFile, row: AppliedMigration) -> tuple[MigrationState, str]:
    """Has ``file`` changed since ``row`` was recorded? Judged by the statements the Supabase CLI
    would record for the file now, compared with those recorded: an edit that leaves them equal
    (blank lines or whitespace between statements, a trailing newline) is no change, whoever applied
    the file; any other edit, whitespace inside a statement included, is one. Two allowances, for
    rows written by other splitters: khepri-db's own checksum of the file, and, when the number of
    statements differs (an older CLI or khepri-db cut the file elsewhere), the same text once all
    whitespace and semicolons are removed."""
    if row.statements is not None:
        if [s.text for s in file.statements] == row.statements:
            return MigrationState.APPLIED, ""
        if row.sha256 is not None and row.sha256 in (file.sha256, file.legacy_sha256):
            return MigrationState.APPLIED, ""
        if len(row.statements) != len(file.statements) and comparable("".join(row.statements)) == comparable(file.sql):
            return MigrationState.APPLIED, "recorded with other statement boundaries (an older splitter)"
        who = "khepri-db" if row.tool_version else "the Supabase CLI"
        return MigrationState.CHANGED, f"file content differs from the statements {who} recorded when it was applied"
    if row.sha256 is not None:
        if row.sha256 in (file.sha256, file.legacy_sha256):
            return MigrationState.APPLIED, ""
        return MigrationState.CHANGED, "file content changed since it was applied"
    return MigrationState.APPLIED, "applied content was not recorded; cannot check for changes"


def migration_status(conn: psycopg.Connection, directory: Path) -> MigrationStatus:
    """Compare ``directory`` with the history of the database ``conn`` is connected to (read-only)."""
    files, ignored = discover(directory)
    return compare(files, ignored, read_history(conn), directory)


@dataclass(frozen=True)
class AppliedFile:
    """A file applied by :func:`migrate` (or a seed file run)."""

    version: str | None
    name: str
    path: Path
    duration_ms: float
    statements: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "version": self.version,
            "name": self.name,
            "file": str(self.path),
            "duration_ms": round(self.duration_ms, 1),
            "statements": self.statements,
        }


@dataclass
class MigrateResult:
    """What :func:`migrate` did.

    Attributes:
        target: the database classification (after the compatibility layer, if installed).
        compat: ``"installed"``, ``"upgraded"``, ``"present"``, ``"not needed"`` (real Supabase),
            ``"skipped"`` (``--no-compat`` or an unknown ``auth`` schema), or ``"would install"``
            (dry run).
        applied: migrations applied, in order (empty on a dry run).
        pending: what a dry run would apply (empty otherwise, or when nothing was pending).
        seeded: seed files run.
        seeds_skipped: seed files not run, with the reason.
        warnings: things the user should know that did not stop the run.
        dry_run: whether nothing was written.
    """

    target: TargetInfo
    compat: str
    applied: list[AppliedFile] = field(default_factory=list)
    pending: list[MigrationFile] = field(default_factory=list)
    seeded: list[AppliedFile] = field(default_factory=list)
    seeds_skipped: list[tuple[Path, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "target": self.target.to_dict(),
            "compat": self.compat,
            "dry_run": self.dry_run,
            "applied": [a.to_dict() for a in self.applied],
            "pending": [{"version": p.version, "name": p.name, "file": str(p.path)} for p in self.pending],
            "seeded": [s.to_dict() for s in self.seeded],
            "seeds_skipped": [{"file": str(p), "reason": r} for p, r in self.seeds_skipped],
            "warnings": self.warnings,
        }


def _run_sql_file(conn: psycopg.Connection, path: Path) -> None:
    """Run one of khepri-db's own SQL files (no parameters, no transaction statements): the whole
    text in one round trip, its statements in order."""
    conn.execute(decode_sql(path, path.read_bytes()))


def ensure_history_tables(conn: psycopg.Connection) -> None:
    """Create ``supabase_migrations.schema_migrations`` (the CLI's DDL) and khepri-db's facts table."""
    with conn.transaction():
        _run_sql_file(conn, bundled_path("sql", "migrations", "history.sql"))


# -- how a file runs -------------------------------------------------------------------------


class RunMode(StrEnum):
    """How :func:`apply_file` runs a file."""

    TRANSACTION = "transaction"
    """The statements in one transaction with the history rows; or, for a file whose own ``commit``
    ends a transaction (see :func:`plan_file`), in one transaction per segment, the history rows in
    the last one."""
    OUTSIDE = "outside"
    """The one statement outside a transaction, then the history rows in their own."""


@dataclass(frozen=True)
class ExecutionPlan:
    """What :func:`apply_file` executes for one file.

    Attributes:
        mode: in transactions, or the one statement outside any.
        segments: the statements to execute, as ``(index, statement)`` pairs, one list per
            transaction, in order; ``index`` is the statement's place in the file (and in
            ``schema_migrations.statements``). Usually one segment. The file's ``begin``/``commit``
            statements are recorded but not executed: the runner's transactions take their place.
        commits: for each segment but the last, the file's ``commit`` (``(index, statement)``) that
            ends it: the work up to there is committed before the next segment runs.
        ignored_begins: ``(line, opened_at)`` of each ``begin`` inside an open ``begin`` block: it
            does nothing, as PostgreSQL ignores it; the next ``commit`` ends the block.
        reason: why the file runs outside a transaction (the statement kind, or the marker).
    """

    mode: RunMode
    segments: list[list[tuple[int, Statement]]]
    commits: list[tuple[int, Statement]] = field(default_factory=list)
    reason: str = ""
    ignored_begins: list[tuple[int, int]] = field(default_factory=list)

    @property
    def run(self) -> list[tuple[int, Statement]]:
        """Every statement executed, in order, all segments together."""
        return [pair for segment in self.segments for pair in segment]

    @property
    def commit_lines(self) -> list[int]:
        """File lines of the ``commit`` statements that end a segment early (empty for one transaction)."""
        return [statement.code_line for _, statement in self.commits]


_TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "END", "ROLLBACK", "ABORT"}
_OPENS = {"BEGIN", "START TRANSACTION"}
_CLOSES = {"COMMIT", "END"}
_UNDOES = {"ROLLBACK", "ABORT"}

_OUTSIDE_TRANSACTION = re.compile(
    r"(?P<kind>create\s+(?:unique\s+)?index\s+concurrently|drop\s+index\s+concurrently"
    r"|reindex\s*(?:\([^)]*\)\s*)?(?:index|table|schema|database|system)\s+concurrently"
    r"|reindex\s*(?:\([^)]*\)\s*)?(?:schema|database|system)|vacuum|alter\s+system"
    r"|create\s+database|drop\s+database|create\s+tablespace|drop\s+tablespace)\b",
    re.IGNORECASE,
)
"""Statements PostgreSQL refuses inside a transaction block (SQLSTATE 25001), by their first words."""

_NAME = r'(?:"(?:[^"]|"")*"|[^\s".]+)'
_ADD_ENUM_VALUE = re.compile(rf"alter\s+type\s+{_NAME}(?:\s*\.\s*{_NAME})?\s+add\s+value\b", re.IGNORECASE)
"""``alter type ... add value``: PostgreSQL refuses to use the new value before it commits (55P04)."""


def _transaction_control(statement: Statement) -> str | None:
    """``"BEGIN"``, ``"COMMIT"``... when ``statement`` opens or ends a transaction, else ``None``.
    (``rollback to savepoint``, ``savepoint`` and ``release`` are fine inside a file's transaction.)"""
    words = statement.words(4)
    if not words:
        return None
    if words[0] in _CLOSES and any(words[k : k + 2] == ("AND", "CHAIN") for k in range(1, len(words) - 1)):
        return f"{words[0]} AND CHAIN"
    if words[0] == "START" and words[1:2] == ("TRANSACTION",):
        return "START TRANSACTION"
    if words[0] == "PREPARE" and words[1:2] == ("TRANSACTION",):
        return "PREPARE TRANSACTION"
    if words[0] not in _TRANSACTION_CONTROL:
        return None
    if words[0] == "ROLLBACK" and len(words) > 1 and words[1] in {"TO", "PREPARED"}:
        return None if words[1] == "TO" else "ROLLBACK PREPARED"
    if words[0] == "COMMIT" and words[1:2] == ("PREPARED",):
        return "COMMIT PREPARED"
    if words[0] == "BEGIN" and words[1:2] == ("ATOMIC",):
        return None
    return words[0]


def _outside_kind(statement: Statement) -> str | None:
    """The kind of statement (e.g. ``"create index concurrently"``) when PostgreSQL cannot run it in
    a transaction block, else ``None``."""
    match = _OUTSIDE_TRANSACTION.match(statement.text, statement.code_offset)
    return " ".join(match.group("kind").lower().split()) if match else None


def _adds_enum_value(statement: Statement) -> bool:
    return _ADD_ENUM_VALUE.match(statement.text, statement.code_offset) is not None


def _refuse(
    path: Path, index: int, statement: Statement, message: str, hint: str, sqlstate: str | None = None
) -> MigrationError:
    return MigrationError(path, statement.code_line, index, SqlErrorInfo(sqlstate, message), hint=hint)


def _refuse_control(path: Path, index: int, statement: Statement, kind: str, why: str, hint: str) -> MigrationError:
    return _refuse(path, index, statement, f"`{kind.lower()}` inside a migration file: {why}", hint)


def _segments(
    path: Path, real: Sequence[tuple[int, Statement]]
) -> tuple[list[list[tuple[int, Statement]]], list[tuple[int, Statement]], list[tuple[int, int]]]:
    """Split a file's statements where the Supabase CLI commits them; refuse what it would record
    wrongly. Returns ``(segments, commits, ignored_begins)`` as :class:`ExecutionPlan` holds them."""
    segments: list[list[tuple[int, Statement]]] = [[]]
    commits: list[tuple[int, Statement]] = []
    ignored: list[tuple[int, int]] = []
    opened: tuple[int, Statement] | None = None  # the `begin` of an explicit block still open
    adds_value = False  # the open block holds an `alter type ... add value`

    def split(index: int, statement: Statement) -> None:
        if segments[-1]:  # a commit with nothing before it in its transaction splits nothing
            segments.append([])
            commits.append((index, statement))

    for index, statement in real:
        kind = _transaction_control(statement)
        if kind is None:
            segments[-1].append((index, statement))
            adds_value = adds_value or (opened is not None and _adds_enum_value(statement))
        elif kind in _UNDOES:
            raise _refuse_control(
                path,
                index,
                statement,
                kind,
                "it undoes the statements before it, yet `supabase db push` records the file as applied",
                "remove it: a failing statement already rolls its file back; to undo work on purpose, write "
                "the statements that undo it, or use `savepoint` / `rollback to savepoint`",
            )
        elif kind in _OPENS:
            if opened is not None:  # PostgreSQL ignores it (a warning): the next `commit` ends the block
                ignored.append((statement.code_line, opened[1].code_line))
                continue
            opened, adds_value = (index, statement), False
        elif kind in _CLOSES:
            if opened is None or adds_value:
                # commits the CLI's implicit transaction (or a block whose new enum value later
                # statements may use): what follows runs in a transaction of its own
                split(index, statement)
            opened, adds_value = None, False
        else:
            raise _refuse_control(
                path,
                index,
                statement,
                kind,
                "khepri-db runs each file in transactions of its own and cannot follow this statement",
                "remove it; end a transaction with a plain `commit;`",
            )
    if opened is not None:
        index, statement = opened
        raise _refuse_control(
            path,
            index,
            statement,
            _transaction_control(statement) or "begin",
            "no `commit` closes it, so the file's transaction would stay open past its end",
            "add `commit;` where the transaction ends, or remove the `begin`",
        )
    if len(segments) > 1 and not segments[-1]:  # a final `commit`: nothing follows it
        segments.pop()
        commits.pop()
    return segments, commits, ignored


def plan_file(path: Path, statements: Sequence[Statement], *, marker: bool = False) -> ExecutionPlan:
    """Decide how a migration (or seed) file runs, before anything of it runs.

    How ``supabase db push`` / ``supabase migration up`` (CLI 2.117, measured against PostgreSQL 18)
    run a file: with no transaction statement in it, the file and its history row are one
    transaction. With one, every statement outside a ``begin ... commit`` block commits on its own,
    each block is one transaction, and the history row is written last, on its own, only when every
    statement succeeded. khepri-db leaves the same database and history when the file succeeds, and
    commits only where the file asks for it:

    * ``begin`` (or ``start transaction``) ... ``commit`` (or ``end``) pairs, one around the whole
      file or any number in the middle of it: the file runs in one transaction with its history
      row (the pairs are recorded, not executed). If it fails, nothing of it remains (the CLI
      would keep what it had committed).
    * a ``commit`` that closes no ``begin`` (e.g. after ``alter type ... add value``: PostgreSQL
      refuses to use a new enum value before it commits, SQLSTATE 55P04), or that closes a pair
      holding an ``alter type ... add value``: the file runs in segments, each in its own
      transaction, split after each such ``commit``; the history row is written in the last
      segment's transaction, so a file is recorded only when all of it applied. A segment that
      fails is rolled back whole (the CLI keeps its statements that ran before the failure); the
      segments before it stay committed, as with the CLI, and the error says which lines. A
      ``commit`` with nothing before it in its segment, or at the very end, splits nothing.
    * a ``begin`` while a ``begin`` block is open does nothing, as PostgreSQL (and so the CLI)
      ignores it: the next ``commit`` ends the block (:func:`plan_warnings` says so).

    Args:
        path: the file (for messages).
        statements: its statements, as :func:`khepri_db.core.sqltext.split_statements` gives them.
        marker: the file starts with ``-- khepri:no-transaction``.

    Returns:
        The :class:`ExecutionPlan`: :attr:`ExecutionPlan.commits` lists the splitting ``commit``
        statements (callers warn about them, see :func:`plan_warnings`).

    Raises:
        MigrationError: naming the file and the line of the offending statement, for what the CLI
            would apply or record wrongly: a ``rollback`` / ``abort`` anywhere (the CLI records
            the file as applied with that work undone; ``rollback to savepoint`` is fine), a
            ``begin`` no ``commit`` closes, ``commit and chain``, ``prepare transaction`` /
            ``commit prepared`` / ``rollback prepared``; and a
            statement that cannot run in a transaction next to other statements (the CLI would
            commit the statements before it on its own).
        UsageError: a ``-- khepri:no-transaction`` file holds more or less than one statement.
    """
    real = [(i, s) for i, s in enumerate(statements) if not s.comment_only]
    segments, commits, ignored = _segments(path, real)
    body = [pair for segment in segments for pair in segment]
    if marker:
        if len(body) != 1:
            raise UsageError(
                f"{path}: a `{NO_TRANSACTION_MARKER}` migration must hold exactly one statement, found {len(body)}",
                hint="split it into one file per statement",
            )
        return ExecutionPlan(RunMode.OUTSIDE, [body], reason=f"`{NO_TRANSACTION_MARKER}`")
    outside = [(i, s, kind) for i, s in body if (kind := _outside_kind(s))]
    if outside:
        i, statement, kind = outside[0]
        if len(real) == 1:
            return ExecutionPlan(RunMode.OUTSIDE, [body], reason=f"`{kind}` cannot run inside a transaction")
        raise _refuse(
            path,
            i,
            statement,
            f"`{kind}` cannot run inside a transaction, and this file holds {len(real)} statements",
            "move it into a migration file of its own: a file holding only that statement runs outside "
            "a transaction (as `supabase db push` runs it)",
            "25001",
        )
    return ExecutionPlan(RunMode.TRANSACTION, segments, commits, ignored_begins=ignored)


def plan_warnings(path: Path, plan: ExecutionPlan) -> list[str]:
    """What to tell the user about how ``plan`` runs the file at ``path``: that it commits part of
    its work on its own (see :func:`plan_file`), and each ``begin`` it holds that does nothing."""
    warnings = [
        f"{path}:{line}: a `begin` inside the transaction opened at line {opened_at} does nothing (PostgreSQL "
        "ignores it, under `supabase db push` too): the next `commit` ends that transaction"
        for line, opened_at in plan.ignored_begins
    ]
    lines = plan.commit_lines
    if lines:
        where = f"line {lines[0]}" if len(lines) == 1 else "lines " + ", ".join(str(n) for n in lines)
        warnings.append(
            f"{path}: commits at {where}, as `supabase db push` does: the statements before "
            f"{'it' if len(lines) == 1 else 'each'} stay applied if a later one fails"
        )
    return warnings


_HINTS = {
    "25001": "This statement cannot run inside a transaction. Move it to a migration file of its own: "
    "a file holding one such statement runs outside a transaction.",
    "42P07": "The object already exists: the database was probably changed outside migrations. "
    "Compare it with `khepri-db status`, or make the statement idempotent (`if not exists`).",
    "42710": "The object already exists: the database was probably changed outside migrations.",
    "58P01": "The server does not ship this extension. The embedded engine has PostgreSQL contrib and "
    "pgvector but not pgcrypto or uuid-ossp (use gen_random_uuid()); or migrate a server that has "
    "it with --db-url.",
    "0A000": "The server does not support this. If it is an extension, the embedded engine may lack it; "
    "migrate a server that has it with --db-url.",
}

_MORE_HINTS = {
    "55P04": "In a migration: put `commit;` right after the `alter type ... add value` (the file then runs "
    "in two transactions, as `supabase db push` runs it), or use the value in a later migration file.",
}
"""Said after PostgreSQL's own hint for these SQLSTATEs."""

_REAL_ENGINE = (
    "migrate a database that has it: a Supabase project or `supabase start` (--db-url), or test on "
    "Supabase's own image with the pytest plugin's --khepri-engine docker"
)

_NO_STANDIN = {
    "pgroonga": "pgroonga is an index access method (C code inside the server, `create index ... using "
    "pgroonga`): no SQL stand-in can provide it, and neither engine here ships it.",
    "timescaledb": "timescaledb is a server library (hypertables, chunks, background workers, loaded through "
    "shared_preload_libraries): no SQL stand-in can provide it, and neither engine here ships it.",
}
"""Extensions khepri-db cannot stand in for, by name: what they are, said when one is not available."""

_UNAVAILABLE_EXTENSION = re.compile(
    r'extension "(?P<name>[^"]+)" is not available'
    r'|could not open extension control file "[^"]*/(?P<file>[^"/]+)\.control"'
)


def _extension_hint(info: SqlErrorInfo) -> str | None:
    """For ``create extension`` of an extension the server lacks: why khepri-db has no stand-in (or
    that its stand-in exists only on servers khepri-db starts), and where the real extension runs.

    Returns:
        The hint, or ``None`` when the error is not about an unavailable extension.
    """
    if info.sqlstate not in ("0A000", "58P01"):
        return None
    match = _UNAVAILABLE_EXTENSION.search(info.message)
    if not match:
        return None
    name = match.group("name") or match.group("file")
    if bundled_path("sql", "extensions", name).is_dir():
        return (
            f"khepri-db's stand-in for {name} is only on servers khepri-db starts (the embedded engine, the "
            f"default, or --engine system), not on a server given by --db-url: use one of those, or {_REAL_ENGINE}."
        )
    why = _NO_STANDIN.get(name, f"khepri-db has no stand-in for {name} (docs/extensions/README.md lists them).")
    return f"{why} To apply these migrations, {_REAL_ENGINE}."


_CONTEXT_LINE = re.compile(r"(?:inline_code_block|function [^\n]*?) line (\d+)")


def _error_line(file_sql: str, statement: Statement, diag: Any, *, base: int = 0, batch: str | None = None) -> int:
    """Map a Postgres error inside ``statement`` to a line of the file.

    Uses the error position when Postgres gives one (the failing token: syntax errors, unknown
    columns, also inside a PL/pgSQL body being created); for a runtime error in a DO block, the
    PL/pgSQL line from the error context, counted from the block's opening dollar quote; else the
    statement's first line that is not a comment.

    ``base`` is the offset of ``statement`` in the query text sent (``batch``, when it went with
    others: see :func:`_execute_batch`). PostgreSQL gives the position of an error in a function
    body only when the body occurs once in the query text; when it occurs again elsewhere in the
    batch, the position inside the body (``internal_position``) is mapped through the statement.
    """
    position = diag.statement_position
    if position:
        return line_at(file_sql, statement.offset + int(position) - 1 - base)
    body, inside = diag.internal_query, diag.internal_position
    if batch and body and inside and batch.count(body) > 1 and statement.text.count(body) == 1:
        return line_at(file_sql, statement.offset + statement.text.index(body) + int(inside) - 1)
    context = diag.context or ""
    match = _CONTEXT_LINE.search(context)
    if match and "inline_code_block" in context:
        dollar = re.search(r"\$[A-Za-z0-9_]*\$", statement.text)
        if dollar:
            body_start = line_at(file_sql, statement.offset + dollar.start())
            return body_start + int(match.group(1)) - 1
    return statement.code_line


def _sql_error(exc: psycopg.Error) -> SqlErrorInfo:
    diag = exc.diag
    message = diag.message_primary or str(exc).strip().splitlines()[0]
    return SqlErrorInfo(diag.sqlstate, message, diag.message_detail, diag.message_hint, diag.context)


def _hint(info: SqlErrorInfo) -> str | None:
    """PostgreSQL's hint, else ours for the SQLSTATE; plus what :data:`_MORE_HINTS` adds (for an
    unavailable extension, what :func:`_extension_hint` says)."""
    state = info.sqlstate or ""
    extension = _extension_hint(info)
    if extension:
        return f"{info.hint} {extension}" if info.hint else extension
    more = _MORE_HINTS.get(state)
    if info.hint:
        return f"{info.hint} {more}" if more else info.hint
    return _HINTS.get(state) or more


def _execute(
    conn: psycopg.Connection,
    path: Path,
    sql_text: str,
    run: Sequence[tuple[int, Statement]],
    *,
    batch: bool = True,
) -> None:
    """Run ``run`` (statements of ``path``) on ``conn``; raise :class:`MigrationError` on the first failure.

    With ``batch`` (and when :func:`_batchable`), the statements go to the server in one round trip
    (see :func:`_execute_batch`); else one by one. Either way the statements run in order, each as
    its own statement, and a failure names the same statement, line and error.

    Raises:
        MigrationError: a statement failed.
        _UnparsedBatchError: (``batch`` only) the server refused to parse the batch, so none of it ran:
            the caller rolls the transaction back and calls again with ``batch=False``.
    """
    if batch and _batchable(conn, run):
        _execute_batch(conn, path, sql_text, run)
        return
    for index, statement in run:
        try:
            conn.execute(statement.text)
        except psycopg.Error as exc:
            info = _sql_error(exc)
            raise MigrationError(
                path,
                _error_line(sql_text, statement, exc.diag),
                index,
                info,
                hint=_hint(info),
            ) from exc


class _UnparsedBatchError(Exception):
    """A batch failed while the server parsed it (a syntax error somewhere in it), before any of it
    ran: run the statements again one by one, so that a statement before the bad one fails first,
    as it would have."""


_BATCH_MARKER = "select"
"""Sent first in a batch: it always succeeds once the batch is parsed, so a batch that returns no
result at all failed while PostgreSQL parsed it (nothing ran), and the failing statement of any
other batch is the one after the last result."""

_BATCH_SEPARATOR = "\n;\n"
"""Between two statements of a batch (after a newline, so a trailing ``--`` comment ends first)."""

_BATCH_UNSAFE = ("standard_conforming_strings", "backslash_quote", "client_encoding")
"""Settings that change how PostgreSQL reads the text of later statements: PostgreSQL parses a
whole batch before it runs any of it, so a segment naming one (or ``set names``) runs statement by
statement."""

_SET_NAMES = re.compile(r"\bset\s+(?:session\s+|local\s+)?names\b")


def _changes_lexing(text: str) -> bool:
    """``text`` mentions a setting of :data:`_BATCH_UNSAFE` or ``set names``, anywhere."""
    lower = text.lower()
    return any(name in lower for name in _BATCH_UNSAFE) or ("names" in lower and _SET_NAMES.search(lower) is not None)


def _batchable(conn: psycopg.Connection, run: Sequence[tuple[int, Statement]]) -> bool:
    """Whether ``run`` may go to the server as one multi-statement query: more than one statement,
    PostgreSQL 13+ (where ``statement_timeout`` applies to each statement of a query string, not to
    the whole), ``standard_conforming_strings`` on, each statement one statement to PostgreSQL's
    lexer as well (:func:`khepri_db.core.sqltext.postgres_reads_as_one`), no ``copy`` (its data would
    follow on the wire) and no setting that changes how the text is read (:func:`_changes_lexing`)."""
    from khepri_db.core.sqltext import postgres_reads_as_one

    if len(run) < 2 or conn.info.server_version < 130000:
        return False
    if conn.info.parameter_status("standard_conforming_strings") != "on":
        return False
    return all(
        s.words(1) != ("COPY",) and not _changes_lexing(s.text) and postgres_reads_as_one(s.text) for _, s in run
    )


def _execute_batch(conn: psycopg.Connection, path: Path, sql_text: str, run: Sequence[tuple[int, Statement]]) -> None:
    """Run ``run`` as one simple-protocol query (one round trip instead of one per statement).

    PostgreSQL parses the whole query string, then runs its statements one after the other, each
    with its own snapshot and, inside the caller's transaction, stopping at the first error; the
    results say how many statements succeeded, so the error is the next one's. Error positions are
    counted from the start of the batch and are mapped back to the statement.

    Raises:
        MigrationError: a statement failed (the transaction is aborted; the caller rolls it back).
        _UnparsedBatchError: the batch did not parse, so nothing of it ran.
    """
    from psycopg import errors as pg_errors
    from psycopg import pq
    from psycopg.generators import execute

    starts: list[int] = []
    parts = [_BATCH_MARKER]
    position = len(_BATCH_MARKER) + len(_BATCH_SEPARATOR)
    for _, statement in run:
        starts.append(position)
        parts.append(statement.text)
        position += len(statement.text) + len(_BATCH_SEPARATOR)
    query = _BATCH_SEPARATOR.join(parts)
    encoding = conn.info.encoding
    try:
        with conn.lock:
            conn.pgconn.send_query(query.encode(encoding))
            results = conn.wait(execute(conn.pgconn))
    except psycopg.Error as exc:  # the connection broke: which statement was running is unknown
        info = _sql_error(exc)
        raise MigrationError(path, None, None, info, hint=_hint(info)) from exc
    done = 0
    ok = (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK, pq.ExecStatus.EMPTY_QUERY)
    for result in results:
        if result.status == pq.ExecStatus.FATAL_ERROR:
            break
        if result.status not in ok:
            raise _unexpected(path, f"the server answered a statement with {result.status.name}")
        done += 1
    else:
        if done == len(parts):
            return
        raise _unexpected(path, f"the server ran {done} statements of {len(parts)}")
    if done == 0:
        raise _UnparsedBatchError
    exc = pg_errors.error_from_result(result, encoding=encoding)
    index, statement = run[done - 1]
    info = _sql_error(exc)
    line = _error_line(sql_text, statement, exc.diag, base=starts[done - 1], batch=query)
    raise MigrationError(path, line, index, info, hint=_hint(info)) from exc


def _unexpected(path: Path, what: str) -> MigrationError:
    """A batch the server did not run statement for statement (never seen: :func:`_batchable`
    sends only statements PostgreSQL reads as they were split)."""
    return MigrationError(
        path,
        None,
        None,
        SqlErrorInfo(None, f"{what} (sent together in one query string); the file's transaction is rolled back"),
        hint="this transaction of the file was rolled back; please report this to khepri-db with the file",
    )


def _invalid_indexes(conn: psycopg.Connection) -> set[int]:
    return {r[0] for r in conn.execute("select indexrelid::int8 from pg_catalog.pg_index where not indisvalid")}


def _execute_outside(conn: psycopg.Connection, path: Path, sql_text: str, run: Sequence[tuple[int, Statement]]) -> None:
    """Run one statement outside a transaction; if it fails, drop the INVALID indexes a failed
    ``create index concurrently`` / ``reindex concurrently`` left behind, so a rerun starts clean."""
    before = _invalid_indexes(conn)
    try:
        _execute(conn, path, sql_text, run)
    except MigrationError:
        for oid in sorted(_invalid_indexes(conn) - before):
            name = conn.execute("select %s::oid::regclass::text", (oid,)).fetchone()
            if name:
                conn.execute(f"drop index concurrently if exists {name[0]}")
        raise


def _record(
    conn: psycopg.Connection, file: MigrationFile, duration_ms: float, *, outside: bool = False, segmented: bool = False
) -> None:
    try:
        _insert_history(conn, file, duration_ms)
    except psycopg.Error as exc:
        info = _sql_error(exc)
        if outside:
            kept = (
                "its one statement ran outside a transaction and stays applied: record it with "
                f"`supabase migration repair --status applied {file.version}`; "
            )
        elif segmented:
            kept = ""  # the error names the committed lines
        else:
            kept = "nothing of the file was kept (its transaction was rolled back); "
        raise MigrationError(
            file.path,
            None,
            None,
            SqlErrorInfo(info.sqlstate, f"writing its history row failed: {info.message}", info.detail, info.hint),
            hint=f"{kept}check supabase_migrations.schema_migrations (permissions, triggers)",
        ) from exc


def _run_in_transactions(
    conn: psycopg.Connection, path: Path, sql_text: str, plan: ExecutionPlan, record: Callable[[], None]
) -> None:
    """Run ``plan.segments``, each in a transaction of its own, and ``record()`` (the file's history
    row) in the last one; so the file is recorded only when all of it applied.

    Raises:
        MigrationError: a statement (or ``record``) failed; its segment was rolled back. When
            earlier segments were committed, the error's ``committed_lines`` names them.
    """
    committed: tuple[int, int] | None = None
    last = len(plan.segments) - 1
    for number, segment in enumerate(plan.segments):
        try:
            try:
                with conn.transaction():
                    _execute(conn, path, sql_text, segment)
                    if number == last:
                        record()
            except _UnparsedBatchError:  # nothing of the segment ran: again, so the first failure is found
                with conn.transaction():
                    _execute(conn, path, sql_text, segment, batch=False)
                    if number == last:
                        record()
        except MigrationError as exc:
            if committed is None:
                raise
            raise _after_commit(exc, committed) from exc
        if number < last:
            committed = (1, plan.commits[number][1].code_line)


def _after_commit(exc: MigrationError, committed: tuple[int, int]) -> MigrationError:
    """``exc`` again, saying which lines of the file its own ``commit`` kept applied."""
    first, last = committed
    hint = (
        f"lines {first}-{last} stay applied and the file is not recorded, so the next run applies it again "
        "from its first line: undo them, or make those statements idempotent (e.g. `alter type ... add value "
        "if not exists`), before you run it again"
    )
    return MigrationError(
        exc.path,
        exc.line,
        exc.statement_index,
        exc.sql_error,
        hint=f"{exc.hint}; {hint}" if exc.hint else hint,
        committed_lines=committed,
    )


def _insert_history(conn: psycopg.Connection, file: MigrationFile, duration_ms: float) -> None:
    """Write the file's history row and khepri-db's facts row: the two inserts in one round trip
    (one query string, values as literals), the first one first."""
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


def apply_file(conn: psycopg.Connection, file: MigrationFile) -> AppliedFile:
    """Apply one migration file and record it in the history.

    Args:
        conn: an autocommit connection (transactions are managed here).
        file: the migration.

    Returns:
        What was applied and how long it took.

    Raises:
        MigrationError: a statement failed; the file's transaction was rolled back, so neither its
            changes nor a history row remain (for a file run outside a transaction: the one
            statement failed, nothing was recorded, and no INVALID index is left; for a file that
            commits on its own, see :func:`plan_file`: the segments before the failing one stay
            applied and the error's ``committed_lines`` names their lines). Also raised, before
            anything runs, for a file :func:`plan_file` refuses.
        UsageError: a ``no-transaction`` file holds more than one statement.
    """
    plan = file.plan
    started = time.perf_counter()
    if plan.mode is RunMode.TRANSACTION:

        def record() -> None:
            nonlocal duration
            duration = (time.perf_counter() - started) * 1000
            _record(conn, file, duration, segmented=len(plan.segments) > 1)

        duration = 0.0
        _run_in_transactions(conn, file.path, file.sql, plan, record)
    else:
        _execute_outside(conn, file.path, file.sql, plan.run)
        duration = (time.perf_counter() - started) * 1000
        with conn.transaction():
            _record(conn, file, duration, outside=True)
    return AppliedFile(file.version, file.name, file.path, duration, len(file.statements))


def _server_settings(conn: psycopg.Connection, search_path: str | None) -> None:
    """Reset the session as ``supabase db push`` does before each file (``RESET ALL``), then set
    what khepri-db's session needs: the client check that frees the lock of a killed run, and
    Supabase's search_path on a target with the compatibility layer."""
    from psycopg import sql

    settings: list[sql.Composable] = []
    if conn.info.server_version >= 140000:
        interval = sql.Literal(CHECK_CLIENT_INTERVAL)
        settings.append(sql.SQL("set_config('client_connection_check_interval', {}, false)").format(interval))
    if search_path is not None:
        settings.append(sql.SQL("set_config('search_path', {}, false)").format(sql.Literal(search_path)))
    query = sql.SQL("reset all")  # one round trip: `reset all` first, then one select of the settings
    if settings:
        query = sql.SQL("{};\nselect {}").format(query, sql.SQL(", ").join(settings))
    conn.execute(query)


_LOCK_HOLDER = """
select l.pid, a.application_name, a.state, a.query, extract(epoch from now() - a.query_start)::float8
from pg_catalog.pg_locks l left join pg_catalog.pg_stat_activity a on a.pid = l.pid
where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_catalog.pg_database
    where datname = current_database())
  and l.classid = (%s >> 32)::oid and l.objid = (%s & 4294967295)::oid and l.objsubid = 1
limit 1
"""

LOCK_POLL_S = 0.2
"""How often a waiting run retries the migration lock (seconds)."""


def _describe_holder(holder: tuple[Any, ...] | None) -> str:
    if holder is None:
        return "another khepri-db migrate"
    pid, application, state, query, seconds = holder
    text = " ".join((query or "").split())
    text = text if len(text) <= 160 else text[:157] + "..."
    since = f" for {seconds:.0f} s" if seconds is not None else ""
    app_name = f" ({application})" if application else ""
    doing = f"{state}{since}: {text}" if state == "active" else f"{state or 'unknown state'}{since}"
    return f"backend pid {pid}{app_name}, {doing}"


def _acquire_lock(conn: psycopg.Connection, timeout_s: float, progress: Progress) -> None:
    """Take the session advisory lock :data:`LOCK_KEY`, waiting up to ``timeout_s`` seconds, and
    report the holder (pid, what it runs) whenever it changes while waiting."""
    deadline = time.monotonic() + timeout_s
    reported: tuple[Any, ...] | None = None
    holder: tuple[Any, ...] | None = None
    while True:
        if conn.execute("select pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone() == (True,):
            return
        holder = conn.execute(_LOCK_HOLDER, (LOCK_KEY, LOCK_KEY)).fetchone()
        key = holder[:4] if holder else None
        if key != reported:
            progress(f"waiting for the migration lock, held by {_describe_holder(holder)} ...")
            reported = key
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise LockTimeoutError(
                f"the migration lock was held for more than {timeout_s:g} s, by {_describe_holder(holder)}",
                hint="wait for it to finish, raise --lock-timeout, or end that backend "
                "(`select pg_terminate_backend(<pid>)`) if its client is gone",
            )
        time.sleep(min(LOCK_POLL_S, remaining))


def _prepare_target(
    conn: psycopg.Connection, target: TargetInfo, *, use_compat: bool, dry_run: bool, progress: Progress
) -> tuple[str, list[str]]:
    """Install or upgrade the compatibility layer when the target needs it; return (action, warnings)."""
    warnings: list[str] = []
    if target.kind is TargetKind.SUPABASE:
        return "not needed", warnings
    if target.kind is TargetKind.FOREIGN_AUTH:
        warnings.append(
            "schema auth exists but is neither Supabase's nor khepri-db's; the compatibility layer "
            "was not installed, so migrations that expect Supabase's auth.users may fail"
        )
        return "skipped", warnings
    if not use_compat:
        if target.kind is TargetKind.VANILLA:
            warnings.append("--no-compat: Supabase roles, auth and storage were not installed")
        return ("present" if target.kind is TargetKind.COMPAT else "skipped"), warnings
    if target.kind is TargetKind.COMPAT and (target.compat_version or 0) >= COMPAT_VERSION:
        return "present", warnings
    action = "upgraded" if target.kind is TargetKind.COMPAT else "installed"
    if dry_run:
        return f"would be {action}", warnings
    progress(f"installing the Supabase compatibility layer v{COMPAT_VERSION} (vanilla PostgreSQL, not Supabase)")
    install(conn)
    return action, warnings


def _check_order(status: MigrationStatus, include_all: bool) -> None:
    missing = status.by_state(MigrationState.MISSING_LOCALLY)
    if missing:
        versions = ", ".join(e.version for e in missing)
        raise MigrationOrderError(
            f"the database has migrations with no local file in {status.directory}: {versions}",
            hint="restore those files (e.g. `supabase migration fetch`), or, if they were abandoned, "
            f"`supabase migration repair --status reverted {versions}`",
        )
    late = status.by_state(MigrationState.OUT_OF_ORDER)
    if late and not include_all:
        files = ", ".join(e.path.name for e in late if e.path)
        raise MigrationOrderError(
            f"local migrations older than the newest applied version are not applied yet: {files}",
            hint="rerun with --include-all to apply them (as `supabase db push --include-all`)",
        )


def migrate(
    url: str,
    directory: Path,
    *,
    dry_run: bool = False,
    include_all: bool = False,
    seed_files: Sequence[Path] = (),
    seed_key: Callable[[Path], str] = lambda p: p.as_posix(),
    use_compat: bool = True,
    lock_timeout_s: float = 300.0,
    progress: Progress | None = None,
) -> MigrateResult:
    """Bring the database at ``url`` up to date with the migrations in ``directory``.

    Args:
        url: target database URL (a session connection: not Supabase's transaction pooler).
        directory: the migrations directory.
        dry_run: report what would happen; write nothing (no lock, no compatibility layer).
        include_all: also apply pending files older than the newest applied version.
        seed_files: seed files to run after the migrations (``--include-seed``). A seed file is
            recorded in ``supabase_migrations.seed_files`` by ``seed_key(path)`` and its sha256, and
            not run again while unchanged; a changed one is re-recorded but not re-run, as
            ``supabase db push --include-seed`` does.
        seed_key: how a seed file is named in ``seed_files`` (the Supabase CLI records the path
            relative to the project, e.g. ``supabase/seed.sql``).
        use_compat: install the Supabase compatibility layer on vanilla PostgreSQL.
        lock_timeout_s: how long to wait for another migrate run on the same database (seconds).
        progress: receives one-line progress messages.

    Returns:
        A :class:`MigrateResult`.

    Raises:
        ConnectionFailedError: the database cannot be reached.
        UsageError: bad directory, duplicate versions, a transaction-pooler URL, or a malformed
            ``no-transaction`` file.
        MigrationOrderError: history and files disagree (see module docstring).
        MigrationError: a migration or seed file failed; it was rolled back and the run stopped.
            Files applied before it stay applied.
        LockTimeoutError: another run held the lock for longer than ``lock_timeout_s``.
        CompatError: the compatibility layer could not be installed.
    """
    say = progress or (lambda _m: None)
    require_session_connection(url, "migrate")
    files, ignored = discover(directory)
    for item in ignored:
        say(f"ignoring {item.path.name}: {item.reason}")
    with connect(url, autocommit=True) as conn:
        conn.prepare_threshold = None
        _server_settings(conn, None)
        target = detect(conn)
        if dry_run:
            compat_action, warnings = _prepare_target(conn, target, use_compat=use_compat, dry_run=True, progress=say)
            status = compare(files, ignored, read_history(conn), directory)
            _check_order(status, include_all)
            pending_versions = {e.version for e in status.by_state(MigrationState.PENDING, MigrationState.OUT_OF_ORDER)}
            result = MigrateResult(target, compat_action, warnings=warnings, dry_run=True)
            result.pending = [f for f in files if f.version in pending_versions]
            for file in result.pending:
                _ = file.plan  # a file that would be refused is reported now
            result.warnings.extend(w for f in result.pending for w in plan_warnings(f.path, f.plan))
            return result

        _acquire_lock(conn, lock_timeout_s, say)
        try:
            status = compare(files, ignored, read_history(conn), directory)
            _check_order(status, include_all)
            todo = {e.version for e in status.by_state(MigrationState.PENDING, MigrationState.OUT_OF_ORDER)}
            pending = [f for f in files if f.version in todo]
            for file in pending:
                _ = file.plan  # refuse a malformed file before anything of the run is written
            compat_action, warnings = _prepare_target(conn, target, use_compat=use_compat, dry_run=False, progress=say)
            # Supabase's search_path for the migrating role (extensions resolve unqualified), set again
            # after every RESET ALL: on Supabase it is the role's default, which RESET ALL restores.
            with_compat = compat_action in {"installed", "upgraded", "present"}
            search_path = '"$user", public, extensions' if with_compat else None
            ensure_history_tables(conn)
            for entry in status.by_state(MigrationState.CHANGED):
                warnings.append(f"{entry.path}: {entry.detail} (drift; applied migrations are never re-run)")
            warnings.extend(w for f in pending for w in plan_warnings(f.path, f.plan))
            if compat_action in {"installed", "upgraded"}:
                target = detect(conn)
            result = MigrateResult(target, compat_action, warnings=warnings)
            if pending:
                say(f"applying {len(pending)} migration(s) from {directory}")
            for file in pending:
                commits = file.plan.commit_lines
                if commits:
                    lines = ("line " if len(commits) == 1 else "lines ") + ", ".join(str(n) for n in commits)
                    say(f"applying {file.filename} in {len(commits) + 1} transactions (it commits at {lines}) ...")
                else:
                    say(f"applying {file.filename} ...")
                _server_settings(conn, search_path)
                applied = apply_file(conn, file)
                say(f"applied {file.filename} ({applied.duration_ms:.0f} ms, {applied.statements} statements)")
                result.applied.append(applied)
            if seed_files:
                _seed(conn, seed_files, seed_key, result, say)
            return result
        finally:
            if not conn.closed:
                conn.execute("select pg_advisory_unlock(%s)", (LOCK_KEY,))


def seed_path_key(path: Path, project_root: Path) -> str:
    """How ``supabase_migrations.seed_files`` names a seed file: its path relative to the project it
    belongs to, as the Supabase CLI records ``[db.seed] sql_paths`` (``supabase/seed.sql``), whatever
    the current directory.

    Args:
        path: the seed file (relative to the current directory, or absolute).
        project_root: the current project's root.

    Returns:
        The path relative to the nearest ancestor of the file that holds a ``supabase/`` directory;
        without one, relative to ``project_root`` when the file is inside it; else absolute (as the
        CLI keeps an absolute ``sql_paths`` entry). POSIX separators.
    """
    resolved = path.resolve()
    owner = find_project_root(resolved.parent)
    for root in ((owner,) if (owner / "supabase").is_dir() else ()) + (project_root.resolve(),):
        try:
            return resolved.relative_to(root).as_posix()
        except ValueError:
            continue
    return resolved.as_posix()


def _seed(
    conn: psycopg.Connection,
    seed_files: Sequence[Path],
    seed_key: Callable[[Path], str],
    result: MigrateResult,
    say: Progress,
    *,
    rerun_changed: bool = False,
    force: bool = False,
) -> None:
    with conn.transaction():
        _run_sql_file(conn, bundled_path("sql", "migrations", "seed_files.sql"))
    recorded = dict(conn.execute("select path, hash from supabase_migrations.seed_files").fetchall())
    upsert = (
        "insert into supabase_migrations.seed_files (path, hash) values (%s, %s) "
        "on conflict (path) do update set hash = excluded.hash"
    )
    for path in seed_files:
        key = seed_key(path)
        data = path.read_bytes()
        text = decode_sql(path, data)
        digest = _sha256(data)
        if not force and recorded.get(key) == digest:
            result.seeds_skipped.append((path, "already applied and unchanged"))
            continue
        if not force and not rerun_changed and key in recorded:
            with conn.transaction():
                conn.execute(upsert, (key, digest))
            result.seeds_skipped.append(
                (path, "changed since it was applied: recorded, not re-run (as `supabase db push --include-seed`)")
            )
            continue
        say(f"seeding {key} ...")
        started = time.perf_counter()
        statements = split_statements(text)
        plan = plan_file(path, statements)
        for warning in plan_warnings(path, plan):
            result.warnings.append(warning)
            say(f"warning: {warning}")
        if plan.mode is RunMode.OUTSIDE:
            _execute_outside(conn, path, text, plan.run)
            with conn.transaction():
                conn.execute(upsert, (key, digest))
        else:
            _run_in_transactions(conn, path, text, plan, lambda: conn.execute(upsert, (key, digest)))  # noqa: B023
        result.seeded.append(AppliedFile(None, key, path, (time.perf_counter() - started) * 1000, len(statements)))


def seed(
    url: str,
    seed_files: Sequence[Path],
    *,
    seed_key: Callable[[Path], str] = lambda p: p.as_posix(),
    force: bool = False,
    lock_timeout_s: float = 300.0,
    progress: Progress | None = None,
) -> MigrateResult:
    """Run seed files (``khepri-db seed``): new and changed ones, or all with ``force``.

    Each file runs in one transaction with its ``supabase_migrations.seed_files`` row (path as
    ``seed_key`` gives it, sha256). Unlike ``migrate(include_seed)``, which follows
    ``supabase db push --include-seed`` and never re-runs a changed seed, this re-runs changed files,
    as ``supabase db reset`` would: seed files should be idempotent.

    Args:
        url: target database URL (migrated).
        seed_files: the files, in order.
        seed_key: how a file is recorded (e.g. ``supabase/seed.sql``).
        force: run every file, even unchanged ones.
        lock_timeout_s: how long to wait for a concurrent migrate/seed (seconds).
        progress: one-line progress messages.

    Returns:
        A :class:`MigrateResult` whose ``seeded`` and ``seeds_skipped`` say what happened.

    Raises:
        MigrationError: a seed file failed (it was rolled back; earlier files stay applied).
        ConnectionFailedError, UsageError, LockTimeoutError: as for :func:`migrate`.
    """
    say = progress or (lambda _m: None)
    require_session_connection(url, "seed")
    with connect(url, autocommit=True) as conn:
        conn.prepare_threshold = None
        _server_settings(conn, None)
        result = MigrateResult(detect(conn), "present")
        _acquire_lock(conn, lock_timeout_s, say)
        try:
            _seed(conn, seed_files, seed_key, result, say, rerun_changed=True, force=force)
        finally:
            if not conn.closed:
                conn.execute("select pg_advisory_unlock(%s)", (LOCK_KEY,))
        return result
