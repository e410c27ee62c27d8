"""A row per policy branch, for ``access init`` (issue 22, item 2a): find the tables whose permissive
policies for one command have branches that admit different people (one tests the caller, such as
``owner_id = auth.uid()``, another only the row's own columns, such as ``sharing <> 'private'`` or a
second policy ``using (is_public)``), and the column values that make such a row-only branch true.

The expressions come from ``pg_policy`` (``pg_get_expr``), split at their top-level ``OR`` and ``AND``
with the lexer of :mod:`khepri_db.core.sqltext`; the values are tested on the server by evaluating the
branch over a candidate row (see ``_Generator.evaluate`` in :mod:`khepri_db.access.access_init`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

from khepri_db.core.checks import number_value, read_check
from khepri_db.core.project import load_sql
from khepri_db.core.sqltext import identifier, significant_tokens, split_top_level

_CALL = re.compile(r"([A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)?)\s*\(")
_NOT_PER_USER = frozenset({
    # SQL syntax that reads like a call, and built-in functions that read no caller
    "exists", "in", "any", "all", "some", "array", "not", "and", "or", "case", "when", "then", "else", "values",
    "select", "from", "where", "row", "cast", "coalesce", "nullif", "greatest", "least", "lower", "upper", "length",
    "char_length", "btrim", "trim", "now", "array_length", "cardinality", "auth.role", "jsonb_array_length",
})  # fmt: skip
_ROW_CALLS = _NOT_PER_USER - {"exists", "select", "from", "where", "values", "auth.role"}
"""Calls a branch may make and still test only the row's own columns."""

_WORDS = ("public", "shared", "published", "active", "open", "visible", "everyone", "all", "approved", "team",
          "link", "unlisted")  # fmt: skip
"""Common values of a column that shares a row, tried after the literals the branch and the checks name."""
_COMMANDS = {"r": ("select",), "a": ("insert",), "w": ("update",), "d": ("delete",),
             "*": ("select", "insert", "update", "delete")}  # fmt: skip
_MAX_TRIALS = 200
"""Candidate rows evaluated per branch at most (the product of the columns' candidates is cut there)."""
MAX_VARIANTS = 4
"""Variants written per table at most."""


def decides_per_user(expr: str) -> bool:
    """Whether a policy expression decides per user: it reads the caller (``auth.uid()``,
    ``auth.jwt()``, ``current_setting('request.jwt.claims'...)``, ``current_user``) or calls a
    function that may (a membership helper such as ``is_member(org_id)``); ``true``, comparisons
    of the row's own columns and ``auth.role() = 'authenticated'`` do not."""
    if re.search(r"\b(?:current_user|session_user)\b", expr, re.IGNORECASE):
        return True
    return any(m.group(1).lower().removeprefix("pg_catalog.") not in _NOT_PER_USER for m in _CALL.finditer(expr))


def row_columns(expr: str, columns: Iterable[str]) -> list[str]:
    """The columns of ``columns`` that ``expr`` names (not as a type after ``::``, nor after a ``.``), in order."""
    known = set(columns)
    found: list[str] = []
    toks = significant_tokens(expr)
    for index, tok in enumerate(toks):
        name = identifier(tok)
        if name is None or name not in known or name in found:
            continue
        before = toks[index - 1].value if index else ""
        after = toks[index + 1] if index + 1 < len(toks) else None
        if before in ("::", ".") or (after is not None and after.is_punct("(")):
            continue
        found.append(name)
    return found


def _row_only(conjunct: str, columns: Iterable[str]) -> bool | None:
    """True: ``conjunct`` tests only the row's own columns; None: it names no column and no caller (``true``,
    ``auth.role() = 'authenticated'``); False: anything else (the caller, another table, a function)."""
    if decides_per_user(conjunct):
        return False
    toks = significant_tokens(conjunct)
    if any(t.is_word("SELECT", "EXISTS") for t in toks):
        return False
    calls = {m.group(1).lower().removeprefix("pg_catalog.") for m in _CALL.finditer(conjunct)}
    named = row_columns(conjunct, columns)
    if not named:
        return None
    return calls <= _ROW_CALLS


@dataclass
class Branch:
    """A row-only branch of a table's permissive policies, where another branch for the same command tests
    the caller.

    Attributes:
        text: the branch as ``pg_get_expr`` wrote it (``sharing <> 'private'::text``).
        condition: its conjuncts that test the row (``AND``-ed), the ones values must make true.
        columns: the table's columns the condition names.
        commands: policy -> the commands it holds the branch for.
    """

    text: str
    condition: list[str]
    columns: list[str]
    commands: dict[str, list[str]] = field(default_factory=dict)

    @property
    def where(self) -> str:
        """The policies holding it, with their commands: ``albums_all (select, update, delete)``."""
        return ", ".join(f"{policy} ({', '.join(ops)})" for policy, ops in self.commands.items())

    @property
    def expression(self) -> str:
        """The condition as one SQL boolean expression."""
        return " and ".join(f"({c})" for c in self.condition)


