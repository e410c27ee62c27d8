"""Facts doctor loads into temporary tables before its rules run.

Rules are SQL; what SQL cannot compute on its own is computed here and loaded into ``pg_temp``
tables that disappear with doctor's transaction (which is always rolled back). Each fact has a
name that rules list in their ``-- requires:`` header, so ``--only`` loads just what it needs:

* ``migrations``: ``pg_temp.khepri_migrations``, the local migrations compared with the history.
* ``functions``: from the bodies of SQL and PL/pgSQL functions (read with sqlparse's lexer, see
  :mod:`khepri_db.core.plpgsql`; caller-supplied ids: :mod:`khepri_db.doctor._identity`):
  ``pg_temp.khepri_functions``, ``pg_temp.khepri_function_statements`` (each embedded statement made
  standalone), ``pg_temp.khepri_upserts`` (``insert ... on conflict`` targets) and
  ``pg_temp.khepri_identity_arguments`` (the caller-supplied id parameters of SECURITY DEFINER
  functions, the only ones a rule reads: every named parameter, with ``named_like_identity`` and the
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

Loading a fact that needs Python is three steps, so that the server can run other rules while
Python works (see :func:`khepri_db.doctor.run.run_doctor`): read what the catalog holds
(:func:`read_functions`, :func:`read_migration_history`), compute the rows in Python alone, with no
query (:func:`analyse_functions`, :func:`compare_migrations`), write them (:func:`write_functions`,
:func:`write_migrations`, one ``COPY`` per table). ``load_functions`` and ``load_migrations`` do the
three in a row. What a function body says is kept between runs
(:class:`~khepri_db.doctor._cache.AnalysisCache`, in ``platformdirs.user_cache_dir("khepri-db")/doctor``;
:data:`~khepri_db.doctor._cache.CACHE_ENV` turns it off), under a digest of everything it is
computed from, so that only new or changed functions are read again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row

from khepri_db.core.plpgsql import Parameter, embedded_statements
from khepri_db.core.project import load_sql
from khepri_db.doctor._cache import AnalysisCache, Entry
from khepri_db.doctor._identity import HelperIndex, helper_index, identity_arguments
from khepri_db.doctor.upserts import find_upserts
from khepri_db.migrations.files import discover
from khepri_db.migrations.history import AppliedMigration, PartialRun, read_history, read_partial
from khepri_db.migrations.status import MigrationStatus, compare_kept

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
        identity_arguments: fill ``pg_temp.khepri_identity_arguments``; ``False`` (no rule that
            runs reads it) leaves it empty and spares the second reading of every definer's body.
    """

    migrations_dir: Path | None
    excluded_schemas: Sequence[str]
    identity_names: Sequence[str]
    plpgsql_check: bool = True
    identity_arguments: bool = True


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


History = tuple[list[AppliedMigration] | None, dict[str, PartialRun]]
"""What :func:`read_migration_history` reads: the history (``None`` without a history table) and
the partial runs."""


def read_migration_history(conn: psycopg.Connection) -> History:
    """The migration history and partial runs :func:`compare_migrations` compares the files with."""
    return read_history(conn), read_partial(conn)


def compare_migrations(directory: Path, history: History) -> MigrationStatus:
    """The local migrations compared with ``history`` (no query: files and Python only; unchanged
    files are not split again, see :class:`khepri_db.migrations.files.StatementDigests`)."""
    files, ignored = discover(directory)
    applied, partial = history
    return compare_kept(files, ignored, applied, directory, partial)


def write_migrations(conn: psycopg.Connection, status: MigrationStatus) -> None:
    """Fill ``pg_temp.khepri_migrations`` (version, name, state, file, detail)."""
    conn.execute(
        "create temporary table khepri_migrations "
        "(version text primary key, name text, state text not null, file text, detail text) on commit drop"
    )
    with conn.cursor() as cur, cur.copy("copy pg_temp.khepri_migrations from stdin") as copy:
        for e in status.entries:
            copy.write_row((e.version, e.name, e.state.value, e.path.name if e.path else None, e.detail))


def load_migrations(conn: psycopg.Connection, directory: Path) -> None:
    """Fill ``pg_temp.khepri_migrations`` (read, compare, write in a row)."""
    write_migrations(conn, compare_migrations(directory, read_migration_history(conn)))


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


@dataclass
class FunctionFacts:
    """The rows of the function tables (see the module docstring), as :func:`analyse_functions`
    computes them from the bodies and :func:`write_functions` copies them.

    Attributes:
        read: how many functions were read.
    """

    read: int = 0
    functions: list[tuple[Any, ...]] = field(default_factory=list)
    statements: list[tuple[Any, ...]] = field(default_factory=list)
    upserts: list[tuple[Any, ...]] = field(default_factory=list)
    identity_arguments: list[tuple[Any, ...]] = field(default_factory=list)


