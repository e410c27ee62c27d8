"""The engines' staging of extension stand-ins: PostgreSQL 18's ``extension_control_path``, and
the system engine's private install tree for older servers.

The stand-ins themselves are tested per extension (tests/extensions/); this file checks the
mechanisms. On 18: which files are staged, that nothing is staged for older servers, and that the
running test server really has the staged directory on its ``extension_control_path``, after the
server's own extension directory (so a real extension wins over a stand-in of the same name).
Below 18 (Debian's PostgreSQL 15, the system engine): the tree mirrors the installation, adds
only the stand-ins the server does not ship, changes none of the installation's directories, and
a server started from it reports the tree as its share directory and offers every stand-in while
the real pgcrypto stays the real one. Those tests skip, saying why, without a system PostgreSQL
older than 18.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from khepri_db.core.errors import EngineError
from khepri_db.core.project import bundled_path
from khepri_db.engines import (
    EXTENSIONS_DIR,
    PRIVATE_INSTALL_DIR,
    Engine,
    SystemEngine,
    binaries_major_version,
    embedded_bin_dir,
    free_port,
    make_cluster_root,
    stage_extension_standins,
    stage_private_install,
    system_bin_dir,
)
from khepri_db.engines._native import NativeBuild, build_native_standins, native_extensions, requires_native
from khepri_db.engines._standins import (
    DBDEV_CATALOGUE,
    SHARED_STANDIN_DIR,
    add_machine_extensions,
    dbdev_catalogue,
    standin_files,
)
from khepri_db.engines.pgtap import find_pgtap
from khepri_db.testing.plugin import FAST_TEST_SETTINGS

pytestmark = pytest.mark.pg

SOURCE = bundled_path("sql", "extensions")


def _shipped_files(*, native: bool = False) -> set[str]:
    """Every file staged beside the stand-ins: their control and script files (with
    ``native=False``, not those of stand-ins that need their C library, staged only with it built),
    the offline database.dev catalogue, and pgTAP's files when this machine has pgTAP."""
    with_c = {p.parent.name for p in SOURCE.glob("*/*.c") if requires_native(p.parent.name)}
    pgtap = find_pgtap()
    return (
        {
            p.name
            for p in SOURCE.glob("*/*")
            if p.suffix in {".control", ".sql"}
            and p.parent.name != SHARED_STANDIN_DIR
            and (native or p.parent.name not in with_c)
        }
        | {DBDEV_CATALOGUE}
        | ({p.name for p in pgtap.files} if pgtap else set())
    )


def _staged_standins(bin_dir: Path) -> set[str]:
    """The stand-ins a server of ``bin_dir`` offers: all, but those needing a C library that cannot be
    built for it (no compiler or server headers; tests/extensions/test_pgroonga.py and test_vector.py
    then skip, saying so)."""
    missing = build_native_standins(bin_dir).missing
    unbuilt = {name for name in native_extensions() if requires_native(name) and name in missing}
    return {p.stem for p in SOURCE.glob("*/*.control")} - unbuilt


@pytest.fixture(scope="module")
def native() -> NativeBuild:
    """The stand-ins' C libraries, built for the embedded engine's PostgreSQL 18."""
    if not any(shutil.which(cc) for cc in (os.environ.get("CC", ""), "cc", "gcc", "clang") if cc):
        pytest.skip("no C compiler on this machine: the stand-ins with C sources cannot be built")
    build = build_native_standins(embedded_bin_dir())
    assert not build.missing, build.missing
    return build


def test_nothing_is_staged_below_postgresql_18(tmp_path: Path) -> None:
    assert stage_extension_standins(tmp_path, 15) is None
    assert not (tmp_path / EXTENSIONS_DIR).exists()


def test_every_control_and_script_file_is_staged_flat_and_stale_files_go(tmp_path: Path) -> None:
    stale = tmp_path / EXTENSIONS_DIR / "extension" / "gone--0.1.sql"
    stale.parent.mkdir(parents=True)
    stale.write_text("select 1;")
    root = stage_extension_standins(tmp_path, 18)
    if not _shipped_files():
        pytest.skip("this build ships no extension stand-ins (sql/extensions is empty)")
    assert root == tmp_path / EXTENSIONS_DIR
    staged = {p.name for p in (root / "extension").iterdir()}
    assert staged == _shipped_files()
    assert not stale.exists()
    assert not (root / "lib").exists()


