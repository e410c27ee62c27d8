"""Where things are: the user's Supabase project layout, its ``config.toml``, and the SQL bundled with khepri-db.

A *project* is the nearest directory, from the current one upwards, that holds a ``supabase/``
directory, the layout the Supabase CLI creates (``supabase/config.toml``,
``supabase/migrations/<version>_<name>.sql``, ``supabase/seed.sql``). Without one, the current
directory is the project and the Khepri schema bundled with the package is used.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from khepri_db.core.errors import ConfigError, NoProjectError, UsageError

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def bundled_path(*parts: str) -> Path:
    """Return the path of a file or directory that ships with khepri-db.

    In an installed wheel the SQL lives in ``khepri_db/_bundled/``; in a source checkout (editable
    install) it is read from the repository itself (``sql/``, ``supabase/migrations``).

    Args:
        parts: ``("sql", "compat")``, ``("sql", "doctor")``, ``("migrations",)`` or ``("seed.sql",)``.

    Returns:
        The absolute path (it may not exist if the distribution is broken).
    """
    installed = _PACKAGE_DIR / "_bundled"
    if installed.is_dir():
        return installed.joinpath(*parts)
    repo = _PACKAGE_DIR.parent
    source_layout = {"migrations": ("supabase", "migrations"), "seed.sql": ("supabase", "seed.sql")}
    head, *rest = parts
    return repo.joinpath(*source_layout.get(head, (head,)), *rest)


@functools.cache
def load_sql(*parts: str) -> str:
    """The text of a SQL file khepri-db ships, e.g. ``load_sql("catalog", "columns.sql")``
    for ``sql/catalog/columns.sql`` (read once per process).

    Args:
        parts: the path below ``sql/``.

    Raises:
        FileNotFoundError: the distribution lacks the file.
    """
    return bundled_path("sql", *parts).read_text(encoding="utf-8")


def read_toml(path: Path) -> dict[str, Any] | None:
    """The TOML document at ``path`` as a dict, or ``None`` when there is no such file.

    Raises:
        ConfigError: the file is not valid TOML (the message names the file, line and column).
    """
    if not path.is_file():
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc


def find_project_root(start: Path | None = None) -> Path:
    """Return the nearest directory from ``start`` (default: cwd) upwards holding ``supabase/``.

    Falls back to ``start`` itself when no ancestor has one.
    """
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "supabase").is_dir():
            return candidate
    return here


@dataclass(frozen=True)
class SupabaseConfig:
    """The parts of ``supabase/config.toml`` khepri-db reads.

    Attributes:
        api_schemas: ``[api] schemas``, the schemas PostgREST exposes (``None`` if not set).
        seed_enabled: ``[db.seed] enabled`` (default ``True`` like the Supabase CLI).
        seed_paths: ``[db.seed] sql_paths`` as given, relative to the ``supabase/`` directory
            (default ``["./seed.sql"]``); glob patterns are allowed.
        raw: the whole parsed document.
    """

    api_schemas: list[str] | None = None
    seed_enabled: bool = True
    seed_paths: list[str] = field(default_factory=lambda: ["./seed.sql"])
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> SupabaseConfig:
        """Parse ``path``; a missing file gives the defaults.

        Raises:
            ConfigError: the file is not valid TOML or a key has the wrong type (names the key).
        """
        data = read_toml(path)
        if data is None:
            return cls()
        api = data.get("api", {})
        seed = data.get("db", {}).get("seed", {})
        schemas = api.get("schemas")
        if schemas is not None and not (isinstance(schemas, list) and all(isinstance(s, str) for s in schemas)):
            raise ConfigError(f"{path}: [api] schemas must be a list of schema names, got {schemas!r}")
        paths = seed.get("sql_paths", ["./seed.sql"])
        if not (isinstance(paths, list) and all(isinstance(p, str) for p in paths)):
            raise ConfigError(f"{path}: [db.seed] sql_paths must be a list of paths, got {paths!r}")
        enabled = seed.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ConfigError(f"{path}: [db.seed] enabled must be true or false, got {enabled!r}")
        return cls(api_schemas=schemas, seed_enabled=enabled, seed_paths=paths, raw=data)


@dataclass(frozen=True)
class Project:
    """A Supabase-CLI-shaped project on disk.

    Attributes:
        root: the project directory (the one that holds ``supabase/``, or the cwd when
            :attr:`found` is false).
    """

    root: Path

    @classmethod
    def discover(cls, start: Path | None = None) -> Project:
        """Return the project containing ``start`` (default: the current directory)."""
        return cls(find_project_root(start))

    @property
    def supabase_dir(self) -> Path:
        """``<root>/supabase``."""
        return self.root / "supabase"

    @cached_property
    def config(self) -> SupabaseConfig:
        """The parsed ``supabase/config.toml`` (defaults when absent)."""
        return SupabaseConfig.load(self.supabase_dir / "config.toml")

    @property
    def default_data_dir(self) -> Path:
        """``<root>/.khepri/pgdata``: where the embedded engine keeps its cluster."""
        return self.root / ".khepri" / "pgdata"

    @property
    def found(self) -> bool:
        """True when :attr:`root` really holds a ``supabase/`` directory (a project was found)."""
        return self.supabase_dir.is_dir()

    def missing(self, what: str, *, options: str = "--migrations-dir DIR") -> NoProjectError:
        """The error a command raises when it needs ``what`` (e.g. "migrations") and no project was found.

        Args:
            what: what the command needed, in the plural ("migrations", "seed files").
            options: the command's option naming a directory or file instead.
        """
        return NoProjectError(
            f"no Supabase project here: no supabase/ directory in {self.root} or any directory above it, "
            f"so there are no {what} to use",
            hint=f"run khepri-db inside your project (the directory `supabase init` made), pass {options}, "
            "or pass --khepri-schema to use the Khepri schema bundled with khepri-db",
        )

    def migrations_dir(self, override: Path | None = None, *, khepri_schema: bool = False) -> Path:
        """The migrations directory to use.

        Args:
            override: ``--migrations-dir``; wins when given.
            khepri_schema: ``--khepri-schema``: the Khepri schema bundled with khepri-db.

        Returns:
            ``override``, else the bundled Khepri migrations when ``khepri_schema``, else
            ``<root>/supabase/migrations`` (which may not exist yet in a fresh project).

        Raises:
            UsageError: both ``override`` and ``khepri_schema`` are given.
            NoProjectError: neither is given and no project was found (exit code 2).
        """
        if override is not None and khepri_schema:
            raise UsageError("--migrations-dir and --khepri-schema exclude each other: pick one")
        if override is not None:
            return override
        if khepri_schema:
            return bundled_path("migrations")
        if not self.found:
            raise self.missing("migrations")
        return self.supabase_dir / "migrations"

    def seed_files(self, *, khepri_schema: bool = False) -> list[Path]:
        """Seed files from ``[db.seed] sql_paths`` in the order given, globs expanded and sorted.

        Args:
            khepri_schema: use the seed bundled with the Khepri schema instead of the project's.

        Returns:
            The files; an empty list when seeding is disabled, or when no project was found (and
            not ``khepri_schema``).
        """
        if khepri_schema:
            seed = bundled_path("seed.sql")
            return [seed] if seed.is_file() else []
        if not self.found or not self.config.seed_enabled:
            return []
        found: list[Path] = []
        for pattern in self.config.seed_paths:
            matches = sorted(self.supabase_dir.glob(pattern.removeprefix("./")))
            found.extend(p for p in matches if p.is_file() and p not in found)
        return found

    def relative(self, path: Path) -> str:
        """``path`` relative to the project root when inside it (how the Supabase CLI records seed
        paths, e.g. ``supabase/seed.sql``), else the absolute path."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.resolve().as_posix()
