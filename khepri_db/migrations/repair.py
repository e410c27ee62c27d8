"""``khepri-db migration repair``: mark versions applied or reverted in the history, writing the rows
``supabase migration repair`` writes (the CLI's ``internal/migration/repair``, v2.117.0)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from khepri_db.core.db import connect, refuse_unsuitable_target, require_session_connection
from khepri_db.core.errors import KhepriError, UsageError
from khepri_db.migrations.files import MigrationFile
from khepri_db.migrations.history import ensure_history_tables
from khepri_db.migrations.versions import local_versions


class RepairStatus(StrEnum):
    """``--status`` of ``migration repair``."""

    applied = "applied"
    reverted = "reverted"


@dataclass(frozen=True)
class RepairResult:
    """What :func:`repair_migrations` wrote.

    Attributes:
        status: applied or reverted.
        versions: the versions repaired, in the order given.
        all_local: True when no version was given (the whole history was made to match the files).
        rows_written: history rows inserted or updated (applied).
        rows_deleted: history rows deleted (reverted, or the truncate of a whole-history repair).
    """

    status: RepairStatus
    versions: list[str]
    all_local: bool
    rows_written: int
    rows_deleted: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "status": self.status.value,
            "versions": self.versions,
            "all_local": self.all_local,
            "rows_written": self.rows_written,
            "rows_deleted": self.rows_deleted,
        }


def _local_file(directory: Path, version: str) -> MigrationFile:
    """The first ``<version>_*.sql`` in ``directory`` (the CLI's ``GetMigrationFile``)."""
    matches = sorted(directory.glob(f"{version}_*.sql")) if directory.is_dir() else []
    if not matches:
        raise KhepriError(
            f"no local migration file {directory / (version + '_*.sql')} for version {version}; nothing was written",
            hint="`--status applied` records a local file's statements (as the Supabase CLI does); "
            "restore the file, or use `--status reverted` to drop the version from the history",
        )
    return MigrationFile.load(matches[0])


def repair_migrations(
    url: str,
    directory: Path,
    versions: Sequence[str],
    status: RepairStatus,
) -> RepairResult:
    """Mark versions applied or reverted in the history, writing the rows ``supabase migration repair`` writes.

    As the CLI (``internal/migration/repair``): versions must be integers; the history table is
    created if missing (the CLI's DDL); ``applied`` upserts ``(version, name, statements)`` from
    the local file ``<version>_*.sql`` (its statements split as the CLI splits them) and fails,
    writing nothing, when a version has no local file; ``reverted`` deletes the rows (a version
    with no row is no error). With no versions the whole history is truncated and, for
    ``applied``, every local migration recorded (the CLI asks first; the caller must confirm).
    Everything happens in one transaction.

    khepri-db's facts table (``supabase_migrations.khepri_migration_facts``) is kept consistent:
    its row for each repaired version is deleted, since khepri-db did not apply that content
    (``status`` then compares the file with the recorded statements, as for a CLI-applied row);
    so is the note of lines a failed run left applied (``khepri_partial_migrations``): whoever
    repairs a version has decided its state.

    Args:
        url: the database.
        directory: the migrations directory.
        versions: the versions to repair; empty: all (see above).
        status: applied or reverted.

    Returns:
        A :class:`RepairResult`.

    Raises:
        UsageError: a version is not an integer.
        KhepriError: ``applied`` for a version with no local file (nothing written).
        ConnectionFailedError: the database cannot be reached.
    """
    for version in versions:
        if not re.fullmatch(r"[+-]?[0-9]+", version):
            raise UsageError(f"failed to parse {version}: invalid version number")
    all_local = not versions
    chosen = [f.version for f in local_versions(directory)] if all_local else list(versions)
    files = [_local_file(directory, v) for v in chosen] if status is RepairStatus.applied else []
    require_session_connection(url, "migration repair")
    written = deleted = 0
    with connect(url, autocommit=True) as conn:
        refuse_unsuitable_target(conn, url, "migration repair")
        ensure_history_tables(conn)
        with conn.transaction():
            if all_local:
                row = conn.execute("select count(*) from supabase_migrations.schema_migrations").fetchone()
                deleted = int(row[0]) if row else 0
                conn.execute("truncate supabase_migrations.schema_migrations")
                conn.execute("truncate supabase_migrations.khepri_migration_facts")
                conn.execute("truncate supabase_migrations.khepri_partial_migrations")
            if status is RepairStatus.applied:
                for file in files:
                    conn.execute(
                        "insert into supabase_migrations.schema_migrations (version, name, statements) "
                        "values (%s, %s, %s) on conflict (version) do update "
                        "set name = excluded.name, statements = excluded.statements",
                        (file.version, file.name, [s.text for s in file.statements]),
                    )
                    written += 1
                conn.execute(
                    "delete from supabase_migrations.khepri_migration_facts where version = any(%s)",
                    ([f.version for f in files],),
                )
            if not all_local:
                conn.execute(
                    "delete from supabase_migrations.khepri_partial_migrations where version = any(%s)", (chosen,)
                )
            if status is not RepairStatus.applied and not all_local:
                cur = conn.execute(
                    "delete from supabase_migrations.schema_migrations where version = any(%s)", (chosen,)
                )
                deleted = cur.rowcount
                conn.execute(
                    "delete from supabase_migrations.khepri_migration_facts where version = any(%s)", (chosen,)
                )
    return RepairResult(status, chosen, all_local, written, deleted)
