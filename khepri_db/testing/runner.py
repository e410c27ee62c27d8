"""``khepri-db test db``: a Supabase project's pgTAP files, run as ``supabase test db`` runs them.

``supabase test db`` (supabase/cli ``internal/db/test/test.go``) creates pgTAP (``create extension
if not exists pgtap with schema extensions``), runs ``pg_prove --ext .pg --ext .sql -r <paths>``
in the first path (its directory for a file; ``supabase/tests`` by default), with the connection
in libpq's environment variables, and drops pgTAP again if it created it.
pg_prove runs each file with ``psql --no-psqlrc --no-align --quiet --pset pager=off --pset
tuples_only=true --set ON_ERROR_STOP=1 --file <file>`` (TAP::Parser::SourceHandler::pgTAP) and
judges the TAP it prints. This module does the same with the same psql options
(:mod:`khepri_db.testing.psql`; the files as :mod:`khepri_db.testing.files` finds them), so a file runs
unchanged (psql meta-commands, ``\\i`` relative to the working directory, ``COPY ... FROM stdin``),
and judges the TAP with :mod:`khepri_db.testing.results`. Files run on separate connections, up to
``jobs`` at once (as ``pg_prove -j``).
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from khepri_db.core.db import (
    connect,
    create_database,
    drop_database,
    redact,
    refuse_unsuitable_target,
    transaction_pooler_evidence,
    with_database,
)
from khepri_db.core.errors import KhepriError, UsageError
from khepri_db.testing.psql import PSQL_OPTIONS, psql_environment, psql_executable
from khepri_db.testing.results import FileResult, SuiteResult, parse_tap

ENABLE_PGTAP = "create extension if not exists pgtap with schema extensions"
DISABLE_PGTAP = "drop extension if exists pgtap"

FILE_TIMEOUT_S = 3600


class PgtapUnavailableError(KhepriError):
    """The target server has no pgTAP to create (exit 2)."""

    exit_code = 2


@contextmanager
def pgtap_enabled(
    url: str, log: Callable[[str], None] | None = None, warn: Callable[[str], None] | None = None
) -> Iterator[bool]:
    """Create pgTAP in schema ``extensions`` for the duration of the block, as ``supabase test db`` does.

    Args:
        url: the database.
        log: progress messages.
        warn: receives the warning when pgTAP cannot be dropped afterwards (objects a test committed
            depend on it); as under the Supabase CLI, that does not change the run's outcome.

    Yields:
        True when this call created it (it is then dropped on exit), False when it was there already.

    Raises:
        PgtapUnavailableError: the server has no pgTAP (the hint says how to get it).
        ReadOnlyTargetError: the target is a hot standby or in read-only mode (pgTAP's plan lives in
            temporary tables, which neither can create).
        UsageError: the database has no schema ``extensions`` (not a Supabase database and no
            compatibility layer: run ``khepri-db migrate`` first).
    """
    say = log or (lambda _m: None)
    with connect(url, autocommit=True) as conn:
        # pgTAP keeps its plan in temporary tables: a hot standby (or read-only mode) cannot run a suite.
        refuse_unsuitable_target(conn, url, "test db", session=False)
        existed = conn.execute("select 1 from pg_catalog.pg_extension where extname = 'pgtap'").fetchone()
        if existed is None:
            try:
                conn.execute(ENABLE_PGTAP)
            except psycopg.errors.UndefinedFile as exc:
                raise pgtap_unavailable(url) from exc
            except psycopg.errors.FeatureNotSupported as exc:
                if "not available" in str(exc):
                    raise pgtap_unavailable(url) from exc
                raise
            except psycopg.errors.InvalidSchemaName as exc:
                raise UsageError(
                    f"{redact(url)} has no schema extensions, where `supabase test db` creates pgTAP",
                    hint="run `khepri-db migrate` first: it installs the Supabase compatibility layer on vanilla "
                    "PostgreSQL",
                ) from exc
            say("created extension pgtap in schema extensions (dropped again after the run)")
    try:
        yield existed is None
    finally:
        if existed is None:
            try:
                with connect(url, autocommit=True) as conn:
                    conn.execute(DISABLE_PGTAP)
            except psycopg.Error as exc:
                # As the Supabase CLI: a test that made objects depend on pgTAP (a test-helper
                # extension it committed) keeps it; the run's verdict stands.
                (warn or say)(f"failed to disable pgTAP: {str(exc).strip().splitlines()[0]}")


def pgtap_unavailable(url: str) -> PgtapUnavailableError:
    """The error for a server at ``url`` that has no pgTAP to create, with the hint to get it."""
    from khepri_db.engines.pgtap import INSTALL_HINT

    return PgtapUnavailableError(
        f"the server at {redact(url)} has no pgTAP extension to create",
        hint=INSTALL_HINT + "; khepri-db's own servers (embedded, system) pick it up at their next command",
    )


def run_file(path: Path, *, url: str, psql: Path, cwd: Path, display: str | None = None) -> FileResult:
    """Run one pgTAP file with psql as pg_prove runs it, and judge its TAP.

    Args:
        path: the file.
        url: the database to run it in.
        psql: the psql executable.
        cwd: the working directory (``\\i`` paths are relative to it).
        display: how reports name the file (default: ``str(path)``).

    Returns:
        The :class:`FileResult`; never raises for what the file does (a failing statement is
        psql's exit status 3 and the file's error).
    """
    lane = _Lane(url, psql, cwd, standby=False)
    try:
        return lane.run(path, display or str(path))
    finally:
        lane.close()


_SETTINGS_CHANGE = re.compile(r"\balter\s+(?:role|user|database)\b", re.IGNORECASE)
"""A file whose committed ``alter role/database ... set`` the next session must see at its start."""


_OWN_TRANSACTION = re.compile(r"^\s*(?:begin|start\s+transaction)\b", re.IGNORECASE | re.MULTILINE)
"""A file that opens its own transaction (pgTAP suites' ``begin; ... rollback;``)."""


_ENDS_IN_ROLLBACK = re.compile(r"^\s*rollback\b[^;]*;?\s*(?:--[^\n]*\s*)*\Z", re.IGNORECASE | re.MULTILINE)
"""A file whose last statement is ``rollback`` (comments after it aside)."""


def plan_file(path: Path, *, pooled: bool) -> tuple[str, bool]:
    """How :func:`run_suite` would run ``path``, for ``test db --dry-run``.

    Args:
        path: a test file.
        pooled: the target is a transaction-mode pooler.

    Returns:
        (a sentence saying how it runs and whether what it does stays, True when nothing it does
        stays: it rolls back its own transaction, or is wrapped in one that is rolled back).
    """
    text = _read_text(path)
    if _OWN_TRANSACTION.search(text):
        if _ENDS_IN_ROLLBACK.search(text):
            return "opens its own transaction and rolls it back: nothing stays", True
        return "opens its own transaction and does not end in rollback: what it commits stays", False
    if pooled:
        return "wrapped in begin; ... rollback; (transaction-mode pooler): nothing stays", True
    return "runs in autocommit: every statement it runs is committed", False


class _Lane:
    """Runs files one after the other against one database, each in a new psql session.

    Each file gets its own psql process and connection, as under pg_prove (``psql --file``); the
    file is given to psql as ``\\i '<file>'`` on its standard input, which psql runs exactly as the
    file itself (same error prefixes, ``ON_ERROR_STOP``, ``\\ir`` relative to the file). With
    ``standby``, the next file's psql is started (and connected) while the current file runs, so
    the connection's set-up overlaps the work; a standby made before a file that alters a role's
    or database's settings is discarded, so the next session sees them as a new connection would.
    """

    def __init__(self, url: str, psql: Path, cwd: Path, *, standby: bool = True, wrap: bool = False) -> None:
        self.connection, self.env = psql_environment(url)
        self.wrap = wrap
        self.psql = psql
        self.cwd = cwd
        self.use_standby = standby
        self.standby: subprocess.Popen[bytes] | None = None

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [str(self.psql), *PSQL_OPTIONS, *self.connection],
            cwd=self.cwd, env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip

    def run(self, path: Path, display: str) -> FileResult:
        """Run ``path`` in a new session and judge its TAP (never raises for what the file does)."""
        process = self.standby or self._spawn()
        self.standby = None
        text = _read_text(path)
        if self.use_standby and not _SETTINGS_CHANGE.search(text):
            self.standby = self._spawn()
        started = time.perf_counter()
        quoted = str(path.resolve()).replace("'", "''")
        try:
            script = f"\\i '{quoted}'\n"
            if self.wrap and not _OWN_TRANSACTION.search(text):
                script = f"begin;\n{script}rollback;\n"
            out, err = process.communicate(script.encode(), timeout=FILE_TIMEOUT_S)
            stdout = out.decode("utf-8", errors="replace")
            stderr = err.decode("utf-8", errors="replace")
            code = process.returncode
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            stdout = out.decode("utf-8", errors="replace")
            stderr = err.decode("utf-8", errors="replace") + f"\nkilled after {FILE_TIMEOUT_S} s"
            code = -9
        result = FileResult(path=path, display=display, exit_code=code, stderr=stderr)
        result.duration_s = time.perf_counter() - started
        if self.use_standby and self.standby is None:
            self.standby = self._spawn()
        return parse_tap(result, stdout)

    def close(self) -> None:
        """End the standby session, if any (psql exits at the end of its input)."""
        if self.standby is not None:
            self.standby.communicate(b"", timeout=60)
            self.standby = None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def run_suite(
    url: str,
    files: Sequence[Path],
    *,
    cwd: Path,
    jobs: int = 1,
    lane_urls: Sequence[str] | None = None,
    psql: Path | None = None,
    display: Callable[[Path], str] = str,
    on_file: Callable[[FileResult], None] | None = None,
    pooled: bool | None = None,
) -> SuiteResult:
    """Run ``files`` against ``url``, up to ``jobs`` at once, each file in its own session.

    pgTAP must already exist in the database (see :func:`pgtap_enabled`). Files are handed out in
    run order to whichever job is free; each job runs its files one after the other.

    Args:
        url: the database.
        files: the files, in run order (:func:`collect_test_files`).
        cwd: the working directory of every psql.
        jobs: files run at once (1: one after the other, as plain ``pg_prove``).
        lane_urls: one database per job (:func:`job_databases`: the target and clones of it);
            default: ``url`` for every job, as ``pg_prove -j``.
        psql: the psql executable (default: :func:`psql_executable`).
        display: how reports name a file.
        on_file: called with each file's result as soon as it is known (from one thread at a time),
            e.g. to print it; with ``jobs`` > 1 in completion order.
        pooled: the target is a transaction-mode pooler (None: find out with
            :func:`khepri_db.core.db.transaction_pooler_evidence`). There a session's statements
            outside a transaction may each run on another server connection, and pgTAP's ``plan()``
            keeps its state in a temporary table of the session: a file that opens no transaction
            of its own is run inside ``begin; ... rollback;``, so it stays on one server connection
            and leaves nothing behind. Files that do (``begin; ... rollback;`` as pgTAP suites do)
            are run as they are.

    Returns:
        The :class:`SuiteResult`, files in run order.

    Raises:
        UsageError: ``jobs`` < 1, ``lane_urls`` does not have ``jobs`` entries, or no psql was found.
    """
    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {jobs}")
    urls = list(lane_urls) if lane_urls is not None else [url] * jobs
    if len(urls) != jobs:
        raise UsageError(f"{jobs} jobs need {jobs} databases, not {len(urls)}")
    executable = psql or psql_executable()
    if pooled is None:
        pooled = transaction_pooler_evidence(url) is not None
    lock = threading.Lock()
    pending = list(enumerate(files))
    results: dict[int, FileResult] = {}
    started = time.perf_counter()

    def lane(lane_url: str) -> None:
        runner = _Lane(lane_url, executable, cwd, standby=len(files) > 1, wrap=pooled)
        try:
            while True:
                with lock:
                    if not pending:
                        return
                    index, path = pending.pop(0)
                result = runner.run(path, display(path))
                with lock:
                    results[index] = result
                    if on_file is not None:
                        on_file(result)
        finally:
            runner.close()

    if jobs == 1:
        lane(urls[0])
    else:
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="khepri-test") as pool:
            for future in [pool.submit(lane, u) for u in urls]:
                future.result()
    ordered = [results[i] for i in range(len(files))]
    return SuiteResult(ordered, duration_s=time.perf_counter() - started, jobs=jobs)


