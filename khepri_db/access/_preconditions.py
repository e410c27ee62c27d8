"""Rows that meet a function's simple preconditions (issue 22): what a PL/pgSQL or SQL body reads before
doing its work, so that a probe's call reaches that work.

A call that names existing rows can still fail for every actor because the body first looks up other
rows it needs: open-bsp-api's ``billing.change_plan(_organization_id, _plan_id)`` reads
``select * into strict _plan from billing.plans p where p.id = _plan_id and p.active = true``, then
``select t.id into _tier_id from billing.tiers t where t.level >= _plan.min_tier and t.active = true``
and raises when no tier is found. On a database migrated without its seed no tier meets that, so the
call fails for everybody and nobody learns that a non-member may change another organisation's plan.

:func:`read_needs` reads, per function, the conditions of each ``select ... into`` the body runs on every
call (not in a branch, a loop or a block catching errors), when they are simple: a conjunction (``and`` only) of
``alias.col <op> <literal | parameter | other_row.col>`` (``=``, ``>=``, ``>``, ``<=``, ``<``) and
``alias.col is not null``, where ``other_row`` is a record an earlier ``select * into`` filled. The body
is walked with the project's PL/pgSQL reader (:func:`khepri_db.core.plpgsql.embedded_statements`)
and sqlparse's tokens (:func:`khepri_db.core.sqltext.significant_tokens`, ``split_top_level``); anything else (``or``,
function calls, joins between the tables read) is left alone. The probe
(:meth:`khepri_db.access._function_cells.FunctionCells._arrange`) then finds a row meeting each need, or, unless a
condition binds a parameter (that row is the caller's to know), makes one from the table's row factory
with those values, inside the run's rolled-back transaction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import psycopg
from sqlparse import tokens as sqltok

from khepri_db.core.plpgsql import Parameter, embedded_statements
from khepri_db.core.sqltext import Token, identifier, significant_tokens, split_top_level

_OPERATORS = {"=": "=", ">=": "<=", ">": "<", "<=": ">=", "<": ">"}
"""The comparisons read, each with its mirror (``a >= b`` is ``b <= a``)."""

_FROM_END = frozenset({"WHERE", "GROUP", "ORDER", "GROUP BY", "ORDER BY", "LIMIT", "OFFSET", "HAVING", "WINDOW",
                       "UNION", "INTERSECT", "EXCEPT", "FOR", "RETURNING", "FETCH"})  # fmt: skip
_SELECT_INTO = re.compile(r"\s*select\b.*\binto\b", re.IGNORECASE | re.DOTALL)
_JOIN_WORDS = frozenset({"JOIN", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "NATURAL", "LATERAL"})
_NOT_ALIAS = _FROM_END | _JOIN_WORDS | {"ON", "USING", "AS", "TABLESAMPLE", "ONLY"}


@dataclass(frozen=True)
class Operand:
    """One side of a comparison: ``column`` (``alias.column`` of a table the select reads), ``literal``
    (its SQL text), ``param`` (a parameter's name) or ``field`` (``record.column`` of a record an earlier
    ``select * into`` filled: ``name`` is the record, ``column`` the column)."""

    kind: Literal["column", "literal", "param", "field"]
    name: str
    column: str = ""


@dataclass(frozen=True)
class Condition:
    """``column <op> other`` on the row a need looks for (``op`` ``is not null``: ``other`` is None)."""

    column: str
    op: str
    other: Operand | None

    def text(self) -> str:
        """The condition as a person reads it (``level >= _plan.min_tier``)."""
        if self.other is None:
            return f"{self.column} is not null"
        other = self.other
        shown = f"{other.name}.{other.column}" if other.kind == "field" else other.name
        return f"{self.column} {self.op} {shown}"


@dataclass(frozen=True)
class Need:
    """A row a body looks up: in ``table`` (``schema.name``), meeting every condition; ``into``: the record
    ``select * into`` fills with it, which later conditions may read."""

    table: str
    conditions: tuple[Condition, ...]
    into: str | None = None


def read_bodies(conn: psycopg.Connection, oids: Sequence[int]) -> dict[int, tuple[list[str], list[Need]]]:
    """(input parameter names, :class:`Need` s) of each PL/pgSQL function of ``oids`` whose body has any, in
    one query (only bodies with an ``into`` and a later ``where`` are read: the others have none)."""
    if not oids:
        return {}
    rows = conn.execute(
        "select p.oid, l.lanname::text, p.prosrc, p.proname::text, coalesce(p.proargnames, '{}'),"
        " coalesce(p.proargmodes::text[], '{}'),"
        " array(select pg_catalog.format_type(t, null) from unnest(p.proargtypes) as t)"
        " from pg_catalog.pg_proc as p join pg_catalog.pg_language as l on l.oid = p.prolang"
        " where p.oid = any(%s::oid[]) and l.lanname = 'plpgsql' and p.prosrc ~* '\\minto\\M.*\\mwhere\\M'",
        (list(oids),),
    ).fetchall()
    found: dict[int, tuple[list[str], list[Need]]] = {}
    for oid, language, body, name, names, modes, types in rows:
        inputs = [n for n, m in zip(names, modes, strict=False) if m in ("i", "b", "v")] if modes else list(names)
        parameters = tuple(Parameter(n or None, i + 1, t) for i, (n, t) in enumerate(zip(inputs, types, strict=False)))
        needs = _cached_needs(body, language, parameters, name)
        if needs:
            found[int(oid)] = ([n or "" for n in inputs], needs)
    return found


@lru_cache(maxsize=4096)
def _cached_needs(body: str, language: str, parameters: tuple[Parameter, ...], name: str) -> list[Need]:
    """:func:`read_needs`, once per body in a process (``access init`` probes the same functions several
    times); a body the reader cannot follow has no simple preconditions."""
    try:
        return read_needs(body, language, parameters, function_name=name)
    except (IndexError, ValueError):
        return []


def read_needs(body: str, language: str, parameters: Sequence[Parameter], *, function_name: str = "") -> list[Need]:
    """The rows ``body`` looks up on every call, with their simple conditions (see the module's docstring).

    Args:
        body: ``pg_proc.prosrc``.
        language: ``plpgsql`` or ``sql``.
        parameters: the readable parameters, named as the body names them.
        function_name: the function's name.

    Returns:
        One :class:`Need` per table a ``select ... into`` reads with at least one simple condition, in
        body order. (``exists (...)`` tests are left out: ``if exists (...) then raise`` wants no row.)
    """
    analysis = embedded_statements(body, language, parameters, function_name=function_name)
    params = {p.name.lower() for p in parameters if p.name}
    records: set[str] = set()
    needs: list[Need] = []
    for statement in analysis.statements:
        if not statement.every_call or not _SELECT_INTO.match(statement.raw):
            continue  # a cheap look first: lexing every statement again costs more than the rest
        tokens = significant_tokens(statement.raw)
        if statement.kind == "query" and tokens and tokens[0].is_word("SELECT"):
            if language == "plpgsql" and not _has_into(tokens):
                continue  # a loop's query, a ``return query``: no row is required
            needs += _select_needs(statement.raw, tokens, params, records, analysis.variables)
    return needs


def _has_into(tokens: Sequence[Token]) -> bool:
    depth = 0
    for tok in tokens:
        depth += tok.is_punct("(") - tok.is_punct(")")
        if depth == 0 and tok.is_word("INTO"):
            return True
        if depth == 0 and tok.is_word("FROM"):
            return False
    return False


def _close(tokens: Sequence[Token], open_index: int) -> int:
    """The index of the ``)`` closing the ``(`` at ``open_index`` (``len(tokens)`` if none)."""
    depth = 0
    for i in range(open_index, len(tokens)):
        depth += tokens[i].is_punct("(") - tokens[i].is_punct(")")
        if depth == 0:
            return i
    return len(tokens)


def _conjuncts(text: str, tokens: Sequence[Token]) -> list[list[Token]] | None:
    """The tokens of each operand of the top-level ``AND`` of the clause ``tokens`` spell in ``text``
    (:func:`khepri_db.core.sqltext.split_top_level`); None when it has a top-level ``OR``."""
    if not tokens:
        return []
    clause = text[tokens[0].offset : tokens[-1].offset + len(tokens[-1].value)]
    if len(split_top_level(clause, "or")) > 1:
        return None
    return [significant_tokens(part) for part in split_top_level(clause, "and")]


def _name(tokens: Sequence[Token], i: int) -> tuple[list[str], int]:
    """A possibly qualified name starting at ``i``: its parts and the index after it."""
    parts: list[str] = []
    while i < len(tokens) and (part := identifier(tokens[i])) is not None:
        parts.append(part)
        if i + 2 < len(tokens) and tokens[i + 1].is_punct(".") and identifier(tokens[i + 2]) is not None:
            i += 2
            continue
        return parts, i + 1
    return parts, i


def _select_needs(
    text: str, tokens: Sequence[Token], params: set[str], records: set[str], variables: frozenset[str]
) -> list[Need]:
    """The needs of one ``select`` (``tokens`` of ``text``, from its ``SELECT``); adds the record it fills to
    ``records``."""
    depth, start, into, where = 0, -1, None, -1
    for i, tok in enumerate(tokens):
        depth += tok.is_punct("(") - tok.is_punct(")")
        if depth:
            continue
        if tok.is_word("INTO") and start < 0:
            j = i + 1 + (tokens[i + 1].is_word("STRICT") if i + 1 < len(tokens) else 0)
            star = len(tokens) > 1 and tokens[1].value == "*" and i == 2
            if (
                star
                and j < len(tokens)
                and (var := identifier(tokens[j]))
                and not (j + 1 < len(tokens) and tokens[j + 1].is_punct(","))
            ):
                into = var
        elif tok.is_word("FROM") and start < 0:
            start = i + 1
        elif tok.is_word("WHERE") and start >= 0:
            where = i + 1
            break
    if start < 0:
        return []
    # the tables read: name [as] alias, separated by commas or joins; ON conditions join the WHERE's
    tables: dict[str, str] = {}
    order: list[str] = []
    conjuncts: list[list[Token]] = []
    end = where - 1 if where > 0 else len(tokens)
    i = start
    while i < end:
        parts, i = _name(tokens, i)
        if not parts or (i < end and tokens[i].is_punct("(")):
            return []  # a subquery or a function in FROM: not simple
        table = ".".join(parts) if len(parts) == 2 else f"public.{parts[0]}"
        alias = parts[-1]
        if i < end and tokens[i].is_word("AS"):
            i += 1
        if i < end and (word := identifier(tokens[i])) is not None and not tokens[i].is_word(*_NOT_ALIAS):
            alias, i = word, i + 1
        tables[alias] = table
        order.append(alias)
        if i < end and tokens[i].is_word("ON"):
            j = i + 1
            while j < end and not tokens[j].is_punct(",") and not tokens[j].is_word(*_JOIN_WORDS):
                j += 1
            split = _conjuncts(text, tokens[i + 1 : j])
            if split is None:
                return []
            conjuncts += split
            i = j
        while i < end and (tokens[i].is_punct(",") or tokens[i].is_word(*_JOIN_WORDS)):
            i += 1
    if where > 0:
        stop = where
        depth = 0
        while stop < len(tokens):
            depth += tokens[stop].is_punct("(") - tokens[stop].is_punct(")")
            if depth < 0 or (depth == 0 and tokens[stop].is_word(*(_FROM_END - {"WHERE"}))):
                break
            stop += 1
        split = _conjuncts(text, tokens[where:stop])
        if split is None:
            return []
        conjuncts += split
    conditions: dict[str, list[Condition]] = {alias: [] for alias in order}
    for conjunct in conjuncts:
        found = _condition(conjunct, tables, params, records, variables)
        if found is not None:
            conditions[found[0]].append(found[1])
    needs = [Need(tables[a], tuple(conditions[a]), into if len(order) == 1 else None) for a in order if conditions[a]]
    if into is not None and len(order) == 1:
        records.add(into)
    return needs


def _operand(
    tokens: Sequence[Token], tables: dict[str, str], params: set[str], records: set[str], variables: frozenset[str]
) -> tuple[Operand | None, str | None]:
    """``tokens`` (one side, a ``::type`` cast dropped) as an :class:`Operand` and, for a column, its alias."""
    for i, tok in enumerate(tokens):
        if tok.is_punct("::"):
            tokens = tokens[:i]
            break
    if len(tokens) == 1:
        tok = tokens[0]
        if (
            tok.ttype in sqltok.Literal.Number
            or tok.ttype in sqltok.Literal.String.Single
            or tok.is_word("TRUE", "FALSE")
        ):
            return Operand("literal", tok.value.lower() if tok.wordlike else tok.value), None
        name = identifier(tok)
        if name is not None and name in params:
            return Operand("param", name), None
        if name is not None and name not in variables and len(tables) == 1:
            return Operand("column", name), next(iter(tables))
        return None, None
    if len(tokens) == 3 and tokens[1].is_punct("."):
        first, second = identifier(tokens[0]), identifier(tokens[2])
        if first is None or second is None:
            return None, None
        if first in tables:
            return Operand("column", second), first
        if first in records:
            return Operand("field", first, second), None
    return None, None


def _condition(
    tokens: Sequence[Token], tables: dict[str, str], params: set[str], records: set[str], variables: frozenset[str]
) -> tuple[str, Condition] | None:
    """(alias, condition) of one conjunct when it is simple, else None."""
    if len(tokens) >= 3 and tokens[-2].is_word("IS") and tokens[-1].value.lower() == "not null":
        left, alias = _operand(tokens[:-2], tables, params, records, variables)
        if left is not None and left.kind == "column" and alias is not None:
            return alias, Condition(left.name, "is not null", None)
        return None
    at = [i for i, t in enumerate(tokens) if t.ttype in sqltok.Operator.Comparison and t.value in _OPERATORS]
    if len(at) != 1:
        return None
    i = at[0]
    op = tokens[i].value
    left, left_alias = _operand(tokens[:i], tables, params, records, variables)
    right, right_alias = _operand(tokens[i + 1 :], tables, params, records, variables)
    if left is None or right is None or (left.kind == "column") == (right.kind == "column"):
        return None  # both sides columns of the select (a join), or neither
    if right.kind == "column":
        left, right, left_alias, op = right, left, right_alias, _OPERATORS[op]
    assert left_alias is not None
    return left_alias, Condition(left.name, op, right)


def call_arguments(statement: str, parameters: Sequence[str]) -> dict[str, str]:
    """The literal arguments of a call ``select schema.fn(a, b)`` or ``select schema.fn(x => a, ...)``
    (its parameters inlined as literals, optionally cast): parameter name (lower case) -> the argument's
    SQL text, for the arguments that are a single literal (a ``gen_random_uuid()`` names nothing)."""
    tokens = significant_tokens(statement)
    opening = next((i for i, t in enumerate(tokens) if t.is_punct("(")), None)
    if opening is None:
        return {}
    closing = _close(tokens, opening)
    arguments: list[list[Token]] = [[]]
    depth = 0
    for tok in tokens[opening + 1 : closing]:
        depth += tok.is_punct("(") - tok.is_punct(")")
        if depth == 0 and tok.is_punct(","):
            arguments.append([])
        else:
            arguments[-1].append(tok)
    found: dict[str, str] = {}
    names = [p.lower() for p in parameters]
    for position, argument in enumerate(arguments):
        name = names[position] if position < len(names) else None
        if len(argument) > 2 and argument[1].value == "=>":
            name, argument = identifier(argument[0]), argument[2:]
        if not argument or name is None:
            continue
        value = argument[0]
        cast_only = len(argument) == 1 or (argument[1].is_punct("::") and all(t.wordlike for t in argument[2:]))
        if cast_only and (value.ttype in sqltok.Literal.String.Single or value.ttype in sqltok.Literal.Number):
            found[name] = statement[value.offset : argument[-1].offset + len(argument[-1].value)]
    return found
