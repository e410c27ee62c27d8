"""The probes behind an allowed update and a delete: handing the row over to another owner (a leak),
and clearing the rows that reference a row, as the connecting role, before it is deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from psycopg import sql

from khepri_db.access._attempts import (
    MAX_DEPENDENTS,
    MAX_DEPTH,
    Attempt,
)
from khepri_db.access._fixtures import _message, _Subject
from khepri_db.access._run_state import RunState
from khepri_db.access.declaration import (
    TableDeclaration,
)


class Handover(RunState):
    """Re-parenting probes and the deletes they need.
    Mixed into :class:`~khepri_db.access._runner.Runner`; what it uses of the run is declared by
    :class:`~khepri_db.access._run_state.RunState`."""

    def _handover(
        self,
        table: TableDeclaration,
        actor: str,
        where: sql.Composable,
        where_params: Sequence[Any],
        made: dict[str, _Subject],
    ) -> str | None:
        """Try to move the owner's row to every owner ``actor`` could aim at; the leaks found, if any.

        Each attempt sets the row's reference columns to the target owner's values, after deleting
        the target's own row of the table so unique keys cannot interfere, in its own rolled-back
        savepoint (targets: :meth:`khepri_db.access._fixtures.Fixtures.reparent_targets`; ``made``
        caches the extra owners, by description, for the caller's savepoint).
        """
        columns = self.fixtures.reference_columns(table)
        if not columns:
            return None
        relation = self.objects.relations[table.name]
        target = sql.Identifier(table.schema, table.table)
        leaks: list[str] = []
        for description, make in self.fixtures.reparent_targets(actor):
            if description not in made:
                made[description] = make()
            other = made[description]
            with self.conn.transaction(force_rollback=True):
                mirror = other.rows.get(table.name)
                if mirror is not None and relation.primary_key:
                    condition = sql.SQL(" and ").join(
                        sql.SQL("{} = %s").format(sql.Identifier(c)) for c in relation.primary_key
                    )
                    self._as_admin(
                        sql.SQL("delete from {} where {}").format(target, condition),
                        [mirror[c] for c in relation.primary_key],
                    )
                rendered = [(c, *self.fixtures.value(relation.columns[c], v, other, None)) for c, v in columns.items()]
                assignments = sql.SQL(", ").join(
                    sql.SQL("{} = {}").format(sql.Identifier(c), expr) for c, expr, _ in rendered
                )
                query = sql.SQL("update {} set {} where {}").format(target, assignments, where)
                params = [p for _, _, values in rendered for p in values] + list(where_params)
                attempt = self._act(actor, query, params, "PATCH", f"/{table.table}")
                for _ in range(MAX_DEPENDENTS):
                    # Rows of other tables that point at this one (a plan's sessions) hold it only
                    # while they exist: an owner without them could still move it. Clear and retry.
                    if not self._clear_dependents(table, attempt, where, where_params):
                        break
                    attempt = self._act(actor, query, params, "PATCH", f"/{table.table}")
            if attempt.status == "ran" and attempt.count > 0:
                leaks.append(f"{actor} could hand the row over to {description} (set {', '.join(columns)} to theirs)")
        if not leaks:
            return None
        return "; ".join(leaks) + ": the update policy's with check does not pin the row to its owner"

    def _clear_dependents(
        self, table: TableDeclaration, attempt: Attempt, where: sql.Composable, where_params: Sequence[Any]
    ) -> bool:
        """After a 23503 naming a foreign key of *another* table that references the target row,
        delete those referencing rows (as the connecting role, their own dependants first); True if
        that was the failure and they are gone."""
        if attempt.sqlstate != "23503" or attempt.constraint is None:
            return False
        schema, referencing, constraint = attempt.constraint
        if (schema, referencing) == (table.schema, table.table):
            return False  # the row's own foreign key refused the new owner: a real stop, not a dependent
        return self._delete_referencing(schema, referencing, constraint, table.schema, table.table, where, where_params)

    def _delete_referencing(
        self,
        schema: str,
        referencing: str,
        constraint: str,
        target_schema: str,
        target_table: str,
        where: sql.Composable,
        where_params: Sequence[Any],
        depth: int = 0,
    ) -> bool:
        """Delete the rows of ``schema.referencing`` whose foreign key ``constraint`` points at the rows of
        ``target_schema.target_table`` matching ``where``; True when that succeeded."""
        key = (constraint, schema, referencing, target_schema, target_table)
        if key not in self._foreign_keys:  # the catalog does not change during the run: read each once
            self._foreign_keys[key] = self._foreign_key_columns(*key)
        found = self._foreign_keys[key]
        if found is None:
            return False
        columns, referenced = found
        condition = sql.SQL("({}) in (select {} from {} where {})").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in columns),
            sql.SQL(", ").join(sql.Identifier(c) for c in referenced),
            sql.Identifier(target_schema, target_table),
            where,
        )
        return self._admin_delete(schema, referencing, condition, where_params, depth + 1) is None

    def _foreign_key_columns(
        self, constraint: str, schema: str, referencing: str, target_schema: str, target_table: str
    ) -> tuple[list[str], list[str]] | None:
        """(referencing columns, referenced columns) of foreign key ``constraint`` of ``schema.referencing``
        to ``target_schema.target_table``, in key order; None when there is no such key."""
        row = self.conn.execute(
            """
            select array_agg(a.attname::text order by k.ord), array_agg(f.attname::text order by k.ord)
            from pg_catalog.pg_constraint as c
            cross join lateral unnest(c.conkey, c.confkey) with ordinality as k (attnum, fattnum, ord)
            join pg_catalog.pg_attribute as a on a.attrelid = c.conrelid and a.attnum = k.attnum
            join pg_catalog.pg_attribute as f on f.attrelid = c.confrelid and f.attnum = k.fattnum
            where c.contype = 'f' and c.conname = %s
                and c.conrelid = to_regclass(format('%%I.%%I', %s::text, %s::text))
                and c.confrelid = to_regclass(format('%%I.%%I', %s::text, %s::text))
            """,
            (constraint, schema, referencing, target_schema, target_table),
        ).fetchone()
        if row is None or row[0] is None:
            return None
        return list(row[0]), list(row[1])

    def _admin_delete(
        self, schema: str, table: str, where: sql.Composable, where_params: Sequence[Any], depth: int = 0
    ) -> str | None:
        """Delete the rows of ``schema.table`` matching ``where`` as the connecting role (in a savepoint),
        first deleting the rows of other tables whose foreign keys still reference them (up to
        :data:`MAX_DEPENDENTS` tables per level, :data:`MAX_DEPTH` levels deep); Postgres' message
        when it still fails."""
        query = sql.SQL("delete from {} where {}").format(sql.Identifier(schema, table), where)
        key = (query.as_string(self.conn), tuple(map(str, where_params))) if depth == 0 else None
        if key is not None and key in self._undeletable:
            # every cell starts from the same rows (each is rolled back): what could not be cleared
            # for one cell cannot be for the next, and a deep chain is costly to try again
            return self._undeletable[key]
        failure: list[str] = []

        def clear() -> bool:
            message = self._admin_delete_once(query, schema, table, where, where_params, depth)
            failure[:] = [message] if message is not None else []
            return message is None

        if key is None:
            return None if clear() else failure[0]
        # what was cleared for one cell is cleared for the next by the same statements, replayed
        if self._replayed(("admin", *key), clear):
            return None
        self._undeletable[key] = failure[0]
        return failure[0]

    def _replayed(self, key: tuple[Any, ...], clear: Callable[[], bool]) -> bool:
        """``clear()`` (rows deleted as the connecting role, True when that succeeded), the first time
        for ``key``; the next times, the statements it ran successfully (:meth:`_admin_try`), run
        again in the same order, without the attempts that failed and the catalog reads in between,
        or False at once when it failed (a delete cell then keeps the request it made before: what
        the failed clearing deleted was never asked about). ``key`` names the same rows in the same
        state (every cell starts from the rolled-back fixtures). Should a replayed statement fail
        all the same, ``clear()`` carries on from there."""
        if key in self._cleared:
            statements = self._cleared[key]
            if statements is None:
                return False  # it could not be cleared: it cannot be for the next cell either
            if all(self._admin_try(query, params) is None for query, params in statements):
                return True
            return clear()
        self._recording.append([])
        try:
            done = clear()
        finally:
            recorded = self._recording.pop()
        if self._recording:
            self._recording[-1].extend(recorded)
        self._cleared[key] = recorded if done else None
        return done

    def _admin_delete_once(
        self,
        query: sql.Composable,
        schema: str,
        table: str,
        where: sql.Composable,
        where_params: Sequence[Any],
        depth: int,
    ) -> str | None:
        message = None
        for _ in range(MAX_DEPENDENTS):
            exc = self._admin_try(query, where_params)
            if exc is None:
                return None
            message = _message(exc)
            diag = exc.diag
            named = (diag.schema_name, diag.table_name, diag.constraint_name)
            if (
                diag.sqlstate != "23503"
                or depth >= MAX_DEPTH
                or not all(named)
                or (diag.schema_name, diag.table_name) == (schema, table)
                or not self._delete_referencing(
                    str(diag.schema_name),
                    str(diag.table_name),
                    str(diag.constraint_name),
                    schema,
                    table,
                    where,
                    where_params,
                    depth,
                )
            ):
                return message
        return message
