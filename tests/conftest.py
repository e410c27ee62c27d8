"""Fixtures and hooks only (helpers are in ``tests/support/``). The database fixtures come from
khepri-db's own pytest plugin (dogfooding): ``db``, ``make_user``, ``as_user``, ``as_anon``,
``as_service_role``, ``khepri_clone_url``, ``khepri_database_factory``, ``khepri_server_url``.
Here, for every folder under ``tests/``: ``empty_db_url``, ``migrations_dir``, ``cli``,
``supabase_cli``, the hosted stand-ins (``pgbouncer``, ``hot_standby``, ``migrated_hot_standby``,
``hosted_role``) and the hook of the ``pg`` marker."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from khepri_db.core.db import connect
from tests.support import Cli, scalar, skip_or_fail
from tests.support.hosted import (
    EngineFactory,
    HostedRole,
    PgBouncer,
    create_hosted_role,
    find_pg_basebackup,
    find_pgbouncer,
    start_hot_standby,
    start_pgbouncer,
)


@pytest.fixture
def empty_db_url(khepri_database_factory: Callable[..., str]) -> str:
    """A new, empty database (no compatibility layer, no migrations)."""
    return khepri_database_factory()


@pytest.fixture
def migrations_dir(tmp_path: Path) -> Path:
    """An empty migrations directory; write files into it with ``write_migration``."""
    directory = tmp_path / "supabase" / "migrations"
    directory.mkdir(parents=True)
    return directory


@pytest.fixture
def cli() -> Cli:
    """The CLI, in-process."""
    return Cli()


# -- pytest.mark.pg: tests whose outcome may differ by PostgreSQL version -----------------------------


def _engine_major(config: pytest.Config) -> int | None:
    """The major version of the session's server when it is known before any server starts: the
    embedded wheel's or the system PostgreSQL's ``postgres --version``; None for docker and url."""
    from khepri_db.testing.plugin import resolve_settings

    engine = resolve_settings(config).engine
    if engine not in ("embedded", "system"):
        return None
    from khepri_db.engines import embedded_bin_dir, system_bin_dir

    bin_dir = embedded_bin_dir() if engine == "embedded" else system_bin_dir()
    out = subprocess.run([str(bin_dir / "postgres"), "--version"], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1].split(".")[0])


def _pg_spec(item: pytest.Item) -> str:
    marker = item.get_closest_marker("pg")
    if marker is None:
        return ""
    return str(marker.args[0] if marker.args else marker.kwargs.get("spec", ""))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect tests marked ``pg("<spec>")`` (a PEP 440 specifier set over the major version, e.g.
    ``"<18"``) on a server whose major version the spec excludes; when the version is known only
    once the server runs (docker, url), such tests check it at set-up and skip saying why. A bare
    ``pytest.mark.pg`` matches every version: ``make test`` selects those with ``-m pg`` for its
    second run, on PostgreSQL 15."""
    from packaging.specifiers import SpecifierSet

    specced = [item for item in items if _pg_spec(item)]
    if not specced:
        return
    major = _engine_major(config)
    if major is None:
        for item in specced:
            item.add_marker(pytest.mark.usefixtures("_pg_version_gate"))
        return
    dropped = [item for item in specced if str(major) not in SpecifierSet(_pg_spec(item))]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


@pytest.fixture
def _pg_version_gate(request: pytest.FixtureRequest, khepri_server_url: str) -> None:
    """Skip a ``pg("<spec>")`` test whose spec excludes the running server's major version."""
    from packaging.specifiers import SpecifierSet

    with connect(khepri_server_url) as conn:
        major = int(scalar(conn, "show server_version_num")) // 10000
    spec = _pg_spec(request.node)
    if str(major) not in SpecifierSet(spec):
        pytest.skip(f"PostgreSQL {major} is outside pg({spec!r})")


# -- the real Supabase CLI, the reference of the differential tests --------------------------------

SUPABASE_CLI_VERSION = "2.117.0"
NPM_TIMEOUT_S = 300


