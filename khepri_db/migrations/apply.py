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
  transaction go to the server in one round trip (PostgreSQL 13+;
  :func:`~khepri_db.migrations.execute.batchable`), one by one where PostgreSQL might read their
  text otherwise than the CLI's splitter cut it; either way they run as separate statements, in
  order, and a failure names the same statement and line. Before each file the session is reset
  (``RESET ALL``, as ``supabase db push`` does, and the role and session authorization, which it
  keeps), so a ``set_config`` or ``set role`` in one file never reaches the next. How the
  statements run is :mod:`khepri_db.migrations.execute`'s job, shared with ``seed``.
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

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psycopg

from khepri_db.core.db import connect, refuse_unsuitable_target, require_session_connection
from khepri_db.core.errors import MigrationError, MigrationOrderError, SqlErrorInfo
from khepri_db.migrations._hints import sql_error
from khepri_db.migrations.compat import COMPAT_VERSION, TargetInfo, TargetKind, detect, install
from khepri_db.migrations.execute import (
    Progress,
    acquire_lock,
    execute_outside,
    release_lock,
    reset_session,
    run_in_transactions,
)
from khepri_db.migrations.files import MigrationFile, discover
from khepri_db.migrations.history import ensure_history_tables, insert_history, read_history
from khepri_db.migrations.plan import RunMode, plan_warnings
from khepri_db.migrations.result import AppliedFile, MigrateResult
from khepri_db.migrations.seed import run_seed_files
from khepri_db.migrations.status import MigrationState, MigrationStatus, compare_kept


def _record(
    conn: psycopg.Connection, file: MigrationFile, duration_ms: float, *, outside: bool = False, segmented: bool = False
) -> None:
    try:
        insert_history(conn, file, duration_ms)
    except psycopg.Error as exc:
        info = sql_error(exc)
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
        run_in_transactions(conn, file.path, file.sql, plan, record, lambda line: _note_partial(conn, file, line))
    else:
        execute_outside(conn, file.path, file.sql, plan.run)
        duration = (time.perf_counter() - started) * 1000
        with conn.transaction():
            _record(conn, file, duration, outside=True)
    return AppliedFile(file.version, file.name, file.path, duration, len(file.statements))


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
    say = progress or (lambda _m: None)
    require_session_connection(url, "migrate")
    files, ignored = discover(directory)
    for item in ignored:
        say(f"ignoring {item.path.name}: {item.reason}")
    with connect(url, autocommit=True) as conn:
        # A dry run writes nothing but sets session settings: a transaction-mode pooler would hand
        # them to other clients, so it is refused too.
        refuse_unsuitable_target(conn, url, "migrate", writes=not dry_run)
        reset_session(conn, None)
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

        acquire_lock(conn, lock_timeout_s, say)
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
                reset_session(conn, search_path)
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
                run_seed_files(conn, seed_files, seed_key, result, say)
            return result
        finally:
            release_lock(conn)
