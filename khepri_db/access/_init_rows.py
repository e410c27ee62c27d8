"""Row-factory inference for ``access init``: the owner column or tenant root of every table, a row per
table built parents first (:class:`Generator`, with :mod:`._init_values`, :mod:`._init_variants` and
:mod:`._init_calls` mixed in).
"""

from __future__ import annotations

import graphlib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from khepri_db.access import _branches
from khepri_db.access._catalog import exposed_objects
from khepri_db.access._init_calls import CallInference
from khepri_db.access._init_catalog import CatTable, load_tables
from khepri_db.access._init_values import ValueCandidates
from khepri_db.access._init_variants import BranchRows
from khepri_db.access.declaration import (
    VARIANT_MARK,
    RowFactoryError,
    find_references,
)
from khepri_db.core.project import load_sql

WORD = re.compile(r"[\w$]+")
"""A whole identifier in a policy's or function's text: ``name`` bordered by no word character or ``$``."""


def with_variants(
    entries: dict[str, dict[str, Any]], variants: Mapping[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """``entries`` with each table's variants right after it (the file's order)."""
    if not variants:
        return entries
    ordered: dict[str, dict[str, Any]] = {}
    for name, entry in entries.items():
        ordered[name] = entry
        ordered.update({v: e for v, e in variants.items() if v.partition(VARIANT_MARK)[0] == name})
    return ordered


class Generator(ValueCandidates, BranchRows, CallInference):
    """Infers row factories and calls from the catalog, then observes the rights with :class:`_Runner`."""

    def __init__(self, conn: psycopg.Connection, path: Path, exposed: Sequence[str]) -> None:
        self.conn = conn
        self.path = path
        self.objects = exposed_objects(conn, exposed)
        relation_oids = [o.oid for o in self.objects if o.kind != "function"]
        self.catalog = load_tables(conn, relation_oids, set(relation_oids))
        self.reasons: dict[str, str] = {}  # table -> why no row
        self.keys: dict[str, str] = {}  # table -> its key in the file
        self.notes: dict[str, list[str]] = {}
        self._probe_tables = 0
        self.distinct: set[str] = set()  # tables whose text values must differ per owner (a trigger derives a key)
        self.on_conflict: dict[str, list[str]] = {}  # table -> the unique key a trigger-made row already holds
        self._single: sql.Identifier | None = None  # the copy of the table being filled with single-column checks
        # What _fill and function_entries read or worked out, kept across the attempts of init_access:
        # every attempt runs in the same transaction on the same catalog, so the same inputs give the
        # same answer (a row factory that fails drops only its own table and changes its dependants' inputs).
        self._filled: dict[tuple[str, str, bool, bool], tuple[str | None, dict[str, Any]]] = {}
        self._signatures: dict[int, tuple[Any, ...]] = {}
        self._roots: dict[str, str] | None = None
        self._mogrifier = psycopg.ClientCursor(conn)
        self._branches: dict[str, list[_branches.Branch]] | None = None
        # (table, its row) -> (the base row, notes on it, [(label, values opening a branch, notes, condition)])
        self._variants: dict[
            tuple[str, str], tuple[dict[str, Any], list[str], list[tuple[str, dict[str, Any], list[str], str]]]
        ] = {}
        self.variant_failures: dict[str, str] = {}  # variant name -> why its row could not be made

    def tenant_roots(self) -> dict[str, str]:
        """The catalog's tenant roots: table name -> why (the note written into the file).

        A tenant root is a table whose rows users belong to through a membership table, the
        commonest SaaS shape (``organizations`` and ``organization_members(user_id, organization_id)``):
        a table M with a foreign key to ``auth.users`` (or an owner column) and one to T, where M is
        read by the row-level security of another table (its policies name M, or call a function
        whose body does, e.g. ``get_authorized_orgs()``) and T is referenced by another table (the
        tenant's data). Such a T is never shared: each owner gets a row of their own, and ``other``
        is a member of theirs only, so the matrix tests isolation between tenants. A table like
        ``plans`` that ``subscriptions(user_id, plan_id)`` references stays shared, unless policies
        read ``subscriptions``.
        """
        if self._roots is not None:
            return self._roots
        readers: dict[str, list[str]] = {}
        for table_name, reads in self.conn.execute(load_sql("access", "init_policy_readers.sql")).fetchall():
            readers.setdefault(table_name, []).append(reads)
        referenced: dict[str, set[str]] = {}
        for name, table in self.catalog.items():
            for fk in table.foreign_keys:
                referenced.setdefault(fk.target, set()).add(name)
        # the tables whose readers name each word (a run of [\w$]: a whole identifier), read once
        # instead of searching every reader's texts for every table (quadratic: 27 million regex
        # searches on 3,000 tables)
        named_by: dict[str, set[str]] = {}
        for other, texts in readers.items():
            for text in texts:
                for found in WORD.findall(text):
                    named_by.setdefault(found, set()).add(other)
        roots: dict[str, str] = {}
        for name, table in self.catalog.items():
            user_link = table.owner_columns or any(fk.target == "auth.users" for fk in table.foreign_keys)
            if not user_link:
                continue
            if WORD.fullmatch(table.table):
                gated = sorted(named_by.get(table.table, set()) - {name})
            else:  # a name with other characters: searched as written, not bordered by a word character
                word = re.compile(rf"(?<![\w$]){re.escape(table.table)}(?![\w$])")
                gated = sorted(
                    other for other, texts in readers.items()
                    if other != name and any(word.search(text) for text in texts)
                )  # fmt: skip
            if not gated:
                continue
            for fk in table.foreign_keys:
                target = fk.target
                if target in ("auth.users", name) or target not in self.catalog:
                    continue
                data = sorted(referenced.get(target, set()) - {name, target})
                if data and target not in roots:
                    roots[target] = (
                        f"tenant root: {name} makes users members of its rows and the policies of "
                        f"{', '.join(gated[:3])}{' ...' if len(gated) > 3 else ''} read it; each owner gets a row "
                        "of their own, and other is no member of the owner's (isolation between tenants is tested)"
                    )
        self._roots = roots
        return roots

    def infer_rows(self, declared: Mapping[str, str]) -> dict[str, dict[str, Any]]:
        """Table name -> the generated ``[tables.x]`` entry (row, match, shared), for every catalog table
        not in ``declared`` (name -> key of the tables the file already declares). Records the tables
        without one in :attr:`reasons`."""
        sorter: dict[str, set[str]] = {}
        for name, table in self.catalog.items():
            deps = {fk.target for fk in table.foreign_keys if fk.target in self.catalog and fk.target != name}
            sorter[name] = deps | set(b for b in table.base_tables if b in self.catalog)
        try:
            order = list(graphlib.TopologicalSorter(sorter).static_order())
        except graphlib.CycleError:
            order = list(self.catalog)
        keys = self.keys = dict(declared)
        owned: set[str] = set(declared)  # declared tables: assume per-owner unless marked shared
        roots = self.tenant_roots()
        entries: dict[str, dict[str, Any]] = {}
        position = {name: i for i, name in enumerate(order)}
        for name in order:
            if name in declared or name not in self.catalog or name in self.reasons:
                continue
            table = self.catalog[name]
            if table.kind in ("v", "m"):
                continue
            notes = self.notes[name] = []
            row: dict[str, Any] = {}
            problem: str | None = None
            for fk in table.foreign_keys:
                needed = any(table.columns[c].required for c in fk.columns)
                if fk.target == "auth.users":
                    for column, target_column in zip(fk.columns, fk.target_columns, strict=True):
                        known = target_column in ("id", "email", "phone")
                        row.setdefault(column, f"{{user.{target_column}}}" if known else None)
                    continue
                if fk.target == name:
                    if needed:
                        problem = f"{', '.join(fk.columns)} must reference a row of the table itself"
                    continue
                parent_key = keys.get(fk.target)
                if parent_key is None or fk.target in self.reasons:
                    if needed:
                        problem = f"{', '.join(fk.columns)} references {fk.target}, which has no row factory"
                    continue
                if not needed and position.get(fk.target, -1) > position[name]:
                    continue
                if not needed and fk.target not in owned:
                    continue  # an optional link to reference data: left null
                for column, target_column in zip(fk.columns, fk.target_columns, strict=True):
                    row.setdefault(column, f"{{{parent_key}.{target_column}}}")
            row = {c: v for c, v in row.items() if v is not None}
            for column, why in table.owner_columns.items():
                if column not in row:
                    row[column] = "{user.id}"
                    notes.append(f"owner column {column}: {why}")
                elif row[column] == "{user.id}":
                    notes.append(f"owner column {column}: {why}")
            shared = name not in roots and not any(
                ref.split(".")[0] == "user" or self._table_of(ref, keys) in owned
                for value in row.values()
                for ref in find_references(value)
            )
            if name in roots:
                notes.append(roots[name])
            if problem is None:
                problem = self._fill(table, row, shared)
            if problem is not None:
                self.reasons[name] = problem
                continue
            update_columns: list[str] | None = None
            if not row:
                row = self._any_column(table)
                if not row:  # a row of defaults only; the update probe sets some column to itself
                    settable = [c.name for c in table.columns.values() if not c.set_by_database]
                    plain = [c for c in settable if c not in table.primary_key] or settable
                    if not plain:
                        self.reasons[name] = "it has no column the factory or the update probe could set"
                        continue
                    update_columns = plain[:1]
            key = name[len("public.") :] if name.startswith("public.") else name
            keys[name] = key
            entry: dict[str, Any] = {"row": row}
            if update_columns is not None:
                entry["update_columns"] = update_columns
                notes.append("every column has a default: the row is made of defaults (row = {})")
            if name in self.on_conflict:
                entry["on_conflict"] = self.on_conflict[name]
                notes.append(
                    f"on_conflict: the owner's row already exists when the user is created (a trigger on auth.users "
                    f"makes it); the factory updates it through its key ({', '.join(self.on_conflict[name])})"
                )
            if shared:
                entry["shared"] = True
                notes.append("shared: its row references no owner (reference data), so one row serves everybody")
            else:
                owned.add(name)
            if not table.primary_key:
                # no primary key: the row's own values find it; a row of defaults only is every row
                entry["match"] = " and ".join(f'"{c}" = {{row.{c}}}' for c in row) or "true"
            entries[name] = entry
        for name in order:
            table = self.catalog.get(name)
            if table is None or table.kind not in ("v", "m") or name in declared or not table.exposed:
                continue
            entries[name] = self._view_entry(table, keys)
            keys[name] = name.removeprefix("public.")
        return entries

    def retry(self, failure: RowFactoryError, entry: Mapping[str, Any]) -> bool:
        """Whether another factory may work after ``failure`` of ``entry`` (a unique violation): the row a
        trigger made for the new user (its key is the user's) is updated instead; a key a trigger derives
        from the row's text gets per-owner text values. False when neither applies or was tried."""
        if failure.sqlstate != "23505" or failure.constraint is None:
            return False
        table = self.catalog[failure.table]
        row = entry.get("row", {})
        columns = self._constraint_columns(failure.table, failure.constraint)
        # The key comes from the owner (their user or their parent rows): a trigger made the row already.
        from_user = bool(columns) and all(
            isinstance(row.get(c), str) and bool(find_references(row[c])) and row[c].startswith("{") for c in columns
        )
        if from_user and failure.table not in self.on_conflict:
            self.on_conflict[failure.table] = columns
            return True
        if failure.table not in self.distinct and any(c.category == "S" for c in table.columns.values()):
            self.distinct.add(failure.table)
            return True
        return False

    def _constraint_columns(self, table: str, constraint: str) -> list[str]:
        """The columns of the unique index (a constraint's, or one made by ``create unique index``) named
        ``constraint`` on ``table``; [] for expression or partial indexes."""
        row = self.conn.execute(
            "select array(select a.attname::text from unnest(i.indkey) with ordinality as k (n, o) "
            "join pg_catalog.pg_attribute as a on a.attrelid = i.indrelid and a.attnum = k.n order by k.o), "
            "i.indexprs is null and i.indpred is null "
            "from pg_catalog.pg_index as i join pg_catalog.pg_class as c on c.oid = i.indexrelid "
            "where i.indrelid = to_regclass(format('%%I.%%I', %s::text, %s::text)) and c.relname = %s",
            (*table.split(".", 1), constraint),
        ).fetchone()
        return list(row[0]) if row and row[1] else []

    def _table_of(self, ref: str, keys: Mapping[str, str]) -> str | None:
        for name, key in keys.items():
            if ref.startswith(key + "."):
                return name
        return None

    def _any_column(self, table: CatTable) -> dict[str, Any]:
        """A row for a table whose columns all have defaults: one nullable text column set, else {}."""
        for column in table.columns.values():
            if not column.set_by_database and column.category == "S" and column.name not in table.primary_key:
                return {column.name: f"{column.name} {{user.id}}"}
        return {}

    def _fill(self, table: CatTable, row: dict[str, Any], shared: bool) -> str | None:
        """Add a value for every required column to ``row``, each tested against the CHECK constraints;
        the reason when a column has no value that fits. Remembered per (table, row, shared, distinct):
        a retry of init_access infers again only the tables whose inputs changed."""
        key = (table.name, repr(sorted(row.items())), shared, table.name in self.distinct)
        if key not in self._filled:
            problem = self._fill_once(table, row, shared)
            self._filled[key] = (problem, dict(row))
        problem, filled = self._filled[key]
        row.clear()
        row.update(filled)
        return problem

    def _fill_once(self, table: CatTable, row: dict[str, Any], shared: bool) -> str | None:
        self._probe_tables += 1
        probe = sql.Identifier(f"khepri_access_probe_{self._probe_tables}")
        with self.conn.transaction(force_rollback=True):
            # the two copies of the table, every column nullable, in one round trip (the same statements)
            source = sql.Identifier(table.schema, table.table)
            self._single = sql.Identifier(f"khepri_access_probe_{self._probe_tables}_single")
            nullable = [sql.Identifier(c) for c in table.columns]
            statements = [
                sql.SQL("create temporary table {} (like {} including constraints including defaults)").format(
                    probe, source
                ),
                *(sql.SQL("alter table {} alter column {} drop not null").format(probe, c) for c in nullable),
                sql.SQL("create temporary table {} (like {} including defaults)").format(self._single, source),
                *(sql.SQL("alter table {} alter column {} drop not null").format(self._single, c) for c in nullable),
            ]
            self.conn.execute(sql.SQL(";\n").join(statements))
            definitions = self.conn.execute(
                "select pg_catalog.pg_get_constraintdef(c.oid) from pg_catalog.pg_constraint as c "
                "where c.conrelid = to_regclass(format('%%I.%%I', %s::text, %s::text)) and c.contype = 'c' "
                "and cardinality(c.conkey) = 1",
                (table.schema, table.table),
            ).fetchall()
            if definitions:
                self.conn.execute(
                    sql.SQL(";\n").join(
                        sql.SQL("alter table {} add {}").format(self._single, sql.SQL(d)) for (d,) in definitions
                    )
                )
            unique_columns = {c for cols in table.uniques for c in cols}
            if table.name in self.distinct:
                unique_columns |= {c.name for c in table.columns.values() if c.category == "S"}
            for column in table.columns.values():
                if not column.required or column.name in row:
                    continue
                if not self._candidates(table, column, column.name in unique_columns, shared):
                    return f"{column.name}: no value known for type {column.type}"
                candidates = list(self._valid_candidates(table, column, column.name in unique_columns, shared))
                if not candidates:
                    return f"{column.name}: no value tried satisfies its own check constraints"
                last = ""
                for candidate in candidates:
                    settled, last = self._settle(probe, table, {**row, column.name: candidate}, shared)
                    if settled is not None:
                        row.clear()
                        row.update(settled)
                        break
                else:
                    return f"{column.name}: no value tried satisfies its constraints ({last})"
        return None

    def _view_entry(self, table: CatTable, keys: Mapping[str, str]) -> dict[str, Any]:
        """A view's entry: found through its one base table's primary key when the view shows it, else
        every row it shows (``match = "true"``)."""
        bases = [b for b in table.base_tables if b in self.catalog and self.catalog[b].kind in ("r", "p")]
        if len(bases) == 1 and bases[0] in keys and bases[0] not in self.reasons:
            base = self.catalog[bases[0]]
            if base.primary_key and all(c in table.columns for c in base.primary_key):
                self.notes[table.name] = [f"the target row is the owner's row of {bases[0]}, found by its primary key"]
                return {"match": " and ".join(f'"{c}" = {{{keys[bases[0]]}.{c}}}' for c in base.primary_key)}
        self.notes[table.name] = [
            "no single base table with its primary key in the view: the probes target every row it shows"
        ]
        return {"match": "true"}
