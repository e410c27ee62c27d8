"""The table cells of verify-access: select, insert (with fresh keys), update and delete as every actor,
on the owner's row.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from functools import partial
from typing import Any, Literal

from psycopg import sql

from khepri_db.access._attempts import (
    MAX_DEPENDENTS,
    Attempt,
)
from khepri_db.access._fixtures import _Subject
from khepri_db.access._fresh_keys import (
    FRESH_KEY_ERRORS,
    InsertPlan,
    plan_insert,
    read_key_facts,
)
from khepri_db.access._run_state import RunState
from khepri_db.access.declaration import (
    OPERATIONS,
    REF,
    Outcome,
    TableDeclaration,
    ownership_references,
)
from khepri_db.access.report import CellResult


class TableCells(RunState):
    """The cells of every declared table and view.
    Mixed into :class:`~khepri_db.access._runner.Runner`; what it uses of the run is declared by
    :class:`~khepri_db.access._run_state.RunState`."""

    def table_cells(self, only: Collection[str] | None = None) -> Iterator[CellResult]:
        """The cells of every declared table (of those named in ``only``, when given)."""
        cells: list[CellResult] = []
        handovers: list[tuple[int, TableDeclaration, str]] = []
        for table in self.decl.tables:
            if only is not None and table.name not in only:
                continue
            self._progress("table", table.name)
            for actor in self.decl.actors:
                allowed = table.allowed.get(actor, frozenset())
                for op in OPERATIONS:
                    expected: Literal["allowed", "denied"] = "allowed" if op in allowed else "denied"
                    undecided = self.decl.undecided_reason(table.spec, actor, op)
                    if table.spec.unbuildable is not None:
                        actual, detail, attempt, leak = "skipped", "not probed: the table has no row", None, None
                    elif op in ("select", "update"):  # one request, in its own rolled-back savepoint
                        actual, detail, attempt, leak = self._table_cell(table, actor, op)
                    else:  # the connecting role clears rows first: the cell's savepoint undoes that too
                        with self._rolled_back():
                            actual, detail, attempt, leak = self._table_cell(table, actor, op)
                    if op == "update" and actual == "allowed" and actor != "service_role" and undecided is None:
                        handovers.append((len(cells), table, actor))
                    ok = (actual == expected or (actual == "skipped" and expected == "denied")) and leak is None
                    cells.append(CellResult(
                        id=f"{table.name}:{actor}:{op}",
                        object=table.name,
                        kind="table",
                        actor=actor,
                        operation=op,
                        expected=expected,
                        actual=actual,
                        ok=ok and undecided is None,
                        detail=detail,
                        sqlstate=attempt.sqlstate if attempt else None,
                        leak=leak,
                        rights=attempt.rights if attempt else None,
                        unreviewed=actor in table.spec.unreviewed or f"{actor}:{op}" in table.spec.unreviewed,
                        undecided=undecided,
                        owned=self._owned(table),
                    ))  # fmt: skip
        # The re-parenting probes of allowed updates, after every other cell: the extra owners they
        # aim at are made once, in one savepoint rolled back at the end, so no other cell sees them.
        with self.conn.transaction(force_rollback=True):
            made: dict[str, _Subject] = {}
            for index, table, actor in handovers:
                if not table.spec.handover or table.spec.shared:
                    continue
                where, where_params = self.fixtures.match(table, self.fixtures.subjects["owner"])
                leak = self._handover(table, actor, where, where_params, made)
                if leak is not None:
                    cells[index] = cells[index].model_copy(update={"leak": leak, "ok": False})
        yield from cells

    def _table_cell(
        self, table: TableDeclaration, actor: str, op: str
    ) -> tuple[Outcome, str, Attempt | None, str | None]:
        """(actual, detail, attempt, leak) of one table cell; insert and delete run inside a rolled-back
        savepoint (their connecting-role deletes), select and update need none (:meth:`_act` has its own)."""
        owner = self.fixtures.subjects["owner"]
        spec = table.spec
        target = sql.Identifier(table.schema, table.table)
        path = f"/{table.table}"
        where, where_params = self.fixtures.match(table, owner)
        if op == "select":
            query = self._rendered(
                (table.name, op), lambda: (sql.SQL("select 1 from {} where {}").format(target, where), where_params)
            )
            attempt = self._act(actor, query, where_params, "GET", path, rows=True)
            return (*attempt.decide("visible", "0 rows: filtered out by RLS"), attempt, None)
        if op == "delete":
            query = self._rendered(
                (table.name, op), lambda: (sql.SQL("delete from {} where {}").format(target, where), where_params)
            )
            attempt = self._act(actor, query, where_params, "DELETE", path)
            cleared: tuple[tuple[str, str, str], ...] = ()
            for _ in range(MAX_DEPENDENTS):
                # Rows of other tables that reference the target (a chat's messages) stop the delete
                # only through their foreign key, after RLS let it through: clear them (as the
                # connecting role) and ask again, so the cell says what RLS and the grants decide.
                # Every actor's cell starts from the same rows (each is rolled back), so the same
                # foreign keys in the same order make the same clearing: its statements are replayed.
                if attempt.sqlstate != "23503" or attempt.constraint is None:
                    break
                cleared += (attempt.constraint,)
                clear = partial(self._clear_dependents, table, attempt, where, where_params)
                if not self._replayed(("delete", table.name, cleared), clear):
                    break
                attempt = self._act(actor, query, where_params, "DELETE", path)
            return (*attempt.decide("deleted", "0 rows: filtered out by RLS"), attempt, None)
        if op == "insert":
            values = spec.insert_row or spec.row
            if values is None:
                return "skipped", "nothing to insert: no row or insert_row", None, None
            plan = self._insert_plan(table, values)
            note = plan.note
            if plan.values is not None:
                fresh = self._fresh_insert(table, actor, values, plan, path)
                if not isinstance(fresh, str):
                    return fresh
                note = f"the owner's row deleted first: {fresh}"
            cleared = self._admin_delete(table.schema, table.table, where, where_params)
            insert, params = self.fixtures.insert(
                table, values, owner, self.fixtures.target_row(table, owner), returning=False
            )
            attempt = self._act(actor, insert, params, "POST", path)
            actual, detail = attempt.decide("inserted", "no row inserted (a trigger returned null)")
            if actual == "error" and cleared:
                detail += f" (the owner's row could not be deleted first: {cleared})"
            return actual, f"{detail} ({note})", attempt, None
        columns = spec.update_columns or self.fixtures.default_update_columns(table)
        if not columns:
            return "skipped", "nothing to update: no update_columns and no row", None, None

        def update() -> tuple[sql.Composable, Sequence[Any]]:
            assignments = sql.SQL(", ").join(sql.SQL("{0} = {0}").format(sql.Identifier(c)) for c in columns)
            return sql.SQL("update {} set {} where {}").format(target, assignments, where), where_params

        attempt = self._act(actor, self._rendered((table.name, op), update), where_params, "PATCH", path)
        actual, detail = attempt.decide("updated", "0 rows: filtered out by RLS")
        return actual, detail, attempt, None  # the re-parenting probes run later (table_cells)

    def _insert_plan(self, table: TableDeclaration, values: dict[str, Any]) -> InsertPlan:
        """How ``table``'s insert probe avoids the owner's row (:func:`khepri_db.access._fresh_keys.plan_insert`),
        decided once per run; the catalog is read once, for every declared table."""
        if table.name not in self._insert_plans:
            self._read_key_facts()
            owner = self.fixtures.subjects["owner"]
            row = self.fixtures.target_row(table, owner)

            def render(column: str, value: Any) -> str:
                return REF.sub(
                    lambda m: str(self.fixtures.value_of(self.decl.resolve(m.group(1)), owner, row)),  # type: ignore[arg-type]
                    value,
                )

            relation = self.objects.relations[table.name]
            self._insert_plans[table.name] = plan_insert(
                values,
                self._key_facts.get(sql.Identifier(table.schema, table.table).as_string(self.conn)),
                {c: column.type for c, column in relation.columns.items()},
                render,
                self.fixtures.run_id,
            )
        return self._insert_plans[table.name]

    def _read_key_facts(self) -> None:
        """Read the unique keys of every declared table (:func:`~khepri_db.access._fresh_keys.read_key_facts`),
        once per run; their columns and foreign keys are the ones the run's catalog read already holds."""
        if not self._key_facts:
            declared = {
                sql.Identifier(r.decl.schema, r.decl.table).as_string(self.conn): r.source
                for r in self.objects.relations.values()
            }
            self._key_facts = read_key_facts(self.conn, declared) or {"": None}

    def _fresh_insert(
        self, table: TableDeclaration, actor: str, values: dict[str, Any], plan: InsertPlan, path: str
    ) -> tuple[Outcome, str, Attempt | None, str | None] | str:
        """The insert cell made with ``plan``'s fresh keys, the owner's row left in place; why not, when the
        delete is needed after all: the fresh row still collided or broke a check
        (:data:`~khepri_db.access._fresh_keys.FRESH_KEY_ERRORS`), or, when a value was replaced, the
        owner's own values are judged otherwise (the same insert without fresh values, which RLS checks
        before the unique index refuses it: 42501 from the policy, 23505 past it)."""
        assert plan.values is not None
        owner = self.fixtures.subjects["owner"]
        row = self.fixtures.target_row(table, owner)
        if plan.fresh:
            insert, params = self.fixtures.insert(table, values, owner, row, returning=False)
            original = self._act(actor, insert, params, "POST", path)
        insert, params = self.fixtures.insert(table, plan.values, owner, row, returning=False)
        attempt = self._act(actor, insert, params, "POST", path)
        if attempt.status == "error" and attempt.sqlstate in FRESH_KEY_ERRORS:
            return f"the insert with fresh keys failed ({attempt.detail})"
        if plan.fresh and (attempt.status == "refused") != (original.status == "refused"):
            return f"the policies judge the fresh {', '.join(plan.fresh)} otherwise than the owner's"
        actual, detail = attempt.decide("inserted", "no row inserted (a trigger returned null)")
        return actual, f"{detail} ({plan.note})", attempt, None

    def _owned(self, table: TableDeclaration) -> bool:
        """Whether ``table``'s row belongs to the owner: not ``shared``, and its row names the owner's
        user (``{user.id}``) or a row of a declared table that does, directly or through others."""
        if table.name not in self._owned_memo:
            self._owned_memo[table.name] = False  # a cycle of references owns nothing by itself
            owned = False
            if not table.spec.shared:
                values = [*(table.spec.row or {}).values(), *(table.spec.insert_row or {}).values()]
                for text in (r for v in values for r in ownership_references(v)):
                    ref = self.decl.resolve(text)
                    if ref is None:
                        continue
                    if ref.root == "user":
                        owned = True
                    elif ref.root not in ("run", "row", *self.decl.custom_actors):
                        owned = owned or self._owned(self.decl.table(ref.root))
            self._owned_memo[table.name] = owned
        return self._owned_memo[table.name]