def read_branches(conn: psycopg.Connection, oids: Sequence[int],
                  columns: Mapping[str, Iterable[str]]) -> dict[str, list[Branch]]:  # fmt: skip
    """Table name -> its row-only branches (:class:`Branch`), for the tables of ``oids`` whose permissive
    policies for a command (several policies, or a top-level ``OR`` in one) have a branch testing the caller
    and another testing only the row's own columns (``columns``: table name -> its column names).
    ``select``, ``update`` and ``delete`` read ``using``, ``insert`` ``with check``."""
    if not oids:
        return {}
    rows = conn.execute(load_sql("access", "init_policy_branches.sql"), {"oids": list(oids)}).fetchall()
    by_command: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for table, policy, command, using_expr, check_expr in rows:
        for op in _COMMANDS.get(command, ()):
            expr = (check_expr or using_expr) if op == "insert" else using_expr
            if expr:
                by_command.setdefault((table, op), []).append((policy, expr))
    found: dict[str, dict[str, Branch]] = {}
    for (table, op), policies in by_command.items():
        if table not in columns:
            continue
        branches = [(policy, part) for policy, expr in policies for part in split_top_level(expr, "or")]
        if not any(decides_per_user(part) for _, part in branches):
            continue
        for policy, part in branches:
            conjuncts = split_top_level(part, "and")
            kinds = [_row_only(c, columns[table]) for c in conjuncts]
            if False in kinds or True not in kinds:
                continue
            condition = [c for c, kind in zip(conjuncts, kinds, strict=True) if kind]
            branch = found.setdefault(table, {}).setdefault(
                part, Branch(part, condition, row_columns(" ".join(condition), columns[table]))
            )
            branch.commands.setdefault(policy, []).append(op)
    return {table: list(branches.values()) for table, branches in found.items()}


def candidates(column: Any, branch: Branch) -> list[Any]:
    """Values to try for ``column`` (a catalog column: ``category``, ``base``, ``labels``, ``checks``), best
    first: the literals the branch compares with, enum labels, CHECK literals, booleans, common words,
    ``now()`` for times, and null (``{ sql = "null" }``)."""
    reading = read_check(branch.expression)  # a bare expression reads as a CHECK's does: its literals
    strings, numbers = list(reading.strings), reading.numbers
    checks = list(dict.fromkeys(s for check in column.all_checks for s in read_check(check).strings))
    values: list[Any] = []
    if column.base == "bool":
        values += [True, False]
    elif column.labels:
        values += [s for s in strings if s in column.labels] + list(column.labels)
    elif column.category == "S":
        values += strings + checks + list(_WORDS) + ["private"]
    elif column.category == "N":
        values += [number_value(n) for n in numbers] + [1, 0, -1, 100]
    elif column.base == "date":
        values += [{"sql": "current_date"}, {"sql": "current_date - 1"}, {"sql": "current_date + 1"}]
    elif column.base in ("timestamp", "timestamptz"):
        values += [{"sql": "now()"}, {"sql": "now() - interval '1 day'"}, {"sql": "now() + interval '1 day'"}]
    unique: list[Any] = []
    for value in [*values, {"sql": "null"}]:
        if value not in unique:
            unique.append(value)
    return unique


def find_values(
    branch: Branch,
    row: Mapping[str, Any],
    column_candidates: Mapping[str, list[Any]],
    evaluate: Callable[[Mapping[str, Any]], bool | None],
    *,
    want: bool,
) -> dict[str, Any] | None:
    """The values of the branch's columns (the others as in ``row``) for which ``evaluate`` (the branch over
    the row, on the server; None when the row breaks a constraint) gives TRUE (``want``), or anything but TRUE
    (not ``want``): the first of the candidates' product, each column's candidates best first, trying at
    most :data:`_MAX_TRIALS` rows. None when no candidate row does."""
    columns = [c for c in branch.columns if c in column_candidates]
    if not columns:
        return None
    trials = itertools.product(*(column_candidates[c] for c in columns))
    for combination in itertools.islice(trials, _MAX_TRIALS):
        chosen = dict(zip(columns, combination, strict=True))
        result = evaluate({**row, **chosen})
        if result is None:
            continue
        if result is want:
            return chosen
    return None


def label(values: Mapping[str, Any]) -> str:
    """A variant name for the values that open a branch: ``is_public``, ``sharing_public``, ``published_at_set``."""
    parts: list[str] = []
    for column, value in values.items():
        if value is True:
            parts.append(column)
        elif value is False:
            parts.append(f"not_{column}")
        elif isinstance(value, dict):
            parts.append(f"{column}_null" if value.get("sql") == "null" else f"{column}_set")
        else:
            parts.append(f"{column}_{re.sub(r'[^A-Za-z0-9]+', '_', str(value)).strip('_') or 'value'}")
    return "_".join(parts)[:48].strip("_") or "branch"
