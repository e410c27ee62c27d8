"""``khepri-db doctor``: diagnostics in the shape of Supabase's database linter (splinter).

One rule is one SQL file in ``sql/doctor/<name>.sql`` holding one query. Every rule returns the
same columns as Supabase's linter (``name, title, level, facing, categories, description,
detail, remediation, metadata, cache_key``), so results of any subset can be combined, filtered
and suppressed by ``cache_key``. A short header of ``-- key: value`` comments (name, title, level,
facing, categories) lets ``--list-rules`` describe a rule without a database.

Python only loads, runs, filters and renders rules. Facts SQL cannot compute are loaded into
temporary tables first: the migration status (``pg_temp.khepri_migrations``) and the upsert
targets parsed from function bodies (``pg_temp.khepri_upserts``). Two settings parametrise the
rules: ``khepri.exposed_schemas`` and ``khepri.excluded_schemas`` (comma-separated). Everything
runs in one transaction that is rolled back: doctor writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import psycopg
from psycopg.rows import dict_row
from pydantic import BaseModel, Field

from khepri_db._sqltext import find_upserts
from khepri_db.compat import TargetInfo, detect
from khepri_db.db import connect, is_transaction_pooler, redact
from khepri_db.errors import DoctorError, UsageError
from khepri_db.migrations import migration_status
from khepri_db.project import Project, bundled_path

Level = Literal["ERROR", "WARN", "INFO"]
LEVELS: tuple[Level, ...] = ("INFO", "WARN", "ERROR")
"""Levels in increasing severity."""

EXCLUDED_SCHEMAS: tuple[str, ...] = (
    "_timescaledb_cache", "_timescaledb_catalog", "_timescaledb_config", "_timescaledb_internal",
    "auth", "cron", "extensions", "graphql", "graphql_public", "information_schema", "net", "pgmq",
    "pgroonga", "pgsodium", "pgsodium_masks", "pgtle", "pgbouncer", "pg_catalog", "pg_toast", "realtime",
    "repack", "storage", "supabase_functions", "supabase_migrations", "tiger", "topology", "vault",
)  # fmt: skip
"""Schemas Supabase manages (the list Supabase's linter skips); user rules ignore their objects."""

RULE_TIMEOUT = "60s"


def level_rank(level: str) -> int:
    """0 for INFO, 1 for WARN, 2 for ERROR.

    Raises:
        UsageError: not a level.
    """
    try:
        return LEVELS.index(level.upper())  # type: ignore[arg-type]
    except ValueError:
        raise UsageError(f"unknown level {level!r}: use error, warn or info") from None


class Finding(BaseModel):
    """One row returned by a rule: the columns of Supabase's database linter."""

    name: str = Field(description="rule name, e.g. rls_disabled_in_public")
    title: str
    level: Level
    facing: Literal["EXTERNAL", "INTERNAL"]
    categories: list[str]
    description: str = Field(description="what the rule detects")
    detail: str = Field(description="what was found, naming the object")
    remediation: str = Field(description="URL or docs path explaining the fix")
    metadata: dict[str, Any] = Field(description="schema, name, type and rule-specific keys")
    cache_key: str = Field(description="stable id of this finding, used for suppression")


@dataclass(frozen=True)
class Rule:
    """A doctor rule: ``sql/doctor/<name>.sql`` and its header.

    Attributes:
        name: the rule name (the file's stem).
        title: short human title.
        level: ``ERROR``, ``WARN`` or ``INFO``.
        facing: ``EXTERNAL`` (affects API users) or ``INTERNAL``.
        categories: e.g. ``["SECURITY"]``.
        path: the SQL file.
    """

    name: str
    title: str
    level: Level
    facing: str
    categories: tuple[str, ...]
    path: Path

    @cached_property
    def sql(self) -> str:
        """The rule's query."""
        return self.path.read_text(encoding="utf-8")

    @property
    def docs(self) -> str:
        """Path of the rule's documentation page, relative to the repository."""
        return f"docs/doctor/{self.name}.md"


_HEADER = re.compile(r"^--\s*(name|title|level|facing|categories):\s*(.+?)\s*$")


def load_rules(directory: Path | None = None) -> list[Rule]:
    """Load every rule in ``directory`` (default: the bundled ``sql/doctor``), sorted by name.

    Raises:
        DoctorError: a file lacks a header key, its name does not match the file name, or its
            level is unknown.
    """
    directory = directory or bundled_path("sql", "doctor")
    rules = []
    for path in sorted(directory.glob("*.sql")):
        header: dict[str, str] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("--"):
                break
            match = _HEADER.match(line)
            if match:
                header[match.group(1)] = match.group(2)
        missing = {"name", "title", "level", "facing", "categories"} - header.keys()
        if missing:
            raise DoctorError(f"{path}: rule header lacks {', '.join(sorted(missing))}")
        if header["name"] != path.stem:
            raise DoctorError(f"{path}: header name {header['name']!r} differs from the file name")
        if header["level"] not in LEVELS:
            raise DoctorError(f"{path}: level must be one of {', '.join(LEVELS)}, got {header['level']!r}")
        categories = tuple(c.strip() for c in header["categories"].split(","))
        rules.append(
            Rule(header["name"], header["title"], header["level"], header["facing"], categories, path)  # type: ignore[arg-type]
        )
    return rules


def select_rules(rules: Sequence[Rule], only: Iterable[str] = (), exclude: Iterable[str] = ()) -> list[Rule]:
    """Filter ``rules`` by name.

    Raises:
        DoctorError: a name in ``only`` or ``exclude`` is not a rule.
    """
    names = {r.name for r in rules}
    only, exclude = list(only), list(exclude)
    unknown = sorted({*only, *exclude} - names)
    if unknown:
        raise DoctorError(
            f"unknown rule name(s): {', '.join(unknown)}", hint="`khepri-db doctor --list-rules` lists them"
        )
    return [r for r in rules if (not only or r.name in only) and r.name not in exclude]


class ExposedSchemas(BaseModel):
    """The schemas the Data API exposes, and where that list came from."""

    schemas: list[str]
    source: Literal["--exposed-schemas", "supabase/config.toml", "pgrst.db_schemas", "default"]


def resolve_exposed_schemas(
    conn: psycopg.Connection, project: Project | None, explicit: Sequence[str] | None
) -> ExposedSchemas:
    """Decide which schemas count as exposed.

    In order: ``explicit`` (``--exposed-schemas``), ``[api] schemas`` of the project's
    ``supabase/config.toml``, the server's ``pgrst.db_schemas`` setting (set on hosted Supabase),
    else ``public``. Never an empty list.
    """
    if explicit:
        return ExposedSchemas(schemas=list(explicit), source="--exposed-schemas")
    if project is not None and project.config.api_schemas:
        return ExposedSchemas(schemas=list(project.config.api_schemas), source="supabase/config.toml")
    row = conn.execute("select current_setting('pgrst.db_schemas', true)").fetchone()
    if row and row[0]:
        schemas = [s.strip() for s in row[0].split(",") if s.strip()]
        if schemas:
            return ExposedSchemas(schemas=schemas, source="pgrst.db_schemas")
    return ExposedSchemas(schemas=["public"], source="default")


class DoctorReport(BaseModel):
    """Everything one doctor run found.

    Attributes:
        target: :meth:`TargetInfo.to_dict` of the database (server version, Supabase or not).
        exposed_schemas: which schemas were treated as exposed, and why.
        migrations_dir: the directory compared with the history.
        rules: names of the rules that ran.
        findings: the findings, most severe first.
        suppressed: how many findings a ``cache_key`` suppression removed.
    """

    target: dict[str, Any]
    exposed_schemas: ExposedSchemas
    migrations_dir: str
    rules: list[str]
    findings: list[Finding]
    suppressed: int = 0

    def count(self, level: str) -> int:
        """Number of findings at ``level``."""
        return sum(1 for f in self.findings if f.level == level)

    def fails(self, fail_on: str) -> bool:
        """True when a finding is at or above ``fail_on`` (``error``, ``warn`` or ``info``)."""
        threshold = level_rank(fail_on)
        return any(level_rank(f.level) >= threshold for f in self.findings)

    def summary(self) -> dict[str, int]:
        """``{"ERROR": n, "WARN": n, "INFO": n}``."""
        return {level: self.count(level) for level in reversed(LEVELS)}


def _load_migration_facts(conn: psycopg.Connection, directory: Path) -> None:
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


def _load_upsert_facts(conn: psycopg.Connection) -> None:
    row = conn.execute("select current_schemas(false)").fetchone()
    default_path = list(row[0]) if row else ["public"]
    conn.execute(
        "create temporary table khepri_upserts (function_oid oid, function_schema text, function_name text, "
        "function_args text, table_schema text, table_name text, columns text[], plain boolean, predicate text, "
        "constraint_name text, line integer, search_path text[]) on commit drop"
    )
    with conn.cursor(row_factory=dict_row) as cur:
        functions = cur.execute(
            """
            select p.oid, n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) as args,
                case when p.prosqlbody is not null then pg_catalog.pg_get_function_sqlbody(p.oid) else p.prosrc end
                    as body,
                (select c from unnest(p.proconfig) as c where c like 'search_path=%%' limit 1) as search_path
            from pg_catalog.pg_proc as p
            join pg_catalog.pg_namespace as n on n.oid = p.pronamespace
            join pg_catalog.pg_language as l on l.oid = p.prolang
            where l.lanname in ('sql', 'plpgsql')
                and n.nspname <> all(%s)
                and n.nspname not like 'pg\\_temp%%' and n.nspname not like 'pg\\_toast%%'
                and not exists (
                    select 1 from pg_catalog.pg_depend as d
                    where d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
                )
            """,
            (list(EXCLUDED_SCHEMAS),),
        ).fetchall()
    rows = []
    for fn in functions:
        path = _search_path_of(fn["search_path"], default_path)
        for u in find_upserts(fn["body"] or ""):
            rows.append(
                (fn["oid"], fn["nspname"], fn["proname"], fn["args"], u.table_schema, u.table_name,
                 list(u.columns), u.plain, u.predicate, u.constraint, u.line, path)
            )  # fmt: skip
    with conn.cursor() as cur:
        cur.executemany(
            "insert into pg_temp.khepri_upserts values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows
        )


def _failure(rule: Rule, exc: psycopg.Error) -> Finding:
    diag = exc.diag
    return Finding(
        name=rule.name,
        title=f"{rule.title} (rule failed)",
        level="ERROR",
        facing="INTERNAL",
        categories=list(rule.categories),
        description="The rule's query failed, so this part of the diagnosis is missing.",
        detail=f"Rule {rule.name} ({rule.path.name}) failed: {diag.message_primary or exc} [SQLSTATE {diag.sqlstate}]",
        remediation=rule.docs,
        metadata={"type": "rule", "name": rule.name, "sqlstate": diag.sqlstate},
        cache_key=f"doctor_rule_failed_{rule.name}",
    )


def run_doctor(
    url: str,
    *,
    project: Project | None = None,
    migrations_dir: Path | None = None,
    exposed_schemas: Sequence[str] | None = None,
    only: Iterable[str] = (),
    exclude: Iterable[str] = (),
    suppress: Iterable[str] = (),
    rules_dir: Path | None = None,
) -> DoctorReport:
    """Run the doctor rules against the database at ``url``.

    Args:
        url: target database URL.
        project: the Supabase project (for ``config.toml`` and the migrations directory).
        migrations_dir: override of the migrations directory compared with the history.
        exposed_schemas: ``--exposed-schemas``; see :func:`resolve_exposed_schemas`.
        only: run only these rules.
        exclude: skip these rules.
        suppress: ``cache_key`` values whose findings are dropped (counted in ``suppressed``).
        rules_dir: load rules from here instead of the bundled ``sql/doctor``.

    Returns:
        A :class:`DoctorReport`; findings sorted by level (ERROR first), then rule, then cache key.
        A rule whose query fails becomes an ERROR finding rather than stopping the run.

    Raises:
        ConnectionFailedError: the database cannot be reached.
        DoctorError: bad rule files or unknown rule names.
    """
    rules = select_rules(load_rules(rules_dir), only, exclude)
    project = project or Project.discover()
    directory = project.migrations_dir(migrations_dir)
    suppressed_keys = set(suppress)
    if is_transaction_pooler(url):
        raise UsageError(
            f"doctor needs a session connection; {redact(url)} is Supabase's transaction pooler (port 6543)",
            hint="use the direct connection or the session pooler (port 5432)",
        )
    with connect(url) as conn:
        conn.prepare_threshold = None
        target: TargetInfo = detect(conn)
        exposed = resolve_exposed_schemas(conn, project, exposed_schemas)
        findings: list[Finding] = []
        suppressed = 0
        try:
            _load_migration_facts(conn, directory)
            _load_upsert_facts(conn)
            conn.execute(
                "select set_config('khepri.exposed_schemas', %s, true), "
                "set_config('khepri.excluded_schemas', %s, true), "
                "set_config('search_path', '', true), set_config('statement_timeout', %s, true)",
                (",".join(exposed.schemas), ",".join(EXCLUDED_SCHEMAS), RULE_TIMEOUT),
            )
            for rule in rules:
                try:
                    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
                        rows = cur.execute(rule.sql).fetchall()
                except psycopg.Error as exc:
                    findings.append(_failure(rule, exc))
                    continue
                for row in rows:
                    finding = Finding(**row)
                    if finding.cache_key in suppressed_keys:
                        suppressed += 1
                    else:
                        findings.append(finding)
        finally:
            conn.rollback()
    findings.sort(key=lambda f: (-level_rank(f.level), f.name, f.cache_key))
    return DoctorReport(
        target=target.to_dict(),
        exposed_schemas=exposed,
        migrations_dir=str(directory),
        rules=[r.name for r in rules],
        findings=findings,
        suppressed=suppressed,
    )