@pytest.fixture(scope="session")
def supabase_cli() -> Path:
    """The ``supabase`` executable of the real Supabase CLI 2.117.0, installed with npm on first use.

    Cached per machine in ``~/.cache/khepri-db/supabase-cli-2.117.0`` (override with
    ``KHEPRI_SUPABASE_CLI_DIR``). Every differential test against the CLI uses this one fixture and is
    skipped, saying why, when npm is missing or the registry does not answer (failed under
    ``KHEPRI_STRICT``, as in CI, which can install it).
    """
    default = Path.home() / ".cache" / "khepri-db" / f"supabase-cli-{SUPABASE_CLI_VERSION}"
    cache = Path(os.environ.get("KHEPRI_SUPABASE_CLI_DIR", default))
    binary = cache / "node_modules" / ".bin" / "supabase"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            skip_or_fail(
                f"npm is not installed: these tests run the real Supabase CLI (supabase@{SUPABASE_CLI_VERSION})"
            )
        cache.mkdir(parents=True, exist_ok=True)
        command = [npm, "install", "--exact", "--no-audit", "--no-fund", f"supabase@{SUPABASE_CLI_VERSION}"]
        try:
            done = subprocess.run(command, cwd=cache, capture_output=True, text=True, timeout=NPM_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            skip_or_fail(
                f"`npm install supabase@{SUPABASE_CLI_VERSION}` took over {NPM_TIMEOUT_S} s (registry unreachable?)"
            )
        if done.returncode != 0 or not binary.exists():
            reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
            skip_or_fail(f"npm could not install supabase@{SUPABASE_CLI_VERSION}: {reason}")
    # run it away from any project: the CLI writes supabase/.temp/ into the project it finds
    version = subprocess.run(
        [binary, "--version"], cwd=cache, capture_output=True, text=True, timeout=60
    ).stdout.strip()
    assert version == SUPABASE_CLI_VERSION, f"{binary} is Supabase CLI {version!r}, not {SUPABASE_CLI_VERSION}"
    return binary


# -- stand-ins for hosted Supabase (issue 21): PgBouncer, a hot standby, a hosted-shaped postgres -----
# The machinery is in tests/support/hosted.py; these fixtures add pytest's lifetimes and strictness.


@pytest.fixture
def pgbouncer() -> Iterator[Callable[..., str]]:
    """``pgbouncer(target_url, *, pool_mode="transaction", pool_size=2, users=None) -> url``: a
    PgBouncer (Supavisor's stand-in) in front of the server of ``target_url``.

    The URL returned is ``postgresql://<target's user>:<password>@127.0.0.1:<free port>/<target's
    dbname>`` through the pooler; any other role with a password reaches any database through it
    too when the target user is a superuser (``tests.support.hosted.through(pooler_url, role_url)``
    builds that URL), or when given in ``users`` (``{role: password}``). Every PgBouncer started is
    stopped (by pid) and its files removed after the test, even when the test fails. Skipped when
    PgBouncer is not installed (failed under ``KHEPRI_STRICT``); see
    :func:`tests.support.hosted.start_pgbouncer`.
    """
    executable = find_pgbouncer()
    if executable is None:
        skip_or_fail("pgbouncer is not installed (Debian: apt-get install pgbouncer): it stands in for Supavisor")
    assert executable is not None
    with contextlib.ExitStack() as stack:

        def start(
            target_url: str,
            *,
            pool_mode: str = "transaction",
            pool_size: int = 2,
            users: dict[str, str] | None = None,
        ) -> str:
            pooler: PgBouncer = start_pgbouncer(
                target_url, executable=executable, pool_mode=pool_mode, pool_size=pool_size, users=users
            )
            stack.callback(pooler.stop)
            return pooler.url

        yield start


def _replica_engine(settings: Any) -> tuple[EngineFactory, Path]:
    """The engine class of the session's server (system for ``--khepri-engine system``, embedded
    otherwise) as an :data:`tests.support.hosted.EngineFactory`, and its binaries' directory."""
    from khepri_db.engines import EmbeddedEngine, SystemEngine, embedded_bin_dir, system_bin_dir

    if settings.engine == "system":
        return (lambda d, p, s: SystemEngine(d, port=p, settings=s)), system_bin_dir()
    return (lambda d, p, s: EmbeddedEngine(d, port=p, settings=s)), embedded_bin_dir()


def _hot_standby(settings: Any, migrations_dir: Path | None) -> Iterator[tuple[str, str]]:
    from khepri_db.testing.plugin import FAST_TEST_SETTINGS

    make_engine, bin_dir = _replica_engine(settings)
    if find_pg_basebackup(bin_dir) is None:
        skip_or_fail(f"{bin_dir} has no pg_basebackup: the read replica's stand-in is made with it")
    pair = start_hot_standby(make_engine, FAST_TEST_SETTINGS, migrations_dir=migrations_dir)
    try:
        yield pair.primary_url, pair.standby_url
    finally:
        pair.stop()


@pytest.fixture(scope="module")
def hot_standby(khepri_settings: Any) -> Iterator[tuple[str, str]]:
    """``(primary_url, standby_url)``: a new primary cluster (never the session's server) and a
    streaming hot standby of it made with ``pg_basebackup -R``, both superuser URLs of database
    ``postgres`` on 127.0.0.1, each on its own port.

    Same PostgreSQL as the session (18 from the wheel; 15 under ``--khepri-engine system``). Shared
    by the tests of one module: give what you create on the primary a unique name, and wait for
    the standby with ``tests.support.hosted.wait_for_replay(primary_url, standby_url)``. Both stopped and
    removed after the module. Skipped when the binaries have no ``pg_basebackup`` (failed under
    ``KHEPRI_STRICT``).
    """
    yield from _hot_standby(khepri_settings, None)


@pytest.fixture(scope="module")
def migrated_hot_standby(khepri_settings: Any, khepri_migrations_dir: Path) -> Iterator[tuple[str, str]]:
    """``(primary_url, standby_url)`` as ``hot_standby``, the primary's ``postgres`` database having
    khepri-db's Supabase compatibility layer and the session's migrations (``khepri_migrations_dir``)
    before the backup: doctor, status and ``gen types`` can run on the standby."""
    yield from _hot_standby(khepri_settings, khepri_migrations_dir)


@pytest.fixture
def hosted_role() -> Iterator[Callable[[str], str]]:
    """``hosted_role(db_url) -> url``: a new role shaped like hosted Supabase's ``postgres`` (not a
    superuser; LOGIN CREATEROLE CREATEDB REPLICATION BYPASSRLS; member of anon, authenticated,
    service_role and authenticator; privileges on auth's tables), made in the database of
    ``db_url`` (a superuser URL of a database with the compatibility layer: ``khepri_clone_url``),
    with a unique name and a random password. Returns the URL of that database as that role; it
    works through ``pgbouncer`` too. Dropped after the test (``drop owned``, ``drop role``); see
    :func:`tests.support.hosted.create_hosted_role`.
    """
    with contextlib.ExitStack() as stack:

        def make(db_url: str) -> str:
            role: HostedRole = create_hosted_role(db_url)
            stack.callback(role.drop)
            return role.url

        yield make
