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
PostgREST request does (:mod:`khepri_db.policy.session`), and compares what happened with what is
declared. Each cell verifies the role switch (not superuser, no BYPASSRLS except service_role, not
the tables' owner) and records the rights it ran with. Everything happens in one transaction that is
rolled back: nothing is left behind (sequences aside, which Postgres never rolls back).

What counts as *allowed* (the target is always the ``owner``'s row of the table):

* ``select``: the statement returns the target row. Zero rows (RLS filtered it) or SQLSTATE 42501
  (no privilege) is *denied*.
* ``insert``: the owner's row is first deleted (by the connecting role, in the savepoint), then the
  actor inserts the factory row again (``insert_row`` if declared): one row inserted is *allowed*;
  42501 (no privilege, or a ``with check`` violation) or zero rows is *denied*.
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
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from khepri_db.core.db import connect, redact, require_session_connection
from khepri_db.core.errors import RoleSwitchError, UsageError
from khepri_db.core.project import Project
from khepri_db.doctor.run import EXCLUDED_SCHEMAS, resolve_exposed_schemas
from khepri_db.migrations.compat import TargetInfo, detect
from khepri_db.policy import session as _session
from khepri_db.policy.declaration import (
    _API_ROLE,
    _FUNCTIONS,
    _REF,
    EXECUTE,
    OPERATIONS,
    AccessDeclarationError,
    Declaration,
    Outcome,
    Reference,
    RowFactoryError,
    TableDeclaration,
    _value_texts,
    _where,
    find_references,
    load_declaration,
)
from khepri_db.policy.report import AccessReport, CellResult, CellRights, UndeclaredObject

# -- running it ------------------------------------------------------------------------------------


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
    Supabase-managed schemas (:data:`khepri_db.doctor.run.EXCLUDED_SCHEMAS`) are left out, as doctor
    leaves them out.
    """
    schemas = [s for s in exposed if s not in EXCLUDED_SCHEMAS]
    found: list[ExposedObject] = []
    for oid, schema, name, kind in conn.execute(
        """
        select c.oid, n.nspname, c.relname, c.relkind::text
        from pg_catalog.pg_class as c
        join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
        where n.nspname = any(%s) and c.relkind in ('r', 'p', 'v', 'm', 'f') and not c.relispartition
            and not exists (
                select 1 from pg_catalog.pg_depend as d
                where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
            )
        order by 2, 3
        """,
        (schemas,),
    ).fetchall():
        found.append(ExposedObject("view" if kind in "vm" else "table", f"{schema}.{name}", oid))
    for oid, display in conn.execute(
        """
        select p.oid, format('%%I.%%I(%%s)', n.nspname, p.proname, pg_catalog.oidvectortypes(p.proargtypes))
        from pg_catalog.pg_proc as p
        join pg_catalog.pg_namespace as n on n.oid = p.pronamespace
        where n.nspname = any(%s) and p.prokind = 'f'
            and p.prorettype not in ('pg_catalog.trigger'::regtype, 'pg_catalog.event_trigger'::regtype)
            and not exists (
                select 1 from pg_catalog.pg_depend as d
                where d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
            )
            and (
                pg_catalog.has_function_privilege('anon', p.oid, 'execute')
                or pg_catalog.has_function_privilege('authenticated', p.oid, 'execute')
                or pg_catalog.has_function_privilege('service_role', p.oid, 'execute')
            )
        order by 2
        """,
        (schemas,),
    ).fetchall():
        found.append(ExposedObject("function", display, oid))
    return found


@dataclass
class _Column:
    name: str
    type: str
    is_json: bool


@dataclass
class _Relation:
    decl: TableDeclaration
    kind: str
    columns: dict[str, _Column]
    primary_key: list[str]


@dataclass
class _Subject:
    """One owner (``owner`` or ``other``): their user, one user per custom actor, and their rows."""

    label: str
    user: _session.AuthUser
    actor_users: dict[str, _session.AuthUser] = field(default_factory=dict)
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)


def _user_values(user: _session.AuthUser) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "phone": user.phone}


class _Runner:
    def __init__(self, conn: psycopg.Connection, declaration: Declaration) -> None:
        self.conn = conn
        self.decl = declaration
        self.run_id = uuid.uuid4().hex[:12]
        self.relations: dict[str, _Relation] = {}
        self.functions: dict[str, tuple[int, str, int]] = {}  # key -> (oid, display, nargs)
        self.subjects: dict[str, _Subject] = {}
        self.shared_rows: dict[str, dict[str, Any]] = {}
        self._made = 0  # extra owners made for the re-parenting probes
        self._resolve_ref: Callable[[str], Reference | None] = declaration.resolve

    # catalog -----------------------------------------------------------------------------------

    def load_catalog(self) -> None:
        missing: list[str] = []
        for table in self.decl.tables:
            row = self.conn.execute(
                "select c.oid, c.relkind::text from pg_catalog.pg_class as c "
                "where c.oid = to_regclass(format('%%I.%%I', %s::text, %s::text))",
                (table.schema, table.table),
            ).fetchone()
            if row is None:
                missing.append(f"{_where(self.decl.path, table.line)}: table {table.name} does not exist")
                continue
            oid, kind = row
            columns = {
                name: _Column(name, type_, type_ in {"json", "jsonb"})
                for name, type_ in self.conn.execute(
                    "select a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) from pg_catalog.pg_attribute a "
                    "where a.attrelid = %s and a.attnum > 0 and not a.attisdropped order by a.attnum",
                    (oid,),
                ).fetchall()
            }
            pk = [
                r[0]
                for r in self.conn.execute(
                    "select a.attname from pg_catalog.pg_index i "
                    "cross join lateral unnest(i.indkey) with ordinality as k (attnum, ord) "
                    "join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum "
                    "where i.indrelid = %s and i.indisprimary order by k.ord",
                    (oid,),
                ).fetchall()
            ]
            where = f"{_where(self.decl.path, table.line)}: tables.{table.key}"
            spec = table.spec
            named = [*(spec.row or {}), *(spec.insert_row or {}), *(spec.update_columns or [])]
            for column in named:
                if column not in columns:
                    missing.append(f"{where}: {table.name} has no column {column!r}")
            if spec.match is None and not pk:
                missing.append(f"{where}: {table.name} has no primary key; declare match to find the target row")
            self.relations[table.name] = _Relation(table, kind, columns, pk)
        for function in self.decl.functions:
            where = f"{_where(self.decl.path, function.line)}: functions.{function.key}"
            schema, name = function.name.split(".", 1)
            if function.signature:
                rows = self.conn.execute(
                    _FUNCTIONS + "where p.oid = to_regprocedure(%s)", (f"{function.name}{function.signature}",)
                ).fetchall()
            else:
                rows = self.conn.execute(
                    _FUNCTIONS + "where n.nspname = %s and p.proname = %s", (schema, name)
                ).fetchall()
            if not rows:
                missing.append(f"{where}: function {function.key} does not exist")
            elif len(rows) > 1:
                overloads = ", ".join(r[1] for r in rows)
                missing.append(
                    f"{where}: {function.name} is overloaded ({overloads}); name one with its argument types"
                )
            else:
                oid, display, nargs = rows[0]
                if function.spec.call is None and nargs:
                    missing.append(f"{where}: {display} takes arguments; declare call with the SQL that calls it")
                self.functions[function.key] = (oid, display, nargs)
        if missing:
            raise AccessDeclarationError(
                "the access declaration does not fit this database:\n  " + "\n  ".join(missing),
                hint="run `khepri-db migrate` if the database is behind, or fix the declaration",
            )

    def undeclared(self, exposed: Sequence[str]) -> list[UndeclaredObject]:
        declared_functions = {oid for oid, _, _ in self.functions.values()}
        return [
            UndeclaredObject(kind=o.kind, name=o.name)
            for o in exposed_objects(self.conn, exposed)
            if (o.name not in self.relations if o.kind != "function" else o.oid not in declared_functions)
        ]

    # setup -------------------------------------------------------------------------------------

    def setup(self) -> None:
        for label in ("owner", "other"):
            subject = _Subject(label, _session.create_user(self.conn, f"{label}-{self.run_id}@access.khepri.test"))
            for name, spec in self.decl.custom_actors.items():
                subject.actor_users[name] = _session.create_user(
                    self.conn,
                    None if spec.is_anonymous else f"{name}-of-{label}-{self.run_id}@access.khepri.test",
                    app_metadata=spec.app_metadata,
                    user_metadata=spec.user_metadata,
                    is_anonymous=spec.is_anonymous,
                )
            self.subjects[label] = subject
        for table in self.decl.factory_order:
            if table.spec.row is None:
                continue
            for label in ("owner",) if table.spec.shared else ("owner", "other"):
                subject = self.subjects[label]
                created = self._make_row(table, subject, label)
                if table.spec.shared:
                    self.shared_rows[table.name] = created
                else:
                    subject.rows[table.name] = created

    def _make_row(self, table: TableDeclaration, subject: _Subject, label: str) -> dict[str, Any]:
        """Insert ``subject``'s row of ``table`` from its factory (as the connecting role) and return it."""
        assert table.spec.row is not None
        query, params = self._insert(table, table.spec.row, subject, None, returning=True)
        try:
            with self.conn.transaction(), self.conn.cursor(row_factory=dict_row) as cur:
                created = cur.execute(query, params).fetchone()
        except psycopg.Error as exc:
            raise RowFactoryError(
                f"{_where(self.decl.path, table.line)}: tables.{table.key}.row: making the {label}'s row "
                f"failed: {_message(exc)}",
                table=table.name,
                reason=_message(exc),
                sqlstate=exc.diag.sqlstate,
                constraint=exc.diag.constraint_name,
                hint="fix the row values (they must satisfy the table's constraints), and run as the role "
                "that owns the tables (the migrating role), which RLS does not restrict",
            ) from exc
        if created is None:
            raise RowFactoryError(
                f"{_where(self.decl.path, table.line)}: tables.{table.key}.row inserted no row "
                "(a trigger returned null?)",
                table=table.name,
                reason="the insert returned no row (a trigger returned null?)",
            )
        return dict(created)

    def _new_subject(
        self, label: str, user: _session.AuthUser, actor_users: Mapping[str, _session.AuthUser]
    ) -> _Subject:
        """One more owner for the re-parenting probes: ``user`` with the given actor users (new users for
        the custom actors not given), and a row of every per-owner table made by its factory."""
        self._made += 1
        subject = _Subject(label, user, dict(actor_users))
        for name, spec in self.decl.custom_actors.items():
            if name not in subject.actor_users:
                subject.actor_users[name] = _session.create_user(
                    self.conn,
                    None if spec.is_anonymous else f"{name}-probe{self._made}-{self.run_id}@access.khepri.test",
                    app_metadata=spec.app_metadata,
                    user_metadata=spec.user_metadata,
                    is_anonymous=spec.is_anonymous,
                )
        for table in self.decl.factory_order:
            if table.spec.row is not None and not table.spec.shared:
                subject.rows[table.name] = self._make_row(table, subject, label)
        return subject

    def _reparent_targets(self, actor: str) -> Iterator[tuple[str, Callable[[], _Subject]]]:
        """Every owner ``actor`` could try to move the owner's row to: (description, how to make them).

        * the other owner (someone the actor has no tie to);
        * for a custom actor (a coach, an admin): the actor's own rows, and another owner the same
          actor reaches the way it reaches the owner (a second athlete of the same coach);
        * for the owner: an owner they reach as each custom actor (an athlete they coach).

        The extra owners are made inside a rolled-back savepoint (see :meth:`table_cells`), so no other
        cell sees them.
        """
        owner = self.subjects["owner"]
        yield "the other owner", lambda: self.subjects["other"]
        if actor in self.decl.custom_actors:
            me = owner.actor_users[actor]
            yield f"the {actor}'s own rows", lambda: self._new_subject(f"{actor}'s own", me, {})
            yield (
                f"another owner whose {actor} is the same user",
                lambda: self._new_subject(
                    f"another owner of the {actor}",
                    _session.create_user(self.conn, f"peer-probe{self._made}-{self.run_id}@access.khepri.test"),
                    {actor: me},
                ),
            )
        elif actor == "owner":
            for name in self.decl.custom_actors:
                yield (
                    f"an owner whose {name} is the owner",
                    lambda name=name: self._new_subject(  # type: ignore[misc]
                        f"an owner the owner is {name} of",
                        _session.create_user(self.conn, f"ward-probe{self._made}-{self.run_id}@access.khepri.test"),
                        {name: owner.user},
                    ),
                )

    # rendering ---------------------------------------------------------------------------------

    def _value_of(self, ref: Reference, subject: _Subject, row: Mapping[str, Any] | None) -> Any:
        if ref.root == "user":
            source: Mapping[str, Any] = _user_values(subject.user)
        elif ref.root == "run":
            source = {"id": self.run_id}
        elif ref.root == "row":
            source = row or {}
        elif ref.root in self.decl.custom_actors:
            source = _user_values(subject.actor_users[ref.root])
        else:
            source = self.shared_rows.get(ref.root) or subject.rows.get(ref.root) or {}
        if ref.column not in source:
            raise AccessDeclarationError(
                f"{self.decl.path}: {{{ref.text}}}: no such value (known: {', '.join(sorted(source)) or 'none'})"
            )
        return source[ref.column]

    def _snippet(self, text: str, subject: _Subject, row: Mapping[str, Any] | None) -> tuple[sql.Composable, list[Any]]:
        """A SQL snippet with its ``{refs}`` turned into bound parameters (``%`` kept literal)."""
        parts: list[sql.Composable] = []
        params: list[Any] = []
        position = 0
        for match in _REF.finditer(text):
            parts.append(sql.SQL(text[position : match.start()].replace("%", "%%")))
            ref = self._resolve_ref(match.group(1))
            assert ref is not None  # validated at load time
            parts.append(sql.Placeholder())
            params.append(self._value_of(ref, subject, row))
            position = match.end()
        parts.append(sql.SQL(text[position:].replace("%", "%%")))
        return sql.Composed(parts), params

    def _value(
        self, column: _Column, value: Any, subject: _Subject, row: Mapping[str, Any] | None
    ) -> tuple[sql.Composable, list[Any]]:
        cast = sql.SQL("::" + column.type)
        if isinstance(value, dict) and set(value) == {"sql"}:
            snippet, params = self._snippet(value["sql"], subject, row)
            return sql.Composed([sql.SQL("("), snippet, sql.SQL(")")]), params
        if isinstance(value, str):
            refs = list(_REF.finditer(value))
            if len(refs) == 1 and refs[0].group(0) == value:
                ref = self._resolve_ref(refs[0].group(1))
                assert ref is not None
                bound = self._value_of(ref, subject, row)
            elif refs:
                bound = _REF.sub(
                    lambda m: str(self._value_of(self._resolve_ref(m.group(1)), subject, row)),  # type: ignore[arg-type]
                    value,
                )
            else:
                bound = value
            if column.is_json and not isinstance(bound, str):
                bound = Jsonb(bound)
            return sql.Composed([sql.Placeholder(), cast]), [bound]
        if column.is_json:
            return sql.Composed([sql.Placeholder(), cast]), [Jsonb(value)]
        return sql.Composed([sql.Placeholder(), cast]), [value]

    def _insert(
        self,
        table: TableDeclaration,
        values: Mapping[str, Any],
        subject: _Subject,
        row: Mapping[str, Any] | None,
        *,
        returning: bool,
    ) -> tuple[sql.Composable, list[Any]]:
        relation = self.relations[table.name]
        rendered = [self._value(relation.columns[c], v, subject, row) for c, v in values.items()]
        if values:
            query = sql.SQL("insert into {} ({}) values ({})").format(
                sql.Identifier(table.schema, table.table),
                sql.SQL(", ").join(sql.Identifier(c) for c in values),
                sql.SQL(", ").join(r[0] for r in rendered),
            )
        else:  # `row = {}`: every column takes its default
            query = sql.SQL("insert into {} default values").format(sql.Identifier(table.schema, table.table))
        if returning and table.spec.on_conflict and values:
            query = sql.Composed([
                query,
                sql.SQL(" on conflict ({}) do update set {}").format(
                    sql.SQL(", ").join(sql.Identifier(c) for c in table.spec.on_conflict),
                    sql.SQL(", ").join(sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c)) for c in values),
                ),
            ])  # fmt: skip
        if returning:
            query = sql.Composed([query, sql.SQL(" returning *")])
        return query, [p for r in rendered for p in r[1]]

    def _target_row(self, table: TableDeclaration, subject: _Subject) -> Mapping[str, Any] | None:
        if table.spec.shared:
            return self.shared_rows.get(table.name)
        return subject.rows.get(table.name)

    def _match(self, table: TableDeclaration, subject: _Subject) -> tuple[sql.Composable, list[Any]]:
        row = self._target_row(table, subject)
        if table.spec.match:
            snippet, params = self._snippet(table.spec.match, subject, row)
            return sql.Composed([sql.SQL("("), snippet, sql.SQL(")")]), params
        relation = self.relations[table.name]
        assert row is not None
        conditions = [
            sql.SQL("{} = {}").format(
                sql.Identifier(c), sql.Composed([sql.Placeholder(), sql.SQL("::" + relation.columns[c].type)])
            )
            for c in relation.primary_key
        ]
        return sql.SQL(" and ").join(conditions), [row[c] for c in relation.primary_key]

    # acting ------------------------------------------------------------------------------------

    def _context(self, actor: str, method: str, path: str) -> AbstractContextManager[psycopg.Connection]:
        # _act reads the rights once and checks them itself (check_rights), so the context need not.
        request: dict[str, Any] = {"method": method, "path": path, "verify": False}
        owner = self.subjects["owner"]
        if actor == "anon":
            return _session.as_anon(self.conn, **request)
        if actor == "service_role":
            return _session.as_service_role(self.conn, **request)
        if actor == "owner":
            return _session.as_user(self.conn, owner.user, **request)
        if actor == "other":
            return _session.as_user(self.conn, self.subjects["other"].user, **request)
        spec = self.decl.custom_actors[actor]
        return _session.as_user(self.conn, owner.actor_users[actor], claims=spec.claims or None, **request)

    def _act(
        self, actor: str, query: sql.Composable, params: Sequence[Any], method: str, path: str, *, rows: bool = False
    ) -> _Attempt:
        """Run ``query`` as ``actor`` (its own savepoint, via the request context) and say what happened."""
        rights: CellRights | None = None
        try:
            with self._context(actor, method, path) as conn:
                seen = _session.request_rights(conn)
                _session.check_rights(seen, _API_ROLE.get(actor, "authenticated"))
                rights = CellRights(
                    current_user=seen.current_user,
                    superuser=seen.superuser,
                    bypassrls=seen.bypassrls,
                    owns_rls_tables=bool(seen.owned_rls_tables),
                )
                cursor = conn.execute(query, params)
                count = len(cursor.fetchall()) if rows else cursor.rowcount
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
        return _Attempt("ran", "", None, rights, count)

    def _as_admin(self, query: sql.Composable, params: Sequence[Any]) -> str | None:
        """Run ``query`` as the connecting role in a savepoint; the error message if it failed."""
        try:
            with self.conn.transaction():
                self.conn.execute(query, params)
        except psycopg.Error as exc:
            return _message(exc)
        return None

    # cells -------------------------------------------------------------------------------------

    def table_cells(self) -> Iterator[CellResult]:
        cells: list[CellResult] = []
        handovers: list[tuple[int, TableDeclaration, str]] = []
        for table in self.decl.tables:
            for actor in self.decl.actors:
                allowed = table.allowed.get(actor, frozenset())
                for op in OPERATIONS:
                    expected: Literal["allowed", "denied"] = "allowed" if op in allowed else "denied"
                    with self.conn.transaction(force_rollback=True):
                        actual, detail, attempt, leak = self._table_cell(table, actor, op)
                    if op == "update" and actual == "allowed" and actor != "service_role":
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
                        ok=ok,
                        detail=detail,
                        sqlstate=attempt.sqlstate if attempt else None,
                        leak=leak,
                        rights=attempt.rights if attempt else None,
                        unreviewed=actor in table.spec.unreviewed or f"{actor}:{op}" in table.spec.unreviewed,
                    ))  # fmt: skip
        # The re-parenting probes of allowed updates, after every other cell: the extra owners they
        # aim at are made once, in one savepoint rolled back at the end, so no other cell sees them.
        with self.conn.transaction(force_rollback=True):
            made: dict[str, _Subject] = {}
            for index, table, actor in handovers:
                if not table.spec.handover or table.spec.shared:
                    continue
                where, where_params = self._match(table, self.subjects["owner"])
                leak = self._handover(table, actor, where, where_params, made)
                if leak is not None:
                    cells[index] = cells[index].model_copy(update={"leak": leak, "ok": False})
        yield from cells

    def _table_cell(
        self, table: TableDeclaration, actor: str, op: str
    ) -> tuple[Outcome, str, _Attempt | None, str | None]:
        """(actual, detail, attempt, leak) of one table cell; runs inside a rolled-back savepoint."""
        owner = self.subjects["owner"]
        spec = table.spec
        target = sql.Identifier(table.schema, table.table)
        path = f"/{table.table}"
        where, where_params = self._match(table, owner)
        if op == "select":
            query = sql.SQL("select 1 from {} where {}").format(target, where)
            attempt = self._act(actor, query, where_params, "GET", path, rows=True)
            return (*attempt.decide("visible", "0 rows: filtered out by RLS"), attempt, None)
        if op == "delete":
            query = sql.SQL("delete from {} where {}").format(target, where)
            attempt = self._act(actor, query, where_params, "DELETE", path)
            return (*attempt.decide("deleted", "0 rows: filtered out by RLS"), attempt, None)
        if op == "insert":
            values = spec.insert_row or spec.row
            if values is None:
                return "skipped", "nothing to insert: no row or insert_row", None, None
            cleared = self._as_admin(sql.SQL("delete from {} where {}").format(target, where), where_params)
            query, params = self._insert(table, values, owner, self._target_row(table, owner), returning=False)
            attempt = self._act(actor, query, params, "POST", path)
            actual, detail = attempt.decide("inserted", "no row inserted (a trigger returned null)")
            if actual == "error" and cleared:
                detail += f" (the owner's row could not be deleted first: {cleared})"
            return actual, detail, attempt, None
        columns = spec.update_columns or self._default_update_columns(table)
        if not columns:
            return "skipped", "nothing to update: no update_columns and no row", None, None
        assignments = sql.SQL(", ").join(sql.SQL("{0} = {0}").format(sql.Identifier(c)) for c in columns)
        query = sql.SQL("update {} set {} where {}").format(target, assignments, where)
        attempt = self._act(actor, query, where_params, "PATCH", path)
        actual, detail = attempt.decide("updated", "0 rows: filtered out by RLS")
        return actual, detail, attempt, None  # the re-parenting probes run later (table_cells)

    def _default_update_columns(self, table: TableDeclaration) -> list[str]:
        row = table.spec.row or {}
        literal = [c for c, v in row.items() if not any(find_references(t) for t in _value_texts(v))]
        return literal or list(row)

    def _reference_columns(self, table: TableDeclaration) -> dict[str, Any]:
        """Columns of the row whose values come from the owner (their user, rows or actors)."""
        owned: dict[str, Any] = {}
        for column, value in (table.spec.row or {}).items():
            refs = [self._resolve_ref(r) for t in _value_texts(value) for r in find_references(t)]
            if any(ref is not None and ref.root != "run" and ref.root not in self.shared_rows for ref in refs):
                owned[column] = value
        return owned

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
        savepoint (see :meth:`_reparent_targets` for the targets; ``made`` caches the extra owners,
        by description, for the caller's savepoint).
        """
        columns = self._reference_columns(table)
        if not columns:
            return None
        relation = self.relations[table.name]
        target = sql.Identifier(table.schema, table.table)
        leaks: list[str] = []
        for description, make in self._reparent_targets(actor):
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
                rendered = [(c, *self._value(relation.columns[c], v, other, None)) for c, v in columns.items()]
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
        delete those referencing rows (as the connecting role); True if that was the failure."""
        if attempt.sqlstate != "23503" or attempt.constraint is None:
            return False
        schema, referencing, constraint = attempt.constraint
        if (schema, referencing) == (table.schema, table.table):
            return False  # the row's own foreign key refused the new owner: a real stop, not a dependent
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
            (constraint, schema, referencing, table.schema, table.table),
        ).fetchone()
        if row is None or row[0] is None:
            return False
        columns, referenced = row
        query = sql.SQL("delete from {} where ({}) in (select {} from {} where {})").format(
            sql.Identifier(schema, referencing),
            sql.SQL(", ").join(sql.Identifier(c) for c in columns),
            sql.SQL(", ").join(sql.Identifier(c) for c in referenced),
            sql.Identifier(table.schema, table.table),
            where,
        )
        return self._as_admin(query, where_params) is None

    def function_cells(self) -> Iterator[CellResult]:
        owner = self.subjects["owner"]
        for function in self.decl.functions:
            _, display, _ = self.functions[function.key]
            if function.spec.call:
                query, params = self._snippet(function.spec.call, owner, None)
            else:
                schema, name = function.name.split(".", 1)
                query, params = sql.SQL("select {}()").format(sql.Identifier(schema, name)), []
            path = f"/rpc/{function.name.split('.', 1)[1]}"
            for actor in self.decl.actors:
                expected: Literal["allowed", "denied"] = "allowed" if actor in function.spec.allow else "denied"
                with self.conn.transaction(force_rollback=True):
                    attempt = self._act(actor, query, params, "POST", path)
                actual: Outcome = {"ran": "allowed", "refused": "denied", "error": "error"}[attempt.status]  # type: ignore[assignment]
                if actual == "error" and attempt.sqlstate in function.spec.denied_sqlstates:
                    actual = "denied"
                yield CellResult(
                    id=f"{function.cell_name}:{actor}:{EXECUTE}",
                    object=display,
                    kind="function",
                    actor=actor,
                    operation=EXECUTE,
                    expected=expected,
                    actual=actual,
                    ok=actual == expected,
                    detail=attempt.detail or "the call completed",
                    sqlstate=attempt.sqlstate,
                    rights=attempt.rights,
                    unreviewed=actor in function.spec.unreviewed,
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
    """

    status: Literal["ran", "refused", "error"]
    detail: str
    sqlstate: str | None
    rights: CellRights | None
    count: int = 0
    constraint: tuple[str, str, str] | None = None

    def decide(self, done: str, none: str) -> tuple[Outcome, str]:
        """(outcome, detail) of a table operation: rows affected means allowed, none or 42501 denied."""
        if self.status == "refused":
            return "denied", self.detail
        if self.status == "error":
            return "error", self.detail
        if self.count == 0:
            return "denied", none
        return "allowed", f"{self.count} row {done}" if self.count == 1 else f"{self.count} rows {done}"


_NOT_UPDATABLE = re.compile(r"^cannot (insert into|update|delete from) view ")
"""Postgres' message (SQLSTATE 55000) for a write through a view that is not automatically updatable."""

_MAX_DEPENDENTS = 5
"""How many tables of rows referencing a row the re-parenting probe clears before giving up."""


def _message(exc: psycopg.Error) -> str:
    diag = exc.diag
    text = diag.message_primary or str(exc).strip().splitlines()[0]
    return f"{text} [SQLSTATE {diag.sqlstate}]" if diag.sqlstate else text


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
) -> AccessReport:
    """Check the database at ``url`` against an access declaration.

    Args:
        url: a database migrated with the project's schema. Connect as the role that owns the
            tables (the migrating role: ``postgres``), which may create users and rows for the run.
        declaration: a :class:`Declaration`, or the path of an ``access.toml`` to load.
        project: the Supabase project, for ``[api] schemas`` (default: discovered from the cwd).
        exposed_schemas: schemas whose tables, views and functions must all be declared (default:
            :func:`khepri_db.doctor.run.resolve_exposed_schemas`: config.toml, ``pgrst.db_schemas``,
            else ``public``); Supabase-managed schemas are skipped as doctor skips them.

    Returns:
        The :class:`AccessReport`. Nothing is left in the database: the run is one transaction
        that is rolled back.

    Raises:
        AccessDeclarationError: the declaration is invalid, names tables or functions the database
            lacks, or a row factory fails (exit 2).
        ConnectionFailedError: the database cannot be reached.
        RoleSwitchError: a request context kept rights that bypass RLS (the API roles are
            misconfigured), so no cell could prove anything.
        UsageError: the URL is Supabase's transaction pooler, or the API roles do not exist.
    """
    started = time.perf_counter()
    decl = declaration if isinstance(declaration, Declaration) else load_declaration(declaration)
    project = project or Project.discover()
    require_session_connection(url, "verify-access")
    with connect(url) as conn:
        target = _require_api_roles(conn, url)
        exposed = resolve_exposed_schemas(conn, project, exposed_schemas)
        runner = _Runner(conn, decl)
        try:
            runner.load_catalog()
            undeclared = runner.undeclared(exposed.schemas)
            runner.setup()
            cells = [*runner.table_cells(), *runner.function_cells()]
        finally:
            conn.rollback()
    return AccessReport(
        access_file=str(decl.path),
        target=target.to_dict(),
        exposed_schemas=exposed,
        actors=list(decl.actors),
        cells=cells,
        undeclared=undeclared,
        duration_ms=(time.perf_counter() - started) * 1000,
    )


def matrix_rows(report: AccessReport) -> Iterable[tuple[str, str, dict[str, list[CellResult]]]]:
    """The report as matrix rows: ``(object, kind, {actor: cells in operation order})``."""
    seen: dict[str, tuple[str, dict[str, list[CellResult]]]] = {}
    for cell in report.cells:
        kind, by_actor = seen.setdefault(cell.object, (cell.kind, {a: [] for a in report.actors}))
        by_actor[cell.actor].append(cell)
    for name, (kind, by_actor) in seen.items():
        yield name, kind, by_actor
