"""What a ``migrate`` or ``seed`` run did: :class:`MigrateResult` and its :class:`AppliedFile` entries
(the ``--format json`` output of both commands)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from khepri_db.migrations.compat import TargetInfo
from khepri_db.migrations.files import MigrationFile


@dataclass(frozen=True)
class AppliedFile:
    """A file applied by :func:`migrate` (or a seed file run)."""

    version: str | None
    name: str
    path: Path
    duration_ms: float
    statements: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "version": self.version,
            "name": self.name,
            "file": str(self.path),
            "duration_ms": round(self.duration_ms, 1),
            "statements": self.statements,
        }


@dataclass
class MigrateResult:
    """What :func:`migrate` did.

    Attributes:
        target: the database classification (after the compatibility layer, if installed).
        compat: ``"installed"``, ``"upgraded"``, ``"present"``, ``"not needed"`` (real Supabase),
            ``"skipped"`` (``--no-compat`` or an unknown ``auth`` schema), or ``"would install"``
            (dry run).
        applied: migrations applied, in order (empty on a dry run).
        pending: what a dry run would apply (empty otherwise, or when nothing was pending).
        seeded: seed files run.
        seeds_skipped: seed files not run, with the reason.
        warnings: things the user should know that did not stop the run.
        dry_run: whether nothing was written.
    """

    target: TargetInfo
    compat: str
    applied: list[AppliedFile] = field(default_factory=list)
    pending: list[MigrationFile] = field(default_factory=list)
    seeded: list[AppliedFile] = field(default_factory=list)
    seeds_skipped: list[tuple[Path, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "target": self.target.to_dict(),
            "compat": self.compat,
            "dry_run": self.dry_run,
            "applied": [a.to_dict() for a in self.applied],
            "pending": [{"version": p.version, "name": p.name, "file": str(p.path)} for p in self.pending],
            "seeded": [s.to_dict() for s in self.seeded],
            "seeds_skipped": [{"file": str(p), "reason": r} for p, r in self.seeds_skipped],
            "warnings": self.warnings,
        }
