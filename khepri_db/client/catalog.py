"""What ``khepri-db gen types`` reads of a database: the exposed relations and their columns (which ones:
``sql/gen_types/relations.sql``; read by the shared catalog reader, :mod:`khepri_db.core.catalog`), the
functions PostgREST can call by name, and every type they use (``sql/gen_types/``), as the
dataclasses :class:`Catalog` holds (:func:`read_catalog`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from khepri_db.core.catalog import Column, Relation, read_relations
from khepri_db.core.project import load_sql

__all__ = ["Argument", "Catalog", "Column", "Function", "PgType", "Relation", "read_catalog"]

_TYPES_QUERY = load_sql("gen_types", "types.sql")

_RELATIONS_QUERY = load_sql("gen_types", "relations.sql")

_FUNCTIONS_QUERY = load_sql("gen_types", "functions.sql")


@dataclass(frozen=True)
class PgType:
    """One row of ``pg_type`` with what the mapping needs (see :data:`_TYPES_QUERY`)."""

    oid: int
    schema: str
    name: str
    typtype: str
    category: str
    elem: int
    base: int
    notnull: bool
    relid: int
    relkind: str
    range_subtype: int
    multirange_of: int
    enum_labels: tuple[str, ...]
    checks: tuple[str, ...]
    attributes: tuple[tuple[str, int], ...]
    sql_name: str
    comment: str


@dataclass(frozen=True)
class Argument:
    """An input argument of a function."""

    name: str
    type_oid: int
    has_default: bool
    default: str
    variadic: bool


@dataclass(frozen=True)
class Function:
    """An exposed function (an RPC), with its inputs and outputs."""

    oid: int
    schema: str
    name: str
    args: tuple[Argument, ...]
    out: tuple[tuple[str, int], ...]
    returns_set: bool
    rettype: int
    comment: str
    identity: str


@dataclass
class Catalog:
    """What the generator read from the database."""

    schemas: list[str]
    roles: list[str]
    include_all: bool
    relations: list[Relation]
    functions: list[Function]
    skipped: list[str]
    types: dict[int, PgType]
    migrations: str


def _split_defaults(text: str) -> list[str]:
    """Split ``pg_get_expr(proargdefaults)`` (``'a'::text, 5``) at top-level commas."""
    parts, depth, quote, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch == "'":
            quote = not quote
        elif not quote and ch in "([":
            depth += 1
        elif not quote and ch in ")]":
            depth -= 1
        elif not quote and depth == 0 and ch == ",":
            parts.append(text[start:i].strip())
            start = i + 1
    if text.strip():
        parts.append(text[start:].strip())
    return parts


def read_catalog(
    conn: psycopg.Connection, schemas: Sequence[str], roles: Sequence[str], *, include_all: bool = False
) -> Catalog:
    """Read the exposed relations, functions and every type they use.

    Args:
        conn: a connection able to read the catalog (any role; privileges are checked per role).
        schemas: the exposed schemas.
        roles: API roles whose privileges decide what is exposed (roles that do not exist are
            ignored).
        include_all: every relation and function of ``schemas``, whatever the grants.

    Returns:
        A :class:`Catalog`; functions PostgREST cannot call by name are listed in ``skipped``.
    """
    existing = {r[0] for r in conn.execute("select rolname::text from pg_catalog.pg_roles").fetchall()}
    roles = [r for r in roles if r in existing]
    params = {"schemas": list(schemas), "roles": roles, "all": include_all}
    with conn.transaction():
        conn.execute("set local search_path = pg_catalog")
        oids = [row[0] for row in conn.execute(_RELATIONS_QUERY, params)]
        relations = list(read_relations(conn, oids, roles=roles, all_privileges=include_all).values())
        functions, skipped = _functions(conn.execute(_FUNCTIONS_QUERY, params).fetchall())
        wanted = {c.type_oid for r in relations for c in r.columns} | {r.rowtype for r in relations}
        wanted |= {a.type_oid for f in functions for a in f.args} | {t for f in functions for _, t in f.out}
        wanted |= {f.rettype for f in functions}
        types = {
            row[0]: PgType(
                *row[:12], tuple(row[12]), tuple(row[13]), tuple(zip(row[14], row[15], strict=True)), row[16], row[17]
            )
            for row in conn.execute(_TYPES_QUERY, {"oids": sorted(wanted)}).fetchall()
        }
        migrations = _migrations_line(conn)
    kept = []
    for function in functions:
        problem = _unsupported(function, types)
        if problem:
            skipped.append(f"{function.schema}.{function.name}({function.identity}): {problem}")
        else:
            kept.append(function)
    return Catalog(list(schemas), roles, include_all, relations, kept, skipped, types, migrations)


def _functions(rows: Iterable[tuple[Any, ...]]) -> tuple[list[Function], list[str]]:
    functions, skipped = [], []
    for row in rows:
        oid, schema, name, argnames, modes, argtypes, ndefaults, defaults, retset, rettype, variadic, comment, ident = (
            row
        )
        modes = list(modes) or ["i"] * len(argtypes)
        names = list(argnames) + [""] * (len(argtypes) - len(argnames))
        inputs = [(n, t, m) for n, t, m in zip(names, argtypes, modes, strict=True) if m in ("i", "b", "v")]
        outputs = tuple((n, t) for n, t, m in zip(names, argtypes, modes, strict=True) if m in ("o", "b", "t"))
        if any(not n for n, _, _ in inputs):
            skipped.append(f"{schema}.{name}({ident}): an argument has no name (PostgREST calls by name)")
            continue
        default_texts = _split_defaults(defaults)
        first_default = len(inputs) - ndefaults
        args = tuple(
            Argument(n, t, i >= first_default, default_texts[i - first_default] if i >= first_default else "",
                     m == "v" and variadic != 0)
            for i, (n, t, m) in enumerate(inputs)
        )  # fmt: skip
        functions.append(Function(oid, schema, name, args, outputs, retset, rettype, comment, ident))
    return functions, skipped


def _unsupported(function: Function, types: Mapping[int, PgType]) -> str | None:
    for arg in function.args:
        if types[arg.type_oid].typtype == "p":
            return f"argument {arg.name} has the pseudo-type {types[arg.type_oid].name}"
    ret = types[function.rettype]
    if ret.typtype == "p" and ret.name not in ("void", "record"):
        return f"it returns the pseudo-type {ret.name}"
    return None


def _migrations_line(conn: psycopg.Connection) -> str:
    if conn.execute("select to_regclass('supabase_migrations.schema_migrations')").fetchone() == (None,):
        return "no migration history (supabase_migrations.schema_migrations)"
    row = conn.execute(
        "select count(*), max(version || coalesce('_' || name, '')) from supabase_migrations.schema_migrations"
    ).fetchone()
    assert row is not None
    return f"{row[0]} applied, latest {row[1]}" if row[0] else "none applied"
