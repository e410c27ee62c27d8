"""Facts doctor loads into temporary tables before its rules run.

Rules are SQL; what SQL cannot compute on its own is computed here and loaded into ``pg_temp``
tables that disappear with doctor's transaction (which is always rolled back). Each fact has a
name that rules list in their ``-- requires:`` header, so ``--only`` loads just what it needs:

* ``migrations``: ``pg_temp.khepri_migrations``, the local migrations compared with the history.
* ``functions``: from the bodies of SQL and PL/pgSQL functions (read with sqlparse's lexer, see
  :mod:`khepri_db.doctor._plpgsql`): ``pg_temp.khepri_functions``, ``pg_temp.khepri_function_statements``
  (each embedded statement made standalone), ``pg_temp.khepri_upserts`` (``insert ... on
  conflict`` targets) and ``pg_temp.khepri_identity_arguments`` (caller-supplied id parameters;
  every named parameter of a SECURITY DEFINER function, with ``named_like_identity`` and the
  ``columns`` it selects or writes rows by). A statement's ``every_call`` says every call of its
  function runs it (outside branches, loops and exception handlers, after no ``RETURN``).
* ``plans``: ``pg_temp.khepri_statement_plans``, what Postgres says when it *plans* (``EXPLAIN``,
  never executes) each embedded statement: the error (sqlstate, message) or the JSON plan; and,
  when the server has the ``plpgsql_check`` extension (as ``supabase db lint`` uses it),
  ``pg_temp.khepri_plpgsql_check`` with its errors.
* ``policies``: ``pg_temp.khepri_policies`` (policy_oid, qual, with_check): every policy's USING
  and WITH CHECK expressions as ``pg_get_expr`` deparses them while the rules run (with an empty
  search_path, so names are schema-qualified), deparsed once per run for the rules that read them.
* ``helpers``: ``pg_temp`` functions rules call: ``khepri_plan_error(statement, search_path)``,
  ``khepri_folds_to_true(expression, relation)``, ``khepri_scan_plan(expression, relation)``,
  ``khepri_public_buckets()`` and
  ``khepri_bucket_policy_allows(expression, bucket_id)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.rows import dict_row

from khepri_db.core.project import load_sql
from khepri_db.core.sqltext import find_upserts
from khepri_db.doctor._plpgsql import Parameter, embedded_statements, identity_arguments
from khepri_db.migrations.status import migration_status

FACT_NAMES = ("migrations", "functions", "plans", "helpers", "policies")
"""Facts a rule may list in its ``-- requires:`` header."""


@dataclass(frozen=True)
class FactsSettings:
    """What the fact loaders need to know.

    Attributes:
        migrations_dir: the local migrations compared with the history (``None``: none, no project).
        excluded_schemas: schemas whose functions are not read (Supabase's own).
        identity_names: normalised parameter names that carry a user/tenant id.
        plpgsql_check: ``True`` use the extension when the server has it, ``False`` never.
    """

    migrations_dir: Path | None
    excluded_schemas: Sequence[str]
    identity_names: Sequence[str]
    plpgsql_check: bool = True


@dataclass
class FactsResult:
    """What loading the facts found out.

    Attributes:
        plpgsql_check: the ``plpgsql_check`` extension checked PL/pgSQL bodies.
        functions: how many function bodies were read.
        statements: how many embedded statements were planned.
    """

    plpgsql_check: bool = False
    functions: int = 0
    statements: int = 0


def load_migrations(conn: psycopg.Connection, directory: Path) -> None:
    """Fill ``pg_temp.khepri_migrations`` (version, name, state, file, detail)."""
    status = migration_status(conn, directory)
    conn.execute(
        "create temporary table khepri_migrations "
        "(version text primary key, name text, state text not null, file text, detail text) on commit drop"
    )
    with conn.cursor() as cur:
        cur.executemany(
            "insert into pg_temp.khepri_migrations values (%s, %s, %s, %s, %s)",
            [(e.version, e.name, e.state.value, e.path.name if e.path else None, e.detail) for e in status.entries],
        )


def _search_path_of(config: str | None, default: list[str]) -> list[str]:
    """Schemas named by a function's ``search_path=...`` setting (``$user``/``pg_temp`` dropped)."""
    if config is None:
        return default
    value = config.split("=", 1)[1]
    names = [part.strip().strip('"') for part in value.split(",")]
    return [n for n in names if n and n not in {"$user", "pg_temp"}]


_IDENTITY_BODY_MARKERS = ("auth.uid(", "auth.jwt(", "request.jwt.claim")


def _parameters(fn: dict) -> list[Parameter]:
    """The parameters a body can read: IN, INOUT and VARIADIC (and OUT, as variables)."""
    names, modes, types = list(fn["arg_names"]), list(fn["arg_modes"]), list(fn["arg_types"])
    params: list[Parameter] = []
    position = 0
    for index, type_name in enumerate(types):
        mode = modes[index] if index < len(modes) else "i"
        name = names[index] if index < len(names) and names[index] else None
        if mode in ("i", "b", "v"):
            position += 1
            params.append(Parameter(name, position, type_name))
        elif mode in ("o", "t") and name:
            params.append(Parameter(name, 0, type_name))  # OUT: a variable, not a $n
    return params


def _reads_identity(body: str) -> bool:
    lowered = "".join(body.lower().split())
    return any(marker in lowered for marker in _IDENTITY_BODY_MARKERS)


def load_functions(conn: psycopg.Connection, settings: FactsSettings, default_search_path: list[str]) -> int:
    """Read every SQL and PL/pgSQL function body outside Supabase's schemas and fill the
    function tables (see the module docstring). Returns the number of functions read."""
    conn.execute(load_sql("doctor", "facts", "function_tables.sql"))
    with conn.cursor(row_factory=dict_row) as cur:
        functions = cur.execute(
            load_sql("doctor", "facts", "functions.sql"), {"excluded_schemas": list(settings.excluded_schemas)}
        ).fetchall()
    identity_fns: set[tuple[str, str]] = set()
    authorization_fns: set[tuple[str, str]] = set()
    for fn in functions:
        body = fn["sqlbody"] if fn["atomic"] else fn["body"]
        if body and _reads_identity(body) and fn["nspname"] != "auth":
            identity_fns.add((fn["nspname"], fn["proname"]))
            if fn["returns_boolean"]:
                authorization_fns.add((fn["nspname"], fn["proname"]))
    function_rows, statement_rows, upsert_rows, identity_rows = [], [], [], []
    for fn in functions:
        path = _search_path_of(fn["search_path"], default_search_path)
        path_setting = ", ".join('"' + s.replace('"', '""') + '"' for s in path)
        params = _parameters(fn)
        language = fn["lanname"]
        if fn["atomic"]:
            # BEGIN ATOMIC bodies are parsed at creation and their dependencies are tracked: only
            # their upserts matter here (they cannot reference missing objects).
            for u in find_upserts(fn["sqlbody"] or ""):
                upsert_rows.append(
                    (fn["oid"], fn["nspname"], fn["proname"], fn["args"], u.table_schema, u.table_name,
                     list(u.columns), u.plain, u.predicate, u.constraint, u.line, path, None)
                )  # fmt: skip
            continue
        body = fn["body"] or ""
        analysis = embedded_statements(
            body, language, [p for p in params if p.position > 0 or language == "plpgsql"],
            function_name=fn["proname"], is_trigger=fn["is_trigger"],
        )  # fmt: skip
        function_rows.append(
            (fn["oid"], fn["nspname"], fn["proname"], fn["args"], language, sorted(analysis.variables),
             sorted(analysis.local_relations), path)
        )  # fmt: skip
        for number, statement in enumerate(analysis.statements, start=1):
            statement_rows.append(
                (fn["oid"], number, statement.line, statement.kind, statement.plannable, statement.raw, path_setting,
                 statement.every_call)
            )  # fmt: skip
            if statement.kind != "query":
                continue
            for u in find_upserts(statement.raw):
                upsert_rows.append(
                    (fn["oid"], fn["nspname"], fn["proname"], fn["args"], u.table_schema, u.table_name,
                     list(u.columns), u.plain, u.predicate, u.constraint, statement.line + u.line - 1, path, number)
                )  # fmt: skip
        for arg in identity_arguments(
            body, language, [p for p in params if p.position > 0], settings.identity_names,
            identity_functions=identity_fns, authorization_functions=authorization_fns, function_name=fn["proname"],
            watch_all=fn["security_definer"],
        ):  # fmt: skip
            identity_rows.append(
                (fn["oid"], arg.name, arg.position, arg.used_in_query, arg.checked, arg.line, arg.named_like_identity,
                 list(arg.columns))
            )  # fmt: skip
    with conn.cursor() as cur:  # COPY: one stream per table, far cheaper than a statement per row
        for table, rows in (
            ("khepri_functions", function_rows),
            ("khepri_function_statements", statement_rows),
            ("khepri_upserts", upsert_rows),
            ("khepri_identity_arguments", identity_rows),
        ):
            with cur.copy(f"copy pg_temp.{table} from stdin") as copy:
                for values in rows:
                    copy.write_row(values)
    return len(functions)


def load_policies(conn: psycopg.Connection) -> None:
    """Fill ``pg_temp.khepri_policies`` (see the module docstring). Call it with the search_path the
    rules run with (empty): ``pg_get_expr`` qualifies names by it."""
    conn.execute(
        "create temporary table khepri_policies (policy_oid oid primary key, qual text, with_check text) on commit drop"
    )
    conn.execute(
        "insert into pg_temp.khepri_policies "
        "select p.oid, pg_catalog.pg_get_expr(p.polqual, p.polrelid), "
        "pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) from pg_catalog.pg_policy as p"
    )


def load_helpers(conn: psycopg.Connection) -> None:
    """Create the ``pg_temp`` helper functions rules call (see the module docstring)."""
    conn.execute(load_sql("doctor", "facts", "helpers.sql"))


def load_plans(conn: psycopg.Connection, settings: FactsSettings) -> tuple[int, bool]:
    """Plan every embedded statement (``pg_temp.khepri_statement_plans``) and, when possible, run
    ``plpgsql_check`` on every PL/pgSQL function (``pg_temp.khepri_plpgsql_check``).

    Returns:
        ``(statements planned, whether plpgsql_check ran)``.
    """
    conn.execute(
        """
        create temporary table khepri_statement_plans on commit drop as
        with planned as materialized (
            -- each distinct (statement, search_path) once: generated or copied functions repeat
            -- statements, and planning the same text with the same path says the same
            select d.statement, d.search_path, e.error_state, e.error_message, e.plan
            from (select distinct statement, search_path from pg_temp.khepri_function_statements) as d
            cross join lateral pg_temp.khepri_plan_error(d.statement, d.search_path) as e
        )
        select s.function_oid, s.statement_no, p.error_state as sqlstate, p.error_message as message, p.plan
        from pg_temp.khepri_function_statements as s
        inner join planned as p on s.statement = p.statement and s.search_path = p.search_path
        """
    )
    row = conn.execute("select count(*) from pg_temp.khepri_statement_plans").fetchone()
    planned = int(row[0]) if row else 0
    used_checker = False
    schema = _enable_plpgsql_check(conn) if settings.plpgsql_check else None
    if schema is not None:
        conn.execute(load_sql("doctor", "facts", "plpgsql_check.sql").replace("khepri_plpgsql_check_schema", schema))
        used_checker = True
    else:
        conn.execute(
            "create temporary table khepri_plpgsql_check "
            "(function_oid oid, lineno integer, sqlstate text, message text, level text) on commit drop"
        )
    return planned, used_checker


CHECKER_SCHEMA = "khepri_doctor_check"
"""Schema doctor creates ``plpgsql_check`` in (inside its rolled-back transaction), so that no rule
mistakes it for one of the project's extensions (e.g. ``extension_in_public``)."""


def _enable_plpgsql_check(conn: psycopg.Connection) -> str | None:
    """Make ``plpgsql_check`` usable inside doctor's (rolled back) transaction, as ``supabase db
    lint`` does, and return the quoted schema of its functions; ``None`` when the server does not
    ship it or the role may not create it."""
    row = conn.execute(
        "select (select quote_ident(n.nspname) from pg_catalog.pg_extension as e "
        "join pg_catalog.pg_namespace as n on n.oid = e.extnamespace where e.extname = 'plpgsql_check'), "
        "exists (select 1 from pg_catalog.pg_available_extensions where name = 'plpgsql_check')"
    ).fetchone()
    if row is None or not row[1]:
        return None
    if row[0] is not None:
        return str(row[0])
    try:
        with conn.transaction():
            conn.execute(f"create schema {CHECKER_SCHEMA}")
            conn.execute(f"create extension plpgsql_check with schema {CHECKER_SCHEMA}")
    except psycopg.Error:
        return None
    return CHECKER_SCHEMA


def required_facts(requirements: Iterable[Iterable[str]]) -> set[str]:
    """The union of the rules' requirements, with dependencies added (``plans`` needs
    ``functions`` and ``helpers``)."""
    needed = {name for names in requirements for name in names}
    if "plans" in needed:
        needed |= {"functions", "helpers"}
    return needed
