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

The hooks and fixtures of this module come from underneath too: :mod:`._plugin_settings` (the
options), :mod:`._databases` (the databases a session makes), :mod:`._plugin_platform` (pg_net,
pg_cron) and :mod:`._plugin_access` (the access matrix); :mod:`.pytest_pgtap` (pgTAP files).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from khepri_db.core import session as _session
from khepri_db.core.db import connect
from khepri_db.core.errors import NoProjectError
from khepri_db.engines import (
    DockerEngine,
    EmbeddedEngine,
    Engine,
    SystemEngine,
    UrlEngine,
    free_port,
    make_cluster_root,
)
from khepri_db.migrations.apply import migrate
from khepri_db.testing._databases import DatabaseFactory, database_name, worker_id
from khepri_db.testing._plugin_access import (  # noqa: F401 (hooks and fixtures of this plugin)
    khepri_access_cell,
    khepri_access_report,
    pytest_generate_tests,
)
from khepri_db.testing._plugin_platform import khepri_cron, khepri_net  # noqa: F401 (fixtures of this plugin)
from khepri_db.testing._plugin_settings import (  # noqa: F401 (a hook and the settings' public names)
    FAST_TEST_SETTINGS,
    ISOLATIONS,
    TEST_ENGINES,
    KhepriTestSettings,
    pytest_addoption,
    resolve_settings,
)
from khepri_db.testing.pytest_pgtap import pytest_collect_file  # noqa: F401 (a hook of this plugin)


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
    root = make_cluster_root(f"khepri-test-{worker_id()}-")  # ours: may be opened to the server user
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


@pytest.fixture(scope="session")
def khepri_database_factory(khepri_server_url: str) -> Iterator[DatabaseFactory]:
    """``make(template=None) -> url``: a new database, empty or a copy of database ``template``.

    Every database made is dropped at the end of the session.
    """
    factory = DatabaseFactory(khepri_server_url)
    yield factory
    factory.drop_all()


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
