"""Fresh keys for the insert probes (issue 22): insert a row that collides with no existing row instead of
deleting the owner's row first.

The insert probe's row is the owner's row again (``insert_row`` or ``row``): it would collide with the
owner's own row on any unique key (primary key, unique index, exclusion constraint) whose values it
repeats. Deleting the owner's row first has side effects (a trigger refusing deletes makes the cell
undecided; cascades), so :func:`plan_insert` decides per table, from the catalog
(``sql/access/insert_keys.sql``) and the values sent, whether every unique key gets a value no row holds:

* a key column the insert leaves out whose default is volatile (``nextval``, identity,
  ``gen_random_uuid()``...), or that stays null in a key whose nulls are distinct;
* a key column given a text or uuid value that references nobody (a literal, a label such as
  ``"title {user.id}"``, ``{run.id}``): given a fresh value of the same shape for the probe;

A key made only of references (``unique (user_id)``: one profile per user) or of values that cannot be
made fresh keeps the old way: the owner's row is deleted first. The cell's detail says which was done.

Storage uploads get a fresh object name in the owner's folder (:func:`fresh_object_name`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import psycopg

from khepri_db.access.declaration import ownership_references
from khepri_db.core.catalog import Column, Relation
from khepri_db.core.project import load_sql

_VOLATILE = re.compile(
    r"\b(nextval|gen_random_uuid|uuid_generate_v1|uuid_generate_v1mc|uuid_generate_v4|uuid_generate_v7|uuidv4|"
    r"uuidv7|gen_random_bytes|random|clock_timestamp|nanoid|gen_random_\w+)\s*\(",
    re.IGNORECASE,
)
"""Default expressions (or ``{ sql = ... }`` values) giving a new value per row: Postgres' and Supabase's usual
id generators. ``now()`` is not one: it is the same for the whole transaction."""

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)

_FRESHENABLE_TYPES = ("text", "citext", "uuid", "character varying", "varchar")
"""Column types (``format_type`` spelling, before any ``(n)``) whose value the probe may replace."""

FRESH_KEY_ERRORS = frozenset({"23505", "23P01", "23514"})
"""SQLSTATEs of an insert with fresh keys after which the probe falls back to deleting the owner's row first:
a key still collided (a trigger derives it, an index the plan could not read), or the fresh value broke a
check (a length limit)."""


@dataclass(frozen=True)
class KeyFacts:
    """What decides whether an inserted row can collide, for one table.

    Attributes:
        keys: (index name, the key's columns, nulls distinct) per unique index and exclusion constraint
            (for an exclusion constraint the columns compared with ``=`` only; an expression's columns).
        columns: column name -> the column (its default, identity, generation), as the shared catalog
            reader reads it (:class:`khepri_db.core.catalog.Column`).
        foreign: the columns that are part of a foreign key.
    """

    keys: tuple[tuple[str, tuple[str, ...], bool], ...]
    columns: Mapping[str, Column]
    foreign: frozenset[str] = frozenset()


def read_key_facts(conn: psycopg.Connection, relations: Mapping[str, Relation]) -> dict[str, KeyFacts]:
    """The :class:`KeyFacts` of ``relations`` (``"schema"."table"`` as ``format('%I.%I')`` quotes it -> the
    relation as :func:`khepri_db.core.catalog.read_relations` read it, columns and foreign keys included): their
    unique keys read in one query (``sql/access/insert_keys.sql``); views are left out (their insert keeps the
    delete)."""
    if not relations:
        return {}
    by_oid = {relation.oid: name for name, relation in relations.items()}
    facts: dict[str, KeyFacts] = {}
    for oid, keys in conn.execute(load_sql("access", "insert_keys.sql"), {"oids": list(by_oid)}):
        relation = relations[by_oid[oid]]
        facts[by_oid[oid]] = KeyFacts(
            tuple((k["name"], tuple(k["columns"]), bool(k["nulls_distinct"])) for k in keys),
            {c.name: c for c in relation.columns},
            frozenset(c for fk in relation.foreign_keys for c in fk.columns),
        )
    return facts


@dataclass(frozen=True)
class InsertPlan:
    """How the insert probe of one table avoids colliding with the owner's row.

    Attributes:
        values: the values to insert (the declared ones, with ``fresh`` columns replaced), or None when
            the owner's row must be deleted first.
        fresh: the columns given a fresh value (their rendered value changed).
        note: what was done, for the cell's detail (no random values in it: it may land in the file).
    """

    values: Mapping[str, Any] | None
    fresh: tuple[str, ...]
    note: str


def _freshenable_type(type_: str) -> bool:
    return type_.split("(", 1)[0].strip() in _FRESHENABLE_TYPES


def _column_state(
    column: str, values: Mapping[str, Any], facts: KeyFacts, types: Mapping[str, str], nulls_distinct: bool
) -> str | None:
    """How ``column`` makes its key fresh: ``default`` (a volatile default or identity, or a volatile
    ``{ sql }`` value), ``null`` (left out, no default, nulls distinct), ``value`` (a text or uuid
    value naming nobody, to replace), or None (it repeats the owner's value)."""
    info = facts.columns.get(column)
    if column not in values:
        if info is None:
            return None
        default = info.default_expression
        if info.identity or (default and _VOLATILE.search(default)):
            return "default"
        if not default and not info.generated and nulls_distinct:
            return "null"
        return None
    value = values[column]
    if isinstance(value, dict) and set(value) == {"sql"}:
        text = str(value["sql"])
        return "default" if _VOLATILE.search(text) and not ownership_references(value) else None
    if not isinstance(value, str) or column in facts.foreign or not _freshenable_type(types.get(column, "")):
        return None
    references = ownership_references(value)
    if references and not all(r.startswith("run.") for r in references):
        return None  # the owner's id, another row's key: a reference, never replaced
    return "value"


def plan_insert(
    values: Mapping[str, Any],
    facts: KeyFacts | None,
    types: Mapping[str, str],
    render: Callable[[str, Any], str],
    run_id: str,
) -> InsertPlan:
    """Decide how the insert probe of one table avoids the owner's row (see the module's docstring).

    Args:
        values: the declared values the probe sends (``insert_row`` or ``row``).
        facts: the table's :class:`KeyFacts`, None for a view (or a relation not found: delete first).
        types: column -> type (``format_type``).
        render: (column, declared value) -> the value as the owner's row got it, as text.
        run_id: the run's id (``{run.id}``), replaced by a new one where a value carries it.

    Returns:
        The :class:`InsertPlan`: fresh values for the columns that need one, or None with why.
    """
    if facts is None:
        return InsertPlan(None, (), "the owner's row deleted first: a view's keys are its tables'")
    chosen: dict[str, str] = {}
    for _name, columns, nulls_distinct in facts.keys:
        states = {c: _column_state(c, values, facts, types, nulls_distinct) for c in columns}
        if any(chosen.get(c) for c in columns) or any(s in ("default", "null") for s in states.values()):
            continue
        replaceable = [c for c, s in states.items() if s == "value"]
        if not replaceable:
            shown = ", ".join(columns) or "a range"
            return InsertPlan(
                None, (), f"the owner's row deleted first: its unique key ({shown}) repeats the owner's values"
            )
        chosen[replaceable[0]] = "value"
    fresh = tuple(chosen)
    new = dict(values)
    for column in fresh:
        new[column] = fresh_text(render(column, values[column]), types.get(column, ""), run_id)
    if fresh:
        note = f"fresh key: {', '.join(fresh)} given a new value, so no row collides"
    else:
        note = "fresh key: no unique key repeats the owner's row"
    return InsertPlan(new, fresh, note)


def fresh_text(rendered: str, type_: str, run_id: str) -> str:
    """A value of the same shape as ``rendered`` that no row holds: a new uuid for a uuid (or a text
    holding one); the run's id replaced by a new one where it appears; else ``rendered-<8 hex>``.
    Braces are doubled away from ``{a.b}`` forms so the value is never read as a reference."""
    new_id = uuid.uuid4().hex
    if type_ == "uuid" or _UUID.fullmatch(rendered):
        value = str(uuid.uuid4())
    elif run_id and run_id in rendered:
        value = rendered.replace(run_id, new_id[: len(run_id)])
    else:
        value = f"{rendered}-{new_id[:8]}"
    return value.replace("{", "(").replace("}", ")")


def fresh_object_name(name: str) -> str:
    """A new object name in the same folder as ``name``, keeping its extension
    (``<uid>/khepri-probe.txt`` -> ``<uid>/khepri-probe-<8 hex>.txt``): the path policies that read the
    folders (``storage.foldername(name)``) or the extension see the same."""
    folder, slash, base = name.rpartition("/")
    stem, dot, extension = base.rpartition(".")
    if not dot or not stem:
        stem, dot, extension = base, "", ""
    return f"{folder}{slash}{stem}-{uuid.uuid4().hex[:8]}{dot}{extension}"
