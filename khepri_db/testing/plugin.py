"""pytest plugin (entry point ``pytest11``): real-Postgres fixtures and the access matrix for Supabase projects.

Installed with khepri-db, active in any project. One server per test session (per xdist worker),
the project's migrations applied once into a template database, and per test either a rolled-back
transaction (the cheap default) or a fresh clone of the template. Full guide: ``docs/testing.md``.

Configuration (command-line option, else environment variable, else ini option, else default):

==========================  ==========================  ===========================  =====================
option                      environment                 ini                          default
==========================  ==========================  ===========================  =====================
``--khepri-engine``         ``KHEPRI_TEST_ENGINE``      ``khepri_engine``            ``url`` when a URL is
                                                                                     set, else ``embedded``
``--khepri-db-url``         ``KHEPRI_TEST_DB_URL``      ``khepri_test_db_url``       (none)
``--khepri-isolation``      ``KHEPRI_TEST_ISOLATION``   ``khepri_isolation``         ``transaction``
``--khepri-migrations-dir`` ``KHEPRI_MIGRATIONS_DIR``   ``khepri_migrations_dir``    ``supabase/migrations``
``--khepri-access-file``    ``KHEPRI_ACCESS_FILE``      ``khepri_access_file``       ``supabase/access.toml``
(none)                      ``KHEPRI_DOCKER_IMAGE``     ``khepri_docker_image``      supabase/postgres of the
                                                                                     project's [db] major_version
(none)                      ``KHEPRI_DOCKER_AUTH_IMAGE`` ``khepri_docker_auth_image`` supabase/gotrue:v2.177.0
==========================  ==========================  ===========================  =====================

Engines: ``embedded`` (PostgreSQL 18 from the wheel, in a temporary directory), ``system`` (the
machine's PostgreSQL, found via ``PG_BIN``/``pg_config``/``PATH``), ``docker`` (a container on
127.0.0.1 with host networking: Supabase's own ``supabase/postgres`` image, or any PostgreSQL image,
which gets khepri-db's stand-ins; needs ``khepri-db[docker]`` and a Docker engine), ``url`` (an existing
*throwaway* server: databases are created and dropped on it). Relative migration and access-file
paths given in the ini file are relative to the rootdir; on the command line or in the environment,
to the current directory.

Fixtures:

* ``khepri_settings`` (session): the resolved :class:`KhepriTestSettings`.
* ``khepri_engine`` (session): the started :class:`~khepri_db.engines.Engine`.
* ``khepri_server_url`` (session): admin URL of the test server.
* ``khepri_migrations_dir`` (session): the migrations the template is built from.
* ``khepri_template_url`` (session): the migrated template database.
* ``khepri_database_factory`` (session): ``make(template=None) -> url`` creates a database (empty, or
  a copy of database ``template``); ``make.drop(url)`` drops one; all are dropped at session end.
* ``khepri_clone_url``: a fresh clone of the template for this test (dropped after it).
* ``khepri_pgtap_url`` (session): the database collected pgTAP files run in: a clone of the
  template with the seed files loaded and pgTAP created (see "pgTAP files" below).
* ``db``: a connection to a migrated database, inside a transaction rolled back after the test
  (isolation ``transaction``), or to this test's own clone (isolation ``clone``).
* ``make_user``: ``make_user(email=None, **kwargs) -> AuthUser``, a row in ``auth.users``.
* ``as_user``, ``as_anon``, ``as_service_role``: request contexts on ``db``, e.g.
  ``with as_user(alice): db.execute(...)``.
* ``khepri_net``: the pg_net stand-in's recorded requests on ``db``: ``khepri_net.requests()``
  lists them (:func:`khepri_db.testing.platform.net_requests`), ``khepri_net.respond(request_id, ...)``
  stores a response (:func:`khepri_db.testing.platform.respond`).
* ``khepri_cron``: ``khepri_cron.run(job)`` runs one pg_cron job's command now on ``db`` as the
  job's user (:func:`khepri_db.testing.platform.run_cron_job`); ``khepri_cron.jobs()`` lists ``cron.job``.
* ``khepri_access_report`` (session): :func:`khepri_db.access.probe.verify_access` of the access file
  against a fresh clone, run once.
* ``khepri_access_cell``: requesting it parametrizes the test with one case per matrix cell plus
  ``coverage``; each case's value has ``check()``::

      def test_access_matrix(khepri_access_cell):
          khepri_access_cell.check()

pgTAP files: every ``*.sql``/``*.pg`` file below a ``supabase/tests`` directory is collected as one
test (``pytest supabase/tests``), run as ``khepri-db test db`` runs it, on the session's server
(:mod:`khepri_db.testing.pytest_pgtap`).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from khepri_db.access import session as _session
from khepri_db.access.declaration import Declaration, default_access_file, load_declaration
from khepri_db.access.report import AccessReport, CoverageCheck
from khepri_db.core.db import connect, create_database, drop_database, with_database
from khepri_db.core.errors import NoProjectError
from khepri_db.core.project import Project
from khepri_db.engines import (
    DEFAULT_AUTH_IMAGE,
    DEFAULT_SUPABASE_IMAGE,
    DockerEngine,
    EmbeddedEngine,
    Engine,
    SystemEngine,
    UrlEngine,
    free_port,
    make_cluster_root,
)
from khepri_db.engines.docker import SUPABASE_IMAGES, is_supabase_image
from khepri_db.migrations.apply import migrate
from khepri_db.testing import platform as _platform
from khepri_db.testing.pytest_pgtap import pytest_collect_file  # noqa: F401 (a hook of this plugin)

FAST_TEST_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}
"""Server settings for throwaway test clusters: durability off, nothing to keep after a crash."""

TEST_ENGINES = ("embedded", "system", "docker", "url")
"""Engines the plugin can run a session on."""

ISOLATIONS = ("transaction", "clone")
"""Per-test isolation modes: a rolled-back transaction (cheap), or a fresh clone of the template."""

_DECLARATION = pytest.StashKey[Declaration]()


@dataclass(frozen=True)
class KhepriTestSettings:
    """The plugin's configuration for this session, resolved from options, environment and ini.

    Attributes:
        engine: ``embedded``, ``system``, ``docker`` or ``url``.
        url: the server URL for the ``url`` engine.
        isolation: ``transaction`` or ``clone``.
        migrations_dir: the migrations directory (``None``: the project's; without a project the
            ``khepri_migrations_dir`` fixture raises :class:`~khepri_db.core.errors.NoProjectError`).
        access_file: the access declaration used by ``khepri_access_cell``.
        docker_image: the database image of the docker engine.
        docker_auth_image: the Supabase Auth image of the docker engine (``None``: skip its migrations).
        project: the Supabase project found from the rootdir.
    """

    engine: str
    url: str | None
    isolation: str
    migrations_dir: Path | None
    access_file: Path
    docker_image: str
    docker_auth_image: str | None
    project: Project


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the khepri-db command-line and ini options (see the module docstring)."""
    group = parser.getgroup("khepri-db", "khepri-db: real-Postgres fixtures and the access matrix")
    group.addoption("--khepri-engine", choices=TEST_ENGINES, default=None,
                    help="server for the session: embedded (default), system, docker or url")  # fmt: skip
    group.addoption("--khepri-db-url", default=None, help="URL of a throwaway server (implies --khepri-engine url)")
    group.addoption("--khepri-isolation", choices=ISOLATIONS, default=None,
                    help="per test: a rolled-back transaction (default) or a fresh clone of the template")  # fmt: skip
    group.addoption("--khepri-migrations-dir", default=None, help="migrations applied to the template")
    group.addoption("--khepri-access-file", default=None, help="access declaration for khepri_access_cell")
    parser.addini("khepri_engine", "khepri-db test engine: embedded, system, docker or url", default="")
    parser.addini("khepri_test_db_url", "URL of an existing throwaway server for khepri-db fixtures", default="")
    parser.addini("khepri_isolation", "khepri-db per-test isolation: transaction or clone", default="")
    parser.addini("khepri_migrations_dir", "migrations applied to the khepri-db test template", default="")
    parser.addini("khepri_access_file", "access declaration checked by khepri_access_cell", default="")
    parser.addini("khepri_docker_image", "database image of the docker engine", default="")
    parser.addini("khepri_docker_auth_image", "Supabase Auth image of the docker engine ('none' to skip)", default="")


