"""The databases a test session makes on its server (:class:`DatabaseFactory`) and their names."""

from __future__ import annotations

import os
import uuid

from khepri_db.core.db import connect, create_database, drop_database, with_database


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
        name = f"khepri_{worker_id()}_{uuid.uuid4().hex[:10]}"
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


def database_name(url: str) -> str:
    """The database name of a URL made by ``khepri_database_factory``."""
    return url.rsplit("/", 1)[-1].split("?", 1)[0]


def worker_id() -> str:
    """The pytest-xdist worker id (``gw0``...), or ``main`` without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")