def test_shared_sql_is_staged_inside_each_including_script_under_its_name(tmp_path: Path) -> None:
    """The SHA-1 both pgcrypto and uuid-ossp need has one source (sql/extensions/_shared/sha1.sql):
    each staged script holds it under its own helper name, with no include line or placeholder left,
    and the shared file itself is not staged as an extension file."""
    root = stage_extension_standins(tmp_path, 18)
    assert root is not None
    shared = (SOURCE / SHARED_STANDIN_DIR / "sha1.sql").read_text()
    body = shared[shared.index("create function _khepri_sha1(bytea)") :].rstrip("\n")
    for script, name in (("pgcrypto--1.3.sql", "_pgcrypto_sha1"), ("uuid-ossp--1.1.sql", "_uuid_ossp_sha1")):
        staged = (root / "extension" / script).read_text()
        assert body.replace("_khepri_sha1", name) in staged
        assert "-- khepri-db include:" not in staged
        assert "_khepri_sha1" not in staged
        assert f"revoke all on function {name}(bytea) from public;" in staged
    assert not (root / "extension" / "sha1.sql").exists()
    assert (
        dict((p.name, d) for p, d in standin_files())["pgcrypto--1.3.sql"]
        == (root / "extension" / "pgcrypto--1.3.sql").read_bytes()
    )


def test_an_include_of_a_missing_shared_file_names_the_script_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "sql" / "extensions"
    (source / "demo").mkdir(parents=True)
    (source / "demo" / "demo.control").write_text("default_version = '1.0'\n")
    (source / "demo" / "demo--1.0.sql").write_text("select 1;\n\n-- khepri-db include: nope.sql as _demo_nope\n")
    monkeypatch.setattr("khepri_db.engines._standins.bundled_path", lambda *parts: tmp_path.joinpath(*parts))
    with pytest.raises(EngineError, match=r"demo--1\.0\.sql:3: includes nope\.sql"):
        standin_files()


def test_a_standin_with_c_sources_is_staged_with_its_library(tmp_path: Path, native: NativeBuild) -> None:
    assert set(native_extensions()) == {"pgroonga", "pgcrypto", "vector"}
    assert [name for name in native_extensions() if requires_native(name)] == ["pgroonga", "vector"]
    # the embedded engine ships the real pgvector: its stand-in is not built there
    assert set(native.libraries) == {"khepri_pgroonga.so", "khepri_crypt.so"}
    assert not native.missing
    root = stage_extension_standins(tmp_path, 18, native=native)
    assert root is not None
    assert {p.name for p in (root / "extension").iterdir()} == _shipped_files(native=True)
    for name in ("khepri_pgroonga.so", "khepri_crypt.so"):
        library = root / "lib" / name
        assert library.read_bytes() == native.libraries[name].read_bytes()
        assert stat.S_IMODE(library.stat().st_mode) == 0o600


def test_the_embedded_servers_have_pgroonga(khepri_server_url: str) -> None:
    """Where the session's server is one khepri-db built the stand-in for, pgroonga is offered (so
    tests/extensions/test_pgroonga.py runs rather than skips)."""
    with psycopg.connect(khepri_server_url, autocommit=True) as conn:
        major = int(conn.execute("select current_setting('server_version_num')::int / 10000").fetchone()[0])
        offered = conn.execute("select count(*) from pg_available_extensions where name = 'pgroonga'").fetchone()
        libraries = conn.execute("show dynamic_library_path").fetchone()[0]
    bin_dir = embedded_bin_dir() if major >= 18 else system_bin_dir()
    if "pgroonga" not in _staged_standins(bin_dir):
        why = build_native_standins(bin_dir).missing["pgroonga"]
        pytest.skip(f"the pgroonga stand-in cannot be built for PostgreSQL {major} here: {why}")
    assert offered == (1,)
    if major >= 18:
        assert libraries.startswith("$libdir:")
        assert libraries.endswith(f"/{EXTENSIONS_DIR}/lib")


