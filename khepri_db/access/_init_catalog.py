"""What ``access init`` reads of the catalog, as its row-factory inference sees it: relations, their
columns (types, enum labels, CHECK constraints), keys, foreign keys, and the owner columns their policies
compare with ``auth.uid()`` (``sql/access/init_*.sql``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

from khepri_db.access._catalog import batched_rows
from khepri_db.access.declaration import (
    QualifiedName,
)
from khepri_db.core.project import load_sql
from khepri_db.core.schemas import EXCLUDED_SCHEMAS

_UID = r"(?:\(\s*SELECT\s+auth\.uid\(\)(?:\s+AS\s+\w+)?\s*\)|auth\.uid\(\))(?:::\w+)?"
_COL = r"\(?(?:\"?(\w+)\"?\.)?\"?(\w+)\"?\)?(?:::\w+)?"
_OWNER_PATTERNS = (re.compile(rf"{_COL}\s*=\s*{_UID}", re.I), re.compile(rf"{_UID}\s*=\s*{_COL}", re.I))


@dataclass
class CatColumn:
    """A column as the generator sees it (attnum order)."""

    name: str
    type: str  # format_type, e.g. "character varying(40)", "public.status"
    category: str  # pg_type.typcategory of the base type (S string, N numeric, B bool, D date/time, U, A array, E enum)
    base: str  # the base type's name (domains resolved), e.g. "text", "uuid", "timestamptz"
    required: bool  # NOT NULL (or a NOT NULL domain) and no default, identity or generation expression
    generated: bool  # identity or generated: never set by the factory
    labels: list[str]  # enum labels (of the base type), in sort order
    checks: list[str]  # single-column CHECK constraints of the table and the domain's checks
    related: list[str] = field(default_factory=list)  # CHECK constraints over this and other columns


@dataclass
class CatForeignKey:
    columns: list[str]
    target: str  # schema.table
    target_columns: list[str]


@dataclass
class CatTable(QualifiedName):
    """A table or view of the catalog, with what the row factory needs."""

    name: str
    kind: str  # relkind
    exposed: bool
    columns: dict[str, CatColumn]
    primary_key: list[str]
    uniques: list[list[str]]
    foreign_keys: list[CatForeignKey]
    owner_columns: dict[str, str]  # column -> why it is the owner's (a policy, a foreign key to auth.users)
    base_tables: list[str]  # views: the relations the view reads
    multi_checks: dict[str, list[str]] = field(default_factory=dict)  # CHECK over several columns: name -> columns
    policy_exprs: list[str] = field(default_factory=list)  # its policies' using and with check expressions


def load_tables(conn: psycopg.Connection, oids: Sequence[int], exposed: set[int]) -> dict[str, CatTable]:
    """The catalog facts of relations ``oids`` and, transitively, the tables their foreign keys reach
    (outside the Supabase-managed schemas)."""
    tables: dict[str, CatTable] = {}
    pending = list(oids)
    seen: set[int] = set()
    while pending:
        # the relations in the order the queue reaches them (breadth first), each query run for all of
        # them in one round trip (batched_rows)
        level = [oid for oid in dict.fromkeys(pending) if oid not in seen]
        seen.update(level)
        pending = []
        params = [{"oid": oid} for oid in level]
        read = {
            name: batched_rows(conn, load_sql("access", f"{name}.sql"), params)
            for name in ("init_relation", "init_columns", "init_keys", "init_multi_column_checks",
                         "init_policy_expressions")
        }  # fmt: skip
        views = [oid for oid, rows in zip(level, read["init_relation"], strict=True) if rows[0][2] in ("v", "m")]
        view_bases = dict(
            zip(views, batched_rows(conn, load_sql("access", "init_view_base_tables.sql"), [{"oid": o} for o in views]),
                strict=True)
        )  # fmt: skip
        for index, oid in enumerate(level):
            rows = {name: found[index] for name, found in read.items()}
            table = _cat_table(oid in exposed, rows, view_bases.get(oid, []), pending)
            tables[table.name] = table
    return tables


def _cat_table(
    exposed: bool, read: Mapping[str, list[tuple[Any, ...]]], view_bases: list[tuple[Any, ...]], pending: list[int]
) -> CatTable:
    """One relation from the rows :func:`load_tables` read for it (by query name); appends to ``pending``
    the tables its foreign keys reach."""
    schema, relname, kind = read["init_relation"][0]
    name = f"{schema}.{relname}"
    columns: dict[str, CatColumn] = {}
    for (
        attname, type_, category, base, notnull, has_default, generated, labels, table_checks, domain_checks
    ) in read["init_columns"]:  # fmt: skip
        columns[attname] = CatColumn(
            attname, type_, category, base, bool(notnull and not has_default), bool(generated),
            list(labels), [*table_checks, *domain_checks],
        )  # fmt: skip
    primary_key: list[str] = []
    uniques: list[list[str]] = []
    foreign_keys: list[CatForeignKey] = []
    for contype, cols, target_oid, target, target_cols in read["init_keys"]:
        if contype == "p":
            primary_key = list(cols)
            uniques.append(list(cols))
        elif contype == "u":
            uniques.append(list(cols))
        else:
            foreign_keys.append(CatForeignKey(list(cols), target, list(target_cols)))
            if target.split(".", 1)[0] not in EXCLUDED_SCHEMAS:
                pending.append(target_oid)
    multi_checks: dict[str, list[str]] = {}
    for conname, definition, cols in read["init_multi_column_checks"]:
        multi_checks[conname] = list(cols)
        for column in cols:
            if column in columns:
                columns[column].related.append(definition)
    owner_columns: dict[str, str] = {}
    for fk in foreign_keys:
        if fk.target == "auth.users" and len(fk.columns) == 1:
            owner_columns.setdefault(fk.columns[0], f"a foreign key to auth.users ({fk.target_columns[0]})")
    for policy, expr in read["init_policy_expressions"]:
        for pattern in _OWNER_PATTERNS:
            for match in pattern.finditer(expr):
                qualifier, column = match.group(1), match.group(2)
                if qualifier not in (None, relname) or column not in columns:
                    continue
                if columns[column].base in ("uuid", "text", "varchar") and column not in owner_columns:
                    owner_columns[column] = f"policy {policy} compares it with auth.uid()"
    base_tables = [r[0] for r in view_bases] if kind in ("v", "m") else []
    return CatTable(
        name, kind, exposed, columns, primary_key, uniques, foreign_keys, owner_columns, base_tables, multi_checks,
        [expr for _, expr in read["init_policy_expressions"]],
    )  # fmt: skip


def type_length(column: CatColumn) -> int | None:
    """The declared length of a ``character(n)`` / ``character varying(n)`` column, else None."""
    match = re.fullmatch(r"(?:character varying|character|varchar|char|bpchar)\((\d+)\)", column.type)
    return int(match.group(1)) if match else None
