"""pytest plugin (entry point ``pytest11``): real-Postgres fixtures for Supabase projects.

Installed with khepri-db, active in any project. One server per test session (per xdist
worker): the embedded engine in a temporary directory, or an existing *throwaway* server given
by ``KHEPRI_TEST_DB_URL`` / the ``khepri_test_db_url`` ini option (databases are created and
dropped on it). The project's migrations (``khepri_migrations_dir`` ini option, default
``supabase/migrations`` of the rootdir's project, else the bundled Khepri schema) are applied once
into a template database; tests get a rolled-back transaction (``db``, the cheap default) or a
fresh clone (``khepri_clone_url``).

Fixtures:

* ``khepri_server_url`` (session): admin URL of the test server.
* ``khepri_template_url`` (session): the migrated template database.
* ``khepri_database_factory`` (session): ``make(template=None) -> url`` creates a database (empty,
  or a copy of the database named ``template``); all are dropped at the end of the session.
* ``khepri_clone_url``: a fresh clone of the template for this test.
* ``db``: a connection to a migrated database, inside a transaction rolled back after the test.
* ``make_user``: ``make_user(email=None, **kwargs) -> AuthUser``, a row in ``auth.users``.
* ``as_user``, ``as_anon``, ``as_service_role``: request contexts on ``db``, e.g.
  ``with as_user(alice): db.execute(...)``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from khepri_db import session as _session
from khepri_db.db import connect, create_database, drop_database, with_database
from khepri_db.engines import EmbeddedEngine, free_port
from khepri_db.migrations import migrate
from khepri_db.project import Project

FAST_TEST_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}
"""Server settings for throwaway test clusters: durability off, nothing to keep after a crash."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ini options ``khepri_migrations_dir`` and ``khepri_test_db_url``."""
    parser.addini("khepri_migrations_dir", "migrations applied to the khepri-db test template", default="")
    parser.addini(
        "khepri_test_db_url",
        "URL of an existing throwaway server for khepri-db fixtures (default: embedded engine)",
        default="",
    )


def _worker(config: pytest.Config) -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def khepri_server_url(pytestconfig: pytest.Config) -> Iterator[str]:
    """Admin URL (database ``postgres``) of the session's test server."""
    url = os.environ.get("KHEPRI_TEST_DB_URL") or pytestconfig.getini("khepri_test_db_url")
    if url:
        yield url
        return
    root = Path(tempfile.mkdtemp(prefix=f"khepri-test-{_worker(pytestconfig)}-"))
    engine = EmbeddedEngine(root / "pgdata", port=free_port(), settings=FAST_TEST_SETTINGS)
    try:
        yield engine.start()
    finally:
        engine.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def khepri_migrations_dir(pytestconfig: pytest.Config) -> Path:
    """The migrations the template is built from."""
    configured = pytestconfig.getini("khepri_migrations_dir")
    project = Project.discover(Path(pytestconfig.rootpath))
    return project.migrations_dir(Path(pytestconfig.rootpath, configured) if configured else None)


@pytest.fixture(scope="session")
def khepri_database_factory(khepri_server_url: str, pytestconfig: pytest.Config) -> Iterator[Callable[..., str]]:
    """``make(template=None) -> url``: a new database, empty or a copy of database ``template``.

    Every database made is dropped at the end of the session.
    """
    created: list[str] = []

    def make(template: str | None = None) -> str:
        name = f"khepri_{_worker(pytestconfig)}_{uuid.uuid4().hex[:10]}"
        with connect(khepri_server_url, autocommit=True) as admin:
            create_database(admin, name, template=template)
        created.append(name)
        return with_database(khepri_server_url, name)

    yield make
    with connect(khepri_server_url, autocommit=True) as admin:
        for name in created:
            drop_database(admin, name)


def database_name(url: str) -> str:
    """The database name of a URL made by ``khepri_database_factory``."""
    return url.rsplit("/", 1)[-1].split("?", 1)[0]


@pytest.fixture(scope="session")
def khepri_template_url(khepri_database_factory: Callable[..., str], khepri_migrations_dir: Path) -> str:
    """A database with the project's migrations applied, used as the template of every clone.

    Never connect to it and leave the connection open: Postgres cannot copy a database in use.
    """
    url = khepri_database_factory()
    migrate(url, khepri_migrations_dir)
    return url


@pytest.fixture
def khepri_clone_url(khepri_template_url: str, khepri_database_factory: Callable[..., str]) -> str:
    """A fresh clone of the migrated template, for tests that commit or need their own database."""
    return khepri_database_factory(template=database_name(khepri_template_url))


@pytest.fixture(scope="session")
def _khepri_shared_url(khepri_template_url: str, khepri_database_factory: Callable[..., str]) -> str:
    # One migrated database for transactional tests (the template itself must stay unconnected
    # so it can be cloned).
    return khepri_database_factory(template=database_name(khepri_template_url))


@pytest.fixture
def db(_khepri_shared_url: str) -> Iterator[psycopg.Connection]:
    """A connection to a migrated database, in a transaction rolled back after the test."""
    conn = connect(_khepri_shared_url)
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
