"""Local migration files compared with the history: applied, pending and drifted (``khepri-db
status``), judged as the Supabase CLI judges a changed file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import psycopg

from khepri_db.core.sqltext import comparable
from khepri_db.migrations.files import IgnoredFile, MigrationFile, StatementDigests, discover, statements_digest
from khepri_db.migrations.history import AppliedMigration, PartialRun, read_history, read_partial


class MigrationState(StrEnum):
    """Where one migration version stands."""

    APPLIED = "applied"
    PENDING = "pending"
    OUT_OF_ORDER = "out-of-order"
    """Pending, but older than the newest applied version."""
    CHANGED = "changed"
    """Drift: applied, but the local file's content changed since."""
    MISSING_LOCALLY = "missing-locally"
    """Drift: recorded in the database, with no local file."""


@dataclass(frozen=True)
class MigrationEntry:
    """One row of :class:`MigrationStatus`."""

    version: str
    name: str | None
    state: MigrationState
    path: Path | None = None
    applied_at: datetime | None = None
    applied_by: str | None = None
    detail: str = ""
    committed_lines: tuple[int, int] | None = None
    """For a pending file a failed run split with its own ``commit``: the lines that stay applied."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "version": self.version,
            "name": self.name,
            "state": self.state.value,
            "file": str(self.path) if self.path else None,
            "applied_at": self.applied_at.isoformat() if self.applied_at else None,
            "applied_by": self.applied_by,
            "detail": self.detail,
            "committed_lines": list(self.committed_lines) if self.committed_lines else None,
        }


@dataclass(frozen=True)
class MigrationStatus:
    """Local files compared with the database's history.

    Attributes:
        directory: the migrations directory.
        entries: one per version, local or remote, sorted by version.
        ignored: files in the directory that are not migrations.
        history_exists: whether the database has a history table at all.
    """

    directory: Path
    entries: list[MigrationEntry]
    ignored: list[IgnoredFile]
    history_exists: bool

    def by_state(self, *states: MigrationState) -> list[MigrationEntry]:
        """Entries in any of ``states``."""
        return [e for e in self.entries if e.state in states]

    @property
    def has_drift(self) -> bool:
        """True if an applied file changed or an applied version has no file."""
        return bool(self.by_state(MigrationState.CHANGED, MigrationState.MISSING_LOCALLY))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``directory``, ``migrations``, ``ignored_files``, counts per state."""
        counts = {state.value: len(self.by_state(state)) for state in MigrationState}
        return {
            "directory": str(self.directory),
            "history_exists": self.history_exists,
            "migrations": [e.to_dict() for e in self.entries],
            "ignored_files": [{"file": str(i.path), "reason": i.reason} for i in self.ignored],
            "counts": counts,
            "drift": self.has_drift,
        }


