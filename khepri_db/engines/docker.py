"""The docker engine: Supabase's own Postgres image and Supabase Auth's migrations, through
testcontainers (the optional ``khepri-db[docker]`` extra).
"""

from __future__ import annotations

import contextlib
import secrets
import types
from typing import Any

from khepri_db.core.db import connect, server_version
from khepri_db.core.errors import ConnectionFailedError, EngineError
from khepri_db.engines.base import SUPERUSER, EngineStatus, Log

DEFAULT_SUPABASE_IMAGE = "supabase/postgres:15.8.1.085"
"""The image the docker engine runs: Supabase's own Postgres (PostgreSQL 15, the self-hosting default)."""

DEFAULT_AUTH_IMAGE = "supabase/gotrue:v2.177.0"
"""The Supabase Auth image whose ``migrate`` command brings ``auth`` to the schema hosted Supabase has."""

DOCKER_STARTUP_TIMEOUT_S = 300
"""Seconds the docker engine waits for the database (first start includes the image pull) and for
Supabase Auth's migrations."""


def _testcontainers() -> Any:
    """Import testcontainers lazily (the optional ``khepri-db[docker]`` extra).

    Raises:
        EngineError: it is not installed, or older than 4.14 (no ``ExecWaitStrategy``).
    """
    try:
        from testcontainers.core import container, docker_client, network, wait_strategies
    except ImportError as exc:
        raise EngineError(
            f"the docker engine needs the testcontainers package, which is not installed ({exc})",
            hint="pip install 'khepri-db[docker]'",
        ) from exc
    if not hasattr(wait_strategies, "ExecWaitStrategy"):
        raise EngineError(
            "the docker engine needs testcontainers >= 4.14 (ExecWaitStrategy)",
            hint="pip install --upgrade 'testcontainers>=4.14'",
        )
    return types.SimpleNamespace(
        DockerContainer=container.DockerContainer,
        DockerClient=docker_client.DockerClient,
        Network=network.Network,
        ExecWaitStrategy=wait_strategies.ExecWaitStrategy,
    )


def docker_unavailable_reason() -> str | None:
    """Why the docker engine cannot run here, or ``None`` when it can.

    Returns:
        ``None`` when testcontainers is importable and a Docker engine answers a ping; else one
        sentence naming what is missing (used for error messages and test skips).
    """
    try:
        tc = _testcontainers()
    except EngineError as exc:
        return exc.message
    try:
        client = tc.DockerClient()
    except Exception as exc:  # docker.errors.DockerException and whatever the transport raises
        return f"no Docker engine answers ({_first_line(exc)}); start Docker or set DOCKER_HOST"
    try:
        client.client.ping()
    except Exception as exc:
        return f"no Docker engine answers ({_first_line(exc)}); start Docker or set DOCKER_HOST"
    finally:
        client.client.close()
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