def test_a_build_that_cannot_happen_says_why(tmp_path: Path) -> None:
    no_config = build_native_standins(tmp_path)
    assert set(no_config.missing) == {"pgroonga", "pgcrypto", "vector"}
    assert "has no pg_config" in no_config.missing["pgroonga"]
    assert not no_config.libraries
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    include = tmp_path / "include" / "server"  # a pg_config whose server headers are missing
    include.mkdir(parents=True)
    (bin_dir / "pg_config").write_text(
        f"#!/bin/sh\necho gcc\necho {include}\necho {tmp_path / 'share'}\necho 'PostgreSQL 15.99'\n"
    )
    (bin_dir / "pg_config").chmod(0o755)
    said: list[str] = []
    no_headers = build_native_standins(bin_dir, said.append)
    assert "server headers are not installed" in no_headers.missing["pgroonga"]
    assert "postgresql-server-dev" in no_headers.missing["pgroonga"]
    assert sorted(said) == [
        f"the pgcrypto stand-in runs without its C fast path on this server: {no_headers.missing['pgcrypto']}",
        f"the pgroonga stand-in is not available on this server: {no_headers.missing['pgroonga']}",
        f"the vector stand-in is not available on this server: {no_headers.missing['vector']}",
    ]
    # nothing of pgroonga is staged then (`create extension pgroonga` fails with migrate's hint);
    # pgcrypto is, its bcrypt in PL/pgSQL
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    root = stage_extension_standins(data_dir, 18, native=no_headers)
    assert root is not None
    staged = {p.name for p in (root / "extension").iterdir()}
    assert staged == _shipped_files()
    assert not any(name.startswith("pgroonga") for name in staged)


def test_a_source_that_does_not_compile_says_so(tmp_path: Path, native: NativeBuild) -> None:
    from khepri_db.engines import _native

    broken = tmp_path / "khepri_broken.c"
    broken.write_text('#include "postgres.h"\nint broken(void) { return no_such_symbol; }\n')
    toolchain = _native._toolchain(str(embedded_bin_dir().resolve()))
    assert not isinstance(toolchain, str)
    result = _native._compile(broken, toolchain, lambda _msg: None)
    assert isinstance(result, str)
    assert "khepri_broken.c did not compile" in result
    assert "no_such_symbol" in result


def test_a_link_planted_where_the_standins_go_is_removed_not_followed(tmp_path: Path) -> None:
    """The data directory belongs to the server's OS user: a link it plants at khepri_extensions (or
    at a file inside it) must never make khepri-db write or chown elsewhere."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("not ours")
    data_dir = tmp_path / "pgdata"
    data_dir.mkdir()
    (data_dir / EXTENSIONS_DIR).symlink_to(elsewhere)
    root = stage_extension_standins(data_dir, 18)
    assert root == data_dir / EXTENSIONS_DIR
    assert not root.is_symlink()
    assert (root / "extension" / "pgjwt.control").is_file()
    assert [p.name for p in elsewhere.iterdir()] == ["keep.txt"]


def test_the_test_server_looks_in_its_own_extension_directory_first(khepri_server_url: str) -> None:
    with psycopg.connect(khepri_server_url, autocommit=True) as conn:
        major = int(conn.execute("select current_setting('server_version_num')::int / 10000").fetchone()[0])
        if major < 18:
            pytest.skip(f"PostgreSQL {major} has no extension_control_path: its stand-ins come from the install tree")
        path = conn.execute("show extension_control_path").fetchone()[0]
        entries = path.split(":")
        assert entries[0] == "$system"
        assert entries[1].endswith("/" + EXTENSIONS_DIR)
        available = {r[0] for r in conn.execute("select name from pg_catalog.pg_available_extensions")}
    assert _staged_standins(embedded_bin_dir()) <= available


# -- PostgreSQL < 18: the system engine's private install tree (engines.stage_private_install) ------


def _older_system_bin_dir() -> Path:
    """The system PostgreSQL's bin directory when it is older than 18 and has pg_config; else skip."""
    try:
        bin_dir = system_bin_dir()
    except EngineError as exc:
        pytest.skip(f"no system PostgreSQL: {exc}")
    major = binaries_major_version(bin_dir)
    if major >= 18:
        pytest.skip(f"the system PostgreSQL is {major}: it gets the stand-ins through extension_control_path")
    if not (bin_dir / "pg_config").is_file():
        pytest.skip(f"{bin_dir} has no pg_config, so the install tree's layout is unknown (stand-ins skipped)")
    return bin_dir


