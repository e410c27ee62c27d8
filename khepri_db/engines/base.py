"""The engine contract: :class:`Engine` (start, stop, status) and :class:`EngineStatus`; shared constants."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from khepri_db.core.db import redact

SERVICE_USER = "khepri_pg"
"""OS user the embedded and system servers run as when khepri-db itself runs as root."""

DEFAULT_PORT = 54329
"""Port the embedded server prefers (next to the Supabase CLI's 54321-54327); a free one is used if taken."""

SUPERUSER = "postgres"
"""Name of the cluster's superuser, as in Supabase and ``supabase start``."""

STATE_FILE = "khepri-engine.json"
LOG_FILE = "khepri-server.log"
PG_CTL_TIMEOUT_S = 60

Log = Callable[[str], None]


@dataclass(frozen=True)
class EngineStatus:
    """What an engine knows about its server.

    Attributes:
        engine: ``"embedded"``, ``"system"``, ``"docker"`` or ``"url"``.
        running: whether the server accepts connections (url, docker) or its postmaster is alive
            (embedded, system).
        url: the connection URL, with password (``None`` when not known yet).
        data_dir: the cluster directory (embedded and system only).
        pid: the postmaster's process id (embedded and system, when running).
        port: the TCP port.
        server_version: e.g. ``"18.6"``, when known.
        detail: one human-readable sentence about the state.
    """

    engine: str
    running: bool
    url: str | None
    data_dir: Path | None = None
    pid: int | None = None
    port: int | None = None
    server_version: str | None = None
    detail: str = ""

    def to_dict(self, *, reveal_password: bool = False) -> dict[str, Any]:
        """JSON-ready dict; the URL's password is redacted unless ``reveal_password``."""
        data = asdict(self)
        data["data_dir"] = str(self.data_dir) if self.data_dir else None
        if self.url and not reveal_password:
            data["url"] = redact(self.url)
        return data


@runtime_checkable
class Engine(Protocol):
    """The interface every engine implements.

    Attributes:
        name: ``"embedded"``, ``"system"``, ``"docker"`` or ``"url"``.
        template_clones: whether a migrated database on this server can be copied with
            ``create database ... template ...`` (cheap per-test clones). False for the docker
            engine: the supabase/postgres image's background workers (pg_cron, pg_net) stay
            connected to database ``postgres``, the only one that holds Supabase's auth schema.
    """

    name: str
    template_clones: bool

    def start(self) -> str:
        """Make sure the server runs; return its connection URL (with password)."""
        ...

    def stop(self) -> None:
        """Stop the server this engine manages."""
        ...

    def status(self) -> EngineStatus:
        """Describe the server without changing anything."""
        ...
