"""The extra rows ``access init`` declares for policy branches (``<table>#<branch>``): a row whose own
columns open a branch of a permissive policy to other people.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from psycopg import sql

from khepri_db.access import _branches
from khepri_db.access._init_catalog import CatTable
from khepri_db.access._init_state import InitState
from khepri_db.access._init_toml import toml_key, toml_value
from khepri_db.access.declaration import (
    VARIANT_MARK,
    find_references,
)


class BranchRows(InitState):
    """One more row per permissive policy branch that admits other people by the row's own columns
    (``[tables.\"notes#sharing_public\"]``), mixed into :class:`~khepri_db.access._init_rows.Generator`
    (what it uses of it: :class:`~khepri_db.access._init_state.InitState`)."""

    def infer_variants(self, entries: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Variant name (``public.notes#sharing_public``) -> the generated entry of one more row of a table,
        for each table of ``entries`` whose permissive policies have a branch testing the caller and another
        testing only the row's own columns (:func:`khepri_db.access._branches.read_branches`): the base row
        with the values that make the row-only branch true, so the probes exercise it. The base row is set
        (in ``entries``) to values that make those branches false when it met them, so it tests the
        caller's branch. Records keys and notes; skips tables shared or with ``on_conflict`` (one row per
        owner already exists), and variants whose row failed (:attr:`variant_failures`)."""
        if self._branches is None:
            oids = {o.name: o.oid for o in self.objects if o.kind != "function"}
            tables = {
                n: self.catalog[n].columns for n in oids if n in self.catalog and self.catalog[n].kind in ("r", "p")
            }
            self._branches = _branches.read_branches(self.conn, [oids[n] for n in tables], tables)
        variants: dict[str, dict[str, Any]] = {}
        for name, entry in entries.items():
            branches = self._branches.get(name)
            row = entry.get("row")
            if not branches or row is None or entry.get("shared") or entry.get("on_conflict"):
                continue
            table = self.catalog[name]
            if self._owner_unique(table, row):
                self.notes.setdefault(name, []).append(
                    "policy branches that admit other people were found, but a unique key of the owner's values "
                    "allows one row per owner: no variant row"
                )
                continue
            key = (name, repr(sorted(row.items())))
            if key not in self._variants:
                self._variants[key] = self._branch_rows(table, row, branches)
            base, base_notes, found = self._variants[key]
            self.notes.setdefault(name, []).extend(base_notes)
            if base != row:
                entry["row"] = base
            base_key = self.keys.get(name, name.removeprefix("public."))
            taken: set[str] = set()
            written: list[str] = []  # the conditions of the branches the variants meet
            for label, overrides, notes, condition in found[: _branches.MAX_VARIANTS]:
                unique = label
                while unique in taken:
                    unique = f"{label}_{len(taken) + 1}"
                taken.add(unique)
                variant = f"{name}{VARIANT_MARK}{unique}"
                if variant in self.variant_failures:
                    self.notes.setdefault(name, []).append(
                        f"no variant {unique}: its row failed ({self.variant_failures[variant]})"
                    )
                    continue
                self.keys[variant] = f"{base_key}{VARIANT_MARK}{unique}"
                self.notes[variant] = notes
                variant_entry: dict[str, Any] = {"row": {**base, **overrides}}
                if "update_columns" in entry:
                    variant_entry["update_columns"] = entry["update_columns"]
                if "match" in entry:  # no primary key: its own values find it, the branch's among them
                    variant_entry["match"] = " and ".join(
                        f'"{c}" is null' if v == {"sql": "null"} else f'"{c}" = {{row.{c}}}'
                        for c, v in variant_entry["row"].items()
                    )
                    written.append(condition)
                variants[variant] = variant_entry
            if written:  # no primary key: the base row's match must not find the variants' rows
                entry["match"] += "".join(f" and not coalesce(({c}), false)" for c in written)
        return variants

    def _owner_unique(self, table: CatTable, row: Mapping[str, Any]) -> bool:
        """Whether a unique key of ``table`` is made of the row's reference values only (``user_id``, a
        parent's id): a second row per owner would break it."""
        return any(
            all(isinstance(row.get(c), str) and row[c].startswith("{") and find_references(row[c]) for c in key)
            for key in table.uniques
        )

    def _branch_rows(
        self, table: CatTable, row: Mapping[str, Any], branches: Sequence[_branches.Branch]
    ) -> tuple[dict[str, Any], list[str], list[tuple[str, dict[str, Any], list[str], str]]]:
        """(the base row, with values making every row-only branch false where it made one true; notes on
        the base row; [(label, the values making a branch true, notes, the branch's condition)]), tested on
        a copy of the table (its CHECK constraints and defaults, every column nullable) by evaluating each
        branch over candidate rows."""
        base = dict(row)
        base_notes: list[str] = []
        found: list[tuple[str, dict[str, Any], list[str], str]] = []
        self._probe_tables += 1
        probe = sql.Identifier(f"khepri_access_branch_{self._probe_tables}")
        with self.conn.transaction(force_rollback=True):
            source = sql.Identifier(table.schema, table.table)
            self.conn.execute(
                sql.SQL(";\n").join([
                    sql.SQL("create temporary table {} (like {} including constraints including defaults)").format(
                        probe, source
                    ),
                    *(sql.SQL("alter table {} alter column {} drop not null").format(probe, sql.Identifier(c))
                      for c in table.columns),
                ])
            )  # fmt: skip
            references = {c for c, v in row.items() if isinstance(v, str) and find_references(v)}
            for branch in branches:
                settable = [c for c in branch.columns if not table.columns[c].set_by_database and c not in references]
                if not settable:
                    continue
                choices = {c: _branches.candidates(table.columns[c], branch) for c in settable}

                def evaluate(trial: Mapping[str, Any], branch: _branches.Branch = branch) -> bool | None:
                    return self.evaluate(probe, trial, table, branch.expression)

                if evaluate(base) is True:  # the base row met the branch: it would test no caller's branch
                    closed = _branches.find_values(branch, base, choices, evaluate, want=False)
                    if closed is None:
                        continue
                    base.update(closed)
                    base_notes.append(
                        f"row: {', '.join(f'{c} = {toml_value(v)}' for c, v in closed.items())} so that it does not "
                        f"meet the branch `{branch.text}` of {branch.where}: it tests the caller's branch"
                    )
            for branch in branches:
                settable = [c for c in branch.columns if not table.columns[c].set_by_database and c not in references]
                choices = {c: _branches.candidates(table.columns[c], branch) for c in settable}
                # a reference to the owner's rows stays, but may be left out (null) when the column allows it:
                # `organization_id is null` admits everybody to a personal row
                choices |= {
                    c: [{"sql": "null"}]
                    for c in branch.columns
                    if c in references and not table.columns[c].set_by_database and not table.columns[c].required
                }

                def evaluate_open(trial: Mapping[str, Any], branch: _branches.Branch = branch) -> bool | None:
                    return self.evaluate(probe, trial, table, branch.expression)

                if not choices:
                    base_notes.append(
                        f"branch `{branch.text}` of {branch.where} admits other people, but its columns hold the "
                        "owner's required references (or are generated): no variant row for it; declare one by hand"
                    )
                    continue
                opened = _branches.find_values(branch, base, choices, evaluate_open, want=True)
                if opened is None:
                    base_notes.append(
                        f"branch `{branch.text}` of {branch.where} admits other people, but no value "
                        "tried makes it true: no variant row for it"
                    )
                    continue
                if any(overrides == opened for _, overrides, _, _ in found):
                    continue
                notes = [
                    f"a row per policy branch: this row meets the branch `{branch.text}` of "
                    f"{branch.where}, which tests only the row, while the base row "
                    f"[tables.{toml_key(self.keys.get(table.name, table.name.removeprefix('public.')))}] tests the "
                    "caller's"
                ]
                found.append((_branches.label(opened), opened, notes, branch.expression))
        return base, base_notes, found

    def evaluate(self, probe: sql.Identifier, row: Mapping[str, Any], table: CatTable, condition: str) -> bool | None:
        """``condition`` (SQL over the table's columns) for ``row`` (the other columns at their defaults),
        inserted into ``probe`` (a copy of the table with its CHECK constraints) in a rolled-back savepoint:
        True, False (false or null), or None when the row breaks a constraint."""
        columns, rendered, params = self._rendered(row, table)
        if columns:
            insert = sql.SQL("insert into {} ({}) values ({})").format(
                probe, sql.SQL(", ").join(sql.Identifier(c) for c in columns), sql.SQL(", ").join(rendered)
            )
        else:
            insert = sql.SQL("insert into {} default values").format(probe)
        query = sql.SQL("{} returning coalesce(({})::boolean, false)").format(
            insert, sql.SQL(condition.replace("%", "%%"))
        )
        statement = self._mogrifier.mogrify(query, params)
        try:
            with self.conn.cursor() as cur:
                cur.execute(
                    f"savepoint khepri_branch;\n{statement}\n;rollback to savepoint khepri_branch; "
                    "release savepoint khepri_branch"
                )
                cur.nextset()
                value = cur.fetchone()
        except psycopg.Error:
            self.conn.execute("rollback to savepoint khepri_branch; release savepoint khepri_branch")
            return None
        return bool(value[0]) if value else None