def _setting(config: pytest.Config, option: str | None, env: str, ini: str) -> tuple[str | None, str]:
    """(value, where it came from: "cli", "env" or "ini"), first of option, environment, ini."""
    if option is not None:
        value = config.getoption(option)
        if value:
            return str(value), "cli"
    if os.environ.get(env):
        return os.environ[env], "env"
    value = config.getini(ini)
    return (str(value), "ini") if value else (None, "ini")


def _path(value: str, source: str, config: pytest.Config) -> Path:
    path = Path(value).expanduser()
    if path.is_absolute():
        return path
    return (Path(config.rootpath) if source == "ini" else Path(config.invocation_params.dir)) / path


def resolve_settings(config: pytest.Config) -> KhepriTestSettings:
    """Resolve the plugin's settings (see the module docstring for names and precedence).

    Raises:
        pytest.UsageError: an unknown engine or isolation, or the url engine without a URL.
    """
    project = Project.discover(Path(config.rootpath))
    url, _ = _setting(config, "--khepri-db-url", "KHEPRI_TEST_DB_URL", "khepri_test_db_url")
    engine, _ = _setting(config, "--khepri-engine", "KHEPRI_TEST_ENGINE", "khepri_engine")
    engine = engine or ("url" if url else "embedded")
    if engine not in TEST_ENGINES:
        raise pytest.UsageError(f"khepri-db: unknown engine {engine!r}; use one of {', '.join(TEST_ENGINES)}")
    if engine == "url" and not url:
        raise pytest.UsageError(
            "khepri-db: the url engine needs --khepri-db-url, KHEPRI_TEST_DB_URL or khepri_test_db_url"
        )
    isolation, _ = _setting(config, "--khepri-isolation", "KHEPRI_TEST_ISOLATION", "khepri_isolation")
    isolation = isolation or "transaction"
    if isolation not in ISOLATIONS:
        raise pytest.UsageError(f"khepri-db: unknown isolation {isolation!r}; use transaction or clone")
    image, _ = _setting(config, None, "KHEPRI_DOCKER_IMAGE", "khepri_docker_image")
    if not image:
        major = project.config.raw.get("db", {}).get("major_version")
        image = SUPABASE_IMAGES.get(major if isinstance(major, int) else 15, DEFAULT_SUPABASE_IMAGE)
    if isolation == "clone" and engine == "docker" and is_supabase_image(image):
        raise pytest.UsageError(
            "khepri-db: the docker engine offers no clones on Supabase's image (its pg_cron and pg_net "
            "workers keep database postgres busy); use --khepri-isolation transaction"
        )
    migrations, source = _setting(config, "--khepri-migrations-dir", "KHEPRI_MIGRATIONS_DIR", "khepri_migrations_dir")
    access, access_source = _setting(config, "--khepri-access-file", "KHEPRI_ACCESS_FILE", "khepri_access_file")
    auth_image, _ = _setting(config, None, "KHEPRI_DOCKER_AUTH_IMAGE", "khepri_docker_auth_image")
    return KhepriTestSettings(
        engine=engine,
        url=url if engine == "url" else None,
        isolation=isolation,
        migrations_dir=_path(migrations, source, config) if migrations else None,
        access_file=_path(access, access_source, config) if access else default_access_file(project),
        docker_image=image,
        docker_auth_image=None if (auth_image or "").lower() == "none" else (auth_image or DEFAULT_AUTH_IMAGE),
        project=project,
    )


