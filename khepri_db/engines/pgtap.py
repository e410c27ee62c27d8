"""The real pgTAP, found on this machine (or fetched from Debian's archive) for the servers khepri-db starts.

pgTAP is not ours to ship (its PostgreSQL licence would allow it, but it is not our code), so
khepri-db never vendors it: it finds the SQL extension a package manager installed, in any
PostgreSQL share directory, and the engines stage it like the stand-ins (PostgreSQL 18's
``extension_control_path``, the private install tree before 18). pgTAP 1.x is plain SQL and
PL/pgSQL (its control file names a ``module_pathname`` that no function uses), so the files of
Debian's ``postgresql-15-pgtap`` work on the embedded PostgreSQL 18 too. Supabase ships pgTAP 1.2.0.

Where it is looked for, first found wins by highest ``default_version``:

1. ``KHEPRI_PGTAP_DIR``: a directory holding ``pgtap.control`` and ``pgtap--<version>.sql``;
2. ``platformdirs.user_cache_dir("khepri-db")/pgtap``, where :func:`fetch_pgtap` puts it;
3. every PostgreSQL share directory of the usual layouts (Debian/Ubuntu
   ``/usr/share/postgresql/<major>/extension`` from ``postgresql-<major>-pgtap``, ``/usr/local``,
   Homebrew, PGDG RPM ``/usr/pgsql-<major>``) and ``pg_config --sharedir`` on ``PATH``.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from khepri_db.core.errors import EngineError
from khepri_db.engines.base import Log

INSTALL_HINT = (
    "install pgTAP where khepri-db finds it: Debian/Ubuntu `apt-get install postgresql-15-pgtap` (any major "
    "works), or `khepri-db test pgtap --fetch` (downloads Debian's package into khepri-db's cache), or set "
    "KHEPRI_PGTAP_DIR to a directory holding pgtap.control and pgtap--<version>.sql"
)
"""What to do when no pgTAP is found (used in errors and skip reasons)."""

FETCH_TIMEOUT_S = 300

_GLOBS = (
    "/usr/share/postgresql/*/extension",
    "/usr/share/postgresql/extension",
    "/usr/local/share/postgresql/extension",
    "/usr/local/share/postgresql*/extension",
    "/usr/local/pgsql/share/extension",
    "/usr/pgsql-*/share/extension",
    "/opt/homebrew/share/postgresql*/extension",
)


@dataclass(frozen=True)
class PgtapSource:
    """An installed pgTAP: its extension directory and the files to stage.

    Attributes:
        directory: the directory holding ``pgtap.control``.
        version: the control file's ``default_version`` (e.g. ``"1.2.0"``).
        files: ``pgtap.control`` and every ``pgtap--*.sql`` script (install and update scripts).
    """

    directory: Path
    version: str
    files: tuple[Path, ...]


def cache_dir() -> Path:
    """Where :func:`fetch_pgtap` keeps pgTAP: ``platformdirs.user_cache_dir("khepri-db")/pgtap``."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("khepri-db")) / "pgtap"


def find_pgtap() -> PgtapSource | None:
    """The pgTAP to stage for servers khepri-db starts, or ``None`` when the machine has none.

    Looked up as the module docstring says; among several, the highest ``default_version`` wins
    (the first one found on a tie). Never raises.
    """
    best: PgtapSource | None = None
    for directory in _candidate_dirs():
        found = _read_source(directory)
        if found is not None and (best is None or _version_key(found.version) > _version_key(best.version)):
            best = found
    return best


def _candidate_dirs() -> Iterator[Path]:
    seen: set[Path] = set()
    explicit = os.environ.get("KHEPRI_PGTAP_DIR")
    candidates: list[Path] = [Path(explicit).expanduser()] if explicit else []
    candidates.append(cache_dir())
    for pattern in _GLOBS:
        candidates += sorted(Path("/").glob(pattern.lstrip("/")))
    sharedir = _path_sharedir()
    if sharedir:
        candidates.append(Path(sharedir) / "extension")
    for candidate in candidates:
        try:
            resolved = candidate.resolve()
        except OSError:
            continue
        if resolved not in seen:
            seen.add(resolved)
            yield candidate


