"""``khepri-db access export --pgtap``: the verified access matrix as a pgTAP file for the Supabase workflow.

The file is written from a real :func:`khepri_db.access.probe.verify_access`-style run on the
target database (one transaction, rolled back): the same users and rows, the same request
settings, the same statements. What it records becomes plain SQL and pgTAP, so the file runs
unchanged under ``supabase test db`` and pg_prove (and ``khepri-db test db``):

* the users, as the run made them (``insert into auth.users``/``auth.identities``, literal ids);
* every row the declaration's factories made, as an explicit insert of the row the run got back
  (every column but generated ones, ``overriding system value``), so ids the database chose then
  are the ids the file's statements use now;
* per cell, a ``do`` block that, in a subtransaction it rolls back, makes the request's settings
  as PostgREST makes them (role, ``request.jwt.claims``, ``request.method``, ``request.path``, ...)
  and runs the cell's statement (the same ``select``/``insert``/``update``/``delete`` or RPC call
  the run made), keeping its SQLSTATE and row count; then one pgTAP assertion: rows seen or
  changed when allowed, none (or 42501, as the run saw it) when denied, the call completing or
  failing with the SQLSTATE the run saw for functions.

Only a matrix that verifies is exported (every cell as declared); the leak probes of allowed
updates stay with ``verify-access`` (they need extra owners made on the fly). A weakened policy
makes a cell's assertion fail, so the file guards the matrix wherever a team runs its pgTAP suite.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import psycopg
from psycopg import ClientCursor, sql
from psycopg.types.json import Json, Jsonb

from khepri_db.access import session as _session
from khepri_db.access._attempts import Attempt
from khepri_db.access._runner import Runner
from khepri_db.access.declaration import EXECUTE, OPERATIONS, Declaration, load_declaration
from khepri_db.access.probe import require_api_roles
from khepri_db.core.db import connect
from khepri_db.core.errors import KhepriError
from khepri_db.core.project import Project

CLAIMS_TTL_S = 10 * 365 * 24 * 3600
"""Lifetime of the users' access-token claims in the file (``exp - iat``): far enough that a file
kept in a repository does not carry expired tokens (nothing checks ``exp`` in SQL, but a policy could)."""

TAG = "$khepri$"
"""Dollar-quote tag around each cell's block (never used by the statements themselves)."""


DIGEST_PREFIX = "declaration sha256: "
"""How the file's second line records the sha256 of the declaration it was written from."""


class MatrixNotVerifiedError(KhepriError):
    """The declaration does not hold on the database: a file from it would assert what is false."""


@dataclass
class _Cell:
    """One recorded cell: the admin statements before it, the request, the statement and what it did."""

    name: str
    actor: str
    method: str = "POST"
    path: str = "/"
    admin: list[str] = field(default_factory=list)
    statement: str = ""
    rows: bool = False
    kind: Literal["table", "function"] = "table"
    expected: Literal["allowed", "denied"] = "denied"
    attempt: Attempt | None = None
    denied_states: frozenset[str] = frozenset({"42501"})


class _Recorder:
    """Wraps a runner's ``_act`` and ``_admin_try`` to keep what each cell ran, as literal SQL.

    A cell keeps its last request (a delete probe asks again after clearing the rows that reference
    its target) and every statement of the connecting role that succeeded before it (failed ones
    were undone, so replaying them would only fail the block).
    """

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.cell: _Cell | None = None
        self.mogrifier = ClientCursor(runner.conn)
        act, admin = runner._act, runner._admin_try

        def recording_act(actor: str, query: sql.Composable | str, params: Sequence[Any], method: str, path: str,
                          *, rows: bool = False) -> Attempt:  # fmt: skip
            attempt = act(actor, query, params, method, path, rows=rows)
            if self.cell is not None:
                self.cell.method, self.cell.path, self.cell.rows = method, path, rows
                self.cell.statement = self.literal(query, params)
                self.cell.attempt = attempt
            return attempt

        def recording_admin(query: sql.Composable, params: Sequence[Any]) -> psycopg.Error | None:
            error = admin(query, params)
            if self.cell is not None and error is None:
                self.cell.admin.append(self.literal(query, params))
            return error

        runner._act = recording_act  # type: ignore[method-assign]
        runner._admin_try = recording_admin  # type: ignore[method-assign]

    def literal(self, query: sql.Composable | str, params: Sequence[Any]) -> str:
        """``query`` with ``params`` inlined as SQL literals (psycopg's own quoting); a ``str`` is a
        statement the runner already rendered so (:meth:`Runner._rendered`), kept as it is."""
        if isinstance(query, str):
            return query
        return self.mogrifier.mogrify(query, [_adapt(p) for p in params])


