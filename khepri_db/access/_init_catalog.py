"""What ``access init`` reads of the catalog, as its row-factory inference sees it: relations, their
columns (types, enum labels, CHECK constraints), keys and foreign keys (the shared catalog reader,
:mod:`khepri_db.core.catalog`), and what only access init asks: the owner columns their policies compare
with ``auth.uid()`` and the relations a view reads (``sql/access/init_*.sql``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

from khepri_db.access._catalog import batched_rows
from khepri_db.access.declaration import (
    QualifiedName,
)
from khepri_db.core.catalog import Column, Constraint, Relation, read_relations
from khepri_db.core.project import load_sql
from khepri_db.core.schemas import EXCLUDED_SCHEMAS

_UID = r"(?:\(\s*SELECT\s+auth\.uid\(\)(?:\s+AS\s+\w+)?\s*\)|auth\.uid\(\))(?:::\w+)?"
_COL = r"\(?(?:\"?(\w+)\"?\.)?\"?(\w+)\"?\)?(?:::\w+)?"
_OWNER_PATTERNS = (re.compile(rf"{_COL}\s*=\s*{_UID}", re.I), re.compile(rf"{_UID}\s*=\s*{_COL}", re.I))


@dataclass
class CatTable(QualifiedName):
    """A table or view of the catalog, with what the row factory needs."""

    name: str
    kind: str  # relkind
    exposed: bool
    columns: dict[str, Column]
    primary_key: list[str]
    uniques: list[list[str]]
    foreign_keys: list[Constraint]
    owner_columns: dict[str, str]  # column -> why it is the owner's (a policy, a foreign key to auth.users)
    base_tables: list[str]  # views: the relations the view reads
    multi_checks: dict[str, list[str]] = field(default_factory=dict)  # CHECK over several columns: name -> columns
    policy_exprs: list[str] = field(default_factory=list)  # its policies' using and with check expressions
    related: dict[str, list[str]] = field(default_factory=dict)  # column -> CHECKs over it and other columns


def load_tables(conn: psycopg.Connection, oids: Sequence[int], exposed: set[int]) -> dict[str, CatTable]:
    """The catalog facts of relations ``oids`` and, transitively, the tables their foreign keys reach
    (outside the Supabase-managed schemas): the shared catalog reader's relations
    (:func:`khepri_db.core.catalog.read_relations`) with their policies' expressions and, for views, the
    relations they read."""
    tables: dict[str, CatTable] = {}
    pending = list(oids)
    seen: set[int] = set()
    while pending:
        # the relations in the order the queue reaches them (breadth first), each query run for all of
        # them at once (read_relations) or in one round trip (batched_rows)
        level = [oid for oid in dict.fromkeys(pending) if oid not in seen]
        seen.update(level)
        pending = []
        relations = read_relations(conn, level)
        level = [oid for oid in level if oid in relations]
        params = [{"oid": oid} for oid in level]
        policies = batched_rows(conn, load_sql("access", "init_policy_expressions.sql"), params)
        views = [oid for oid in level if relations[oid].kind in ("v", "m")]
        view_bases = dict(
            zip(views, batched_rows(conn, load_sql("access", "init_view_base_tables.sql"), [{"oid": o} for o in views]),
                strict=True)
        )  # fmt: skip
        for oid, policy_rows in zip(level, policies, strict=True):
            table = _cat_table(relations[oid], oid in exposed, policy_rows, view_bases.get(oid, []), pending)
            tables[table.name] = table
    return tables


def _cat_table(
    relation: Relation,
    exposed: bool,
    policies: list[tuple[Any, ...]],
    view_bases: list[tuple[Any, ...]],
    pending: list[int],
) -> CatTable:
    """One relation as the row factory sees it, from what :func:`load_tables` read for it (its policies'
    names and expressions, the relations a view reads); appends to ``pending`` the tables its foreign keys
    reach."""
    name = relation.qualified
    columns = {column.name: column for column in relation.columns}
    foreign_keys = relation.foreign_keys
    for fk in foreign_keys:
        if fk.target.split(".", 1)[0] not in EXCLUDED_SCHEMAS:
            pending.append(fk.target_oid)
    multi_checks: dict[str, list[str]] = {}
    related: dict[str, list[str]] = {}
    for check in relation.multi_column_checks:
        multi_checks[check.name] = list(check.columns)
        for column in check.columns:
            related.setdefault(column, []).append(check.definition)
    owner_columns: dict[str, str] = {}
    for fk in foreign_keys:
        if fk.target == "auth.users" and len(fk.columns) == 1:
            owner_columns.setdefault(fk.columns[0], f"a foreign key to auth.users ({fk.target_columns[0]})")
    for policy, expr in policies:
        for pattern in _OWNER_PATTERNS:
            for match in pattern.finditer(expr):
                qualifier, column = match.group(1), match.group(2)
                if qualifier not in (None, relation.name) or column not in columns:
                    continue
                if columns[column].base in ("uuid", "text", "varchar") and column not in owner_columns:
                    owner_columns[column] = f"policy {policy} compares it with auth.uid()"
    base_tables = [r[0] for r in view_bases] if relation.kind in ("v", "m") else []
    return CatTable(
        name, relation.kind, exposed, columns, relation.primary_key, relation.uniques, foreign_keys, owner_columns,
        base_tables, multi_checks, [expr for _, expr in policies], related,
    )  # fmt: skip


def type_length(column: Column) -> int | None:
    """The declared length of a ``character(n)`` / ``character varying(n)`` column, else None."""
    match = re.fullmatch(r"(?:character varying|character|varchar|char|bpchar)\((\d+)\)", column.type)
    return int(match.group(1)) if match else None