def _worker() -> str:
    """The pytest-xdist worker id (``gw0``...), or ``main`` without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def khepri_settings(pytestconfig: pytest.Config) -> KhepriTestSettings:
    """The resolved settings of this session."""
    return resolve_settings(pytestconfig)


@pytest.fixture(scope="session")
def khepri_engine(khepri_settings: KhepriTestSettings) -> Iterator[Engine]:
    """The session's server, started (one per xdist worker); stopped and removed at the end.

    Raises:
        EngineError: the engine cannot start (e.g. no system PostgreSQL, no Docker engine); every
            test using a database then errors with that message.
    """
    settings = khepri_settings
    if settings.engine == "url":
        assert settings.url is not None
        engine: Engine = UrlEngine(settings.url)
        engine.start()
        yield engine
        return
    if settings.engine == "docker":
        engine = DockerEngine(settings.docker_image, auth_image=settings.docker_auth_image)
        try:
            engine.start()
            yield engine
        finally:
            engine.stop()
        return
    root = make_cluster_root(f"khepri-test-{_worker()}-")  # ours: may be opened to the server user
    kind = SystemEngine if settings.engine == "system" else EmbeddedEngine
    engine = kind(root / "pgdata", port=free_port(), settings=FAST_TEST_SETTINGS)
    try:
        engine.start()
        yield engine
    finally:
        engine.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def khepri_server_url(khepri_engine: Engine) -> str:
    """Admin URL (database ``postgres``) of the session's test server."""
    return khepri_engine.start()