def _adapt(value: Any) -> Any:
    if isinstance(value, dict):
        return Jsonb(value)
    return value


def export_pgtap(
    url: str,
    declaration: Declaration | Path,
    *,
    project: Project | None = None,
) -> str:
    """Run the access matrix on ``url`` (rolled back) and return it as the text of a pgTAP file.

    Args:
        url: a migrated database, as the role that owns the tables (the migrating role).
        declaration: a :class:`Declaration` or the path of an ``access.toml``.
        project: the Supabase project (for messages; default discovered from the cwd).

    Returns:
        The file's text: ``begin; select plan(N); ... select finish(); rollback;``.

    Raises:
        MatrixNotVerifiedError: a cell is not as declared (run ``khepri-db verify-access``).
        AccessDeclarationError: the declaration is invalid or a row factory fails.
        ConnectionFailedError, UsageError, RoleSwitchError: as for ``verify-access``.
    """
    declared = declaration if isinstance(declaration, Declaration) else load_declaration(declaration)
    _ = project or Project.discover()
    # Storage buckets are left out (said in the file): their requests are Storage's, not PostgREST's,
    # and their objects are made by a cursor the recording below does not see; verify-access covers them.
    decl = dataclasses.replace(declared, storage=())
    with connect(url) as conn:
        require_api_roles(conn, url)
        runner = Runner(conn, decl)
        try:
            runner.load_catalog()
            setup, rows = _record_setup(conn, runner)
            recorder = _Recorder(runner)
            cells = _record_cells(runner, recorder)
            requests = {actor: _request_settings(conn, runner, actor) for actor in decl.actors}
            row_sql = [_explicit_insert(conn, recorder, table, row) for table, row in rows]
        finally:
            conn.rollback()
    failing = [c.name for c in cells if not _holds(c)]
    if failing:
        raise MatrixNotVerifiedError(
            f"{decl.path}: {len(failing)} cell(s) are not as declared ({', '.join(failing[:5])}"
            f"{', ...' if len(failing) > 5 else ''}); a pgTAP file would assert what is false",
            hint="run `khepri-db verify-access` and fix the declaration or the policies first",
        )
    return _render(decl, setup, row_sql, cells, requests, skipped_buckets=[b.name for b in declared.storage])


def _record_setup(conn: psycopg.Connection, runner: Runner) -> tuple[list[str], list[tuple[str, dict[str, Any]]]]:
    """Make the run's users and rows; return the users' statements (literal SQL) and the rows made."""
    made: list[tuple[str, dict[str, Any]]] = []
    statements: list[str] = []
    fixtures = runner.fixtures
    make_row = fixtures.make_row
    mogrifier = ClientCursor(conn)
    capturing = {"on": True}

    def recording_make_row(table: Any, subject: Any, label: str) -> dict[str, Any]:
        capturing["on"] = False
        try:
            created = make_row(table, subject, label)
        finally:
            capturing["on"] = True
        made.append((f"{table.schema}.{table.table}", created))
        return created

    fixtures.make_row = recording_make_row  # type: ignore[method-assign]
    original_execute = conn.execute

    def recording_execute(query: Any, params: Any = None, **kwargs: Any) -> Any:
        text = query if isinstance(query, str) else query.as_string(conn)
        if capturing["on"] and text.lstrip().lower().startswith("insert into"):
            statements.append(mogrifier.mogrify(query, [_adapt(p) for p in params or []]))
        return original_execute(query, params, **kwargs)

    conn.execute = recording_execute  # type: ignore[method-assign]
    try:
        runner.setup()
    finally:
        conn.execute = original_execute  # type: ignore[method-assign]
        fixtures.make_row = make_row  # type: ignore[method-assign]
    return statements, made