def _config(bin_dir: Path, flag: str) -> Path:
    out = subprocess.run([str(bin_dir / "pg_config"), flag], capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def _snapshot(*directories: Path) -> dict[Path, tuple[int, int, int, list[str]]]:
    """Mode, owner, mtime and listing of each directory: what building the tree must not change."""
    return {
        d: (d.stat().st_mode, d.stat().st_uid, d.stat().st_mtime_ns, sorted(p.name for p in d.iterdir()))
        for d in directories
    }


def _mirror(root: Path, path: Path) -> Path:
    return root / path.relative_to(path.anchor)


def _standin_extension(name: str) -> str:
    return name.rsplit(".", 1)[0].split("--", 1)[0]


def test_nothing_is_built_for_postgresql_18_binaries(tmp_path: Path) -> None:
    bin_dir = embedded_bin_dir()
    assert binaries_major_version(bin_dir) >= 18
    assert stage_private_install(tmp_path, bin_dir) is None
    assert not (tmp_path / PRIVATE_INSTALL_DIR).exists()


def _fake_installation(prefix: Path, *, pkglibdir: Path | None = None) -> Path:
    """A PostgreSQL 15 layout under ``prefix`` (bin, lib, share, locale) whose ``pg_ctl`` and
    ``pg_config`` are shell scripts; its extension directory has a "real" pgcrypto and a stray
    pg_net script named like the stand-in's, with no control file. Returns the bin directory."""
    bin_dir, share = prefix / "bin", prefix / "share"
    paths = {"--bindir": bin_dir, "--sharedir": share, "--pkglibdir": pkglibdir or prefix / "lib"}
    paths["--localedir"] = prefix / "locale"
    for directory in (bin_dir, share / "extension", share / "timezonesets", paths["--pkglibdir"], prefix / "locale"):
        directory.mkdir(parents=True, exist_ok=True)
    cases = "".join(f"    {flag}) echo {shlex.quote(str(path))} ;;\n" for flag, path in paths.items())
    (bin_dir / "pg_config").write_text(f'#!/bin/sh\nfor a in "$@"; do case "$a" in\n{cases}esac; done\n')
    (bin_dir / "pg_ctl").write_text("#!/bin/sh\necho 'pg_ctl (PostgreSQL) 15.99'\n")
    (bin_dir / "postgres").write_bytes(b"\x7fELF not really a server")
    for exe in ("pg_config", "pg_ctl", "postgres"):
        (bin_dir / exe).chmod(0o755)
    (share / "postgres.bki").write_text("bootstrap\n")
    (share / "extension" / "pgcrypto.control").write_text("comment = 'the real one'\n")
    (share / "extension" / "pgcrypto--1.3.sql").write_text("-- the real script\n")
    (share / "extension" / "pg_net--0.19.5.sql").write_text("-- a stray script, no control file\n")
    (paths["--pkglibdir"] / "pgcrypto.so").write_bytes(b"\x7fELF")
    return bin_dir


def _contents(top: Path) -> dict[str, tuple[int, int, bytes | str]]:
    """Every entry under ``top``: mode, mtime and content (a link's target)."""
    found: dict[str, tuple[int, int, bytes | str]] = {}
    for path in sorted(top.rglob("*")):
        st = path.lstat()
        body: bytes | str = str(path.readlink()) if path.is_symlink() else path.read_bytes() if path.is_file() else ""
        found[str(path.relative_to(top))] = (st.st_mode, st.st_mtime_ns, body)
    return found


def test_a_fake_installation_is_mirrored_and_never_written_to(tmp_path: Path) -> None:
    prefix = tmp_path / "opt" / "pg"
    bin_dir = _fake_installation(prefix)
    data_dir = tmp_path / "pgdata"
    data_dir.mkdir(mode=0o700)
    before = _contents(prefix)

    server = stage_private_install(data_dir, bin_dir)

    root = data_dir / PRIVATE_INSTALL_DIR
    assert server == _mirror(root, bin_dir) / "postgres"
    assert server.read_bytes() == (bin_dir / "postgres").read_bytes()
    ext = _mirror(root, prefix / "share") / "extension"
    assert (ext / "pgcrypto.control").readlink() == prefix / "share" / "extension" / "pgcrypto.control"
    assert (ext / "pgcrypto--1.3.sql").readlink() == prefix / "share" / "extension" / "pgcrypto--1.3.sql"
    # pg_net is not shipped (no control file): the stand-in's files replace the stray link.
    for name in ("pg_net.control", "pg_net--0.19.5.sql"):
        assert not (ext / name).is_symlink()
        assert (ext / name).read_bytes() == (SOURCE / "pg_net" / name).read_bytes()
        assert stat.S_IMODE((ext / name).stat().st_mode) == 0o644
    assert (_mirror(root, prefix / "share") / "postgres.bki").readlink() == prefix / "share" / "postgres.bki"
    assert _mirror(root, prefix / "lib").readlink() == prefix / "lib"
    assert _mirror(root, prefix / "locale").readlink() == prefix / "locale"
    for directory in (p for p in root.rglob("*") if p.is_dir() and not p.is_symlink()):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o755
    assert _contents(prefix) == before  # nothing of the installation changed


def test_a_layout_that_cannot_be_mirrored_builds_nothing(tmp_path: Path) -> None:
    prefix = tmp_path / "pg"
    bin_dir = _fake_installation(prefix, pkglibdir=prefix / "share" / "lib")  # pkglibdir inside sharedir
    assert stage_private_install(tmp_path, bin_dir) is None
    assert not (tmp_path / PRIVATE_INSTALL_DIR).exists()


def test_the_tree_mirrors_the_installation_and_adds_only_the_missing_standins(tmp_path: Path) -> None:
    bin_dir = _older_system_bin_dir()
    sharedir, pkglibdir = _config(bin_dir, "--sharedir"), _config(bin_dir, "--pkglibdir")
    real_ext = sharedir / "extension"
    before = _snapshot(bin_dir, sharedir, real_ext, pkglibdir)
    stale = tmp_path / PRIVATE_INSTALL_DIR / "stale.control"
    stale.parent.mkdir()
    stale.write_text("comment = 'left from an older package'\n")

    server = stage_private_install(tmp_path, bin_dir)

    root = tmp_path / PRIVATE_INSTALL_DIR
    assert server == _mirror(root, _config(bin_dir, "--bindir")) / "postgres"
    assert server.is_file()
    assert not server.is_symlink()
    assert server.read_bytes() == (bin_dir / "postgres").resolve().read_bytes()
    assert not stale.exists()
    share = _mirror(root, sharedir)
    assert sorted(p.name for p in share.iterdir()) == sorted(p.name for p in sharedir.iterdir())
    for entry in share.iterdir():
        if entry.name != "extension":
            assert entry.is_symlink()
            assert entry.readlink() == sharedir / entry.name
    tree_ext = share / "extension"
    assert tree_ext.is_dir()
    assert not tree_ext.is_symlink()
    shipped = {_standin_extension(p.name) for p in real_ext.glob("*.control")}
    added = {p.name for p in tree_ext.iterdir() if not p.is_symlink()}
    expected = {n for n in _shipped_files() if _standin_extension(n) not in shipped}
    assert added == expected
    assert expected, "Debian's PostgreSQL ships none of pg_net, pg_cron, pgjwt...: some stand-ins must be added"
    for real in real_ext.iterdir():  # every real file, unchanged: a real extension wins over a stand-in
        assert (tree_ext / real.name).readlink() == real
    assert _mirror(root, pkglibdir).readlink() == pkglibdir
    assert _snapshot(bin_dir, sharedir, real_ext, pkglibdir) == before


def test_built_libraries_join_the_trees_libdir(tmp_path: Path) -> None:
    bin_dir = _older_system_bin_dir()
    build = build_native_standins(bin_dir)
    if build.missing:
        pytest.skip(f"the stand-ins' C code cannot be built for {bin_dir}: {build.missing}")
    pkglibdir = _config(bin_dir, "--pkglibdir")
    before = _snapshot(bin_dir, _config(bin_dir, "--sharedir"), pkglibdir, pkglibdir)
    stage_private_install(tmp_path, bin_dir, build)
    root = tmp_path / PRIVATE_INSTALL_DIR
    libdir = _mirror(root, pkglibdir)
    assert libdir.is_dir()
    assert not libdir.is_symlink()
    for real in pkglibdir.iterdir():
        assert (libdir / real.name).readlink() == real
    for name, built in build.libraries.items():
        assert not (libdir / name).is_symlink()
        assert (libdir / name).read_bytes() == built.read_bytes()
    tree_ext = _mirror(root, _config(bin_dir, "--sharedir")) / "extension"
    assert (tree_ext / "pgroonga.control").is_file()
    assert _snapshot(bin_dir, _config(bin_dir, "--sharedir"), pkglibdir, pkglibdir) == before


def test_rebuilding_leaves_no_extra_link_to_the_server_binary(tmp_path: Path) -> None:
    bin_dir = _older_system_bin_dir()
    real = (bin_dir / "postgres").resolve()
    first = stage_private_install(tmp_path, bin_dir)
    links = real.stat().st_nlink
    second = stage_private_install(tmp_path, bin_dir)
    assert first == second
    assert second is not None
    assert real.stat().st_nlink == links  # the old hard link went with the old tree
    shutil.rmtree(tmp_path / PRIVATE_INSTALL_DIR)
    assert real.stat().st_mode & 0o111
    assert real.is_file()


def test_a_link_planted_in_the_data_directory_is_not_built_through(tmp_path: Path) -> None:
    bin_dir = _older_system_bin_dir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("not the tree's")
    data_dir = tmp_path / "pgdata"
    data_dir.mkdir()
    (data_dir / PRIVATE_INSTALL_DIR).symlink_to(elsewhere)
    server = stage_private_install(data_dir, bin_dir)
    assert server is not None
    assert server.is_file()
    assert not (data_dir / PRIVATE_INSTALL_DIR).is_symlink()
    assert [p.name for p in elsewhere.iterdir()] == ["keep.txt"]


def test_the_binary_is_copied_when_it_cannot_be_hard_linked(bin_dir_and_other_fs: tuple[Path, Path]) -> None:
    bin_dir, data_dir = bin_dir_and_other_fs
    server = stage_private_install(data_dir, bin_dir)
    assert server is not None
    real = (bin_dir / "postgres").resolve()
    assert server.stat().st_ino != real.stat().st_ino
    assert server.read_bytes() == real.read_bytes()
    assert server.stat().st_mode & 0o111


@pytest.fixture
def bin_dir_and_other_fs() -> Iterator[tuple[Path, Path]]:
    """The system binaries and an empty directory on another file system (/dev/shm) for a data dir."""
    bin_dir = _older_system_bin_dir()
    shm = Path("/dev/shm")  # noqa: S108 (a mkdtemp directory in it, mode 0700)
    if not shm.is_dir() or shm.stat().st_dev == bin_dir.stat().st_dev or not os.access(shm, os.W_OK):
        pytest.skip("no writable /dev/shm on another file system than the binaries: a hard link cannot be refused")
    data_dir = Path(tempfile.mkdtemp(prefix="khepri-staging-", dir=shm))
    try:
        yield bin_dir, data_dir
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _tree_server_checks(url: str, data_dir: Path) -> None:
    """What a server started from the tree shows: its share dir is the tree's, every stand-in is
    available, and an extension the server ships is the real one (C functions), not the stand-in."""
    with psycopg.connect(url, autocommit=True) as conn:
        sharedir = conn.execute("select setting from pg_catalog.pg_config where name = 'SHAREDIR'").fetchone()[0]
        assert Path(sharedir).is_relative_to(data_dir / PRIVATE_INSTALL_DIR)
        available = {r[0] for r in conn.execute("select name from pg_catalog.pg_available_extensions")}
        assert _staged_standins(system_bin_dir()) <= available
        assert {"plpgsql", "pg_stat_statements"} <= available  # the real ones are all still there
        conn.execute("begin")
        conn.execute("create extension pgjwt cascade")  # the stand-in, on the real pgcrypto
        languages = conn.execute(
            "select e.extname, l.lanname from pg_proc p "
            "join pg_depend d on d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e' "
            "join pg_extension e on e.oid = d.refobjid join pg_language l on l.oid = p.prolang "
            "where p.proname in ('digest', 'sign') order by 1"
        ).fetchall()
        assert set(languages) == {("pgcrypto", "c"), ("pgjwt", "sql")}
        token = conn.execute("select sign('{\"sub\":\"1\"}', 'secret')").fetchone()[0]
        assert token.count(".") == 2
        conn.execute("rollback")


def test_an_older_test_server_reads_extensions_from_its_private_tree(khepri_engine: Engine) -> None:
    url = khepri_engine.start()
    with psycopg.connect(url) as conn:
        major = int(conn.execute("select current_setting('server_version_num')::int / 10000").fetchone()[0])
    if major >= 18:
        pytest.skip(f"PostgreSQL {major} gets the stand-ins through extension_control_path (tested above)")
    if not isinstance(khepri_engine, SystemEngine):
        pytest.skip(f"the {khepri_engine.name} engine's server is not started by khepri-db: no stand-ins")
    _tree_server_checks(url, khepri_engine.data_dir)


def test_a_system_server_started_from_the_tree(khepri_engine: Engine) -> None:
    """The same checks on a server of its own, when the session's server is not such a server."""
    if isinstance(khepri_engine, SystemEngine):
        pytest.skip("the session's server is the system engine's: the test above checks it")
    bin_dir = _older_system_bin_dir()
    root = make_cluster_root("khepri-staging-")
    engine = SystemEngine(root / "pgdata", bin_dir=bin_dir, port=free_port(), settings=FAST_TEST_SETTINGS)
    try:
        _tree_server_checks(engine.start(), engine.data_dir)
    finally:
        engine.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_the_offline_database_dev_catalogue_lists_every_bundled_package(tmp_path: Path) -> None:
    packages = json.loads(dbdev_catalogue())["packages"]
    bundled = sorted(p.parent.name for p in bundled_path("sql", "dbdev").glob("*/package.json"))
    assert [p["package_name"] for p in packages] == bundled
    for package in packages:
        folder = bundled_path("sql", "dbdev", package["package_name"])
        versions = {v["version"]: v["sql"] for v in package["versions"]}
        assert versions, package["package_name"]
        for version, text in versions.items():
            assert text == (folder / f"{package['package_name']}--{version}.sql").read_text(encoding="utf-8")
        assert package["default_version"] in versions
        for upgrade in package["upgrades"]:
            assert {upgrade["from_version"], upgrade["to_version"]} <= set(versions)
    root = stage_extension_standins(tmp_path, 18)
    assert root is not None
    assert (root / "extension" / DBDEV_CATALOGUE).read_bytes() == dbdev_catalogue()


def test_pgtap_installed_after_the_start_is_added_to_the_running_servers_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "pgtap"
    fake.mkdir()
    (fake / "pgtap.control").write_text("default_version = '9.9.9'\n")
    (fake / "pgtap--9.9.9.sql").write_text("select 1;\n")
    monkeypatch.setenv("KHEPRI_PGTAP_DIR", str(fake))
    found = find_pgtap()
    assert found is not None
    assert found.version == "9.9.9"
    assert found.directory == fake
    data = tmp_path / "data"
    staged = data / EXTENSIONS_DIR / "extension"
    staged.mkdir(parents=True)
    (staged / "other.control").write_text("default_version = '1'\n")
    assert add_machine_extensions(data, embedded_bin_dir()) == ["pgtap.control", "pgtap--9.9.9.sql"]
    assert (staged / "pgtap--9.9.9.sql").read_text() == "select 1;\n"
    assert add_machine_extensions(data, embedded_bin_dir()) == []  # there already: left alone
    (fake / "pgtap--9.9.9--9.9.10.sql").write_text("select 2;\n")
    assert add_machine_extensions(data, embedded_bin_dir()) == []  # its control file is there: not mixed