class DockerEngine:
    """A throwaway ``supabase/postgres`` container: the real Supabase Postgres, via testcontainers.

    ``start()`` creates a Docker network, starts the database image (its init scripts create
    Supabase's roles, schemas, ``auth`` and ``storage``), waits until ``pg_isready`` succeeds over
    TCP inside the container, then runs Supabase Auth's own ``migrate`` command from the auth image
    against it, so ``auth.users`` has the columns hosted Supabase has (the image alone ships an
    older auth schema). The compatibility layer is never installed there: ``khepri-db migrate``
    recognises real Supabase. You connect as ``postgres`` (on Supabase not a superuser, but with
    BYPASSRLS and membership of the API roles), like ``supabase start``.

    The container lives as long as the Python process (testcontainers' reaper removes it if the
    process dies), so the docker engine serves test sessions, not ``khepri-db db start``.

    Args:
        image: the database image (default :data:`DEFAULT_SUPABASE_IMAGE`).
        auth_image: the Supabase Auth image whose migrations are applied (default
            :data:`DEFAULT_AUTH_IMAGE`); ``None`` keeps the image's own older auth schema.
        startup_timeout_s: seconds to wait for the database and for the auth migrations.
        log: receives one-line progress messages.

    Works wherever Docker does (e.g. GitHub Actions ``ubuntu-latest`` runners); needs
    ``pip install 'khepri-db[docker]'``.
    """

    name = "docker"
    template_clones = False

    def __init__(
        self,
        image: str | None = None,
        *,
        auth_image: str | None = DEFAULT_AUTH_IMAGE,
        startup_timeout_s: float = DOCKER_STARTUP_TIMEOUT_S,
        log: Log | None = None,
    ) -> None:
        self.image = image or DEFAULT_SUPABASE_IMAGE
        self.auth_image = auth_image
        self.startup_timeout_s = startup_timeout_s
        self._log = log or (lambda _msg: None)
        self._container: Any = None
        self._network: Any = None
        self._url: str | None = None

    def start(self) -> str:
        """Start the container (once per engine object) and return the ``postgres`` role's URL.

        Returns:
            ``postgresql://postgres:<password>@<docker host>:<mapped port>/postgres``.

        Raises:
            EngineError: testcontainers is missing, no Docker engine answers, the container did not
                become ready in time, or Supabase Auth's migrations failed (their log is included).
        """
        if self._url is not None:
            return self._url
        reason = docker_unavailable_reason()
        if reason is not None:
            raise EngineError(
                f"the docker engine cannot start: {reason}",
                hint="use the embedded or system engine on machines without Docker",
            )
        tc = _testcontainers()
        password = secrets.token_urlsafe(18)
        self._network = tc.Network().create()
        ready = tc.ExecWaitStrategy(
            ["pg_isready", "--host", "127.0.0.1", "--port", "5432", "--username", "postgres", "--dbname", "postgres"]
        ).with_startup_timeout(self.startup_timeout_s)
        self._log(f"starting {self.image} (the first run pulls the image)")
        self._container = (
            tc.DockerContainer(self.image)
            .with_env("POSTGRES_PASSWORD", password)
            .with_exposed_ports(5432)
            .with_network(self._network)
            .with_network_aliases("db")
            .waiting_for(ready)
        )
        try:
            self._container.start()
            host = self._container.get_container_host_ip()
            port = self._container.get_exposed_port(5432)
            url = f"postgresql://{SUPERUSER}:{password}@{host}:{port}/postgres"
            if self.auth_image:
                self._migrate_auth(tc, password, f"postgresql://supabase_admin:{password}@{host}:{port}/postgres")
            with connect(url):
                pass
        except EngineError:
            self.stop()
            raise
        except Exception as exc:
            self.stop()
            raise EngineError(
                f"the {self.image} container did not become ready: {_first_line(exc)}",
                hint="check `docker pull` works for the image and that Docker has enough memory",
            ) from exc
        self._url = url
        return url

    def _migrate_auth(self, tc: Any, password: str, admin_url: str) -> None:
        """Run ``gotrue migrate`` from :attr:`auth_image` against the database container."""
        from psycopg import sql

        with connect(admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("alter role supabase_auth_admin with login password {}").format(sql.Literal(password))
            )
        self._log(f"applying Supabase Auth's migrations with {self.auth_image}")
        auth = (
            tc.DockerContainer(self.auth_image)
            .with_command("gotrue migrate")
            .with_network(self._network)
            .with_env("GOTRUE_DB_DRIVER", "postgres")
            .with_env("GOTRUE_DB_DATABASE_URL", f"postgres://supabase_auth_admin:{password}@db:5432/postgres")
            .with_env("GOTRUE_JWT_SECRET", secrets.token_hex(32))
            .with_env("GOTRUE_SITE_URL", "http://127.0.0.1:3000")
            .with_env("API_EXTERNAL_URL", "http://127.0.0.1:9999")
        )
        auth.start()
        try:
            exit_status = auth.get_wrapped_container().wait(timeout=self.startup_timeout_s)
            stdout, stderr = auth.get_logs()
        finally:
            auth.stop()
        if exit_status.get("StatusCode") != 0:
            output = (stdout + stderr).decode(errors="replace").strip()
            raise EngineError(
                f"Supabase Auth's migrations ({self.auth_image} gotrue migrate) failed with exit status "
                f"{exit_status.get('StatusCode')}:\n{output[-2000:]}",
                hint="pick an auth image that matches the database image, or auth_image=None to skip",
            )

    def stop(self) -> None:
        """Remove the container and its network (no-op when not started)."""
        container, network = self._container, self._network
        self._container = self._network = self._url = None
        if container is not None:
            with contextlib.suppress(Exception):
                container.stop()
        if network is not None:
            with contextlib.suppress(Exception):
                network.remove()

    def status(self) -> EngineStatus:
        """Whether this engine's container answers, and its server version."""
        if self._url is None:
            return EngineStatus("docker", False, None, detail=f"no {self.image} container started by this process")
        try:
            with connect(self._url) as conn:
                version = server_version(conn)
        except ConnectionFailedError as exc:
            return EngineStatus("docker", False, self._url, detail=exc.message)
        return EngineStatus(
            "docker", True, self._url, server_version=version, detail=f"{self.image}: PostgreSQL {version} reachable"
        )