@contextmanager
def job_databases(
    url: str, jobs: int, log: Callable[[str], None] | None = None, warn: Callable[[str], None] | None = None
) -> Iterator[list[str]]:
    """One database per job for ``jobs`` > 1: the target itself and ``jobs - 1`` copies of it
    (``create database ... template``, with its per-database settings), dropped afterwards.

    Files running at once in one database block each other on the rows they write (and see each
    other's commits); each job on its own copy runs as fast as the machine allows and as it would
    alone. A file committing something a later file needs must then run in the same job, so
    suites that depend on the order of their files should run with one job (as under ``pg_prove
    -j``, whose order is not the files' either).

    Yields:
        ``jobs`` URLs, the target's first. When copies cannot be made (no CREATEDB right, or other
        sessions connected to the target, which a copy needs gone), every job uses the target, as
        ``pg_prove -j`` does, and ``warn`` says why.
    """
    if jobs <= 1:
        yield [url]
        return
    say = log or (lambda _m: None)
    source = conninfo_to_dict(url).get("dbname") or "postgres"
    made: list[str] = []
    try:
        with connect(url, autocommit=True) as conn:
            token = f"{os.getpid()}_{int(time.time() * 1000) % 100000}"
            for index in range(1, jobs):
                name = f"khepri_test_{token}_{index}"
                say(f"copying database {source} for job {index + 1} of {jobs} ({name})")
                create_database(conn, name, template=str(source))
                made.append(name)
    except (psycopg.Error, KhepriError) as exc:
        (warn or say)(
            f"the {jobs} jobs share database {source}, as pg_prove -j: a copy per job could not be made "
            f"({str(exc).strip().splitlines()[0]})"
        )
        _drop(url, made)
        yield [url] * jobs
        return
    try:
        yield [url, *(with_database(url, name) for name in made)]
    finally:
        _drop(url, made)


def _drop(url: str, names: Sequence[str]) -> None:
    if not names:
        return
    with connect(url, autocommit=True) as conn:
        for name in names:
            drop_database(conn, name)
