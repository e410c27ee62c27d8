"""Migration files by version: the version a new file gets (``migration new``), how a version reads
as a time, and the local versions ``migration list`` and ``migration repair`` count.

Follows the Supabase CLI's ``internal/migration/new`` and ``pkg/migration`` (v2.117.0).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from khepri_db.core.errors import UsageError
from khepri_db.migrations.files import FILE_PATTERN, MigrationFile, discover

VERSION_LAYOUT = "%Y%m%d%H%M%S"
"""Migration versions are UTC timestamps in this layout (the CLI's Go layout ``20060102150405``)."""

TIME_LAYOUT = "%Y-%m-%d %H:%M:%S"
"""How ``migration list`` shows a version's time (the CLI's ``2006-01-02 15:04:05``, UTC)."""


def version_now(now: datetime | None = None) -> str:
    """The 14-digit UTC timestamp ``supabase migration new`` uses as the version, e.g. ``20261201091500``."""
    return (now or datetime.now(UTC)).astimezone(UTC).strftime(VERSION_LAYOUT)


def new_migration(directory: Path, name: str, *, content: str = "", now: datetime | None = None) -> Path:
    """Create ``<directory>/<14-digit UTC timestamp>_<name>.sql``, as ``supabase migration new NAME``.

    The Supabase CLI takes the name as given (no case or character rules) and writes
    ``supabase/migrations/<timestamp>_<name>.sql``, copying stdin into it when stdin is not a
    terminal. khepri-db accepts the same names, except ones that would not give a migration file in
    ``directory``: an empty name, or one holding a path separator (the CLI would create a
    subdirectory, which no migration tool reads).

    Args:
        directory: the migrations directory (created if missing).
        name: the migration name, e.g. ``create_notes``.
        content: the file's text (empty by default).
        now: the time to use (default: now, UTC).

    Returns:
        The path of the new file.

    Raises:
        UsageError: the name is empty or holds ``/`` or ``\\``, or a file of that name exists
            (two ``migration new`` within one second).
    """
    if not name.strip():
        raise UsageError("migration name is empty", hint="e.g. `khepri-db migration new create_notes`")
    if "/" in name or "\\" in name or "\x00" in name:
        raise UsageError(
            f"migration name {name!r} holds a path separator: the file would not be in {directory}",
            hint="use letters, digits and underscores, e.g. create_notes",
        )
    path = directory / f"{version_now(now)}_{name}.sql"
    if not FILE_PATTERN.match(path.name):
        raise UsageError(f"{path.name}: not a migration file name (expected <digits>_<name>.sql)")
    directory.mkdir(parents=True, exist_ok=True)
    if path.exists():
        raise UsageError(f"{path} already exists", hint="wait a second and run it again")
    path.write_text(content, encoding="utf-8")
    return path


# -- migration list ------------------------------------------------------------------------------


def format_version_time(version: str) -> str:
    """``20260101093000`` -> ``2026-01-01 09:30:00`` (UTC); a version that is no timestamp is returned as is.

    Mirrors the CLI's ``FormatTimestampVersion`` (Go layout ``20060102150405``, strict).
    """
    if len(version) != 14 or not version.isdigit():
        return version
    try:
        return datetime.strptime(version, VERSION_LAYOUT).strftime(TIME_LAYOUT)
    except ValueError:
        return version


_OLD_INIT = re.compile(r"^([0-9]{14})_init\.sql$")


def local_versions(directory: Path) -> list[MigrationFile]:
    """The local migrations ``supabase migration list`` counts, in order.

    As the CLI's ``ListLocalMigrations``: every ``<digits>_<name>.sql`` file, except a first file
    ``<timestamp>_init.sql`` older than 20211209000000 (the deprecated init schema of old CLI
    versions). A missing directory has no migrations.

    Raises:
        UsageError: two files share a version.
    """
    if not directory.is_dir():
        return []
    files, _ignored = discover(directory)
    names = sorted(p.name for p in directory.iterdir() if not p.is_dir())
    if names:
        match = _OLD_INIT.match(names[0])
        if match and int(match.group(1)) < 20211209000000:
            files = [f for f in files if f.filename != names[0]]
    return files
