"""``khepri-db migration list``: local and remote versions paired as ``supabase migration list``
pairs them (the CLI's ``internal/migration/list``, v2.117.0), plus khepri-db's drift column."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import psycopg

from khepri_db.migrations.history import read_history
from khepri_db.migrations.status import MigrationState, compare
from khepri_db.migrations.versions import format_version_time, local_versions


class Drift(StrEnum):
    """The drift column of ``khepri-db migration list`` (not in the Supabase CLI's table)."""

    NONE = ""
    CHANGED = "changed"
    """Applied, but the local file differs from what was applied."""
    MISSING_LOCALLY = "missing-locally"
    """Recorded in the database, with no local file."""
    OUT_OF_ORDER = "out-of-order"
    """Local only, and older than the newest applied version (``db push`` refuses without ``--include-all``)."""


@dataclass(frozen=True)
class ListRow:
    """One row of ``migration list``.

    Attributes:
        local: the local version, or ``None`` (the CLI prints a blank).
        remote: the version in ``supabase_migrations.schema_migrations``, or ``None``.
        time: the version as a UTC time (``2026-01-01 09:30:00``), as the CLI's TIME column.
        drift: khepri-db's drift column.
        name: the migration's name (local file, else the history row).
        detail: why it drifts, or ``""``.
    """

    local: str | None
    remote: str | None
    time: str
    drift: Drift
    name: str | None
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "local": self.local,
            "remote": self.remote,
            "time": self.time,
            "drift": self.drift.value or None,
            "name": self.name,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class MigrationList:
    """The ``migration list`` table.

    Attributes:
        directory: the migrations directory read.
        rows: in version order.
        history_exists: whether the database has ``supabase_migrations.schema_migrations``.
    """

    directory: Path
    rows: list[ListRow]
    history_exists: bool

    @property
    def has_drift(self) -> bool:
        """True when an applied file changed or a recorded version has no file."""
        return any(r.drift in (Drift.CHANGED, Drift.MISSING_LOCALLY) for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``directory``, ``history_exists``, ``migrations`` (rows), ``drift``."""
        return {
            "directory": str(self.directory),
            "history_exists": self.history_exists,
            "migrations": [r.to_dict() for r in self.rows],
            "drift": self.has_drift,
        }


def list_migrations(conn: psycopg.Connection, directory: Path) -> MigrationList:
    """Pair local and remote versions as ``supabase migration list`` does, plus a drift column (read-only).

    The CLI merges the local versions (file names) with ``select version from
    supabase_migrations.schema_migrations order by version`` (none when the table is missing),
    comparing versions as integers and skipping any that is not one; each row shows LOCAL,
    REMOTE (blank when absent) and the version as a UTC time. The drift column comes from
    :func:`khepri_db.migrations.status.compare` (the same classification as ``khepri-db status``).

    Args:
        conn: a connection to the database.
        directory: the migrations directory.

    Returns:
        A :class:`MigrationList`.
    """
    files = local_versions(directory)
    history = read_history(conn)
    status = compare(files, [], history, directory)
    by_version = {e.version: e for e in status.entries}
    local = {f.version for f in files}
    remote = {m.version for m in history or []}
    rows: list[ListRow] = []
    for version in sorted((v for v in local | remote if v.isdigit()), key=int):
        entry = by_version[version]
        drift = {
            MigrationState.CHANGED: Drift.CHANGED,
            MigrationState.MISSING_LOCALLY: Drift.MISSING_LOCALLY,
            MigrationState.OUT_OF_ORDER: Drift.OUT_OF_ORDER,
        }.get(entry.state, Drift.NONE)
        rows.append(
            ListRow(
                version if version in local else None,
                version if version in remote else None,
                format_version_time(version),
                drift,
                entry.name,
                entry.detail if drift is not Drift.NONE else "",
            )
        )
    return MigrationList(directory, rows, history is not None)
