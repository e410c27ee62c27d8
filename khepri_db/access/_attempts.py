"""What one probe attempt did and how the probes read it: :class:`Attempt`, the rows a select reveals
(:func:`says_nothing`), the rights and write counts a cell reads, and the limits of the probes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from khepri_db.access.declaration import (
    Outcome,
)
from khepri_db.access.report import CellRights


@dataclass(frozen=True)
class Attempt:
    """What one statement run as an actor did.

    Attributes:
        status: ``ran`` (no error), ``refused`` (SQLSTATE 42501) or ``error`` (anything else).
        detail: Postgres' message when it failed.
        sqlstate: the SQLSTATE when it failed.
        rights: the rights the request context ran with (``None`` if the switch itself failed).
        count: rows returned (select) or affected (insert, update, delete).
        constraint: (schema, table, constraint) Postgres named in the error, if any.
        wrote: rows written per table (``schema.table`` -> inserted + updated + deleted) when counted
            (``_act(writes=True)``) and the statement succeeded, else None.
        watched: the ``watch`` query's value (``_act(watch=...)``) when the statement succeeded, else None.
        revealed: with ``_act(reveal=True)`` and success, whether the result held a value that says
            something (:func:`says_nothing`), else None.
    """

    status: Literal["ran", "refused", "error"]
    detail: str
    sqlstate: str | None
    rights: CellRights | None
    count: int = 0
    constraint: tuple[str, str, str] | None = None
    wrote: dict[str, int] | None = None
    watched: dict[str, int] | None = None
    revealed: bool | None = None

    def decide(self, done: str, none: str) -> tuple[Outcome, str]:
        """(outcome, detail) of a table operation: rows affected means allowed, none or 42501 denied."""
        if self.status == "refused":
            return "denied", self.detail
        if self.status == "error":
            return "error", self.detail
        if self.count == 0:
            return "denied", none
        return "allowed", f"{self.count} row {done}" if self.count == 1 else f"{self.count} rows {done}"


REVEAL_ROWS = 20
"""Rows of a function call's result read to tell whether it returned anything (:func:`says_nothing`)."""

EMPTY_RECORD = re.compile(r"^\(,*\)$")


def says_nothing(value: Any) -> bool:
    """Whether one value of a call's result tells the caller nothing: SQL null, ``false``, zero, an
    empty string, array or JSON container, a record of nulls (``(,,)``), or a JSON container holding
    only such values. Any other value (an id, a name, ``true``, a token) says something."""
    if value is None or value is False or value == "":
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | Decimal):
        return value == 0
    if isinstance(value, str):
        return bool(EMPTY_RECORD.match(value))
    if isinstance(value, dict):
        return all(says_nothing(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(says_nothing(v) for v in value)
    return False


NOT_UPDATABLE = re.compile(r"^cannot (insert into|update|delete from) view ")
"""Postgres' message (SQLSTATE 55000) for a write through a view that is not automatically updatable."""

CELL_RIGHTS = (
    "select current_user::text, r.rolsuper, r.rolbypassrls from pg_catalog.pg_roles as r where r.rolname = current_user"
)
"""What every cell reads after the switch (see :meth:`Runner._rights`)."""

WRITE_COUNTS = (
    "select coalesce(jsonb_object_agg(n.nspname || '.' || c.relname, w.n), '{}') "
    "from pg_catalog.pg_class as c join pg_catalog.pg_namespace as n on n.oid = c.relnamespace "
    "cross join lateral (select pg_catalog.pg_stat_get_xact_tuples_inserted(c.oid) "
    "+ pg_catalog.pg_stat_get_xact_tuples_updated(c.oid) "
    "+ pg_catalog.pg_stat_get_xact_tuples_deleted(c.oid) as n) as w "
    "where c.relkind in ('r', 't', 'm', 'p') and n.nspname not in ('pg_catalog', 'information_schema') "
    "and n.nspname !~ '^pg_toast' and w.n > 0"
)
"""Rows this transaction wrote so far, per table (read before and after a function call): the rows
of ``pg_stat_xact_user_tables`` with ``n_tup_ins + n_tup_upd + n_tup_del > 0``, read from the
functions that view calls without its join with ``pg_index`` and its ``group by`` (which compute the
index columns this does not need, for every relation, twice per call: most of the probe's server time
on a schema of a few hundred tables)."""


def value_forms(value: str) -> set[str]:
    """How a value of a call with the owner's data may be written in a declared call as psycopg renders it:
    as is, and a uuid also as its 32 hex digits (psycopg's literal of a ``UUID`` parameter)."""
    if len(value) == 36 and value.count("-") == 4:
        return {value, value.replace("-", "")}
    return {value}


def counts_row(row: Any) -> dict[str, int]:
    """The ``{table: rows}`` of a :data:`WRITE_COUNTS` row."""
    return {str(k): int(v) for k, v in (row[0] if row else {}).items()}


ALLOW_DELETE = ("storage.allow_delete_query", "true")
"""The setting Storage's API makes for its deletes: ``storage.protect_delete()`` (a statement trigger on
``storage.objects``) refuses any delete without it, before RLS is asked."""

ALLOW_DELETE_SQL = "select set_config('storage.allow_delete_query', 'true', true)"
"""The same, for the connecting role's own deletes of objects (the insert cell clears the target first)."""

PROGRESS_EVERY_S = 2.0
"""Seconds between progress lines of a long probe run."""

MAX_DEPTH = 8
"""How deep the chains of referencing rows the probes clear may go (a task's comments' reactions...)."""

MAX_DEPENDENTS = 5
"""How many tables of rows referencing a row the re-parenting probe clears before giving up."""