@functools.lru_cache(maxsize=1)
def _path_sharedir() -> str | None:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    try:
        return subprocess.run(
            [pg_config, "--sharedir"], capture_output=True, text=True, check=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def _read_source(directory: Path) -> PgtapSource | None:
    control = directory / "pgtap.control"
    try:
        text = control.read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(r"^\s*default_version\s*=\s*'([^']+)'", text, re.MULTILINE)
    if match is None:
        return None
    version = match.group(1)
    scripts = tuple(sorted(p for p in directory.glob("pgtap--*.sql") if p.is_file()))
    if not any(p.name == f"pgtap--{version}.sql" for p in scripts):
        return None  # a control file without its install script: unusable
    return PgtapSource(directory, version, (control, *scripts))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in re.split(r"[.\-]", version))


def fetch_pgtap(log: Log | None = None) -> PgtapSource:
    """Download Debian's ``postgresql-<major>-pgtap`` package and keep its pgTAP in :func:`cache_dir`.

    Uses the machine's own package tools: ``apt-cache`` to pick the newest
    ``postgresql-<major>-pgtap`` the configured archives offer, ``apt-get download`` (no root
    needed; nothing is installed) and ``dpkg-deb -x`` to unpack it in a temporary directory. Only
    ``pgtap.control`` and ``pgtap--*.sql`` are kept; the cache is replaced atomically.

    Args:
        log: receives one line per step.

    Returns:
        The cached :class:`PgtapSource`.

    Raises:
        EngineError: the machine has no apt/dpkg, the archives offer no pgTAP package (run
            ``apt-get update`` first), or the download failed; the message says which.
    """
    say = log or (lambda _m: None)
    for tool in ("apt-cache", "apt-get", "dpkg-deb"):
        if shutil.which(tool) is None:
            raise EngineError(f"cannot fetch pgTAP: `{tool}` is not installed (not a Debian/Ubuntu machine)",
                              hint=INSTALL_HINT)  # fmt: skip
    names = _run(["apt-cache", "pkgnames", "postgresql-"]).stdout.split()
    packages = sorted((int(m.group(1)), name) for name in names if (m := re.fullmatch(r"postgresql-(\d+)-pgtap", name)))
    if not packages:
        raise EngineError(
            "cannot fetch pgTAP: the configured Debian archives offer no postgresql-<major>-pgtap package",
            hint="run `apt-get update` (the package lists may be empty), then try again; or " + INSTALL_HINT,
        )
    package = packages[-1][1]
    target = cache_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="khepri-pgtap-") as scratch:
        work = Path(scratch)
        work.chmod(0o755)  # apt-get download as root writes as the _apt user
        say(f"downloading {package} from Debian's archive (apt-get download)")
        done = _run(["apt-get", "download", "-q", package], cwd=work, check=False)
        debs = sorted(work.glob("*.deb"))
        if done.returncode != 0 or not debs:
            reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise EngineError(f"could not download {package}: {reason}", hint=INSTALL_HINT)
        unpacked = work / "root"
        _run(["dpkg-deb", "-x", str(debs[0]), str(unpacked)])
        sources = [s for d in sorted(unpacked.glob("usr/share/postgresql/*/extension")) if (s := _read_source(d))]
        if not sources:
            raise EngineError(f"{debs[0].name} holds no pgtap.control", hint=INSTALL_HINT)
        staged = Path(tempfile.mkdtemp(prefix=".pgtap-", dir=target.parent))
        for path in sources[-1].files:
            shutil.copyfile(path, staged / path.name)
        staged.chmod(0o755)
        old = target.with_name(f".pgtap-old-{os.getpid()}")
        if target.exists():
            target.rename(old)
        staged.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    found = _read_source(target)
    assert found is not None
    say(f"pgTAP {found.version} kept in {target}")
    return found


def _run(command: list[str], *, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=FETCH_TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise EngineError(f"`{' '.join(command)}` could not run: {exc}", hint=INSTALL_HINT) from exc
    if check and done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise EngineError(f"`{' '.join(command)}` failed: {reason}", hint=INSTALL_HINT)
    return done
