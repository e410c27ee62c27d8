"""The declared access matrix: what every actor may do with every exposed table and RPC, checked for real.

A project declares in ``supabase/access.toml`` (format: ``docs/access.md``), per table and per
function (RPC), which *actors* may do which *operations*:

* actors: ``anon`` (the anon key, no user), ``owner`` (the signed-in user who owns the row),
  ``other`` (another signed-in user), any declared custom actor such as ``coach`` (a user the
  owner's rows point at, e.g. through an active coach link) or ``admin`` (a user with
  ``app_metadata``), and ``service_role``;
* operations: ``select``, ``insert``, ``update``, ``delete`` on tables, ``execute`` on functions.

:func:`verify_access` builds two owners' worth of rows from the declaration's per-table factories
(``owner`` and ``other`` each get a user, one user per custom actor, and one row per table), then
tries every actor x operation x table inside its own rolled-back savepoint, acting exactly as a
PostgREST request does (:mod:`khepri_db.access.session`), and compares what happened with what is
declared. Each cell verifies the role switch (not superuser, no BYPASSRLS except service_role, not
the tables' owner) and records the rights it ran with. Everything happens in one transaction that is
rolled back: nothing is left behind (sequences aside, which Postgres never rolls back).

What counts as *allowed* (the target is always the ``owner``'s row of the table):

* ``select``: the statement returns the target row. Zero rows (RLS filtered it) or SQLSTATE 42501
  (no privilege) is *denied*.
* ``insert``: the actor inserts the factory row again (``insert_row`` if declared) with fresh keys
  (:mod:`khepri_db.access._fresh_keys`: keys from volatile defaults, text or uuid values naming nobody
  given a new value), or, when a unique key is made of references, after the owner's row is deleted (by
  the connecting role, in the savepoint): one row inserted is *allowed*; 42501 (no privilege, or a
  ``with check`` violation) or zero rows is *denied*.
* ``update``: ``set c = c`` on the ``update_columns`` (default: the row's literal columns) of the
  target row: at least one row updated is *allowed*; zero rows (``using`` filtered it) or 42501 is
  *denied*. When an update is allowed (except for service_role), more probes try to hand the row
  over to every owner the actor could aim at (its reference columns set to that owner's values):
  the other owner; for a custom actor, the actor's own rows and another owner the same actor
  reaches (a second athlete of the same coach); for the owner, an owner they reach as a custom
  actor (an athlete they coach). If any succeeds the cell fails as a *leak*: the ``with check``
  does not pin the owner.
* ``delete``: at least one row deleted is *allowed*; zero rows or 42501 is *denied*.
* ``execute``: the declared ``call`` completes: *allowed*; 42501 (no EXECUTE, or the function
  refusing the caller with insufficient_privilege), or a SQLSTATE the function lists in
  ``denied_sqlstates`` (e.g. P0002 from RPCs that answer "not found" for another user's row), is
  *denied*.

Any other error (a check or foreign-key violation, a syntax error in a snippet) makes the cell an
*error*: the declaration cannot be decided and counts as a failure, with Postgres' message.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, Literal

import psycopg
from psycopg import sql

from khepri_db.access import session as _session
from khepri_db.access._catalog import CatalogMemo, DeclaredObjects, read_declared_objects, undeclared_objects
from khepri_db.access._fixtures import Fixtures, _message, _Subject
from khepri_db.access._fresh_keys import (
    FRESH_KEY_ERRORS,
    InsertPlan,
    fresh_object_name,
    plan_insert,
    read_key_facts,
)
from khepri_db.access._owner_calls import OwnerCall, OwnerData, Signature, read_signatures
from khepri_db.access._preconditions import Need, call_arguments, read_bodies
from khepri_db.access.declaration import (
    _API_ROLE,
    _REF,
    EXECUTE,
    OPERATIONS,
    Declaration,
    Outcome,
    StorageDeclaration,
    TableDeclaration,
    load_declaration,
    ownership_references,
)
from khepri_db.access.report import AccessReport, CellResult, CellRights, OwnerDataCall, UndeclaredObject
from khepri_db.core.db import STANDBY, connect, read_only_reason, redact
from khepri_db.core.errors import RoleSwitchError, UsageError
from khepri_db.core.project import Project
from khepri_db.core.schemas import resolve_exposed_schemas
from khepri_db.core.target import TargetInfo, detect


class _Runner:
    """One verify-access run: reads the declared objects (:mod:`khepri_db.access._catalog`), makes the
    rows (:mod:`khepri_db.access._fixtures`) and probes every cell as its actor."""

    def __init__(
        self,
        conn: psycopg.Connection,
        declaration: Declaration,
        progress: Callable[[str], None] | None = None,
        *,
        owners_data_calls: bool = True,
    ) -> None:
        self.conn = conn
        self.owners_data_calls = owners_data_calls  # False: only the declared calls (access init's first look)
        self.decl = declaration
        self.objects = DeclaredObjects()
        self.fixtures = Fixtures(conn, declaration, self.objects.relations)
        self.progress = progress
        self._done = 0
        self._last = time.monotonic()
        self._actor_claims: dict[str, tuple[str, dict[str, Any]]] = {}
        self._request_settings: dict[str, list[tuple[str, str]]] = {}
        self._set_config_parts: dict[str, list[tuple[str, str]]] = {}
        self._owned_rls: dict[str, list[str]] = {}
        self._cell_rights: dict[tuple[str, bool, bool, bool], CellRights] = {}
        self._statements: dict[tuple[str, str], str] = {}
        self._undeletable: dict[tuple[str, tuple[str, ...]], str] = {}
        self._savepoints = 0
        self._owned_memo: dict[str, bool] = {}
        self._mogrifier = psycopg.ClientCursor(conn)
        self._foreign_keys: dict[tuple[str, ...], tuple[list[str], list[str]] | None] = {}
        self._cleared: dict[tuple[Any, ...], list[tuple[sql.Composable, Sequence[Any]]] | None] = {}
        self._recording: list[list[tuple[sql.Composable, Sequence[Any]]]] = []
        self._owner_data: OwnerData | None = None
        self._insert_plans: dict[str, InsertPlan] = {}
        self._key_facts: dict[str, Any] = {}
        self._needs: dict[int, tuple[list[str], list[Need]]] | None = None

    def _progress(self, kind: str, name: str) -> None:
        """Report, at most every two seconds, how many declared objects have been probed."""
        self._done += 1
        if self.progress is None or time.monotonic() - self._last < _PROGRESS_EVERY_S:
            return
        self._last = time.monotonic()
        total = len(self.decl.tables) + len(self.decl.functions) + len(self.decl.storage)
        self.progress(f"probing {self._done}/{total} objects ({kind} {name})")

    @property
    def functions(self) -> dict[str, tuple[int, str, int]]:
        """Declaration key -> (oid, display, number of arguments) of the declared functions."""
        return self.objects.functions

    def load_catalog(self, memo: CatalogMemo | None = None) -> None:
        """Read the declared objects (see :func:`khepri_db.access._catalog.read_declared_objects`; ``memo``:
        the rows earlier runs on the same catalog read)."""
        self.objects = read_declared_objects(self.conn, self.decl, memo)
        self.fixtures = Fixtures(self.conn, self.decl, self.objects.relations)

    def undeclared(self, exposed: Sequence[str]) -> list[UndeclaredObject]:
        """Exposed objects the declaration does not cover."""
        return undeclared_objects(self.conn, self.objects, exposed)

    def setup(self) -> list[str]:
        """Make the owners, users, rows and Storage objects (see :meth:`khepri_db.access._fixtures.Fixtures.setup`
        and :meth:`~khepri_db.access._fixtures.Fixtures.setup_storage`); the notes of what was made besides."""
        self.fixtures.setup()
        if not self.decl.storage:
            return []
        return self.fixtures.setup_storage(self.objects.storage_columns, self.objects.buckets)

    def _claims(self, actor: str) -> tuple[str, dict[str, Any]]:
        """(API role, JWT claims) of ``actor``'s requests, the same for the whole run."""
        if actor not in self._actor_claims:
            owner = self.fixtures.subjects["owner"]
            if actor in ("anon", "service_role"):
                claims = _session.api_key_claims(actor)
            elif actor == "owner":
                claims = _session.user_claims(owner.user)
            elif actor == "other":
                claims = _session.user_claims(self.fixtures.subjects["other"].user)
            else:
                spec = self.decl.custom_actors[actor]
                claims = _session.user_claims(owner.actor_users[actor], extra=spec.claims or None)
            self._actor_claims[actor] = (_API_ROLE.get(actor, "authenticated"), claims)
        return self._actor_claims[actor]

    def _settings(self, actor: str, method: str, path: str) -> list[tuple[str, str]]:
        """The settings of ``actor``'s request, as PostgREST makes them
        (:func:`khepri_db.core.postgrest.request_settings`, read once per actor: the run is one
        transaction, so the role's own settings do not change); only the method and path differ
        from request to request."""
        role, claims = self._claims(actor)
        if actor not in self._request_settings:
            self._request_settings[actor] = _session.request_settings(self.conn, role, claims)
        return [
            (name, method if name == "request.method" else path if name == "request.path" else value)
            for name, value in self._request_settings[actor]
        ]

    def _set_configs(self, actor: str, method: str, path: str) -> str:
        """``set_config(name, value, true), ...`` of :meth:`_settings`, the values as literals (rendered
        once per actor; only the method and the path change from request to request)."""
        if actor not in self._set_config_parts:
            self._settings(actor, method, path)  # reads the role's settings once
            self._set_config_parts[actor] = [(n, self._set_config(n, v)) for n, v in self._request_settings[actor]]
        return ", ".join(
            self._set_config(n, method if n == "request.method" else path)
            if n in ("request.method", "request.path")
            else rendered
            for n, rendered in self._set_config_parts[actor]
        )

    def _set_config(self, name: str, value: str) -> str:
        return f"set_config({sql.Literal(name).as_string(self.conn)}, {sql.Literal(value).as_string(self.conn)}, true)"

    def _rights(self, role: str, row: tuple[str, bool, bool] | None) -> CellRights:
        """Switch checks of one request: ``current_user``, superuser and BYPASSRLS read anew for the
        cell (``row``, :data:`_CELL_RIGHTS` run after the switch); the RLS tables the role owns read
        once per role and run (a property of the role, which nothing in the run's transaction
        changes). Raises RoleSwitchError like :func:`khepri_db.access.session.check_rights`."""
        assert row is not None
        current_user, superuser, bypassrls = row
        if current_user not in self._owned_rls:
            self._owned_rls[current_user] = _session.request_rights(self.conn).owned_rls_tables
        seen = _session.RequestRights(current_user, superuser, bypassrls, self._owned_rls[current_user])
        _session.check_rights(seen, role)
        # one CellRights per distinct value, shared by the cells that ran with it (a few per run, for
        # tens of thousands of cells on a large schema); nothing changes a cell's rights once read
        key = (current_user, superuser, bypassrls, bool(seen.owned_rls_tables))
        if key not in self._cell_rights:
            self._cell_rights[key] = CellRights(
                current_user=current_user, superuser=superuser, bypassrls=bypassrls, owns_rls_tables=key[3]
            )
        return self._cell_rights[key]

    def _act(
        self,
        actor: str,
        query: sql.Composable | str,
        params: Sequence[Any],
        method: str,
        path: str,
        *,
        rows: bool = False,
        writes: bool = False,
        reveal: bool = False,
        extra: Sequence[tuple[str, str]] = (),
        watch: Callable[[dict[str, int]], str | None] | None = None,
    ) -> _Attempt:
        """Run ``query`` as ``actor``, as one PostgREST request, and say what happened (``query`` a
        ``str``: the statement already rendered by :meth:`_rendered`, ``params`` inlined in it).

        The request runs in its own savepoint, always rolled back (the cell reads what happened,
        and nothing of it, settings included, outlives the request): its settings in one statement,
        the switch checked (:meth:`_rights`), then the statement, whose parameters are inlined as
        literals (psycopg's quoting, as the pgTAP export writes the same statement). With
        ``writes``, the rows the statement wrote are counted per table (PostgreSQL's
        ``pg_stat_xact_user_tables`` before and after it, in the same transaction: what a
        function's body inserted, updated or deleted, whatever its privileges). ``extra``: more
        settings of this request (``storage.allow_delete_query`` of a Storage delete). ``watch`` (with
        ``writes``): given the rows the statement wrote per table, a query of one jsonb value to run
        before the rollback as the connecting role (after ``reset role``), or None
        (:meth:`khepri_db.access._owner_calls.OwnerData.watch`: how many of the owner's rows in the
        tables written are unchanged); its value lands in :attr:`_Attempt.watched`, at the cost of
        one more round trip, only when there is a query to run. With ``reveal``, the first
        :data:`REVEAL_ROWS` rows of the statement's result are read for :attr:`_Attempt.revealed`.
        """
        rights: CellRights | None = None
        role = _API_ROLE.get(actor, "authenticated")
        # Two round trips, the statements in the order PostgREST runs them: the savepoint, the
        # settings and the switch checks' read (:meth:`_rights`, checked before anything else runs);
        # then the statement (its parameters inlined as literals, as the pgTAP export writes it)
        # followed by the rollback, which a third round trip does instead when the statement fails.
        name = f"khepri_probe_{self._next_savepoint()}"
        configs = ", ".join([self._set_configs(actor, method, path), *(self._set_config(n, v) for n, v in extra)])
        switch = f"savepoint {name}; select {configs}; {_CELL_RIGHTS}"
        if writes:
            switch += f"; {_WRITE_COUNTS}"
        rollback = f"rollback to savepoint {name}; release savepoint {name}"
        wrote: dict[str, int] | None = None
        watched: dict[str, int] | None = None
        revealed: bool | None = None
        try:
            statement = query if isinstance(query, str) else self._mogrifier.mogrify(query, params)
            undone = False
            try:
                cursor = self.conn.execute(switch)
                cursor.nextset()  # the settings' row
                cursor.nextset()  # the rights read after the switch
                rights = self._rights(role, cursor.fetchone())
                before: dict[str, int] = {}
                if writes:
                    cursor.nextset()
                    before = _counts_row(cursor.fetchone())
                counting = f"\n;{_WRITE_COUNTS}" if writes else ""
                held = writes and watch is not None  # the rollback waits for the watch query
                cursor = self.conn.execute(f"{statement}{counting}" + ("" if held else f"\n;{rollback}"))
                undone = not held
                if rows:
                    count = len(cursor.fetchall())  # the statement's result
                else:
                    count = cursor.rowcount
                    if reveal:
                        fetched = cursor.fetchmany(REVEAL_ROWS) if cursor.description else []
                        revealed = any(not says_nothing(value) for row in fetched for value in row)
                if writes:
                    cursor.nextset()
                    after = _counts_row(cursor.fetchone())
                    wrote = {t: n - before.get(t, 0) for t, n in after.items() if n > before.get(t, 0)}
                if held and (looking := watch(wrote or {})):  # type: ignore[misc]
                    # read back as the connecting role (the rollback undoes the reset too)
                    cursor = self.conn.execute(f"reset role\n;{looking}\n;{rollback}")
                    undone = True
                    cursor.nextset()
                    watched = _counts_row(cursor.fetchone())
            finally:
                if not undone:
                    self.conn.execute(rollback)
        except RoleSwitchError:
            raise
        except psycopg.errors.InsufficientPrivilege as exc:
            return _Attempt("refused", _message(exc), exc.diag.sqlstate, rights)
        except psycopg.errors.ObjectNotInPrerequisiteState as exc:
            # "cannot delete from view": a view Postgres cannot write through refuses everybody.
            if _NOT_UPDATABLE.match(exc.diag.message_primary or ""):
                return _Attempt("refused", _message(exc), exc.diag.sqlstate, rights)
            return _Attempt("error", _message(exc), exc.diag.sqlstate, rights)
        except psycopg.Error as exc:
            diag = exc.diag
            where = (diag.schema_name, diag.table_name, diag.constraint_name)
            return _Attempt("error", _message(exc), diag.sqlstate, rights, constraint=where if all(where) else None)
        return _Attempt("ran", "", None, rights, count, wrote=wrote, watched=watched, revealed=revealed)

    def _rendered(self, key: tuple[str, str], build: Callable[[], tuple[sql.Composable, Sequence[Any]]]) -> str:
        """The statement ``build()`` returns with its parameters inlined (as :meth:`_act` renders it),
        rendered once per ``key`` (table, operation) for the run: every actor's cell of a table's
        select, update and delete sends the same statement (the owner's row, matched by the values
        its fixture was made with, which no cell changes: each is rolled back)."""
        if key not in self._statements:
            query, params = build()
            self._statements[key] = self._mogrifier.mogrify(query, params)
        return self._statements[key]

    def _next_savepoint(self) -> int:
        """A number for a new savepoint's name (``khepri_probe_<n>``), unique in the run."""
        self._savepoints += 1
        return self._savepoints

    @contextmanager
    def _rolled_back(self) -> Iterator[None]:
        """A savepoint always rolled back at the end, like ``conn.transaction(force_rollback=True)`` in
        two round trips instead of three (``rollback to`` and ``release`` sent as one string)."""
        name = f"khepri_probe_{self._next_savepoint()}"
        self.conn.execute(f"savepoint {name}")
        try:
            yield
        finally:
            self.conn.execute(f"rollback to savepoint {name}; release savepoint {name}")

    def _as_admin(self, query: sql.Composable, params: Sequence[Any]) -> str | None:
        """Run ``query`` as the connecting role in a savepoint; the error message if it failed."""
        error = self._admin_try(query, params)
        return _message(error) if error is not None else None

    def _admin_try(self, query: sql.Composable, params: Sequence[Any]) -> psycopg.Error | None:
        """Run ``query`` as the connecting role in a savepoint; the error if it failed (then undone).

        One round trip when it succeeds: ``savepoint``, the statement (its parameters inlined as
        literals, as the pgTAP export writes it) and ``release`` sent as one string; a second one,
        ``rollback to``, when it fails."""
        name = f"khepri_probe_{self._next_savepoint()}"
        statement = self._mogrifier.mogrify(query, params)
        try:
            self.conn.execute(f"savepoint {name};\n{statement}\n;release savepoint {name}")
        except psycopg.Error as exc:
            self.conn.execute(f"rollback to savepoint {name}; release savepoint {name}")
            return exc
        if self._recording:
            self._recording[-1].append((query, params))
        return None

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

    def storage_cells(self, only: Collection[str] | None = None) -> Iterator[CellResult]:
        """The cells of every declared Storage bucket (of those whose ``storage.objects[<bucket>]`` is in
        ``only``, when given), probed like a table's: the target is the owner's object."""
        for bucket in self.decl.storage:
            if only is not None and bucket.name not in only:
                continue
            self._progress("bucket", bucket.bucket)
            for actor in self.decl.actors:
                allowed = bucket.allowed.get(actor, frozenset())
                for op in OPERATIONS:
                    expected: Literal["allowed", "denied"] = "allowed" if op in allowed else "denied"
                    undecided = self.decl.undecided_reason(bucket.spec, actor, op)
                    if op in ("insert", "delete"):  # the connecting role deletes rows: undone after the cell
                        with self._rolled_back():
                            actual, detail, attempt = self._storage_cell(bucket, actor, op)
                    else:
                        actual, detail, attempt = self._storage_cell(bucket, actor, op)
                    yield CellResult(
                        id=f"{bucket.name}:{actor}:{op}",
                        object=bucket.name,
                        kind="storage",
                        actor=actor,
                        operation=op,
                        expected=expected,
                        actual=actual,
                        ok=actual == expected and undecided is None,
                        detail=detail,
                        sqlstate=attempt.sqlstate,
                        rights=attempt.rights,
                        unreviewed=actor in bucket.spec.unreviewed or f"{actor}:{op}" in bucket.spec.unreviewed,
                        undecided=undecided,
                    )

    def _storage_cell(self, bucket: StorageDeclaration, actor: str, op: str) -> tuple[Outcome, str, _Attempt]:
        """(actual, detail, attempt) of one Storage cell: the statement Supabase Storage's API runs for the
        request, as the JWT's role with its claims (supabase/storage ``src/storage/database/knex.ts``:
        ``findObject``, ``createObject``, ``updateObject``, ``deleteObject``), so the same RLS decides:

        * select (download, list): ``select`` of the owner's object: returned is *allowed*;
        * insert (upload, ``upsert: false``): the actor inserts a new object in the owner's folder
          (:meth:`_fresh_upload`; else the owner's object is deleted first, connecting role, and its path
          uploaded again) with ``owner``/``owner_id`` set to the actor's JWT ``sub`` (null for the API
          keys), as Storage does: a plain insert, which needs only an INSERT policy;
        * update (upload with ``upsert: true``, ``update()``): ``update ... set owner, owner_id, metadata``
          of the owner's object, the owner set to the actor's ``sub``: it reads the row, so the SELECT
          policies apply as well as UPDATE's ``using`` and ``with check``;
        * delete: ``delete`` of the owner's object with ``storage.allow_delete_query`` on, as Storage's API
          sets it (``storage.protect_delete()`` refuses direct deletes without it): SELECT and DELETE.
        """
        owner = self.fixtures.subjects["owner"]
        columns = self.objects.storage_columns
        target = owner.objects[bucket.bucket]
        where = sql.SQL("bucket_id = %s and name = %s")
        where_params = [bucket.bucket, target["name"]]
        path = f"/object/{bucket.bucket}/{target['name']}"
        _, claims = self._claims(actor)
        uploader = claims.get("sub") if actor not in ("anon", "service_role") else None
        if op == "select":
            query = sql.SQL("select 1 from storage.objects where {}").format(where)
            attempt = self._act(actor, query, where_params, "GET", path, rows=True)
            return (*attempt.decide("visible", "0 rows: filtered out by RLS"), attempt)
        if op == "delete":
            query = sql.SQL("delete from storage.objects where {}").format(where)
            attempt = self._act(actor, query, where_params, "DELETE", path, extra=[_ALLOW_DELETE])
            for _ in range(_MAX_DEPENDENTS):
                # Rows that reference the object (a documents row an "on upload" trigger made) stop the
                # delete only through their foreign key, after RLS let it through: cleared (connecting
                # role) and asked again, as for a table's delete cell.
                if attempt.sqlstate != "23503" or attempt.constraint is None:
                    break
                schema, referencing, constraint = attempt.constraint
                self.conn.execute(_ALLOW_DELETE_SQL)  # undone with the cell's savepoint
                if (schema, referencing) == ("storage", "objects") or not self._delete_referencing(
                    schema, referencing, constraint, "storage", "objects", where, where_params
                ):
                    break
                attempt = self._act(actor, query, where_params, "DELETE", path, extra=[_ALLOW_DELETE])
            return (*attempt.decide("deleted", "0 rows: filtered out by RLS"), attempt)
        if op == "insert":
            fresh = self._fresh_upload(bucket, actor, target["name"], uploader)
            if fresh is not None:
                return fresh
            self.conn.execute(_ALLOW_DELETE_SQL)  # undone with the cell's savepoint
            cleared = self._admin_delete("storage", "objects", where, where_params)
            values = self.fixtures.object_values(bucket, target["name"], uploader, columns)
            query = sql.SQL("insert into storage.objects ({}) values ({})").format(
                sql.SQL(", ").join(sql.Identifier(c) for c in values),
                sql.SQL(", ").join(sql.SQL("%s::{}").format(sql.SQL(columns[c])) for c in values),
            )
            attempt = self._act(actor, query, list(values.values()), "POST", path)
            actual, detail = attempt.decide("uploaded", "no row inserted (a trigger returned null)")
            if actual == "error" and cleared:
                detail += f" (the owner's object could not be deleted first: {cleared})"
            note = "the owner's object deleted first: a new name in its folder is judged otherwise than its path"
            return actual, f"{detail} ({note})", attempt
        values = self.fixtures.object_values(bucket, target["name"], uploader, columns)
        assignments = [
            sql.SQL("{} = %s::{}").format(sql.Identifier(c), sql.SQL(columns[c]))
            for c in values
            if c in ("owner", "owner_id", "metadata")
        ]
        params = [v for c, v in values.items() if c in ("owner", "owner_id", "metadata")]
        if not assignments:
            assignments, params = [sql.SQL("name = name")], []
        query = sql.SQL("update storage.objects set {} where {}").format(sql.SQL(", ").join(assignments), where)
        attempt = self._act(actor, query, [*params, *where_params], "PUT", path)
        return (*attempt.decide("overwritten", "0 rows: filtered out by RLS"), attempt)

    def _fresh_upload(
        self, bucket: StorageDeclaration, actor: str, name: str, uploader: str | None
    ) -> tuple[Outcome, str, _Attempt] | None:
        """The upload cell made with a new object name in the owner's folder
        (:func:`~khepri_db.access._fresh_keys.fresh_object_name`), the owner's object left in place; None
        when the path policies judge the new name otherwise than the owner's path (the upload of the
        owner's own path, which RLS checks before the unique index refuses it: 42501 from the policy,
        23505 past it), or the new name still collided: then the owner's object is deleted first."""
        columns = self.objects.storage_columns

        def upload(object_name: str) -> _Attempt:
            values = self.fixtures.object_values(bucket, object_name, uploader, columns)
            query = sql.SQL("insert into storage.objects ({}) values ({})").format(
                sql.SQL(", ").join(sql.Identifier(c) for c in values),
                sql.SQL(", ").join(sql.SQL("%s::{}").format(sql.SQL(columns[c])) for c in values),
            )
            return self._act(actor, query, list(values.values()), "POST", f"/object/{bucket.bucket}/{object_name}")

        original = upload(name)
        attempt = upload(fresh_object_name(name))
        if attempt.status == "error" and attempt.sqlstate in FRESH_KEY_ERRORS:
            return None
        if (attempt.status == "refused") != (original.status == "refused"):
            return None
        actual, detail = attempt.decide("uploaded", "no row inserted (a trigger returned null)")
        return actual, f"{detail} (a new object in the owner's folder)", attempt

    def _table_cell(
        self, table: TableDeclaration, actor: str, op: str
    ) -> tuple[Outcome, str, _Attempt | None, str | None]:
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
            for _ in range(_MAX_DEPENDENTS):
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
                return _REF.sub(
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
        once per run."""
        if not self._key_facts:
            self._key_facts = read_key_facts(
                self.conn, [sql.Identifier(t.schema, t.table).as_string(self.conn) for t in self.decl.tables]
            ) or {"": None}

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
            return _REF.sub(
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

    def _fresh_insert(
        self, table: TableDeclaration, actor: str, values: dict[str, Any], plan: InsertPlan, path: str
    ) -> tuple[Outcome, str, _Attempt | None, str | None] | str:
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
                for _ in range(_MAX_DEPENDENTS):
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
        self, table: TableDeclaration, attempt: _Attempt, where: sql.Composable, where_params: Sequence[Any]
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
        :data:`_MAX_DEPENDENTS` tables per level, :data:`_MAX_DEPTH` levels deep); Postgres' message
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
        for _ in range(_MAX_DEPENDENTS):
            exc = self._admin_try(query, where_params)
            if exc is None:
                return None
            message = _message(exc)
            diag = exc.diag
            named = (diag.schema_name, diag.table_name, diag.constraint_name)
            if (
                diag.sqlstate != "23503"
                or depth >= _MAX_DEPTH
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

    def not_checked_cells(self, reason: str) -> list[CellResult]:
        """Every declared cell, none probed, each ``undecided`` with ``reason`` (e.g. the target is a
        read-only standby, where the rows the probes need cannot be written even in a transaction
        that is rolled back): never a pass, never a mismatch."""
        cells: list[CellResult] = []
        for table in self.decl.tables:
            for actor in self.decl.actors:
                allowed = table.allowed.get(actor, frozenset())
                for op in OPERATIONS:
                    cells.append(CellResult(
                        id=f"{table.name}:{actor}:{op}", object=table.name, kind="table", actor=actor, operation=op,
                        expected="allowed" if op in allowed else "denied", actual="skipped", ok=False,
                        detail="not probed", undecided=reason,
                    ))  # fmt: skip
        for function in self.decl.functions:
            _, display, _ = self.objects.functions[function.key]
            for actor in self.decl.actors:
                cells.append(CellResult(
                    id=f"{function.cell_name}:{actor}:{EXECUTE}", object=display, kind="function", actor=actor,
                    operation=EXECUTE, expected="allowed" if actor in function.spec.allow else "denied",
                    actual="skipped", ok=False, detail="not probed", undecided=reason,
                ))  # fmt: skip
        for bucket in self.decl.storage:
            for actor in self.decl.actors:
                allowed = bucket.allowed.get(actor, frozenset())
                for op in OPERATIONS:
                    cells.append(CellResult(
                        id=f"{bucket.name}:{actor}:{op}", object=bucket.name, kind="storage", actor=actor,
                        operation=op, expected="allowed" if op in allowed else "denied", actual="skipped", ok=False,
                        detail="not probed", undecided=reason,
                    ))  # fmt: skip
        return cells

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

    def _with_owners_data(self, call: str | None) -> bool:
        """Whether a declared ``call`` passes the owner's data: a ``{ref}`` to the owner's user
        (``{user.id}``) or to a row of a declared table (the owner's row), not a custom actor's
        user (``{coach.id}``) or the run (``{run.id}``)."""
        for match in _REF.finditer(call or ""):
            ref = self.decl.resolve(match.group(1))
            if ref is not None and (ref.root == "user" or ref.root not in ("run", "row", *self.decl.custom_actors)):
                return True
        return False

    def _function_facts(self, keys: Collection[str]) -> dict[str, tuple[bool, bool]]:
        """Declaration key -> (SECURITY DEFINER, anon may execute) of the declared functions ``keys``, in
        one query for all of them: ``pg_proc.prosecdef``, and whether ``anon`` holds EXECUTE on it and
        USAGE on its schema (a call that failed without 42501 reached the body only then: an argument
        that does not cast fails before the privilege check). A function no longer in ``pg_proc``:
        (False, False)."""
        oids = {key: self.objects.functions[key][0] for key in keys}
        rows = self.conn.execute(
            "select p.oid, p.prosecdef, pg_catalog.has_function_privilege('anon', p.oid, 'execute') "
            "and pg_catalog.has_schema_privilege('anon', p.pronamespace, 'usage') "
            "from pg_catalog.pg_proc as p where p.oid = any(%s::oid[])",
            (list(set(oids.values())),),
        ).fetchall()
        facts = {int(oid): (bool(definer), bool(anon_may)) for oid, definer, anon_may in rows}
        return {key: facts.get(oid, (False, False)) for key, oid in oids.items()}

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

    def _owner_call_result(self, call: OwnerCall, attempt: _Attempt, statement: str) -> OwnerDataCall:
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
            definer, anon_may = facts[function.key]
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
                    function, query, params, path, definer, anon_may, owners_data, calls, arranged
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
        definer: bool,
        anon_may: bool,
        owners_data: bool,
        calls: dict[str, OwnerCall | None],
        arranged: str | None,
    ) -> Iterator[CellResult]:
        """The cells of one declared function, one per actor (see :meth:`function_cells`)."""
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
                sum(rendered.count(sql.Literal(form).as_string(None)) for form in _forms(v)) >= n
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
                wrote=attempt.wrote or None,
                revealed=attempt.revealed,
                with_owners_data=owners_data,
                owner_call=owner_call,
                wrote_auth=wrote_auth or None,
            )


@dataclass(frozen=True)
class _Attempt:
    """What one statement run as an actor did.

    Attributes:
        status: ``ran`` (no error), ``refused`` (SQLSTATE 42501) or ``error`` (anything else).
        detail: Postgres' message when it failed.
        sqlstate: the SQLSTATE when it failed.
        rights: the rights the request context ran with (``None`` if the switch itself failed).
        count: rows returned (select) or affected (insert, update, delete).
        constraint: (schema, table, constraint) Postgres named in the error, if any.
        wrote: rows written per table (``schema.table`` -> inserted + updated + deleted) when counted
            (``_act(writes=True)``) and the statement succeeded, else None.
        watched: the ``watch`` query's value (``_act(watch=...)``) when the statement succeeded, else None.
        revealed: with ``_act(reveal=True)`` and success, whether the result held a value that says
            something (:func:`says_nothing`), else None.
    """

    status: Literal["ran", "refused", "error"]
    detail: str
    sqlstate: str | None
    rights: CellRights | None
    count: int = 0
    constraint: tuple[str, str, str] | None = None
    wrote: dict[str, int] | None = None
    watched: dict[str, int] | None = None
    revealed: bool | None = None

    def decide(self, done: str, none: str) -> tuple[Outcome, str]:
        """(outcome, detail) of a table operation: rows affected means allowed, none or 42501 denied."""
        if self.status == "refused":
            return "denied", self.detail
        if self.status == "error":
            return "error", self.detail
        if self.count == 0:
            return "denied", none
        return "allowed", f"{self.count} row {done}" if self.count == 1 else f"{self.count} rows {done}"


REVEAL_ROWS = 20
"""Rows of a function call's result read to tell whether it returned anything (:func:`says_nothing`)."""

_EMPTY_RECORD = re.compile(r"^\(,*\)$")


def says_nothing(value: Any) -> bool:
    """Whether one value of a call's result tells the caller nothing: SQL null, ``false``, zero, an
    empty string, array or JSON container, a record of nulls (``(,,)``), or a JSON container holding
    only such values. Any other value (an id, a name, ``true``, a token) says something."""
    if value is None or value is False or value == "":
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | Decimal):
        return value == 0
    if isinstance(value, str):
        return bool(_EMPTY_RECORD.match(value))
    if isinstance(value, dict):
        return all(says_nothing(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(says_nothing(v) for v in value)
    return False


_NOT_UPDATABLE = re.compile(r"^cannot (insert into|update|delete from) view ")
"""Postgres' message (SQLSTATE 55000) for a write through a view that is not automatically updatable."""

_CELL_RIGHTS = (
    "select current_user::text, r.rolsuper, r.rolbypassrls from pg_catalog.pg_roles as r where r.rolname = current_user"
)
"""What every cell reads after the switch (see :meth:`_Runner._rights`)."""

_WRITE_COUNTS = (
    "select coalesce(jsonb_object_agg(n.nspname || '.' || c.relname, w.n), '{}') "
    "from pg_catalog.pg_class as c join pg_catalog.pg_namespace as n on n.oid = c.relnamespace "
    "cross join lateral (select pg_catalog.pg_stat_get_xact_tuples_inserted(c.oid) "
    "+ pg_catalog.pg_stat_get_xact_tuples_updated(c.oid) "
    "+ pg_catalog.pg_stat_get_xact_tuples_deleted(c.oid) as n) as w "
    "where c.relkind in ('r', 't', 'm', 'p') and n.nspname not in ('pg_catalog', 'information_schema') "
    "and n.nspname !~ '^pg_toast' and w.n > 0"
)
"""Rows this transaction wrote so far, per table (read before and after a function call): the rows
of ``pg_stat_xact_user_tables`` with ``n_tup_ins + n_tup_upd + n_tup_del > 0``, read from the
functions that view calls without its join with ``pg_index`` and its ``group by`` (which compute the
index columns this does not need, for every relation, twice per call: most of the probe's server time
on a schema of a few hundred tables)."""


def _forms(value: str) -> set[str]:
    """How a value of a call with the owner's data may be written in a declared call as psycopg renders it:
    as is, and a uuid also as its 32 hex digits (psycopg's literal of a ``UUID`` parameter)."""
    if len(value) == 36 and value.count("-") == 4:
        return {value, value.replace("-", "")}
    return {value}


def _counts_row(row: Any) -> dict[str, int]:
    """The ``{table: rows}`` of a :data:`_WRITE_COUNTS` row."""
    return {str(k): int(v) for k, v in (row[0] if row else {}).items()}


_ALLOW_DELETE = ("storage.allow_delete_query", "true")
"""The setting Storage's API makes for its deletes: ``storage.protect_delete()`` (a statement trigger on
``storage.objects``) refuses any delete without it, before RLS is asked."""

_ALLOW_DELETE_SQL = "select set_config('storage.allow_delete_query', 'true', true)"
"""The same, for the connecting role's own deletes of objects (the insert cell clears the target first)."""

_PROGRESS_EVERY_S = 2.0
"""Seconds between progress lines of a long probe run."""

_MAX_DEPTH = 8
"""How deep the chains of referencing rows the probes clear may go (a task's comments' reactions...)."""

_MAX_DEPENDENTS = 5
"""How many tables of rows referencing a row the re-parenting probe clears before giving up."""


def _require_api_roles(conn: psycopg.Connection, url: str) -> TargetInfo:
    """The target's :class:`TargetInfo`, after checking it has Supabase's API roles.

    Raises:
        UsageError: anon, authenticated, service_role or authenticator is missing.
    """
    target = detect(conn)
    if target.missing_roles:
        raise UsageError(
            f"{redact(url)} lacks the Supabase API roles {', '.join(target.missing_roles)}",
            hint="run `khepri-db migrate` (it installs the compatibility layer on vanilla Postgres)",
        )
    return target


def verify_access(
    url: str,
    declaration: Declaration | Path,
    *,
    project: Project | None = None,
    exposed_schemas: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
    only: Collection[str] | None = None,
) -> AccessReport:
    """Check the database at ``url`` against an access declaration.

    Args:
        url: a database migrated with the project's schema. Connect as the role that owns the
            tables (the migrating role: ``postgres``), which may create users and rows for the run.
        declaration: a :class:`Declaration`, or the path of an ``access.toml`` to load.
        project: the Supabase project, for ``[api] schemas`` (default: discovered from the cwd).
        exposed_schemas: schemas whose tables, views and functions must all be declared (default:
            :func:`khepri_db.core.schemas.resolve_exposed_schemas`: config.toml, ``pgrst.db_schemas``,
            else ``public``); Supabase-managed schemas are skipped as doctor skips them.
        progress: called with a line such as ``probing 40/144 objects (table public.x)`` at most
            every two seconds while cells run (the CLI prints it on stderr).
        only: probe only the cells of these objects (``schema.table``, or ``schema.name(argtypes)``
            for functions, as :attr:`CellResult.object` names them); the report then holds only
            theirs (``access init`` re-verifying the objects whose cells changed from run to run).

    Returns:
        The :class:`AccessReport`. Cells the declaration marks ``undecided`` (or whose table is
        ``unbuildable``) are probed all the same and reported with their reason: never as passed
        (``ok`` is false), never as a mismatch. Nothing is left in the database: the run is one transaction
        that is rolled back (so it also runs through a transaction-mode pooler, on one server
        connection). On a read-only hot standby nothing can be probed: the declaration is still
        checked against the catalog (missing objects, undeclared exposed ones) and every cell is
        reported ``undecided`` ("not checked"), with why.

    Raises:
        AccessDeclarationError: the declaration is invalid, names tables or functions the database
            lacks, or a row factory fails (exit 2).
        ConnectionFailedError: the database cannot be reached.
        RoleSwitchError: a request context kept rights that bypass RLS (the API roles are
            misconfigured), so no cell could prove anything.
        UsageError: the API roles do not exist.
    """
    started = time.perf_counter()
    decl = declaration if isinstance(declaration, Declaration) else load_declaration(declaration)
    project = project or Project.discover()
    with connect(url) as conn:
        read_only = read_only_reason(conn)
        standby = read_only == STANDBY
        if read_only is not None and not standby:
            # Read-only mode (default_transaction_read_only): this run's one transaction, rolled
            # back at the end, may still write its users and rows.
            conn.execute("set transaction read write")
        target = _require_api_roles(conn, url)
        exposed = resolve_exposed_schemas(conn, project, exposed_schemas)
        runner = _Runner(conn, decl, progress)
        notes: list[str] = []
        try:
            runner.load_catalog()
            undeclared = runner.undeclared(exposed.schemas)
            if standby:
                cells = runner.not_checked_cells(
                    f"not checked: the target {read_only}; the probes need users and rows written in a "
                    "transaction that is rolled back, which a standby refuses (run verify-access on the primary)"
                )
            else:
                notes = runner.setup()
                cells = [*runner.table_cells(only), *runner.function_cells(only), *runner.storage_cells(only)]
        finally:
            conn.rollback()
    specs: dict[str, Any] = {t.name: t.spec for t in decl.tables}
    specs.update({f.cell_name: f.spec for f in decl.functions})
    specs.update({b.name: b.spec for b in decl.storage})
    for cell in cells:
        spec = specs.get(cell.id.rsplit(":", 2)[0])
        if spec is not None and cell.risk is not None:
            cell.risk_accepted = decl.accepted_risk(spec, cell.actor, cell.operation)
    return AccessReport(
        access_file=str(decl.path),
        target=target.to_dict(),
        exposed_schemas=exposed,
        actors=list(decl.actors),
        cells=cells,
        undeclared=undeclared,
        duration_ms=(time.perf_counter() - started) * 1000,
        notes=notes,
    )


def matrix_rows(report: AccessReport) -> Iterable[tuple[str, str, dict[str, list[CellResult]]]]:
    """The report as matrix rows: ``(object, kind, {actor: cells in operation order})``."""
    seen: dict[str, tuple[str, dict[str, list[CellResult]]]] = {}
    for cell in report.cells:
        kind, by_actor = seen.setdefault(cell.object, (cell.kind, {a: [] for a in report.actors}))
        by_actor[cell.actor].append(cell)
    for name, (kind, by_actor) in seen.items():
        yield name, kind, by_actor