@pytest.fixture(scope="session")
def khepri_migrations_dir(khepri_settings: KhepriTestSettings) -> Path:
    """The migrations the template is built from: ``--khepri-migrations-dir``, else the project's.

    Raises:
        NoProjectError: neither is there (no ``supabase/`` at or above the rootdir); the
            bundled Khepri schema is never used unless named.
    """
    project = khepri_settings.project
    if khepri_settings.migrations_dir is None and not project.found:
        raise NoProjectError(
            f"khepri-db: no Supabase project at or above {project.root} (no supabase/ directory), so no "
            "migrations to build the test template from",
            hint="run pytest in your project, or set --khepri-migrations-dir, KHEPRI_MIGRATIONS_DIR or the "
            "khepri_migrations_dir ini option (khepri_db.core.project.bundled_path('migrations') is the Khepri schema)",
        )
    return project.migrations_dir(khepri_settings.migrations_dir)


class DatabaseFactory:
    """Creates databases on the test server; every one is dropped at the end of the session.

    Call it as ``make(template=None) -> url``: a new, empty database (a copy of ``template1``), or a
    copy of the database named ``template``. Names are ``khepri_<xdist worker>_<random>``.
    """

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.created: list[str] = []

    def __call__(self, template: str | None = None) -> str:
        """Create a database and return its URL (same server and credentials)."""
        name = f"khepri_{_worker()}_{uuid.uuid4().hex[:10]}"
        with connect(self.server_url, autocommit=True) as admin:
            create_database(admin, name, template=template)
        self.created.append(name)
        return with_database(self.server_url, name)

    def drop(self, url: str) -> None:
        """Drop the database of ``url`` now (open connections to it are ended)."""
        name = database_name(url)
        with connect(self.server_url, autocommit=True) as admin:
            drop_database(admin, name)
        if name in self.created:
            self.created.remove(name)

    def drop_all(self) -> None:
        """Drop every database this factory created."""
        with connect(self.server_url, autocommit=True) as admin:
            for name in self.created:
                drop_database(admin, name)
        self.created.clear()


@pytest.fixture(scope="session")
def khepri_database_factory(khepri_server_url: str) -> Iterator[DatabaseFactory]:
    """``make(template=None) -> url``: a new database, empty or a copy of database ``template``.

    Every database made is dropped at the end of the session.
    """
    factory = DatabaseFactory(khepri_server_url)
    yield factory
    factory.drop_all()


def database_name(url: str) -> str:
    """The database name of a URL made by ``khepri_database_factory``."""
    return url.rsplit("/", 1)[-1].split("?", 1)[0]


@pytest.fixture(scope="session")
def khepri_template_url(
    khepri_engine: Engine, khepri_server_url: str, khepri_database_factory: DatabaseFactory, khepri_migrations_dir: Path
) -> str:
    """A database with the project's migrations applied, used as the template of every clone.

    Never connect to it and leave the connection open: Postgres cannot copy a database in use. On
    the docker engine, where databases cannot be copied, it is the server's own ``postgres``
    database (the only one with Supabase's auth schema), migrated in place.
    """
    if not khepri_engine.template_clones:
        migrate(khepri_server_url, khepri_migrations_dir)
        return khepri_server_url
    url = khepri_database_factory()
    migrate(url, khepri_migrations_dir)
    return url


@pytest.fixture
def khepri_clone_url(
    khepri_engine: Engine, khepri_template_url: str, khepri_database_factory: DatabaseFactory
) -> Iterator[str]:
    """A fresh clone of the migrated template, for tests that commit or need their own database.

    Dropped after the test. Skipped on the docker engine, which cannot copy databases.
    """
    if not khepri_engine.template_clones:
        pytest.skip(f"the {khepri_engine.name} engine cannot clone databases (tests needing a clone are not run)")
    url = khepri_database_factory(template=database_name(khepri_template_url))
    yield url
    khepri_database_factory.drop(url)