def read_functions(conn: psycopg.Connection, settings: FactsSettings) -> list[dict[str, Any]]:
    """Every SQL and PL/pgSQL function outside the excluded schemas, with what
    :func:`analyse_functions` needs (``sql/doctor/facts/functions.sql``)."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            load_sql("doctor", "facts", "functions.sql"), {"excluded_schemas": list(settings.excluded_schemas)}
        ).fetchall()


def analyse_functions(
    functions: Sequence[Mapping[str, Any]],
    settings: FactsSettings,
    default_search_path: list[str],
    cache: AnalysisCache | None = None,
) -> FunctionFacts:
    """Read the bodies of ``functions`` (:func:`read_functions`' rows) and compute the rows of the
    function tables. Pure Python: it sends no query, so the server can run rules meanwhile. With a
    ``cache``, a function whose inputs it holds is not read again (see :class:`AnalysisCache`)."""
    identity_fns: set[tuple[str, str]] = set()
    authorization_fns: set[tuple[str, str]] = set()
    for fn in functions:
        body = fn["sqlbody"] if fn["atomic"] else fn["body"]
        if body and _reads_identity(body) and fn["nspname"] != "auth":
            identity_fns.add((fn["nspname"], fn["proname"]))
            if fn["returns_boolean"]:
                authorization_fns.add((fn["nspname"], fn["proname"]))
    identity_index, authorization_index = helper_index(identity_fns), helper_index(authorization_fns)
    # what every function's result depends on besides its own row
    context = (
        default_search_path, list(settings.identity_names), settings.identity_arguments,
        sorted(identity_fns), sorted(authorization_fns),
    )  # fmt: skip
    found = FunctionFacts(read=len(functions))
    for fn in functions:
        key = cache.key(fn, context) if cache is not None else ""
        entry = cache.get(key) if cache is not None else None
        if entry is None:
            entry = _analyse_function(fn, settings, default_search_path, identity_index, authorization_index)
            if cache is not None:
                cache.put(key, entry)
        function_row, statements, upserts, identity = entry
        oid = fn["oid"]  # every row starts with the function's oid, which the cache does not keep
        if function_row is not None:
            found.functions.append((oid, *function_row))
        found.statements.extend((oid, *row) for row in statements)
        found.upserts.extend((oid, *row) for row in upserts)
        found.identity_arguments.extend((oid, *row) for row in identity)
    return found


def _analyse_function(
    fn: Mapping[str, Any],
    settings: FactsSettings,
    default_search_path: list[str],
    identity_index: HelperIndex,
    authorization_index: HelperIndex,
) -> Entry:
    path = _search_path_of(fn["search_path"], default_search_path)
    path_setting = ", ".join('"' + s.replace('"', '""') + '"' for s in path)
    params = _parameters(fn)
    language = fn["lanname"]
    upsert_rows: list[tuple[Any, ...]] = []
    if fn["atomic"]:
        # BEGIN ATOMIC bodies are parsed at creation and their dependencies are tracked: only
        # their upserts matter here (they cannot reference missing objects).
        for u in find_upserts(fn["sqlbody"] or ""):
            upsert_rows.append(
                (fn["nspname"], fn["proname"], fn["args"], u.table_schema, u.table_name, list(u.columns), u.plain,
                 u.predicate, u.constraint, u.line, path, None)
            )  # fmt: skip
        return None, [], upsert_rows, []
    body = fn["body"] or ""
    analysis = embedded_statements(
        body, language, [p for p in params if p.position > 0 or language == "plpgsql"],
        function_name=fn["proname"], is_trigger=fn["is_trigger"],
    )  # fmt: skip
    function_row = (
        fn["nspname"], fn["proname"], fn["args"], language, sorted(analysis.variables),
        sorted(analysis.local_relations), path,
    )  # fmt: skip
    statement_rows: list[tuple[Any, ...]] = []
    for number, statement in enumerate(analysis.statements, start=1):
        statement_rows.append(
            (number, statement.line, statement.kind, statement.plannable, statement.raw, path_setting,
             statement.every_call)
        )  # fmt: skip
        if statement.kind != "query":
            continue
        for u in find_upserts(statement.raw):
            upsert_rows.append(
                (fn["nspname"], fn["proname"], fn["args"], u.table_schema, u.table_name, list(u.columns), u.plain,
                 u.predicate, u.constraint, statement.line + u.line - 1, path, number)
            )  # fmt: skip
    identity_rows: list[tuple[Any, ...]] = []
    if settings.identity_arguments and fn["security_definer"]:
        # (the rule reading identity arguments reports SECURITY DEFINER functions only)
        for arg in identity_arguments(
            body, language, [p for p in params if p.position > 0], settings.identity_names,
            identity_functions=identity_index, authorization_functions=authorization_index,
            function_name=fn["proname"], watch_all=True,
        ):  # fmt: skip
            identity_rows.append(
                (arg.name, arg.position, arg.used_in_query, arg.checked, arg.line, arg.named_like_identity,
                 list(arg.columns))
            )  # fmt: skip
    return function_row, statement_rows, upsert_rows, identity_rows


def write_functions(conn: psycopg.Connection, found: FunctionFacts) -> None:
    """Create the function tables and fill them with ``found`` (one ``COPY`` per table: far cheaper
    than a statement per row)."""
    conn.execute(load_sql("doctor", "facts", "function_tables.sql"))
    with conn.cursor() as cur:
        for table, rows in (
            ("khepri_functions", found.functions),
            ("khepri_function_statements", found.statements),
            ("khepri_upserts", found.upserts),
            ("khepri_identity_arguments", found.identity_arguments),
        ):
            with cur.copy(f"copy pg_temp.{table} from stdin") as copy:
                for values in rows:
                    copy.write_row(values)


def load_functions(conn: psycopg.Connection, settings: FactsSettings, default_search_path: list[str]) -> int:
    """Read every SQL and PL/pgSQL function body outside Supabase's schemas and fill the
    function tables (see the module docstring): read, analyse, write in a row. Returns the number
    of functions read."""
    found = analyse_functions(read_functions(conn, settings), settings, default_search_path)
    write_functions(conn, found)
    return found.read


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