def _record_cells(runner: Runner, recorder: _Recorder) -> list[_Cell]:
    cells: list[_Cell] = []
    decl = runner.decl
    for table in decl.tables:
        if table.spec.unbuildable is not None:
            continue  # no row, nothing probed: every cell undecided
        for actor in decl.actors:
            allowed = table.allowed.get(actor, frozenset())
            for op in OPERATIONS:
                if decl.undecided_reason(table.spec, actor, op) is not None:
                    continue  # undecided: the file asserts only what the declaration decides
                cell = _Cell(f"{table.name}:{actor}:{op}", actor, expected="allowed" if op in allowed else "denied")
                recorder.cell = cell
                with runner.conn.transaction(force_rollback=True):
                    runner._table_cell(table, actor, op)
                recorder.cell = None
                cells.append(cell)
    owner = runner.fixtures.subjects["owner"]
    for function in decl.functions:
        if function.spec.call:
            query, params = runner.fixtures.snippet(function.spec.call, owner, None)
        else:
            schema, name = function.name.split(".", 1)
            query, params = sql.SQL("select {}()").format(sql.Identifier(schema, name)), []
        for actor in decl.actors:
            if decl.undecided_reason(function.spec, actor, EXECUTE) is not None:
                continue
            expected: Literal["allowed", "denied"] = "allowed" if actor in function.spec.allow else "denied"
            cell = _Cell(
                f"{function.cell_name}:{actor}:{EXECUTE}", actor, kind="function", expected=expected,
                denied_states=frozenset({"42501", *function.spec.denied_sqlstates}),
            )  # fmt: skip
            recorder.cell = cell
            with runner.conn.transaction(force_rollback=True):
                oid = runner.objects.functions[function.key][0]
                if runner._has_needs(oid):  # the rows its body looks up, made as verify-access makes them: recorded
                    runner._arrange(oid, [runner._mogrifier.mogrify(query, params)])
                runner._act(actor, query, params, "POST", f"/rpc/{function.name.split('.', 1)[1]}")
            recorder.cell = None
            cells.append(cell)
    return cells


def _holds(cell: _Cell) -> bool:
    """Whether the run saw what the declaration says (a skipped cell holds when declared denied)."""
    attempt = cell.attempt
    if attempt is None:
        return cell.expected == "denied"
    if cell.kind == "function":
        if attempt.status == "ran":
            return cell.expected == "allowed"
        return cell.expected == "denied" and attempt.sqlstate in cell.denied_states
    if attempt.status == "ran":
        return (attempt.count > 0) == (cell.expected == "allowed")
    return attempt.status == "refused" and cell.expected == "denied"


def _request_settings(conn: psycopg.Connection, runner: Runner, actor: str) -> list[tuple[str, str]]:
    """The settings of ``actor``'s requests, as the run made them (:func:`khepri_db.access.session.
    request_settings`; long-lived claims); ``request.method`` and ``request.path`` are set per cell."""
    fixtures = runner.fixtures
    owner = fixtures.subjects["owner"]
    if actor in ("anon", "service_role"):
        role, claims = actor, _session.api_key_claims(actor)
    elif actor == "owner":
        role, claims = "authenticated", _session.user_claims(owner.user, ttl_s=CLAIMS_TTL_S)
    elif actor == "other":
        role, claims = "authenticated", _session.user_claims(fixtures.subjects["other"].user, ttl_s=CLAIMS_TTL_S)
    else:
        spec = runner.decl.custom_actors[actor]
        role = "authenticated"
        claims = _session.user_claims(owner.actor_users[actor], ttl_s=CLAIMS_TTL_S, extra=spec.claims or None)
    return _session.request_settings(conn, role, claims)


def _explicit_insert(conn: psycopg.Connection, recorder: _Recorder, table: str, row: dict[str, Any]) -> str:
    """An insert of ``row`` as the run made it: every column but generated ones, literal values."""
    schema, name = table.split(".", 1)
    columns = conn.execute(
        """
        select a.attname, format_type(a.atttypid, a.atttypmod), a.attidentity <> ''
        from pg_catalog.pg_attribute as a
        where a.attrelid = to_regclass(format('%%I.%%I', %s::text, %s::text))
            and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
        order by a.attnum
        """,
        (schema, name),
    ).fetchall()
    present = [(c, t, identity) for c, t, identity in columns if c in row]
    values = []
    for column, type_name, _ in present:
        value = row[column]
        if isinstance(value, (dict, list)) and type_name in ("jsonb", "json"):
            value = Jsonb(value) if type_name == "jsonb" else Json(value)
        values.append(value)
    query = sql.SQL("insert into {} ({}){} values ({})").format(
        sql.Identifier(schema, name),
        sql.SQL(", ").join(sql.Identifier(c) for c, _, _ in present),
        sql.SQL(" overriding system value") if any(identity for _, _, identity in present) else sql.SQL(""),
        sql.SQL(", ").join(sql.SQL("%s") for _ in present),
    )
    return recorder.mogrifier.mogrify(query, values)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


