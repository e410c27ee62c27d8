"""The plugin's fixtures for the platform extension stand-ins: pg_net's recorded requests (``khepri_net``)
and pg_cron's jobs (``khepri_cron``).
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from khepri_db.testing import platform as _platform
from khepri_db.testing._databases import database_name


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
