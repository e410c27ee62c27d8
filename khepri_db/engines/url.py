"""The url engine: a server someone else runs (``--db-url``: local ``supabase start``, hosted Supabase,
plain Postgres).
"""

from __future__ import annotations

from khepri_db.core.db import connect, redact, server_version
from khepri_db.core.errors import ConnectionFailedError, UsageError
from khepri_db.engines.base import EngineStatus


class UrlEngine:
    """A server khepri-db does not manage, reached through a URL.

    Args:
        url: libpq URL of the server (``postgresql://user:password@host:port/dbname``).
    """

    name = "url"
    template_clones = True

    def __init__(self, url: str) -> None:
        self.url = url

    def start(self) -> str:
        """Check that the server accepts a connection and return the URL.

        Raises:
            ConnectionFailedError: the server cannot be reached or refuses the login.
        """
        with connect(self.url):
            pass
        return self.url

    def stop(self) -> None:
        """Always raises: khepri-db only stops servers it started.

        Raises:
            UsageError: always.
        """
        raise UsageError(
            f"{redact(self.url)} is not managed by khepri-db; stop it where it was started (e.g. `supabase stop`)."
        )

    def status(self) -> EngineStatus:
        """Try to connect and report the server version, or why it is unreachable."""
        try:
            with connect(self.url) as conn:
                version = server_version(conn)
        except ConnectionFailedError as exc:
            return EngineStatus("url", False, self.url, detail=exc.message)
        return EngineStatus("url", True, self.url, server_version=version, detail=f"PostgreSQL {version} reachable")
