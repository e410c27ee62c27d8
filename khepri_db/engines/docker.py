"""The docker engine: PostgreSQL in a container on loopback, through the Docker SDK for Python
(``docker``, the optional ``khepri-db[docker]`` extra).

Two kinds of image:

* **Supabase's own Postgres** (``supabase/postgres``, the default, picked by the project's
  ``[db] major_version`` as ``supabase start`` picks it): every extension and platform schema is
  the real one, so nothing of khepri-db's layer is installed; Supabase Auth's ``gotrue migrate``
  (``auth_image``) brings ``auth`` to the schema hosted Supabase has.
* **Any other PostgreSQL image** (a plain ``postgres:15``, or one built locally with
  ``tests/docker/build_image.sh``): it gets what the system engine gets, the extension stand-ins
  copied into the server's extension directory (never over an extension the image ships), and
  ``khepri-db migrate`` installs the compatibility layer on the vanilla server.

Loopback only: the container shares the host's network (``network_mode=host``, never a bridge
network) and PostgreSQL listens on 127.0.0.1 on a free port. No reaper container (testcontainers'
Ryuk) is needed: every container carries the label ``dev.khepri-db=1``; ``stop()`` removes it, and
``start()`` first removes the containers of test sessions whose process has died.

A container started for a project (``khepri-db db start --engine docker``) outlives the command:
its id, port and password are kept in ``<project>/.khepri/docker/engine.json`` (mode 0600), so later
commands (``migrate --engine docker``, ``db url --engine docker``) reach it and ``db stop --engine
docker`` removes it. A test session's container (no state directory) is removed when the session
ends, or by the next session if the process was killed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import secrets
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from khepri_db.core.db import connect, server_version
from khepri_db.core.errors import ConnectionFailedError, EngineError
from khepri_db.engines._docker_sdk import IMAGE_ENV, docker_client, docker_sdk, ensure_image
from khepri_db.engines.base import SUPERUSER, EngineStatus, Log

DEFAULT_SUPABASE_IMAGE = "supabase/postgres:15.8.1.085"
"""The image for PostgreSQL 15 projects: Supabase's own Postgres (``[db] major_version = 15``)."""

SUPABASE_IMAGES = {15: DEFAULT_SUPABASE_IMAGE, 17: "supabase/postgres:17.4.1.055"}
"""Supabase's Postgres image per ``[db] major_version``, as the Supabase CLI pins them."""

DEFAULT_AUTH_IMAGE = "supabase/gotrue:v2.177.0"
"""The Supabase Auth image whose ``migrate`` command brings ``auth`` to the schema hosted Supabase has."""


DOCKER_STARTUP_TIMEOUT_S = 120
"""Seconds the docker engine waits for the database to accept connections, and for Supabase Auth's
migrations."""

LABEL = "dev.khepri-db"
"""Label (value ``1``) on every container the docker engine creates."""

LABEL_KEY = "dev.khepri-db.key"
"""Label naming what the container serves: ``project-<hash>`` or ``session-<pid>-<random>``."""

LABEL_PID = "dev.khepri-db.owner-pid"
"""Label of a test session's container: the process that owns it (leftovers of dead ones are removed)."""

STATE_FILE_NAME = "engine.json"
"""The project's docker state (container id, port, password), in the state directory, mode 0600."""


def default_image(major_version: int | None) -> str:
    """The image for a project's ``[db] major_version``: ``KHEPRI_DOCKER_IMAGE`` when set, else
    Supabase's own Postgres of that major version (:data:`SUPABASE_IMAGES`; 15 when unknown)."""
    return os.environ.get(IMAGE_ENV) or SUPABASE_IMAGES.get(major_version or 15, DEFAULT_SUPABASE_IMAGE)


def is_supabase_image(image: str) -> bool:
    """Whether ``image`` names Supabase's own Postgres (``supabase/postgres``, any registry)."""
    repository = image.split("@", 1)[0].rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    return repository.endswith("supabase/postgres")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class _State:
    container_id: str
    name: str
    image: str
    port: int
    password: str
    supabase: bool

    @property
    def url(self) -> str:
        return f"postgresql://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/postgres"