@pytest.fixture(scope="session")
def _khepri_shared_url(
    khepri_engine: Engine, khepri_template_url: str, khepri_database_factory: DatabaseFactory
) -> str:
    # One migrated database for transactional tests (the template itself must stay unconnected
    # so it can be cloned).
    if not khepri_engine.template_clones:
        return khepri_template_url
    return khepri_database_factory(template=database_name(khepri_template_url))


@pytest.fixture(scope="session")
def khepri_pgtap_url(
    khepri_engine: Engine,
    khepri_settings: KhepriTestSettings,
    khepri_template_url: str,
    khepri_database_factory: DatabaseFactory,
) -> str:
    """The database every collected pgTAP file runs in (:mod:`khepri_db.testing.pytest_pgtap`): a clone
    of the migrated template with the project's seed files loaded (as ``supabase db reset`` leaves a
    database before ``supabase test db``) and pgTAP created in schema ``extensions``. Shared by the
    session's pgTAP files, which see each other's committed changes, as under ``supabase test db``.

    Raises:
        PgtapUnavailableError: the server has no pgTAP (``khepri-db test pgtap`` says how to get it).
    """
    from khepri_db.migrations.seed import seed
    from khepri_db.testing.runner import ENABLE_PGTAP, pgtap_unavailable

    if khepri_engine.template_clones:
        url = khepri_database_factory(template=database_name(khepri_template_url))
    else:
        url = khepri_template_url
    project = khepri_settings.project
    files = project.seed_files()
    if files:
        seed(url, files, seed_key=project.relative)
    with connect(url, autocommit=True) as conn:
        try:
            conn.execute(ENABLE_PGTAP)
        except (psycopg.errors.UndefinedFile, psycopg.errors.FeatureNotSupported) as exc:
            raise pgtap_unavailable(url) from exc
    return url


@pytest.fixture(scope="session")
def khepri_isolation(khepri_settings: KhepriTestSettings) -> str:
    """The per-test isolation of ``db``: ``transaction`` or ``clone``."""
    return khepri_settings.isolation


@pytest.fixture
def db(request: pytest.FixtureRequest, khepri_isolation: str) -> Iterator[psycopg.Connection]:
    """A connection to a migrated database, in a transaction rolled back after the test.

    With isolation ``transaction`` (default) every test shares one migrated database and sees only
    its own changes; with ``clone`` it gets its own fresh clone of the template (dropped after the
    test), so even a ``commit()`` cannot leak into another test.
    """
    if khepri_isolation == "clone":
        url = request.getfixturevalue("khepri_clone_url")
    else:
        url = request.getfixturevalue("_khepri_shared_url")
    conn = connect(url)
    conn.execute("select 1")  # open the transaction every change of the test lives in
    try:
        yield conn
    finally:
        if not conn.closed:
            conn.rollback()
            conn.close()


@pytest.fixture
def make_user(db: psycopg.Connection) -> Callable[..., _session.AuthUser]:
    """``make_user(email=None, **kwargs)``: a new ``auth.users`` row (see :func:`create_user`)."""

    def make(email: str | None = None, **kwargs: Any) -> _session.AuthUser:
        return _session.create_user(db, email, **kwargs)

    return make


@pytest.fixture
def as_user(db: psycopg.Connection) -> Callable[..., AbstractContextManager[psycopg.Connection]]:
    """``with as_user(user, **request):`` acts as ``user`` on ``db``."""
    return lambda user, **request: _session.as_user(db, user, **request)


@pytest.fixture
def as_anon(db: psycopg.Connection) -> Callable[..., AbstractContextManager[psycopg.Connection]]:
    """``with as_anon(**request):`` acts as an anonymous visitor on ``db``."""
    return lambda **request: _session.as_anon(db, **request)


@pytest.fixture
def as_service_role(db: psycopg.Connection) -> Callable[..., AbstractContextManager[psycopg.Connection]]:
    """``with as_service_role(**request):`` acts with the service_role key on ``db``."""
    return lambda **request: _session.as_service_role(db, **request)


# -- platform extension stand-ins (pg_net, pg_cron) ------------------------------------------------


