"""Seed files (``[db.seed]`` sql_paths of supabase/config.toml), run and tracked in
``supabase_migrations.seed_files`` as the Supabase CLI does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import psycopg

from khepri_db.core.db import connect, refuse_unsuitable_target, require_session_connection
from khepri_db.core.project import bundled_path, find_project_root
from khepri_db.core.sqltext import split_statements
from khepri_db.migrations.compat import detect
from khepri_db.migrations.execute import (
    Progress,
    acquire_lock,
    execute_outside,
    release_lock,
    reset_session,
    run_in_transactions,
)
from khepri_db.migrations.files import decode_sql, sha256_hex
from khepri_db.migrations.history import run_sql_file
from khepri_db.migrations.plan import RunMode, plan_file, plan_warnings
from khepri_db.migrations.result import AppliedFile, MigrateResult


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


def run_seed_files(
    conn: psycopg.Connection,
    seed_files: Sequence[Path],
    seed_key: Callable[[Path], str],
    result: MigrateResult,
    say: Progress,
    *,
    rerun_changed: bool = False,
    force: bool = False,
) -> None:
    """Run the seed files that are due on ``conn`` (an autocommit connection holding the migration
    lock), each in one transaction with its ``supabase_migrations.seed_files`` row (created if
    missing), and note in ``result`` what ran (``seeded``, with durations in milliseconds), what did
    not and why (``seeds_skipped``) and the plan's warnings.

    Args:
        conn: the session :func:`~khepri_db.migrations.execute.acquire_lock` locked.
        seed_files: the files, in order.
        seed_key: how a file is recorded (e.g. ``supabase/seed.sql``).
        result: the run's result, added to.
        say: one-line progress messages.
        rerun_changed: run a file whose recorded hash differs (``seed``, as ``supabase db reset``); without
            it such a file is recorded again but not run (``migrate --include-seed``, as
            ``supabase db push --include-seed``).
        force: run every file, even unchanged ones.

    Raises:
        MigrationError: a seed file failed (its transaction was rolled back; earlier files stay applied).
    """
    with conn.transaction():
        run_sql_file(conn, bundled_path("sql", "migrations", "seed_files.sql"))
    recorded = dict(conn.execute("select path, hash from supabase_migrations.seed_files").fetchall())
    upsert = (
        "insert into supabase_migrations.seed_files (path, hash) values (%s, %s) "
        "on conflict (path) do update set hash = excluded.hash"
    )
    for path in seed_files:
        key = seed_key(path)
        data = path.read_bytes()
        text = decode_sql(path, data)
        digest = sha256_hex(data)
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
            execute_outside(conn, path, text, plan.run)
            with conn.transaction():
                conn.execute(upsert, (key, digest))
        else:
            run_in_transactions(conn, path, text, plan, lambda: conn.execute(upsert, (key, digest)))  # noqa: B023
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
        refuse_unsuitable_target(conn, url, "seed")
        reset_session(conn, None)
        result = MigrateResult(detect(conn), "present")
        acquire_lock(conn, lock_timeout_s, say)
        try:
            run_seed_files(conn, seed_files, seed_key, result, say, rerun_changed=True, force=force)
        finally:
            release_lock(conn)
        return result