class DockerEngine:
    """PostgreSQL in a container on 127.0.0.1 (host networking), created through the Docker SDK.

    Args:
        image: the database image (default :func:`default_image` of PostgreSQL 15). Supabase's
            own (``supabase/postgres``) is used as it is; any other gets khepri-db's stand-ins.
        state_dir: where a project's container is recorded (``<project>/.khepri/docker``), so it
            outlives the command that started it; ``None`` for a test session's container, which
            lives as long as this process (and is removed by the next session if it dies).
        auth_image: for Supabase's image, the Supabase Auth image whose migrations are applied
            (default :data:`DEFAULT_AUTH_IMAGE`); ``None`` keeps the image's own older auth schema.
        port: the port PostgreSQL listens on (default: a free one).
        startup_timeout_s: seconds to wait for the database (and for the auth migrations).
        log: receives one-line progress messages.

    Attributes:
        key: what the container serves (its ``dev.khepri-db.key`` label, and its name): a
            project's, derived from the state directory, or this process's test session.
        template_clones: true for a plain image (a migrated database can be copied); false for
            Supabase's, whose pg_cron and pg_net workers stay connected to ``postgres``.
    """

    name = "docker"

    def __init__(
        self,
        image: str | None = None,
        *,
        state_dir: Path | None = None,
        auth_image: str | None = DEFAULT_AUTH_IMAGE,
        port: int | None = None,
        startup_timeout_s: float = DOCKER_STARTUP_TIMEOUT_S,
        log: Log | None = None,
    ) -> None:
        self.image = image or default_image(None)
        self.state_dir = state_dir
        self.auth_image = auth_image
        self.port = port
        self.startup_timeout_s = startup_timeout_s
        self._log = log or (lambda _msg: None)
        self._state: _State | None = None
        self.template_clones = not is_supabase_image(self.image)
        if state_dir is not None:
            digest = hashlib.sha256(str(state_dir.resolve()).encode()).hexdigest()[:12]
            self.key = f"project-{digest}"
        else:
            self.key = f"session-{os.getpid()}-{secrets.token_hex(4)}"

    @property
    def requested_dir(self) -> Path | None:
        """The directory holding the project's record (``None`` for a test session's container)."""
        return self.state_dir

    data_dir = requested_dir

    # -- state ------------------------------------------------------------------------------------

    @property
    def _state_file(self) -> Path | None:
        return self.state_dir / STATE_FILE_NAME if self.state_dir is not None else None

    def _load_state(self) -> _State | None:
        if self._state is not None:
            return self._state
        path = self._state_file
        if path is None or not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return _State(**data)
        except (OSError, ValueError, TypeError):
            return None

    def _save_state(self, state: _State) -> None:
        self._state = state
        path = self._state_file
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(state.__dict__, handle)
        tmp.replace(path)
        from khepri_db.engines.registry import register

        register(self.name, self.state_dir, self.state_dir)  # for `db list` and `db stop --all`

    def _forget_state(self) -> None:
        self._state = None
        path = self._state_file
        if path is not None:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    # -- the container ----------------------------------------------------------------------------

    def _container(self, client: Any, state: _State) -> Any | None:
        docker = docker_sdk()
        try:
            return client.containers.get(state.container_id)
        except docker.errors.NotFound:
            return None

    def remove_leftovers(self, client: Any) -> list[str]:
        """Remove containers of test sessions whose owning process is gone; their names."""
        removed = []
        for container in client.containers.list(all=True, filters={"label": LABEL_PID}):
            try:
                pid = int(container.labels.get(LABEL_PID, "0"))
            except ValueError:
                continue
            if pid > 0 and not _pid_alive(pid):
                with contextlib.suppress(Exception):
                    container.remove(force=True)
                    removed.append(container.name)
        return removed

    def start(self) -> str:
        """Start the container (or reuse the project's running one) and return the ``postgres`` URL.

        Returns:
            ``postgresql://postgres:<password>@127.0.0.1:<port>/postgres``.

        Raises:
            EngineError: the Docker SDK is missing, no Docker engine answers, the image is neither
                present nor pullable (checked before anything is created), the container stopped or
                did not accept connections in time (its log is included), or Supabase Auth's
                migrations failed.
        """
        client = docker_client()
        try:
            state = self._load_state()
            if state is not None:
                container = self._container(client, state)
                if container is not None and container.status == "running" and self._answers(state.url):
                    self._state = state
                    self.template_clones = not state.supabase
                    return state.url
                self._log(
                    f"the container {state.name} was stopped or killed outside khepri-db "
                    f"({container.status if container is not None else 'removed'}); starting a new one "
                    "(its data went with it)"
                )
                if container is not None:
                    with contextlib.suppress(Exception):
                        container.remove(force=True)
                self._forget_state()
            ensure_image(client, self.image, self._log)
            for name in self.remove_leftovers(client):
                self._log(f"removed {name}, left by a test session that died")
            return self._create(client)
        finally:
            client.close()

    def _create(self, client: Any) -> str:
        from khepri_db.engines._host import free_port

        key = self.key
        port = self.port or free_port()
        password = secrets.token_urlsafe(18)
        supabase = is_supabase_image(self.image)
        labels = {LABEL: "1", LABEL_KEY: key}
        if self.state_dir is None:
            labels[LABEL_PID] = str(os.getpid())
        name = f"khepri-db-{key}"
        docker = docker_sdk()
        with contextlib.suppress(docker.errors.NotFound):
            client.containers.get(name).remove(force=True)  # a stale one of this project
        command = list(client.images.get(self.image).attrs.get("Config", {}).get("Cmd") or ["postgres"])
        command += ["-c", "listen_addresses=127.0.0.1", "-c", f"port={port}"]
        self._log(f"starting {self.image} on 127.0.0.1:{port} (container {name}, host network)")
        container = client.containers.run(
            self.image,
            command=command,
            name=name,
            detach=True,
            network_mode="host",
            environment={"POSTGRES_PASSWORD": password},
            labels=labels,
        )
        state = _State(container.id, name, self.image, port, password, supabase)
        try:
            self._wait_ready(container, state)
            if supabase and self.auth_image:
                self._migrate_auth(client, state)
            elif not supabase:
                self._stage_standins(container, state)
        except BaseException:
            with contextlib.suppress(Exception):
                container.remove(force=True)
            raise
        self.template_clones = not supabase
        self._save_state(state)
        return state.url

    def _answers(self, url: str) -> bool:
        try:
            with connect(url):
                return True
        except ConnectionFailedError:
            return False

    def _wait_ready(self, container: Any, state: _State) -> None:
        """Wait until PostgreSQL accepts connections; fail at once if the container stops."""
        deadline = time.monotonic() + self.startup_timeout_s
        while True:
            container.reload()
            if container.status in ("exited", "dead"):
                logs = container.logs(tail=40).decode(errors="replace").strip()
                raise EngineError(
                    f"the {self.image} container stopped before PostgreSQL was ready "
                    f"(status {container.status}):\n{logs[-2000:]}",
                    hint="check the image runs PostgreSQL as `postgres -c name=value ...` (as the official images do)",
                )
            if self._answers(state.url):
                return
            if time.monotonic() > deadline:
                logs = container.logs(tail=20).decode(errors="replace").strip()
                raise EngineError(
                    f"PostgreSQL in the {self.image} container did not accept connections within "
                    f"{self.startup_timeout_s:.0f} s:\n{logs[-2000:]}"
                )
            time.sleep(0.25)

    def _stage_standins(self, container: Any, state: _State) -> None:
        """Copy khepri-db's extension stand-ins into the server's extension directory (never over a
        file the image ships); the stand-ins that need a compiled library are left out."""
        from khepri_db.core.project import bundled_path
        from khepri_db.engines._standins import DBDEV_CATALOGUE, dbdev_catalogue, standin_files, unbuilt_native

        source = bundled_path("sql", "extensions")
        if not source.is_dir():
            return
        with connect(state.url) as conn:
            row = conn.execute("select setting from pg_catalog.pg_config where name = 'SHAREDIR'").fetchone()
            assert row is not None
            extension_dir = f"{row[0]}/extension"
            present = {r[0] for r in conn.execute("select pg_catalog.pg_ls_dir(%s)", (extension_dir,))}
        files: dict[str, bytes] = {}
        needs_library = unbuilt_native(None)  # nothing is compiled for a container's server
        for path, data in standin_files():
            if path.parent.name not in needs_library and path.name not in present:
                files[path.name] = data
        if DBDEV_CATALOGUE not in present:
            files[DBDEV_CATALOGUE] = dbdev_catalogue()
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            for name, data in files.items():
                info = tarfile.TarInfo(name)
                info.size, info.mode, info.mtime = len(data), 0o644, int(time.time())
                archive.addfile(info, io.BytesIO(data))
        if not container.put_archive(extension_dir, buffer.getvalue()):
            raise EngineError(f"could not copy khepri-db's extension stand-ins into {extension_dir} of {state.name}")
        self._log(f"staged {len(files)} stand-in file(s) in {extension_dir}")

    def _migrate_auth(self, client: Any, state: _State) -> None:
        """Run ``gotrue migrate`` from :attr:`auth_image` against the database (host network too)."""
        from psycopg import sql

        admin_url = f"postgresql://supabase_admin:{state.password}@127.0.0.1:{state.port}/postgres"
        with connect(admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("alter role supabase_auth_admin with login password {}").format(sql.Literal(state.password))
            )
        assert self.auth_image is not None
        ensure_image(client, self.auth_image, self._log)
        self._log(f"applying Supabase Auth's migrations with {self.auth_image}")
        auth = client.containers.run(
            self.auth_image,
            command="gotrue migrate",
            detach=True,
            network_mode="host",
            labels={LABEL: "1", LABEL_KEY: f"{self.key}-auth"},
            environment={
                "GOTRUE_DB_DRIVER": "postgres",
                "GOTRUE_DB_DATABASE_URL": f"postgres://supabase_auth_admin:{state.password}@127.0.0.1:{state.port}/postgres",
                "GOTRUE_JWT_SECRET": secrets.token_hex(32),
                "GOTRUE_SITE_URL": "http://127.0.0.1:3000",
                "API_EXTERNAL_URL": "http://127.0.0.1:9999",
            },
        )
        try:
            exit_status = auth.wait(timeout=self.startup_timeout_s)
            output = auth.logs().decode(errors="replace").strip()
        finally:
            with contextlib.suppress(Exception):
                auth.remove(force=True)
        if exit_status.get("StatusCode") != 0:
            raise EngineError(
                f"Supabase Auth's migrations ({self.auth_image} gotrue migrate) failed with exit status "
                f"{exit_status.get('StatusCode')}:\n{output[-2000:]}",
                hint="pick an auth image that matches the database image, or auth_image=None to skip",
            )

    def stop(self) -> None:
        """Remove the container (and the project's state file); a no-op when there is none.

        Raises:
            EngineError: the Docker SDK is missing or no Docker engine answers while a container
                is recorded.
        """
        state = self._load_state()
        if state is None:
            return
        client = docker_client()
        try:
            container = self._container(client, state)
            if container is not None:
                container.remove(force=True)
        finally:
            client.close()
        self._forget_state()

    def status(self) -> EngineStatus:
        """Whether this engine's container runs and PostgreSQL answers; never starts anything."""
        state = self._load_state()
        if state is None:
            return EngineStatus("docker", False, None, detail=f"no {self.image} container started")
        try:
            client = docker_client()
        except EngineError as exc:
            return EngineStatus("docker", False, state.url, port=state.port, detail=exc.message)
        try:
            container = self._container(client, state)
            container_status = container.status if container is not None else "removed"
        finally:
            client.close()
        if container_status != "running":
            return EngineStatus(
                "docker", False, state.url, port=state.port,
                detail=f"container {state.name} is {container_status} (stopped or killed outside khepri-db)",
            )  # fmt: skip
        try:
            with connect(state.url) as conn:
                version = server_version(conn)
        except ConnectionFailedError as exc:
            return EngineStatus("docker", False, state.url, port=state.port, detail=exc.message)
        return EngineStatus(
            "docker", True, state.url, port=state.port, server_version=version,
            detail=f"{state.image} in container {state.name}: PostgreSQL {version} on 127.0.0.1:{state.port}",
        )  # fmt: skip
