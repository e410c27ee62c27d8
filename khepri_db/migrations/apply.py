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
  Before each file the session is reset (``RESET ALL``, as ``supabase db push`` does, and the
  role and session authorization, which it keeps), so a ``set_config`` or ``set role`` in one file
  never reaches the next.
* Transaction statements in a file (see :func:`plan_file`): ``begin; ... commit;`` pairs (also
  ``start transaction`` / ``end``), around the whole file or in the middle of it, leave the file in
  its one transaction with its history row; the role the block set for its transaction goes back, at
  its ``commit``, to what it was at its ``begin``, as the CLI's commit would end it. A ``commit``
  that closes no ``begin`` (as after ``alter type ... add value``, so that the file can use the new
  value) splits the file, as
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

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from khepri_db.core.db import connect, refuse_unsuitable_target, require_session_connection
from khepri_db.core.errors import (
    LockTimeoutError,
    MigrationError,
    MigrationOrderError,
    SqlErrorInfo,
)
from khepri_db.core.sqltext import Statement
from khepri_db.migrations._hints import _error_line, _hint, _sql_error
from khepri_db.migrations.compat import COMPAT_VERSION, TargetInfo, TargetKind, detect, install
from khepri_db.migrations.files import MigrationFile, discover
from khepri_db.migrations.history import _insert_history, ensure_history_tables, read_history
from khepri_db.migrations.plan import ExecutionPlan, RunMode, plan_warnings
from khepri_db.migrations.status import MigrationState, MigrationStatus, compare_kept

LOCK_KEY = 0x6B68_6570_7269_0001  # "khepri" + 1: the advisory lock all migrate runs share
"""Key of the session-level advisory lock held while migrating one database."""

Progress = Callable[[str], None]


CHECK_CLIENT_INTERVAL = "1s"
"""``client_connection_check_interval`` of the migrating session (PostgreSQL 14+): a backend whose
client died ends its statement, and releases the advisory lock, within this interval."""


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
    conn: psycopg.Connection,
    path: Path,
    sql_text: str,
    plan: ExecutionPlan,
    record: Callable[[], None],
    committing: Callable[[int | None], None] | None = None,
) -> None:
    """Run ``plan.segments``, each in a transaction of its own, and ``record()`` (the file's history
    row) in the last one; so the file is recorded only when all of it applied. ``committing``, when
    given, is called inside each segment's transaction before it commits: with the file's last line
    that commit keeps applied, or ``None`` in the last segment (the whole file is then applied).

    Raises:
        MigrationError: a statement (or ``record``) failed; its segment was rolled back. When
            earlier segments were committed, the error's ``committed_lines`` names them.
    """
    committed: tuple[int, int] | None = None
    last = len(plan.segments) - 1

    def finish(number: int) -> None:
        if number == last:
            record()
        if committing is not None and last > 0:
            committing(None if number == last else plan.commits[number][1].code_line)

    for number, segment in enumerate(plan.segments):
        try:
            try:
                with conn.transaction():
                    _execute(conn, path, sql_text, segment)
                    finish(number)
            except _UnparsedBatchError:  # nothing of the segment ran: again, so the first failure is found
                with conn.transaction():
                    _execute(conn, path, sql_text, segment, batch=False)
                    finish(number)
        except MigrationError as exc:
            if committed is None:
                raise
            raise _after_commit(exc, committed) from exc
        if number < last:
            committed = (1, plan.commits[number][1].code_line)


def _note_partial(conn: psycopg.Connection, file: MigrationFile, committed_through: int | None) -> None:
    """Record (``committed_through``: the last line a ``commit`` keeps) or clear (``None``: the file
    is applied) the file's row in ``supabase_migrations.khepri_partial_migrations``, inside the
    segment's transaction, so ``khepri-db status`` can say which lines a failed run left applied.
    Best effort: in a savepoint, and skipped if it fails (a file that changed role, or dropped the
    table), never failing the migration itself."""
    if committed_through is None:
        query = "delete from supabase_migrations.khepri_partial_migrations where version = %s"
        params: tuple[Any, ...] = (file.version,)
    else:
        query = (
            "insert into supabase_migrations.khepri_partial_migrations (version, sha256, committed_through_line) "
            "values (%s, %s, %s) on conflict (version) do update set sha256 = excluded.sha256, "
            "committed_through_line = excluded.committed_through_line, recorded_at = now()"
        )
        params = (file.version, file.sha256, committed_through)
    try:
        with conn.transaction():
            conn.execute(query, params)
    except psycopg.Error:
        return


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
        _run_in_transactions(conn, file.path, file.sql, plan, record, lambda line: _note_partial(conn, file, line))
    else:
        _execute_outside(conn, file.path, file.sql, plan.run)
        duration = (time.perf_counter() - started) * 1000
        with conn.transaction():
            _record(conn, file, duration, outside=True)
    return AppliedFile(file.version, file.name, file.path, duration, len(file.statements))