def compare(
    files: Sequence[MigrationFile],
    ignored: Sequence[IgnoredFile],
    history: Sequence[AppliedMigration] | None,
    directory: Path,
    partial: Mapping[str, PartialRun] | None = None,
    digests: StatementDigests | None = None,
) -> MigrationStatus:
    """Compare local files with the history and classify every version (no I/O but ``digests``).

    ``partial`` (:func:`khepri_db.migrations.history.read_partial`): pending files whose own
    ``commit`` kept some lines applied in a failed run; their entries say which lines.
    ``digests``: statement digests kept from earlier runs; an applied file whose digest equals
    that of its recorded statements is applied without being split again (the caller saves them).
    """
    partial = partial or {}
    applied = {m.version: m for m in history or []}
    local = {f.version: f for f in files}
    newest_applied = max(applied) if applied else None
    entries: list[MigrationEntry] = []
    for version in sorted(set(applied) | set(local)):
        file, row = local.get(version), applied.get(version)
        if file and row:
            state, detail = _judge(file, row, digests)
            entries.append(MigrationEntry(version, file.name, state, file.path, row.applied_at, row.applied_by, detail))
        elif file:
            out_of_order = newest_applied is not None and version < newest_applied
            details = [f"older than the newest applied version {newest_applied}"] if out_of_order else []
            committed = None
            if version in partial:
                run = partial[version]
                committed = (1, run.committed_through_line)
                changed = "; the file changed since" if run.sha256 not in (file.sha256, file.legacy_sha256) else ""
                details.append(
                    f"lines 1-{run.committed_through_line} stay applied: its own commit kept them when a run "
                    f"failed after it ({run.recorded_at:%Y-%m-%d %H:%M:%S %Z}){changed}; the next run starts "
                    "again at line 1"
                )
            entries.append(
                MigrationEntry(
                    version,
                    file.name,
                    MigrationState.OUT_OF_ORDER if out_of_order else MigrationState.PENDING,
                    file.path,
                    detail="; ".join(details),
                    committed_lines=committed,
                )
            )
        else:
            assert row is not None
            entries.append(
                MigrationEntry(
                    version,
                    row.name,
                    MigrationState.MISSING_LOCALLY,
                    None,
                    row.applied_at,
                    row.applied_by,
                    f"recorded in the database, but no {version}_*.sql file exists in {directory}",
                )
            )
    return MigrationStatus(directory, entries, list(ignored), history is not None)


def _judge(
    file: MigrationFile, row: AppliedMigration, digests: StatementDigests | None = None
) -> tuple[MigrationState, str]:
    """Has ``file`` changed since ``row`` was recorded? Judged by the statements the Supabase CLI
    would record for the file now, compared with those recorded: an edit that leaves them equal
    (blank lines or whitespace between statements, a trailing newline) is no change, whoever applied
    the file; any other edit, whitespace inside a statement included, is one. Two allowances, for
    rows written by other splitters: khepri-db's own checksum of the file, and, when the number of
    statements differs (an older CLI or khepri-db cut the file elsewhere), the same text once all
    whitespace and semicolons are removed. ``digests`` (:class:`StatementDigests`) answers the first
    test without splitting a file it has seen."""
    if row.statements is not None:
        if digests is not None and digests.digest(file) == statements_digest(row.statements):
            return MigrationState.APPLIED, ""
        if [s.text for s in file.statements] == row.statements:
            return MigrationState.APPLIED, ""
        if row.sha256 is not None and row.sha256 in (file.sha256, file.legacy_sha256):
            return MigrationState.APPLIED, ""
        if len(row.statements) != len(file.statements) and comparable("".join(row.statements)) == comparable(file.sql):
            return MigrationState.APPLIED, "recorded with other statement boundaries (an older splitter)"
        who = "khepri-db" if row.tool_version else "the Supabase CLI"
        return MigrationState.CHANGED, f"file content differs from the statements {who} recorded when it was applied"
    if row.sha256 is not None:
        if row.sha256 in (file.sha256, file.legacy_sha256):
            return MigrationState.APPLIED, ""
        return MigrationState.CHANGED, "file content changed since it was applied"
    return MigrationState.APPLIED, "applied content was not recorded; cannot check for changes"


def migration_status(conn: psycopg.Connection, directory: Path) -> MigrationStatus:
    """Compare ``directory`` with the history of the database ``conn`` is connected to (read-only;
    unchanged files are not split again, see :class:`StatementDigests`)."""
    files, ignored = discover(directory)
    return compare_kept(files, ignored, read_history(conn), directory, read_partial(conn))


def compare_kept(
    files: Sequence[MigrationFile],
    ignored: Sequence[IgnoredFile],
    history: Sequence[AppliedMigration] | None,
    directory: Path,
    partial: Mapping[str, PartialRun] | None = None,
) -> MigrationStatus:
    """:func:`compare` with the user's kept statement digests (:meth:`StatementDigests.default`),
    saved afterwards: the same answer, without splitting files already seen unchanged."""
    digests = StatementDigests.default()
    status = compare(files, ignored, history, directory, partial, digests)
    if digests is not None:
        digests.save()
    return status
