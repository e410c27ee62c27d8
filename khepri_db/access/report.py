"""Results of :func:`khepri_db.access.probe.verify_access`: one :class:`CellResult` per actor x
operation x object, gathered in an :class:`AccessReport`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from khepri_db.access.declaration import Outcome, qualify
from khepri_db.core.schemas import ExposedSchemas

# -- results ---------------------------------------------------------------------------------------


class CellRights(BaseModel):
    """The rights a cell ran with, as :func:`khepri_db.access.session.request_rights` read them. Frozen:
    the cells that ran with the same rights share one instance."""

    model_config = ConfigDict(frozen=True)

    current_user: str
    superuser: bool
    bypassrls: bool
    owns_rls_tables: bool


class OwnerDataCall(BaseModel):
    """A function called by ``anon`` or ``other`` with the owner's data (:mod:`khepri_db.access._owner_calls`)
    besides the declared call: what was sent and what it did, in its own rolled-back savepoint."""

    call: str = Field(description="the statement, its arguments taken from the owner's rows and user")
    source: str = Field(description="the table of the owner's row most arguments came from")
    status: Literal["completed", "failed", "refused"] = Field(
        description="completed; failed inside (it passed the EXECUTE check: executed, not denied); refused (42501)"
    )
    detail: str = ""
    sqlstate: str | None = None
    changed: dict[str, int] = Field(
        default_factory=dict, description="the owner's rows the call updated or deleted, per table"
    )
    wrote: dict[str, int] = Field(default_factory=dict, description="rows the call wrote, per table")
    revealed: bool = Field(
        False, description="the call completed and its result held a value other than null, false, 0 or empty"
    )
    rights: CellRights | None = Field(None, description="the rights the call ran with (checked as a cell's)")


class CellResult(BaseModel):
    """One actor x operation x object of the matrix.

    ``ok`` is true when ``actual`` equals ``expected``, no leak was found and the declaration does not
    leave the cell undecided; ``skipped`` cells (nothing to probe, e.g. insert on a view without
    ``row``) are ok only when the operation is declared denied. An *undecided* cell
    (``undecided`` holds the declaration's reason) is neither a pass nor a mismatch: ``ok`` is false,
    and it is not in :attr:`AccessReport.mismatches`.
    """

    id: str = Field(description="<object>:<actor>:<operation>, as in Declaration.cell_ids()")
    object: str = Field(
        description="public.athletes, public.fn(argtypes) for a function, storage.objects[<bucket>] for a bucket"
    )
    kind: Literal["table", "function", "storage"]
    actor: str
    operation: str
    expected: Literal["allowed", "denied"]
    actual: Outcome
    ok: bool
    detail: str = Field(description="what happened: rows affected, or Postgres' message")
    sqlstate: str | None = None
    leak: str | None = Field(None, description="set when an allowed update could hand the row to another owner")
    rights: CellRights | None = None
    unreviewed: bool = Field(False, description="the declaration marks this cell as generated and not yet reviewed")
    undecided: str | None = Field(
        None, description="why the declaration leaves this cell undecided (never a pass, never a mismatch)"
    )
    owned: bool = Field(
        True, description="a table cell: its row belongs to the owner (references the owner's user); false: shared"
    )
    risk_accepted: str | None = Field(
        None, description="why the declaration accepts this cell's risk (accepted_risks), if it does"
    )
    security_definer: bool = Field(False, description="a function cell: the function is SECURITY DEFINER")
    executable: bool | None = Field(
        None, description="an anon function cell: anon holds EXECUTE on it and USAGE on its schema (catalog)"
    )
    wrote: dict[str, int] | None = Field(
        None, description="a function cell of anon or other: rows its call wrote, per table (when it succeeded)"
    )
    checks_caller: bool | None = Field(
        None,
        description="a SECURITY DEFINER function's cell: its body compares who is calling (auth.uid(), "
        "auth.jwt(), auth.email(), auth.role(), the request.jwt.claims settings) with something in a condition",
    )
    revealed: bool | None = Field(
        None,
        description="a function cell of anon or other: the declared call completed and its result held a value "
        "other than null, false, 0 or empty (the first rows read; None when it failed or was not read)",
    )
    with_owners_data: bool = Field(
        False, description="a function cell: the declared call passes the owner's rows or id (not the caller's own)"
    )
    owner_call: OwnerDataCall | None = Field(
        None, description="a function cell of anon or other: the call made with the owner's data, if one was"
    )
    arranged: str | None = Field(
        None,
        description="a function cell: the rows made before its calls so that the simple conditions its body "
        "looks rows up with hold (issue 22)",
    )
    wrote_auth: dict[str, int] | None = Field(
        None,
        description="a function cell of anon or other: rows its calls (declared, with the owner's data) wrote "
        "to tables the project made in the auth schema, per table",
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def risk(self) -> str | None:
        """What this cell observed that is dangerous whatever the declaration says, or None.

        A write that succeeded (insert, update, delete: at least one row) by ``anon`` (no sign-in: the
        anon key is public) or by ``other`` (a signed-in user who does not own the target row: it
        is always the owner's row) on a table or view, or on a Storage bucket's objects (an upload
        into the owner's path, an overwrite or delete of the owner's object). For a function: anon
        reaching a SECURITY DEFINER body that returned data or never checks who is calling, anon's call
        writing rows, or another user's call made with the owner's data writing rows
        (:meth:`_function_risk`; a SECURITY DEFINER body anon reaches that checks the caller and returned
        and wrote nothing is an :attr:`exposure`). A declared-allowed cell can hold and still be a risk (a
        public guestbook); ``verify-access --fail-on risk`` fails on any.
        """
        if self.kind == "function":
            return self._function_risk()
        if self.operation not in _WRITES or self.actual != "allowed":
            return None
        if self.kind == "storage":  # the target is the owner's object, in the owner's path
            what = {"insert": "upload into another user's path of", "update": "overwrite another user's object in",
                    "delete": "delete another user's object from"}[self.operation]  # fmt: skip
        else:
            if self.operation == "insert" and not self.owned and self.actor == "other":
                return None  # a row nobody owns (an organisation, reference data): another user may make one
            whose = "another user's rows" if self.owned else "rows it did not make"
            into = "insert rows owned by another user into" if self.owned else "insert rows into"
            what = {"insert": into, "update": f"update {whose} of",
                    "delete": f"delete {whose} of"}[self.operation]  # fmt: skip
        if self.actor == "anon":
            return f"anon (no sign-in, the public anon key) can {what} {self.object}"
        if self.actor == "other":
            return f"a signed-in user can {what} {self.object}"
        return None

    def _function_risk(self) -> str | None:
        """A function cell's risk: anon reaching a SECURITY DEFINER body (it passed the EXECUTE check:
        the call completed, or failed inside with anything but 42501) whose call returned data
        (:meth:`_returned_something`) or whose body never checks the caller (:attr:`checks_caller`: with
        the right arguments it acts on anyone's rows); anon's call writing rows; another user's call
        made with the owner's data writing rows; a call of ``anon`` or ``other`` with the owner's data
        (:attr:`owner_call`) changing the owner's rows; or a SECURITY DEFINER call of theirs writing a
        table the project made in the ``auth`` schema (credentials kept out of the Data API's reach)."""
        if self.actor in ("anon", "other"):
            through = f"SECURITY DEFINER {self.object}" if self.security_definer else self.object
            if self.owner_call is not None and self.owner_call.changed:
                tables = ", ".join(f"{t} ({n} row(s))" for t, n in sorted(self.owner_call.changed.items()))
                return f"{self.actor} changed the owner's rows in {tables} through {through}"
            if self.security_definer and self.wrote_auth:
                tables = ", ".join(f"{n} row(s) to {t}" for t, n in sorted(self.wrote_auth.items()))
                return f"{self.actor}'s call of {through} wrote {tables}, a table of the auth schema"
        written = ", ".join(f"{n} row(s) to {t}" for t, n in sorted((self.wrote or {}).items()))
        if self.actor == "anon":
            if written:
                return f"anon's call of {self.object} wrote {written}"
            if self._anon_reached_definer() and self._returned_something():
                which = "its call with the owner's data" if self.owner_call and self.owner_call.revealed else "it"
                return f"anon can run SECURITY DEFINER {self.object}, which bypasses RLS, and {which} returned data"
            if self._anon_reached_definer() and not self.checks_caller:
                how = "it completed" if self.actual == "allowed" else f"it ran and failed inside: {self.sqlstate}"
                return (
                    f"anon can run SECURITY DEFINER {self.object}, which bypasses RLS and never checks who is "
                    f"calling: it acts on whatever its arguments name ({how})"
                )
        if self.actor == "other" and written and self.with_owners_data:
            return f"a signed-in user's call of {self.object} with the owner's data wrote {written}"
        return None

    def _anon_reached_definer(self) -> bool:
        """anon's call of a SECURITY DEFINER function passed the EXECUTE check: it completed, or failed
        inside with anything but 42501 while anon holds EXECUTE."""
        reached = self.actual == "allowed" or (
            self.actual == "error" and self.sqlstate != "42501" and self.executable is not False
        )
        return self.kind == "function" and self.actor == "anon" and self.security_definer and reached

    def _returned_something(self) -> bool:
        """A call of this cell completed and returned a value that says something (``revealed``, of the
        declared call or of the call with the owner's data). A call that failed inside returned nothing."""
        return self.revealed is True or (self.owner_call is not None and self.owner_call.revealed)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def exposure(self) -> str | None:
        """anon reaching a SECURITY DEFINER body that checks who is calling (:attr:`checks_caller`) and, in
        this probe, neither wrote anything nor returned anything but null, false, 0 or empty, with the
        declared arguments and with the owner's data; or None. Not a risk (nothing was observed to leak or
        change, and the body decides by the caller, who is nobody: membership helpers that answer
        ``false`` for anon, functions refusing callers without a user id), yet the body runs with its
        owner's rights for anyone holding the public anon key: Supabase's linter warns on the grant
        alone (``anon_security_definer_function_executable``, which ``khepri-db doctor`` runs too).
        ``verify-access --fail-on exposure`` fails on these as well as on risks."""
        if self.risk is not None or not self._anon_reached_definer():
            return None
        how = "it completed" if self.actual == "allowed" else f"it ran and failed inside: {self.sqlstate}"
        return (
            f"anon can run SECURITY DEFINER {self.object}, which bypasses RLS ({how}); in this probe its calls "
            "returned nothing and wrote nothing"
        )

    @property
    def verdict(self) -> Literal["pass", "fail", "undecided"]:
        """``undecided`` when the declaration says so, else ``pass`` or ``fail`` (:attr:`ok`)."""
        if self.undecided is not None:
            return "undecided"
        return "pass" if self.ok else "fail"

    def describe(self) -> str:
        """One line: the cell, what was declared, what happened and why."""
        if self.undecided is not None:
            return f"{self.id}: UNDECIDED ({self.undecided}); this run: {self.actual} ({self.detail})"
        text = f"{self.id}: declared {self.expected}, actual {self.actual} ({self.detail})"
        if self.leak:
            text += f"; LEAK: {self.leak}"
        return text

    def check(self) -> None:
        """Assert the cell matches its declaration and ran with a request's rights (the pytest hook).

        Raises:
            AssertionError: the outcome differs from the declaration, the update leaks, or the cell
                ran as a superuser, with BYPASSRLS (other than service_role) or as a table owner.
        """
        if self.rights is not None:
            rights = self.rights
            assert not rights.superuser, f"{self.id} ran as a superuser ({rights.current_user})"
            assert rights.bypassrls == (self.actor == "service_role"), (
                f"{self.id} ran as {rights.current_user} with bypassrls={rights.bypassrls}"
            )
            assert not rights.owns_rls_tables, f"{self.id} ran as an owner of RLS tables ({rights.current_user})"
        if self.undecided is not None:
            raise CellUndecidedError(self.describe())
        if not self.ok:
            raise AssertionError(self.describe())


_WRITES = ("insert", "update", "delete")


class CellUndecidedError(Exception):
    """Raised by :meth:`CellResult.check` for a cell the declaration leaves undecided (the pytest plugin
    reports it as skipped with the reason, so it never counts as a pass)."""


class UndeclaredObject(BaseModel):
    """An exposed table, view or function the declaration does not mention."""

    kind: Literal["table", "view", "function"]
    name: str


@dataclass(frozen=True)
class CoverageCheck:
    """The ``coverage`` case of the pytest hook: every exposed object must be declared."""

    undeclared: Sequence[UndeclaredObject]

    def check(self) -> None:
        """Raise ``AssertionError`` listing the exposed tables, views and functions with no declaration."""
        if self.undeclared:
            listed = "; ".join(f"{u.kind} {u.name}" for u in self.undeclared)
            raise AssertionError(f"exposed through the Data API but declared nowhere: {listed}")


class AccessReport(BaseModel):
    """The outcome of one :func:`verify_access` run.

    Attributes:
        access_file: the declaration's path.
        target: :meth:`TargetInfo.to_dict` of the database.
        exposed_schemas: the schemas checked for undeclared objects, and where that list came from.
        actors: the matrix's actors, in order.
        cells: every decided cell, tables first, in declaration order.
        undeclared: exposed objects without a declaration.
        duration_ms: wall time of the run, setup included.
        notes: what the run did that the reader should know (a declared bucket missing from
            ``storage.buckets``, made for the run in its rolled-back transaction).
    """

    access_file: str
    target: dict[str, Any]
    exposed_schemas: ExposedSchemas
    actors: list[str]
    cells: list[CellResult]
    undeclared: list[UndeclaredObject]
    duration_ms: float
    notes: list[str] = Field(default_factory=list)

    @property
    def mismatches(self) -> list[CellResult]:
        """Cells whose outcome differs from the declaration (errors and leaks included; undecided cells not)."""
        return [c for c in self.cells if not c.ok and c.undecided is None]

    @property
    def undecided(self) -> list[CellResult]:
        """Cells the declaration leaves undecided, with their reasons: not proven either way."""
        return [c for c in self.cells if c.undecided is not None]

    @property
    def risks(self) -> list[CellResult]:
        """Cells whose observation is dangerous whatever was declared (:attr:`CellResult.risk`), and
        which the declaration does not accept (``accepted_risks``)."""
        return [c for c in self.cells if c.risk is not None and c.risk_accepted is None]

    @property
    def accepted_risks(self) -> list[CellResult]:
        """Risky cells the declaration accepts, with why (listed, never failing ``--fail-on risk``)."""
        return [c for c in self.cells if c.risk is not None and c.risk_accepted is not None]

    @property
    def exposures(self) -> list[CellResult]:
        """Cells where anon reaches a SECURITY DEFINER body that returned and wrote nothing in this
        probe (:attr:`CellResult.exposure`): not risks, listed, failing only ``--fail-on exposure``."""
        return [c for c in self.cells if c.exposure is not None]

    @property
    def passed(self) -> bool:
        """No mismatch and nothing undeclared."""
        return not self.mismatches and not self.undeclared

    def cell(self, object_name: str, actor: str, operation: str) -> CellResult:
        """The cell for ``object_name`` (``public.x``, or ``x`` for public) x actor x operation.

        Raises:
            KeyError: no such cell.
        """
        return self.by_id()[f"{qualify(object_name)}:{actor}:{operation}"]

    def by_id(self) -> dict[str, CellResult]:
        """Every cell by its :attr:`CellResult.id`."""
        return {c.id: c for c in self.cells}

    def summary(self) -> dict[str, int]:
        """``{"cells", "held", "undecided", "unreviewed", "mismatches", "errors", "leaks", "risks", "undeclared"}``
        counts (``errors`` counts decided cells only)."""
        return {
            "cells": len(self.cells),
            "held": sum(1 for c in self.cells if c.ok),
            "undecided": len(self.undecided),
            "unreviewed": sum(1 for c in self.cells if c.unreviewed),
            "mismatches": len(self.mismatches),
            "errors": sum(1 for c in self.cells if c.actual == "error" and c.undecided is None),
            "leaks": sum(1 for c in self.cells if c.leak),
            "risks": len(self.risks),
            "accepted_risks": len(self.accepted_risks),
            "exposures": len(self.exposures),
            "undeclared": len(self.undeclared),
        }
