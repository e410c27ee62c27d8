"""How a file's statements run: executors, the migration lock and the session reset, shared by
:mod:`~khepri_db.migrations.apply` (``migrate``) and :mod:`~khepri_db.migrations.seed` (``seed``).

After supabase/cli's ``pkg/migration/file.go``, where executing a file (``ExecBatch``) belongs to
the file, so that ``apply.go`` and ``seed.go`` stay small and independent of each other:

* :func:`execute_statements` runs a file's statements, in one round trip where PostgreSQL reads
  them as they were split (:func:`batchable`), else one by one; :func:`run_in_transactions` runs
  an :class:`~khepri_db.migrations.plan.ExecutionPlan` one transaction per segment with the file's
  record in the last; :func:`execute_outside` runs a file's one statement outside a transaction.
  Every failure is a :class:`~khepri_db.core.errors.MigrationError` naming file, line and SQLSTATE.
* :func:`reset_session` resets the session before each file (``RESET ALL``, as ``supabase db push``).
* :func:`acquire_lock` / :func:`release_lock`: the session advisory lock :data:`LOCK_KEY` that makes
  concurrent ``migrate`` and ``seed`` runs on one database wait for each other.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psycopg

from khepri_db.core.errors import LockTimeoutError, MigrationError, SqlErrorInfo
from khepri_db.core.sqltext import Statement
from khepri_db.migrations._hints import error_line, hint_for, sql_error
from khepri_db.migrations.plan import ExecutionPlan

LOCK_KEY = 0x6B68_6570_7269_0001  # "khepri" + 1: the advisory lock all migrate runs share
"""Key of the session-level advisory lock held while migrating one database."""

Progress = Callable[[str], None]
"""A one-line progress callback (a message, no newline); migrate, seed, db reset and db dump take one."""


CHECK_CLIENT_INTERVAL = "1s"
"""``client_connection_check_interval`` of the migrating session (PostgreSQL 14+): a backend whose
client died ends its statement, and releases the advisory lock, within this interval."""


def execute_statements(
    conn: psycopg.Connection,
    path: Path,
    sql_text: str,
    run: Sequence[tuple[int, Statement]],
    *,
    batch: bool = True,
) -> None:
    """Run ``run`` (statements of ``path``) on ``conn``; raise :class:`MigrationError` on the first failure.

    Args:
        conn: the connection, inside the caller's transaction (or in autocommit for one statement
            that must run outside one).
        path: the file, named in errors.
        sql_text: the file's whole text (error lines are counted in it).
        run: ``(index in the file, statement)`` pairs, in order.
        batch: allow one round trip for all of them.

    With ``batch`` (and when :func:`batchable`), the statements go to the server in one round trip
    (see :func:`_execute_batch`); else one by one. Either way the statements run in order, each as
    its own statement, and a failure names the same statement, line and error.

    Raises:
        MigrationError: a statement failed.
        _UnparsedBatchError: (``batch`` only) the server refused to parse the batch, so none of it ran:
            the caller rolls the transaction back and calls again with ``batch=False``.
    """
    if batch and batchable(conn, run):
        _execute_batch(conn, path, sql_text, run)
        return
    for index, statement in run:
        try:
            conn.execute(statement.text)
        except psycopg.Error as exc:
            info = sql_error(exc)
            raise MigrationError(
                path,
                error_line(sql_text, statement, exc.diag),
                index,
                info,
                hint=hint_for(info),
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


def batchable(conn: psycopg.Connection, run: Sequence[tuple[int, Statement]]) -> bool:
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
        info = sql_error(exc)
        raise MigrationError(path, None, None, info, hint=hint_for(info)) from exc
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
    info = sql_error(exc)
    line = error_line(sql_text, statement, exc.diag, base=starts[done - 1], batch=query)
    raise MigrationError(path, line, index, info, hint=hint_for(info)) from exc


def _unexpected(path: Path, what: str) -> MigrationError:
    """A batch the server did not run statement for statement (never seen: :func:`batchable`
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


def execute_outside(conn: psycopg.Connection, path: Path, sql_text: str, run: Sequence[tuple[int, Statement]]) -> None:
    """Run one statement outside a transaction; if it fails, drop the INVALID indexes a failed
    ``create index concurrently`` / ``reindex concurrently`` left behind, so a rerun starts clean.

    Args:
        conn: an autocommit connection.
        path, sql_text, run: as for :func:`execute_statements` (``run`` holds one statement).

    Raises:
        MigrationError: the statement failed.
    """
    before = _invalid_indexes(conn)
    try:
        execute_statements(conn, path, sql_text, run)
    except MigrationError:
        for oid in sorted(_invalid_indexes(conn) - before):
            name = conn.execute("select %s::oid::regclass::text", (oid,)).fetchone()
            if name:
                conn.execute(f"drop index concurrently if exists {name[0]}")
        raise


def run_in_transactions(
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
                    execute_statements(conn, path, sql_text, segment)
                    finish(number)
            except _UnparsedBatchError:  # nothing of the segment ran: again, so the first failure is found
                with conn.transaction():
                    execute_statements(conn, path, sql_text, segment, batch=False)
                    finish(number)
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


def reset_session(conn: psycopg.Connection, search_path: str | None) -> None:
    """Reset the session before each file: ``RESET ALL`` as ``supabase db push`` does, and the role
    and session authorization (which ``RESET ALL`` keeps), then set what khepri-db's session
    needs: the client check that frees the lock of a killed run, and Supabase's search_path on a
    target with the compatibility layer.

    Args:
        conn: an autocommit connection, outside any transaction.
        search_path: the ``search_path`` to set after the reset; ``None`` keeps the role's default.
    """
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


def acquire_lock(conn: psycopg.Connection, timeout_s: float, progress: Progress) -> None:
    """Take the session advisory lock :data:`LOCK_KEY`, waiting up to ``timeout_s`` seconds, and
    report the holder (pid, what it runs) through ``progress`` whenever it changes while waiting.
    Retried every :data:`LOCK_POLL_S` seconds; release it with :func:`release_lock`.

    Raises:
        LockTimeoutError: another session held it for longer than ``timeout_s`` (names the holder).
    """
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


def release_lock(conn: psycopg.Connection) -> None:
    """Release the lock :func:`acquire_lock` took; nothing when the connection is closed (the server
    ended the session, and the session's lock with it)."""
    if not conn.closed:
        conn.execute("select pg_advisory_unlock(%s)", (LOCK_KEY,))