class NetRequests:
    """pg_net's recorded requests on one connection (the ``khepri_net`` fixture)."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def requests(self) -> list[_platform.NetRequest]:
        """Every recorded request, oldest first (see :func:`khepri_db.testing.platform.net_requests`)."""
        return _platform.net_requests(self.conn)

    def respond(self, request_id: int, **response: Any) -> None:
        """Store a response for ``request_id`` (keywords of :func:`khepri_db.testing.platform.respond`)."""
        _platform.respond(self.conn, request_id, **response)


class CronJobs:
    """pg_cron's jobs on one connection (the ``khepri_cron`` fixture)."""

    def __init__(self, conn: psycopg.Connection, template: str | None = None) -> None:
        self.conn = conn
        self.template = template

    def jobs(self) -> list[dict[str, Any]]:
        """The rows of ``cron.job``, by id."""
        with self.conn.cursor(row_factory=dict_row) as cur:
            return cur.execute("select * from cron.job order by jobid").fetchall()

    def run(self, job: int | str) -> _platform.CronRun:
        """Run job ``job`` (id or name) now (see :func:`khepri_db.testing.platform.run_cron_job`).

        Jobs the migrations scheduled name the template database; they run in this test's database.
        """
        return _platform.run_cron_job(self.conn, job, same_as=[self.template] if self.template else [])


@pytest.fixture
def khepri_net(db: psycopg.Connection) -> NetRequests:
    """pg_net's recorded requests on ``db``: ``requests()`` and ``respond(request_id, ...)``."""
    return NetRequests(db)


@pytest.fixture
def khepri_cron(db: psycopg.Connection, khepri_template_url: str) -> CronJobs:
    """pg_cron's jobs on ``db``: ``jobs()`` and ``run(job)`` (runs the command as the job's user)."""
    return CronJobs(db, database_name(khepri_template_url))


# -- the access matrix -----------------------------------------------------------------------------


def _declaration(config: pytest.Config) -> Declaration:
    if _DECLARATION not in config.stash:
        config.stash[_DECLARATION] = load_declaration(resolve_settings(config).access_file)
    return config.stash[_DECLARATION]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize every test that requests ``khepri_access_cell``: one case per cell, plus ``coverage``.

    The declaration is read at collection time; an invalid one is a collection error naming the
    file and line.
    """
    if "khepri_access_cell" not in metafunc.fixturenames:
        return
    try:
        ids = [*_declaration(metafunc.config).cell_ids(), "coverage"]
    except Exception as exc:  # AccessDeclarationError, shown as a collection error
        raise pytest.UsageError(f"khepri-db access matrix: {exc}") from exc
    metafunc.parametrize("khepri_access_cell", ids, ids=ids, indirect=True)


@pytest.fixture(scope="session")
def khepri_access_report(
    pytestconfig: pytest.Config,
    khepri_settings: KhepriTestSettings,
    khepri_engine: Engine,
    khepri_template_url: str,
    khepri_database_factory: DatabaseFactory,
) -> AccessReport:
    """The access matrix of the session's template, run once (on its own clone when the engine clones)."""
    from khepri_db.access.probe import verify_access

    if khepri_engine.template_clones:
        url = khepri_database_factory(template=database_name(khepri_template_url))
    else:
        url = khepri_template_url
    try:
        return verify_access(url, _declaration(pytestconfig), project=khepri_settings.project)
    finally:
        if khepri_engine.template_clones:
            khepri_database_factory.drop(url)


@pytest.fixture
def khepri_access_cell(request: pytest.FixtureRequest, khepri_access_report: AccessReport) -> Any:
    """The result of one matrix cell (a :class:`~khepri_db.access.report.CellResult`) or the ``coverage`` check.

    Call ``.check()`` on it: it raises ``AssertionError`` with the cell, the declaration, what
    happened and the rights it ran with, unless the cell matches.
    """
    cell_id = request.param
    if cell_id == "coverage":
        return CoverageCheck(khepri_access_report.undeclared)
    cell = khepri_access_report.by_id()[cell_id]
    if cell.undecided is not None:
        # never a pass: the declaration says nobody could decide this cell
        pytest.skip(f"undecided in the declaration: {cell.undecided} (this run: {cell.actual}, {cell.detail})")
    return cell