UNDO = "KH001"
"""SQLSTATE a cell's block raises to roll its own work back (a subtransaction), results kept."""


def _cell_block(cell: _Cell, settings: list[tuple[str, str]]) -> str:
    """A ``do`` block that runs one cell in a subtransaction and undoes it, keeping what happened.

    The block deletes what the cell's probe needs out of the way (as the connecting role), makes
    the request's settings, runs the statement with ``execute``, then raises to roll all of it back
    (pgTAP's own results, kept outside the block, stay). It leaves the SQLSTATE (empty when the
    statement ran) and the rows it returned or changed in two transaction-local settings.
    """
    per_cell = {"request.method": cell.method, "request.path": cell.path}
    lines = [
        f"do {TAG}",
        "declare",
        "    affected bigint := 0;",
        "    failed text := '';",
        "begin",
        "    begin",
        *(f"        execute {_QTAG}{a}{_QTAG};" for a in cell.admin),
        *(
            f"        perform pg_catalog.set_config({_quote(name)}, {_quote(per_cell.get(name, value))}, true);"
            for name, value in settings
        ),
        f"        execute {_QTAG}{cell.statement}{_QTAG};",
        "        get diagnostics affected = row_count;",
        f"        raise exception using errcode = {_quote(UNDO)};",
        "    exception",
        f"        when sqlstate {_quote(UNDO)} then null;",
        "        when others then failed := sqlstate;",
        "    end;",
        "    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);",
        "    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);",
        f"end {TAG};",
    ]
    return "\n".join(lines)


_QTAG = "$cell$"
"""Dollar-quote tag around a cell's statements inside its block."""


def _assertion(cell: _Cell) -> str:
    """The pgTAP call that checks what the cell's block left (see :func:`_cell_block`)."""
    attempt = cell.attempt
    description = _quote(f"{cell.name.replace(':', ' ')}: {cell.expected}")
    state = "pg_catalog.current_setting('khepri.cell_sqlstate')"
    rows = "pg_catalog.current_setting('khepri.cell_rows')::bigint"
    if cell.kind == "function":
        if cell.expected == "allowed":
            return f"select is({state}, '', {description});"
        wanted = attempt.sqlstate if attempt is not None and attempt.sqlstate else "42501"
        return f"select is({state}, {_quote(wanted)}, {description});"
    if attempt is not None and attempt.status == "refused":
        return f"select is({state}, {_quote(attempt.sqlstate or '42501')}, {description});"
    if cell.expected == "allowed":
        return f"select ok({state} = '' and {rows} > 0, {description});"
    return f"select is({state} || ' ' || {rows}, ' 0', {description});"


def _render(
    decl: Declaration,
    setup: list[str],
    rows: list[str],
    cells: list[_Cell],
    requests: dict[str, list[tuple[str, str]]],
    *,
    skipped_buckets: Sequence[str] = (),
) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    digest = hashlib.sha256(decl.path.read_bytes()).hexdigest() if decl.path.is_file() else "unknown"
    lines = [
        f"-- The access matrix of {decl.path.name}, as pgTAP: written by `khepri-db access export --pgtap` on {stamp}",
        f"-- {DIGEST_PREFIX}{digest}",
        "-- from a verified run (every cell held). Each cell runs as PostgREST would make the request, in a",
        "-- subtransaction its block rolls back; the whole file is rolled back. Regenerate it after changing",
        "-- the declaration; a weakened policy fails the cells it opens. The leak probes stay with verify-access.",
        *(
            [
                f"-- Not exported: the Storage cells of {', '.join(skipped_buckets)} (requests made by Supabase "
                "Storage, not PostgREST); `khepri-db verify-access` probes them."
            ]
            if skipped_buckets
            else []
        ),
        "begin;",
        f"select plan({len(cells)});",
        "",
        "-- the users and rows of the run",
        *(f"{s};" for s in setup),
        *(f"{r};" for r in rows),
        "",
    ]
    for cell in cells:
        lines.append(f"-- {cell.name} ({cell.expected})")
        if not cell.statement:  # nothing to probe (insert on a view without a row): denied by construction
            lines += [f"select pass({_quote(cell.name.replace(':', ' ') + ': nothing to probe')});", ""]
            continue
        lines.append(_cell_block(cell, requests[cell.actor]))
        lines.append(_assertion(cell))
        lines.append("")
    lines += ["select finish();", "rollback;", ""]
    return "\n".join(lines)
