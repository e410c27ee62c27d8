"""One verify-access run (:class:`Runner`): the declared objects read, the rows made, the request settings
of every actor, and a savepoint per attempt; the cells themselves come from :mod:`._table_cells`,
:mod:`._storage_cells`, :mod:`._function_cells` and :mod:`._handover`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

from khepri_db.access import session as _session
from khepri_db.access._attempts import (
    CELL_RIGHTS,
    NOT_UPDATABLE,
    PROGRESS_EVERY_S,
    REVEAL_ROWS,
    WRITE_COUNTS,
    Attempt,
    counts_row,
    says_nothing,
)
from khepri_db.access._catalog import CatalogMemo, DeclaredObjects, read_declared_objects, undeclared_objects
from khepri_db.access._fixtures import Fixtures, _message
from khepri_db.access._fresh_keys import (
    InsertPlan,
)
from khepri_db.access._function_cells import FunctionCells
from khepri_db.access._handover import Handover
from khepri_db.access._owner_calls import OwnerData
from khepri_db.access._preconditions import Need
from khepri_db.access._storage_cells import StorageCells
from khepri_db.access._table_cells import TableCells
from khepri_db.access.declaration import (
    API_ROLE,
    EXECUTE,
    OPERATIONS,
    Declaration,
)
from khepri_db.access.report import CellResult, CellRights, UndeclaredObject
from khepri_db.core.errors import RoleSwitchError


class Runner(TableCells, StorageCells, Handover, FunctionCells):
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
        if self.progress is None or time.monotonic() - self._last < PROGRESS_EVERY_S:
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
            self._actor_claims[actor] = (API_ROLE.get(actor, "authenticated"), claims)
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
        cell (``row``, :data:`CELL_RIGHTS` run after the switch); the RLS tables the role owns read
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
    ) -> Attempt:
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
        tables written are unchanged); its value lands in :attr:`Attempt.watched`, at the cost of
        one more round trip, only when there is a query to run. With ``reveal``, the first
        :data:`REVEAL_ROWS` rows of the statement's result are read for :attr:`Attempt.revealed`.
        """
        rights: CellRights | None = None
        role = API_ROLE.get(actor, "authenticated")
        # Two round trips, the statements in the order PostgREST runs them: the savepoint, the
        # settings and the switch checks' read (:meth:`_rights`, checked before anything else runs);
        # then the statement (its parameters inlined as literals, as the pgTAP export writes it)
        # followed by the rollback, which a third round trip does instead when the statement fails.
        name = f"khepri_probe_{self._next_savepoint()}"
        configs = ", ".join([self._set_configs(actor, method, path), *(self._set_config(n, v) for n, v in extra)])
        switch = f"savepoint {name}; select {configs}; {CELL_RIGHTS}"
        if writes:
            switch += f"; {WRITE_COUNTS}"
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
                    before = counts_row(cursor.fetchone())
                counting = f"\n;{WRITE_COUNTS}" if writes else ""
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
                    after = counts_row(cursor.fetchone())
                    wrote = {t: n - before.get(t, 0) for t, n in after.items() if n > before.get(t, 0)}
                if held and (looking := watch(wrote or {})):  # type: ignore[misc]
                    # read back as the connecting role (the rollback undoes the reset too)
                    cursor = self.conn.execute(f"reset role\n;{looking}\n;{rollback}")
                    undone = True
                    cursor.nextset()
                    watched = counts_row(cursor.fetchone())
            finally:
                if not undone:
                    self.conn.execute(rollback)
        except RoleSwitchError:
            raise
        except psycopg.errors.InsufficientPrivilege as exc:
            return Attempt("refused", _message(exc), exc.diag.sqlstate, rights)
        except psycopg.errors.ObjectNotInPrerequisiteState as exc:
            # "cannot delete from view": a view Postgres cannot write through refuses everybody.
            if NOT_UPDATABLE.match(exc.diag.message_primary or ""):
                return Attempt("refused", _message(exc), exc.diag.sqlstate, rights)
            return Attempt("error", _message(exc), exc.diag.sqlstate, rights)
        except psycopg.Error as exc:
            diag = exc.diag
            where = (diag.schema_name, diag.table_name, diag.constraint_name)
            return Attempt("error", _message(exc), diag.sqlstate, rights, constraint=where if all(where) else None)
        return Attempt("ran", "", None, rights, count, wrote=wrote, watched=watched, revealed=revealed)

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
