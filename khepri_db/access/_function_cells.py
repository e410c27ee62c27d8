"""The function cells of verify-access: the declared call as every actor, the rows its body looks up
arranged first, and the calls with the owner's data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from contextlib import nullcontext
from typing import Any, Literal

import psycopg
from psycopg import sql

from khepri_db.access._attempts import (
    Attempt,
    value_forms,
)
from khepri_db.access._caller import checks_caller, function_bodies
from khepri_db.access._fresh_keys import (
    plan_insert,
)
from khepri_db.access._owner_calls import OwnerCall, OwnerData, Signature, read_signatures
from khepri_db.access._preconditions import Need, call_arguments, read_bodies
from khepri_db.access._run_state import RunState
from khepri_db.access.declaration import (
    EXECUTE,
    REF,
    Outcome,
)
from khepri_db.access.report import CellResult, OwnerDataCall


class FunctionCells(RunState):
    """The cells of every declared function.
    Mixed into :class:`~khepri_db.access._runner.Runner`; what it uses of the run is declared by
    :class:`~khepri_db.access._run_state.RunState`."""

    def _arrange(self, oid: int, statements: Sequence[str]) -> str | None:
        """Make the rows a function's body looks up meet its simple conditions
        (:mod:`khepri_db.access._preconditions`), for each call in ``statements`` (rendered SQL): per
        need, a row meeting it is looked for (connecting role); when there is none, one is made from the
        table's row factory with the condition's values (``=``, ``>=`` and ``<=`` the value, ``>`` and ``<``
        one more or less; its unique keys fresh, as an insert probe's). What a later condition reads of a
        ``select * into`` record comes from the row found or made. The caller rolls the rows back after the
        function's cells. Returns what was made, for the cells' detail, or None."""
        if self._needs is None:
            self._needs = read_bodies(self.conn, sorted({f[0] for f in self.objects.functions.values()}))
        names, needs = self._needs.get(oid, ([], []))
        made: list[str] = []
        for statement in dict.fromkeys(statements):
            arguments = call_arguments(statement, names)
            records: dict[str, dict[str, Any]] = {}
            for need in needs:
                predicate: list[tuple[str, str, str | None]] = []
                for condition in need.conditions:
                    other = condition.other
                    if other is None:
                        value = None
                    elif other.kind == "literal":
                        value = other.name
                    elif other.kind == "param":
                        value = arguments.get(other.name)
                    else:
                        known = records.get(other.name, {})
                        value = sql.Literal(known[other.column]).as_string(self.conn) if other.column in known else None
                    if other is not None and value is None:
                        break  # a value the call does not pass as a literal, or a record not found
                    predicate.append((condition.column, condition.op, value))
                else:
                    row = self._need_row(need, predicate, made)
                    if row is not None and need.into:
                        records[need.into] = row
        return "; ".join(made) or None

    def _need_row(
        self, need: Need, predicate: list[tuple[str, str, str | None]], made: list[str]
    ) -> dict[str, Any] | None:
        """A row of ``need.table`` meeting ``predicate`` ((column, operator, SQL value)): one found, else one
        made from its row factory (then described in ``made``) unless a condition binds a parameter (the
        row the call names is the caller's to know: a plan's id, an invitation's secret token); None when
        neither."""
        schema, _, name = need.table.partition(".")
        target = sql.Identifier(schema, name)
        where = sql.SQL(" and ").join(
            sql.SQL("{} is not null").format(sql.Identifier(c))
            if v is None
            else sql.SQL("{} {} {}").format(sql.Identifier(c), sql.SQL(op), sql.SQL(v))
            for c, op, v in predicate
        )
        find = sql.SQL("select to_jsonb(t) from {} as t where {} limit 1").format(target, where)

        def found() -> dict[str, Any] | None:
            try:
                with self.conn.transaction():
                    row = self.conn.execute(find).fetchone()
            except psycopg.Error:
                return None
            return row[0] if row else None

        row = found()
        table = next((t for t in self.decl.tables if t.name == need.table and t.spec.row is not None), None)
        if row is not None or table is None or any(c.other and c.other.kind == "param" for c in need.conditions):
            # a row the call names by a parameter is the caller's to know (an id, a secret token): found, never made
            return row
        values: dict[str, Any] = dict(table.spec.row or {})
        shifts = {"=": "{}", ">=": "{}", "<=": "{}", ">": "({}) + 1", "<": "({}) - 1"}
        for column, op, value in predicate:
            if value is not None:
                values[column] = {"sql": shifts[op].format(value)}
        relation = self.objects.relations[table.name]
        self._read_key_facts()
        owner = self.fixtures.subjects["owner"]

        def render(column: str, value: Any) -> str:
            return REF.sub(
                lambda m: str(self.fixtures.value_of(self.decl.resolve(m.group(1)), owner, None)),  # type: ignore[arg-type]
                value,
            )

        plan = plan_insert(
            values,
            self._key_facts.get(target.as_string(self.conn)),
            {c: column.type for c, column in relation.columns.items()},
            render,
            self.fixtures.run_id,
        )
        query, params = self.fixtures.insert(table, plan.values or values, owner, None, returning=False)
        if self._admin_try(query, params) is not None:
            return None
        row = found()
        if row is not None:
            made.append(
                f"made a row of {need.table} meeting the body's {' and '.join(c.text() for c in need.conditions)}"
            )
        return row

    def _with_owners_data(self, call: str | None) -> bool:
        """Whether a declared ``call`` passes the owner's data: a ``{ref}`` to the owner's user
        (``{user.id}``) or to a row of a declared table (the owner's row), not a custom actor's
        user (``{coach.id}``) or the run (``{run.id}``)."""
        for match in REF.finditer(call or ""):
            ref = self.decl.resolve(match.group(1))
            if ref is not None and (ref.root == "user" or ref.root not in ("run", "row", *self.decl.custom_actors)):
                return True
        return False

    def _function_facts(self, keys: Collection[str]) -> dict[str, tuple[bool, bool, bool]]:
        """Declaration key -> (SECURITY DEFINER, anon may execute, the body checks the caller) of the
        declared functions ``keys``, in one query for all of them: ``pg_proc.prosecdef``, whether
        ``anon`` holds EXECUTE on it and USAGE on its schema (a call that failed without 42501 reached
        the body only then: an argument that does not cast fails before the privilege check), and
        :func:`checks_caller` of ``prosrc``. A function no longer in ``pg_proc``: (False, False, False)."""
        oids = {key: self.objects.functions[key][0] for key in keys}
        rows = self.conn.execute(
            "select p.oid, p.prosecdef, pg_catalog.has_function_privilege('anon', p.oid, 'execute') "
            "and pg_catalog.has_schema_privilege('anon', p.pronamespace, 'usage'), p.prosrc "
            "from pg_catalog.pg_proc as p where p.oid = any(%s::oid[])",
            (list(set(oids.values())),),
        ).fetchall()
        helpers: dict[str, list[str]] | None = None
        facts: dict[int, tuple[bool, bool, bool]] = {}
        for oid, definer, anon_may, body in rows:
            caller = False
            if definer:
                caller = checks_caller(body or "")
                if not caller:
                    helpers = helpers if helpers is not None else function_bodies(self.conn)
                    caller = checks_caller(body or "", helpers)
            facts[int(oid)] = (bool(definer), bool(anon_may), caller)
        return {key: facts.get(oid, (False, False, False)) for key, oid in oids.items()}

    def _owners(self) -> OwnerData:
        """The owner's rows and user (:class:`khepri_db.access._owner_calls.OwnerData`), read once per run."""
        if self._owner_data is None:
            owner = self.fixtures.subjects["owner"]
            factory = {
                name: (self.objects.relations[name].primary_key, row)
                for name, row in owner.rows.items()
                if name in self.objects.relations
            }
            self._owner_data = OwnerData.read(self.conn, owner.user.id, owner.user.email, factory)
        return self._owner_data

    def _owner_call(self, actor: str, signature: Signature | None) -> OwnerCall | None:
        """The call of the function with the owner's data ``actor`` (anon or other) makes, when its API
        role may execute it (EXECUTE and schema USAGE) and a parameter names something of the owner's."""
        if signature is None or not (signature.anon if actor == "anon" else signature.authenticated):
            return None
        return self._owners().call(signature)

    def _owner_call_result(self, call: OwnerCall, attempt: Attempt, statement: str) -> OwnerDataCall:
        """What the call with the owner's data (``statement``, run as ``attempt``) did: the owner's rows it
        changed (updated or deleted: ``attempt.watched`` stays None when it wrote no table holding
        them) and the rows it wrote."""
        status = {"ran": "completed", "refused": "refused", "error": "failed"}[attempt.status]
        return OwnerDataCall(
            call=statement,
            source=call.source,
            status=status,  # type: ignore[arg-type]
            detail=attempt.detail or "the call completed",
            sqlstate=attempt.sqlstate,
            changed=self._owners().changed(attempt.watched) if attempt.watched is not None else {},
            wrote=attempt.wrote or {},
            revealed=bool(attempt.revealed),
            rights=attempt.rights,
        )

    def function_cells(self, only: Collection[str] | None = None) -> Iterator[CellResult]:
        """The cells of every declared function (of those whose ``schema.name(argtypes)`` is in ``only``,
        when given). The cells of anon and other also carry a call made with the owner's data
        (:meth:`_owner_call`), which may turn them into risks (:attr:`CellResult.risk`): the declared
        call itself when it already passes every value that call would (then watched the same way),
        else one more request."""
        owner = self.fixtures.subjects["owner"]
        chosen = [f for f in self.decl.functions if only is None or self.objects.functions[f.key][1] in only]
        facts = self._function_facts([f.key for f in chosen]) if chosen else {}
        signatures: dict[int, Signature] = {}
        if self.owners_data_calls and any(a in ("anon", "other") for a in self.decl.actors):
            signatures = read_signatures(self.conn, [self.objects.functions[f.key][0] for f in chosen])
        for function in chosen:
            oid = self.objects.functions[function.key][0]
            if function.spec.call:
                query, params = self.fixtures.snippet(function.spec.call, owner, None)
            else:
                schema, name = function.name.split(".", 1)
                query, params = sql.SQL("select {}()").format(sql.Identifier(schema, name)), []
            path = f"/rpc/{function.name.split('.', 1)[1]}"
            self._progress("function", function.cell_name)
            definer, anon_may, caller = facts[function.key]
            owners_data = self._with_owners_data(function.spec.call)
            calls = {
                actor: self._owner_call(actor, signatures.get(oid))
                for actor in self.decl.actors
                if actor in ("anon", "other") and self.owners_data_calls
            }  # made before any precondition row, which must not stand in for the owner's or reference data
            arranging = self._rolled_back() if self._has_needs(oid) else nullcontext()
            with arranging:  # the rows made for the body's preconditions last for this function's cells
                arranged = self._arrange(oid, [self._mogrifier.mogrify(query, params)] + [
                    c.statement for c in calls.values() if c is not None
                ]) if self._has_needs(oid) else None  # fmt: skip
                yield from self._function_actor_cells(
                    function, query, params, path, (definer, anon_may, caller), owners_data, calls, arranged
                )

    def _has_needs(self, oid: int) -> bool:
        """Whether the function's body looks up rows with simple conditions (bodies read once per run)."""
        if self._needs is None:
            self._needs = read_bodies(self.conn, sorted({f[0] for f in self.objects.functions.values()}))
        return oid in self._needs

    def _function_actor_cells(
        self,
        function: Any,
        query: sql.Composable,
        params: Sequence[Any],
        path: str,
        facts: tuple[bool, bool, bool],
        owners_data: bool,
        calls: dict[str, OwnerCall | None],
        arranged: str | None,
    ) -> Iterator[CellResult]:
        """The cells of one declared function, one per actor (see :meth:`function_cells`); ``facts`` as
        :meth:`_function_facts` gives them."""
        definer, anon_may, caller = facts
        display = self.objects.functions[function.key][1]
        for actor in self.decl.actors:
            expected: Literal["allowed", "denied"] = "allowed" if actor in function.spec.allow else "denied"
            undecided = self.decl.undecided_reason(function.spec, actor, EXECUTE)
            # in its own rolled-back savepoint; what anon's or another user's call wrote is counted
            measured = actor in ("anon", "other")
            call = calls.get(actor) if measured else None
            # the declared call already passes each value of the call with the owner's data, as a
            # literal, as many times: it is that call, watched the same way
            rendered = self._mogrifier.mogrify(query, params)
            same = call is not None and all(
                sum(rendered.count(sql.Literal(form).as_string(None)) for form in value_forms(v)) >= n
                for v, n in Counter(call.values).items()
            )
            watch = self._owners().watch if call is not None else None
            attempt = self._act(
                actor, query, params, "POST", path, writes=measured, reveal=measured, watch=watch if same else None
            )
            actual: Outcome = {"ran": "allowed", "refused": "denied", "error": "error"}[attempt.status]  # type: ignore[assignment]
            if actual == "error" and attempt.sqlstate in function.spec.denied_sqlstates:
                actual = "denied"
            owner_call: OwnerDataCall | None = None
            if call is not None and same:
                owner_call = self._owner_call_result(call, attempt, rendered)
            elif call is not None:
                statement = sql.SQL(call.statement.replace("%", "%%"))
                made = self._act(actor, statement, [], "POST", path, writes=True, reveal=True, watch=watch)
                owner_call = self._owner_call_result(call, made, call.statement)
            wrote_auth: dict[str, int] = {}
            if measured and definer:
                auth_tables = self._owners().auth_project_tables
                for wrote in (attempt.wrote or {}, owner_call.wrote if owner_call else {}):
                    for table, n in wrote.items():
                        if table in auth_tables:
                            wrote_auth[table] = max(wrote_auth.get(table, 0), n)
            yield CellResult(
                id=f"{function.cell_name}:{actor}:{EXECUTE}",
                object=display,
                kind="function",
                actor=actor,
                operation=EXECUTE,
                expected=expected,
                actual=actual,
                ok=actual == expected and undecided is None,
                detail=(attempt.detail or "the call completed") + (f" ({arranged})" if arranged else ""),
                sqlstate=attempt.sqlstate,
                rights=attempt.rights,
                unreviewed=actor in function.spec.unreviewed,
                arranged=arranged,
                undecided=undecided,
                security_definer=definer,
                executable=anon_may if actor == "anon" else None,
                checks_caller=caller if definer else None,
                wrote=attempt.wrote or None,
                revealed=attempt.revealed,
                with_owners_data=owners_data,
                owner_call=owner_call,
                wrote_auth=wrote_auth or None,
            )
