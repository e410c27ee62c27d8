"""What ``access init`` reports: :class:`AccessInitResult` and a :class:`GeneratedTable` per table or view."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from khepri_db.core.schemas import ExposedSchemas


class GeneratedTable(BaseModel):
    """What ``access init`` found for one table or view.

    Attributes:
        name: ``schema.table``.
        kind: ``table`` or ``view``.
        row_built: a row factory was generated and made rows for both owners.
        reason: why no row could be built (``None`` when it was, or for a view found by ``match``).
        notes: what the generator inferred (the owner column and why, a shared table, leaks seen).
        exposed: false for a table outside the exposed schemas declared only because exposed rows
            reference it.
    """

    name: str
    kind: Literal["table", "view"]
    row_built: bool
    reason: str | None = None
    notes: list[str] = Field(default_factory=list)
    exposed: bool = True


class AccessInitResult(BaseModel):
    """The outcome of :func:`init_access`.

    Attributes:
        access_file: the file written.
        mode: ``create`` (a new file, or ``--force``) or ``update`` (objects appended).
        target: :meth:`TargetInfo.to_dict` of the database.
        exposed_schemas: the schemas covered.
        tables: every table and view considered (existing declarations excluded in ``update`` mode).
        functions: the functions declared (new ones only in ``update`` mode).
        cells: the cells written (tables x actors x operations, functions x actors).
        unbuildable: the tables with no row factory, with their reasons (also written as comments).
        errors: table cells whose probe neither succeeded nor was refused (a foreign key, a trigger's
            exception, a stand-in's 0A000): written as ``undecided`` with Postgres' message.
        undecided: every cell written as ``undecided``, as ``<object>:<cell>: <reason>``: the probe errors
            above, calls that failed for every actor or for a reason that is not a refusal, and cells
            on which the verification of the written file disagreed with the probe.
        disagreed: the cells the verification run decided otherwise than access init's probe (then
            written as undecided), as ``<cell id>: <reason>``.
        leaks: cells whose allowed update hands the row over to another owner.
        kept: declarations already in the file and kept as they are (``update`` mode).
        buckets: the Storage buckets declared (``[storage.<bucket>]``): those in ``storage.buckets`` and
            those a policy on ``storage.objects`` names (new ones only in ``update`` mode).
        verify: :meth:`AccessReport.summary` of ``verify-access`` run on the written file, plus ``passed``.
    """

    access_file: str
    mode: Literal["create", "update"]
    target: dict[str, Any]
    exposed_schemas: ExposedSchemas
    tables: list[GeneratedTable]
    functions: list[str]
    cells: int
    unbuildable: list[GeneratedTable]
    errors: list[str]
    undecided: list[str]
    disagreed: list[str] = Field(default_factory=list)
    leaks: list[str]
    kept: list[str]
    buckets: list[str] = Field(default_factory=list)
    verify: dict[str, Any]

    def summary(self) -> dict[str, int]:
        """Counts: ``tables``, ``rows_built``, ``views``, ``functions``, ``buckets``, ``cells``, ``unbuildable``,
        ``errors``, ``undecided``, ``leaks``."""
        tables = [t for t in self.tables if t.kind == "table"]
        return {
            "tables": len(tables),
            "rows_built": sum(1 for t in tables if t.row_built),
            "views": sum(1 for t in self.tables if t.kind == "view"),
            "functions": len(self.functions),
            "buckets": len(self.buckets),
            "cells": self.cells,
            "unbuildable": len(self.unbuildable),
            "errors": len(self.errors),
            "undecided": len(self.undecided),
            "leaks": len(self.leaks),
        }

    @property
    def complete(self) -> bool:
        """Every table has a row, every call ran for some actor, nothing errored or leaked, and
        verify-access passes on the file."""
        return bool(self.verify.get("passed")) and not (self.unbuildable or self.errors or self.undecided or self.leaks)