def _server_settings(conn: psycopg.Connection, search_path: str | None) -> None:
    """Reset the session before each file: ``RESET ALL`` as ``supabase db push`` does, and the role
    and session authorization (which ``RESET ALL`` keeps), then set what khepri-db's session
    needs: the client check that frees the lock of a killed run, and Supabase's search_path on a
    target with the compatibility layer."""
    from psycopg import sql

    settings: list[sql.Composable] = []
    if conn.info.server_version >= 140000:
        interval = sql.Literal(CHECK_CLIENT_INTERVAL)
        settings.append(sql.SQL("set_config('client_connection_check_interval', {}, false)").format(interval))
    if search_path is not None:
        settings.append(sql.SQL("set_config('search_path', {}, false)").format(sql.Literal(search_path)))
    # One round trip. RESET ALL leaves the role and the session authorization alone: a file ending
    # in `set role supabase_admin` would otherwise make the next file's objects that role's.
    query = sql.SQL("set session authorization default;\nreset role;\nreset all")
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
        versions = [e.version for e in missing]
        raise MigrationOrderError(
            f"the database has {len(versions)} migration(s) with no local file in {status.directory}: "
            f"{_some(versions)}",
            hint="restore those files (e.g. `supabase migration fetch`), or, if they were abandoned, "
            f"`supabase migration repair --status reverted {' '.join(versions[:SHOWN_IN_MESSAGES])}"
            f"{' ...' if len(versions) > SHOWN_IN_MESSAGES else ''}`",
        )
    late = status.by_state(MigrationState.OUT_OF_ORDER)
    if late and not include_all:
        files = [e.path.name for e in late if e.path]
        raise MigrationOrderError(
            f"{len(files)} local migration(s) older than the newest applied version are not applied yet: "
            f"{_some(files)}",
            hint="rerun with --include-all to apply them (as `supabase db push --include-all`)",
        )


SHOWN_IN_MESSAGES = 5
"""How many names an error message lists before it says how many more there are (`khepri-db status`
lists them all): a message stays one readable line in a CI log."""


def _some(names: Sequence[str]) -> str:
    """The first :data:`SHOWN_IN_MESSAGES` of ``names``, then how many more (``khepri-db status`` lists them)."""
    shown = ", ".join(names[:SHOWN_IN_MESSAGES])
    if len(names) <= SHOWN_IN_MESSAGES:
        return shown
    return f"{shown}, ... ({len(names) - SHOWN_IN_MESSAGES} more: `khepri-db status` lists them)"


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
    from khepri_db.migrations.seed import _seed  # seed runs files with this module's executors

    say = progress or (lambda _m: None)
    require_session_connection(url, "migrate")
    files, ignored = discover(directory)
    for item in ignored:
        say(f"ignoring {item.path.name}: {item.reason}")
    with connect(url, autocommit=True) as conn:
        # A dry run writes nothing but sets session settings: a transaction-mode pooler would hand
        # them to other clients, so it is refused too.
        refuse_unsuitable_target(conn, url, "migrate", writes=not dry_run)
        _server_settings(conn, None)
        target = detect(conn)
        if dry_run:
            compat_action, warnings = _prepare_target(conn, target, use_compat=use_compat, dry_run=True, progress=say)
            status = compare_kept(files, ignored, read_history(conn), directory)
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
            status = compare_kept(files, ignored, read_history(conn), directory)
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
            for number, file in enumerate(pending):
                commits = file.plan.commit_lines
                parts = ""
                if commits:
                    lines = ("line " if len(commits) == 1 else "lines ") + ", ".join(str(n) for n in commits)
                    parts = f", in {len(commits) + 1} transactions: it commits at {lines}"
                _server_settings(conn, search_path)
                try:
                    applied = apply_file(conn, file)
                except MigrationError:
                    left = len(pending) - number - 1
                    say(f"✗ {file.filename} failed: {number} applied before it, {left} not run")
                    raise
                # one line per file, after it ran (a CI log of hundreds of files stays readable)
                say(f"✓ {file.filename} ({applied.duration_ms:.0f} ms, {applied.statements} statements{parts})")
                result.applied.append(applied)
            if seed_files:
                _seed(conn, seed_files, seed_key, result, say)
            return result
        finally:
            if not conn.closed:
                conn.execute("select pg_advisory_unlock(%s)", (LOCK_KEY,))
