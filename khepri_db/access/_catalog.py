"""What the access matrix reads from the catalog: the objects the Data API exposes, and the declared
tables and functions as they are in the database (columns, primary keys, signatures)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import psycopg

from khepri_db.access._validate import located
from khepri_db.access.declaration import (
    AccessDeclarationError,
    Declaration,
    TableDeclaration,
)
from khepri_db.access.report import UndeclaredObject
from khepri_db.core.catalog import Column, Relation, read_relations
from khepri_db.core.project import load_sql
from khepri_db.core.schemas import EXCLUDED_SCHEMAS


@dataclass(frozen=True)
class ExposedObject:
    """A table, view or function the Data API exposes (one that needs a declaration).

    Attributes:
        kind: ``table`` (tables, partitioned and foreign tables), ``view`` (views, materialized views)
            or ``function``.
        name: ``schema.name`` for relations, ``schema.name(argtypes)`` for functions.
        oid: the ``pg_class`` or ``pg_proc`` oid.
    """

    kind: Literal["table", "view", "function"]
    name: str
    oid: int


def exposed_objects(conn: psycopg.Connection, exposed: Sequence[str]) -> list[ExposedObject]:
    """Every object of the ``exposed`` schemas a declaration must cover, relations first, by name.

    Relations: tables, partitioned tables (not their partitions), views, materialized views and
    foreign tables. Functions: plain functions (not procedures, aggregates or trigger functions)
    that anon, authenticated or service_role may execute. Objects belonging to an extension and the
    Supabase-managed schemas (:data:`khepri_db.core.schemas.EXCLUDED_SCHEMAS`) are left out, as doctor
    leaves them out.
    """
    schemas = [s for s in exposed if s not in EXCLUDED_SCHEMAS]
    found: list[ExposedObject] = []
    for oid, schema, name, kind in conn.execute(
        load_sql("access", "exposed_relations.sql"), {"schemas": schemas}
    ).fetchall():
        found.append(ExposedObject("view" if kind in "vm" else "table", f"{schema}.{name}", oid))
    functions = conn.execute(load_sql("access", "exposed_functions.sql"), {"schemas": schemas}).fetchall()
    for oid, display in functions:
        found.append(ExposedObject("function", display, oid))
    return found


def batched_rows(
    conn: psycopg.Connection, query: str, params: Sequence[Mapping[str, Any]]
) -> list[list[tuple[Any, ...]]]:
    """The rows of ``query`` run once per item of ``params``, in one round trip: the statements, their
    parameters inlined as literals (psycopg's own quoting), are sent as one string (the simple query
    protocol, which every pooler passes through, unlike pipelining), one result set per statement."""
    if not params:
        return []
    mogrifier = psycopg.ClientCursor(conn)
    cursor = conn.execute("\n;\n".join(mogrifier.mogrify(query, p) for p in params))
    results = [cursor.fetchall()]
    while cursor.nextset():
        results.append(cursor.fetchall())
    return results


@dataclass
class _Relation:
    decl: TableDeclaration
    kind: str
    columns: dict[str, Column]
    primary_key: list[str]
    source: Relation  # as the shared catalog reader read it (constraints included)


@dataclass
class DeclaredObjects:
    """The declared objects found in the database.

    Attributes:
        relations: ``schema.table`` -> its kind, columns and primary key.
        functions: declaration key -> (oid, ``schema.name(argtypes)``, number of arguments).
        storage_columns: the columns of ``storage.objects`` (name -> type), when buckets are declared.
        buckets: the declared buckets that exist in ``storage.buckets``.
    """

    relations: dict[str, _Relation] = field(default_factory=dict)
    functions: dict[str, tuple[int, str, int]] = field(default_factory=dict)
    storage_columns: dict[str, str] = field(default_factory=dict)
    buckets: set[str] = field(default_factory=set)


CatalogMemo = dict[tuple[str, tuple[tuple[str, Any], ...]], list[Any]]
"""What :func:`read_declared_objects` already read: (query, its parameters) -> rows; a declared table's
entry holds the :class:`~khepri_db.core.catalog.Relation` it names (none when it does not exist)."""


def _memoized_rows(
    conn: psycopg.Connection, query: str, params: Sequence[Mapping[str, Any]], memo: CatalogMemo | None
) -> list[list[tuple[Any, ...]]]:
    """:func:`batched_rows`, taking from ``memo`` the rows of the parameters it holds and adding the others."""
    if memo is None:
        return batched_rows(conn, query, params)
    keys = [(query, tuple(sorted(p.items()))) for p in params]
    missing = {key: p for key, p in zip(keys, params, strict=True) if key not in memo}
    for key, rows in zip(missing, batched_rows(conn, query, list(missing.values())), strict=True):
        memo[key] = rows
    return [memo[key] for key in keys]


def _declared_relations(
    conn: psycopg.Connection, tables: Sequence[TableDeclaration], memo: CatalogMemo | None
) -> list[list[Relation]]:
    """Per declared table, the relation it names (a list of one, or empty when there is none), read by the
    shared catalog reader (:func:`khepri_db.core.catalog.read_relations`) for all the tables ``memo`` lacks at
    once, and kept in ``memo``."""
    memo = {} if memo is None else memo
    keys = [("catalog.relation", (("name", t.table), ("schema", t.schema))) for t in tables]
    missing = [(key, t) for key, t in zip(keys, tables, strict=True) if key not in memo]
    if missing:
        oids = [
            row[0]
            for row in conn.execute(
                "select to_regclass(format('%%I.%%I', s, n))::oid from unnest(%s::text[], %s::text[]) as t (s, n)",
                ([t.schema for _, t in missing], [t.table for _, t in missing]),
            )
        ]
        relations = read_relations(conn, [oid for oid in oids if oid is not None])
        for (key, _), oid in zip(missing, oids, strict=True):
            memo[key] = [relations[oid]] if oid is not None and oid in relations else []
    return [memo[key] for key in keys]


def read_declared_objects(
    conn: psycopg.Connection, declaration: Declaration, memo: CatalogMemo | None = None
) -> DeclaredObjects:
    """Find every table and function ``declaration`` names in the database, with what probing needs.

    Args:
        conn: the database.
        declaration: the declaration whose objects to find.
        memo: the rows of the tables and functions read by earlier calls on the same catalog, reused
            (and completed with the ones this call reads): ``access init`` probes the declaration it
            generates again each time a row factory fails, on a catalog its rolled-back runs leave as
            it was. ``None``: read everything.

    Returns:
        The declared relations (kind, columns, primary key) and functions (oid, display, argument count).

    Raises:
        AccessDeclarationError: an object does not exist, a named column is missing, a table has
            neither a primary key nor ``match``, or a function is overloaded or needs ``call``; every
            problem is listed with its file and line.
    """
    decl = declaration
    found = DeclaredObjects()
    missing: list[str] = []
    functions = [(f, *f.name.split(".", 1)) for f in decl.functions]
    table_rows = _declared_relations(conn, decl.tables, memo)
    function_rows = _memoized_rows(
        conn,
        load_sql("access", "declared_functions.sql"),
        [
            {"signature": f"{f.name}{f.signature}" if f.signature else None, "schema": schema, "name": name}
            for f, schema, name in functions
        ],
        memo,
    )
    for table, rows in zip(decl.tables, table_rows, strict=True):
        relation = rows[0] if rows else None
        if relation is None:
            missing.append(f"{located(decl.path, table.line)}: table {table.name} does not exist")
            continue
        kind, pk = relation.kind, relation.primary_key
        columns = {column.name: column for column in relation.columns}
        where = f"{located(decl.path, table.line)}: tables.{table.key}"
        spec = table.spec
        named = [*(spec.row or {}), *(spec.insert_row or {}), *(spec.update_columns or [])]
        for column in named:
            if column not in columns:
                missing.append(f"{where}: {table.name} has no column {column!r}")
        if spec.match is None and not pk and spec.unbuildable is None:
            missing.append(f"{where}: {table.name} has no primary key; declare match to find the target row")
        found.relations[table.name] = _Relation(table, kind, columns, pk, relation)
    for function, rows in zip(decl.functions, function_rows, strict=True):
        where = f"{located(decl.path, function.line)}: functions.{function.key}"
        if not rows:
            missing.append(f"{where}: function {function.key} does not exist")
        elif len(rows) > 1:
            overloads = ", ".join(r[1] for r in rows)
            missing.append(f"{where}: {function.name} is overloaded ({overloads}); name one with its argument types")
        else:
            oid, display, nargs = rows[0]
            if function.spec.call is None and nargs:
                missing.append(f"{where}: {display} takes arguments; declare call with the SQL that calls it")
            found.functions[function.key] = (oid, display, nargs)
    if decl.storage:
        _read_storage(conn, decl, found, missing)
    if missing:
        raise AccessDeclarationError(
            "the access declaration does not fit this database:\n  " + "\n  ".join(missing),
            hint="run `khepri-db migrate` if the database is behind, or fix the declaration",
        )
    return found


def _read_storage(conn: psycopg.Connection, decl: Declaration, found: DeclaredObjects, missing: list[str]) -> None:
    """The columns of ``storage.objects`` and which declared buckets exist (into ``found``); what is
    missing appended to ``missing``. A missing bucket is not a problem: the run makes it."""
    oid = conn.execute("select to_regclass('storage.objects')::oid").fetchone()[0]  # type: ignore[index]
    objects = read_relations(conn, [oid]).get(oid) if oid is not None else None
    found.storage_columns = {c.name: c.type for c in objects.columns} if objects else {}
    first = decl.storage[0]
    if not found.storage_columns:
        missing.append(f"{located(decl.path, first.line)}: storage.{first.bucket}: there is no table storage.objects "
                       "(the Storage schema is not installed)")  # fmt: skip
        return
    for needed in ("bucket_id", "name"):
        if needed not in found.storage_columns:
            missing.append(f"{located(decl.path, first.line)}: storage.objects has no column {needed}")
    if to_regclass(conn, "storage.buckets"):
        rows = conn.execute(
            "select id from storage.buckets where id = any(%s)", ([b.bucket for b in decl.storage],)
        ).fetchall()
        found.buckets = {r[0] for r in rows}


def to_regclass(conn: psycopg.Connection, name: str) -> bool:
    """Whether relation ``name`` exists."""
    return conn.execute("select to_regclass(%s) is not null", (name,)).fetchone()[0]  # type: ignore[index]


def undeclared_objects(
    conn: psycopg.Connection, objects: DeclaredObjects, exposed: Sequence[str]
) -> list[UndeclaredObject]:
    """The objects of the ``exposed`` schemas (:func:`exposed_objects`) that ``objects`` does not cover."""
    declared_functions = {oid for oid, _, _ in objects.functions.values()}
    return [
        UndeclaredObject(kind=o.kind, name=o.name)
        for o in exposed_objects(conn, exposed)
        if (o.name not in objects.relations if o.kind != "function" else o.oid not in declared_functions)
    ]
