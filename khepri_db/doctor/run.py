"""``khepri-db doctor``: diagnostics in the shape of Supabase's database linter (splinter).

One rule is one SQL file in ``sql/doctor/<name>.sql`` holding one query. Every rule returns the
same columns as Supabase's linter (``name, title, level, facing, categories, description,
detail, remediation, metadata, cache_key``), so results of any subset can be combined, filtered
and suppressed by ``cache_key``. A header of ``-- key: value`` comments (name, title, level,
facing, categories; optionally max_level, requires, splinter) lets ``--list-rules`` describe a
rule without a database.

Python only loads, runs, filters and renders rules. Facts SQL cannot compute are loaded into
temporary tables first (see :mod:`khepri_db.doctor._facts`): the migration status, what function
bodies contain, and what Postgres says when it plans each statement of those bodies. Settings
parametrise the rules: ``khepri.exposed_schemas``, ``khepri.excluded_schemas``,
``khepri.tenant_columns`` and one ``khepri.<threshold>`` per runtime threshold. Everything runs in
one transaction that is rolled back: doctor writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg.rows import dict_row

from khepri_db.core.db import STANDBY, connect, read_only_reason
from khepri_db.core.errors import ConnectionFailedError, UsageError
from khepri_db.core.project import Project
from khepri_db.core.target import TargetInfo, detect
from khepri_db.doctor import _facts as facts
from khepri_db.doctor._cache import AnalysisCache
from khepri_db.doctor.config import (
    CONFIG_FILE,
    EXCLUDED_SCHEMAS,
    IDENTITY_PARAMETERS,
    POLICY_TABLES,
    THRESHOLDS,
    DoctorConfig,
    ExposedSchemas,
    resolve_exposed_schemas,
)
from khepri_db.doctor.report import DoctorReport, _rule_of_cache_key, deduplicate
from khepri_db.doctor.rules import Finding, Rule, level_rank, load_rules, select_rules
from khepri_db.migrations.status import MigrationStatus

RULE_TIMEOUT = "60s"
LOCK_TIMEOUT = "3s"
"""doctor never waits long for a lock: planning a statement takes the locks a real run would."""


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


_TIMEOUTS = (("statement_timeout", RULE_TIMEOUT), ("lock_timeout", LOCK_TIMEOUT))


class _SideRules:
    """The rules that read none of doctor's temporary facts, run on a second connection.

    Sent at once (psycopg's pipeline mode) in a transaction of their own, with the same settings
    and an empty search_path, and read at the end: the server runs them on another core while the
    first connection loads the facts and runs the rules that read them. That transaction only
    reads and is never committed. They are read after the first connection's transaction ended:
    through a transaction-mode pooler with one server connection per client pair, the second
    transaction gets it then (waiting for it earlier would wait forever).
    """

    def __init__(
        self, rules: list[Rule], conn: psycopg.Connection, settings: Sequence[tuple[str, str]], pipeline: ExitStack
    ) -> None:
        self.rules = rules
        self._conn = conn
        self._settings = settings
        self._pipeline = pipeline
        self._cursors = [conn.cursor(row_factory=dict_row) for _ in rules]

    @classmethod
    def start(cls, url: str, rules: Sequence[Rule], settings: Sequence[tuple[str, str]]) -> _SideRules | None:
        """Send the fact-free ``rules`` on a new connection; ``None`` when there is no point (no
        rule reads facts, so the first connection is free; or none reads none) or no second
        connection (the server refuses it, no pipeline mode): the first connection runs them."""
        fact_free = [r for r in rules if not r.requires]
        if not fact_free or len(fact_free) == len(rules) or not psycopg.Pipeline.is_supported():
            return None
        try:
            conn = connect(url, autocommit=True)  # its transaction opened below, in the pipeline
        except (ConnectionFailedError, psycopg.Error):
            return None
        pipeline = ExitStack()
        try:
            # Nothing waits for a result here (pipeline mode from the first statement, and not
            # psycopg's own BEGIN, which it waits for): through a pooler, this transaction may get a
            # server connection only once the first one ended.
            pipeline.enter_context(conn.pipeline())
            conn.execute("begin")
            _set(conn, settings)
            started = cls(fact_free, conn, settings, pipeline)
            for rule, cur in zip(fact_free, started._cursors, strict=True):
                cur.execute(rule.sql)  # sent at once (the server runs it), its rows read in finish()
        except psycopg.Error:
            with suppress(psycopg.Error):
                pipeline.close()
            conn.close()
            return None
        return started

    def finish(self, found: list[Finding]) -> None:
        """Add the rows of every rule to ``found``; if any rule failed, run them again one by one,
        each in its own savepoint, so that the failure is reported. Closes the connection (its
        transaction ends unfinished: rolled back)."""
        results: list[list[dict[str, Any]]] | None = None
        try:
            try:
                with self._pipeline:
                    pass
                results = [cur.fetchall() for cur in self._cursors]
            except psycopg.Error:
                results = None
            if results is None:
                self._conn.execute("rollback")
                self._conn.execute("begin")
                _set(self._conn, self._settings)
                _run_rules(self._conn, self.rules, found)
                return
            for rows in results:
                found.extend(Finding(**row) for row in rows)
        finally:
            self.close()

    def close(self) -> None:
        """Close the connection (an unfinished transaction ends as a rollback); idempotent."""
        with suppress(psycopg.Error):
            self._pipeline.close()
        self._conn.close()


def _set(conn: psycopg.Connection, settings: Sequence[tuple[str, str]]) -> None:
    """``set_config(name, value, true)`` for each setting, in one round trip."""
    conn.execute(
        "select " + ", ".join("set_config(%s, %s, true)" for _ in settings),
        [part for setting in settings for part in setting],
    )


_PYTHON_FACTS = frozenset({"migrations", "functions", "plans"})
"""Facts computed in Python: the rules that read them run after them, the others meanwhile."""
IDENTITY_RULE = "security_definer_trusts_caller_id"
"""The rule reading ``pg_temp.khepri_identity_arguments``: without it, they are not computed."""

_T = TypeVar("_T")


def _run_rules(
    conn: psycopg.Connection, rules: Sequence[Rule], found: list[Finding], meanwhile: Callable[[], _T] | None = None
) -> _T | None:
    """Run ``rules``, adding their rows to ``found``, and return what ``meanwhile()`` returns.

    All rules go in one round trip (psycopg's pipeline mode), inside one savepoint; ``meanwhile``
    (Python work that sends no query) runs after the rules are sent, while the server runs them. If
    any rule fails, everything is rolled back to the savepoint and the rules run again one by one,
    each in its own savepoint, so that the failure is reported.
    """
    results: list[list[dict[str, Any]]] | None = None
    done: list[_T] = []
    if rules and psycopg.Pipeline.is_supported():
        try:
            with conn.transaction():
                with conn.pipeline():
                    cursors = [conn.cursor(row_factory=dict_row) for _ in rules]
                    for rule, cur in zip(rules, cursors, strict=True):
                        cur.execute(rule.sql)  # sent at once (the server runs it), its rows read at the end
                    if meanwhile is not None:
                        done.append(meanwhile())
                results = [cur.fetchall() for cur in cursors]
        except psycopg.Error:
            results = None
    if meanwhile is not None and not done:
        done.append(meanwhile())
    if results is not None:
        for rows in results:
            found.extend(Finding(**row) for row in rows)
    else:
        for rule in rules:
            try:
                with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
                    rows = cur.execute(rule.sql).fetchall()
            except psycopg.Error as exc:
                found.append(_failure(rule, exc))
                continue
            found.extend(Finding(**row) for row in rows)
    return done[0] if done else None


def _settings(exposed: ExposedSchemas, config: DoctorConfig, thresholds: Mapping[str, float]) -> list[tuple[str, str]]:
    values = {
        "khepri.exposed_schemas": ",".join(exposed.schemas),
        "khepri.excluded_schemas": ",".join(EXCLUDED_SCHEMAS),
        "khepri.policy_tables": ",".join(POLICY_TABLES),
        "khepri.tenant_columns": ",".join(config.tenant_columns),
    }
    for key, value in thresholds.items():
        values[f"khepri.{key}"] = repr(float(value))
    return list(values.items())


def run_doctor(
    url: str,
    *,
    project: Project | None = None,
    migrations_dir: Path | None = None,
    khepri_schema: bool = False,
    exposed_schemas: Sequence[str] | None = None,
    only: Iterable[str] = (),
    exclude: Iterable[str] = (),
    suppress: Iterable[str] = (),
    rules_dir: Path | None = None,
    config: DoctorConfig | None = None,
    thresholds: Mapping[str, float] | None = None,
    plpgsql_check: bool | None = None,
) -> DoctorReport:
    """Run the doctor rules against the database at ``url``.

    The run is one transaction, rolled back at the end, so it works through a transaction-mode
    pooler (Supavisor on port 6543, PgBouncer) as on a direct connection; the rules that read none
    of its temporary facts run meanwhile on a second connection, in a transaction of their own that
    only reads and is never committed (see :class:`_SideRules`). On a read-only hot standby
    (a read replica) the rules that read doctor's temporary facts cannot run; they are listed in
    ``DoctorReport.not_run`` with why, and every other rule runs as on the primary.

    Args:
        url: target database URL.
        project: the Supabase project (``config.toml``, ``khepri.toml``, the migrations directory).
        migrations_dir: override of the migrations directory compared with the history.
        khepri_schema: compare the history with the Khepri migrations bundled with khepri-db.
            Without a project, ``migrations_dir`` or ``khepri_schema``, the rules that compare
            migrations with the history do not run (``DoctorReport.migrations_dir`` is ``None``).
        exposed_schemas: ``--exposed-schemas``; see :func:`resolve_exposed_schemas`.
        only: run only these rules.
        exclude: skip these rules (on top of the config file's ``exclude``).
        suppress: extra ``cache_key`` values whose findings are dropped (counted in ``suppressed``).
        rules_dir: load rules from here instead of the bundled ``sql/doctor``.
        config: doctor's settings; default: ``<project>/supabase/khepri.toml``.
        thresholds: overrides of runtime thresholds, on top of the config file's.
        plpgsql_check: ``False`` never uses the ``plpgsql_check`` extension; ``None`` follows the
            config (default: use it when the server has it).

    Returns:
        A :class:`DoctorReport`; findings sorted by level (ERROR first), then rule, then cache key.
        A rule whose query fails becomes an ERROR finding rather than stopping the run.

    Raises:
        ConnectionFailedError: the database cannot be reached.
        ConfigError: ``khepri.toml`` is invalid (the message names the file and key).
        DoctorError: bad rule files or unknown rule names.
        UsageError: a threshold name is unknown.
        NoProjectError: ``only`` names a migration-history rule and there are no migrations.
    """
    project = project or Project.discover()
    config = config or DoctorConfig.load(project.root / CONFIG_FILE)
    rules = select_rules(load_rules(rules_dir), only, [*exclude, *(n for n in config.exclude if not only)])
    directory: Path | None = None
    if project.found or migrations_dir is not None or khepri_schema:
        directory = project.migrations_dir(migrations_dir, khepri_schema=khepri_schema)
    else:
        # No project: no local migrations to compare the history with (never the bundled Khepri
        # files, which would call a foreign database's history pending or missing).
        history_rules = [r.name for r in rules if "migrations" in r.requires]
        if only and history_rules:
            raise project.missing("migrations", options="--migrations-dir DIR")
        rules = [r for r in rules if "migrations" not in r.requires]
    merged_thresholds = {**THRESHOLDS, **config.thresholds, **(thresholds or {})}
    unknown = sorted(set(merged_thresholds) - set(THRESHOLDS))
    if unknown:
        raise UsageError(f"unknown threshold(s): {', '.join(unknown)}", hint=f"known: {', '.join(sorted(THRESHOLDS))}")
    suppressed_keys = {s.cache_key for s in config.suppress} | set(suppress)
    use_checker = config.plpgsql_check if plpgsql_check is None else plpgsql_check
    needed = facts.required_facts(r.requires for r in rules)
    checker_used: bool | None = None
    not_run: dict[str, str] = {}
    # One transaction from the first statement to the rollback: through a transaction-mode pooler
    # (Supavisor on 6543, PgBouncer) it stays on one server connection, temporary facts included.
    with connect(url) as conn:
        read_only = read_only_reason(conn)
        if read_only == STANDBY:
            # A hot standby cannot create the temporary tables and functions the fact-based rules
            # read: those rules are reported as not run; every other rule runs as on the primary.
            reason = f"not run: the target {read_only}, and this rule reads facts doctor keeps in temporary tables"
            not_run = {r.name: reason for r in rules if r.requires}
            rules = [r for r in rules if not r.requires]
            needed = set()
        elif read_only is not None:
            # default_transaction_read_only (Supabase's read-only mode when the disk is full): doctor
            # writes only its temporary facts, which this transaction may do.
            conn.execute("set transaction read write")
        target: TargetInfo = detect(conn)
        exposed = resolve_exposed_schemas(conn, project, exposed_schemas)
        raw: list[Finding] = []
        side: _SideRules | None = None
        try:
            row = conn.execute("select current_schemas(false), current_setting('search_path')").fetchone()
            default_path = list(row[0]) if row else ["public"]
            search_path = str(row[1]) if row else "public"
            settings = _settings(exposed, config, merged_thresholds)
            _set(conn, [*_TIMEOUTS, *settings])  # one round trip for all settings
            # The rules that read no fact start at once on a second connection, so that the server
            # runs them on another core while this one loads the facts and runs the other rules.
            side = _SideRules.start(url, rules, [*_TIMEOUTS, *settings, ("search_path", "")])
            rules_here = [r for r in rules if side is None or r not in side.rules]
            fact_settings = facts.FactsSettings(
                migrations_dir=directory,
                excluded_schemas=EXCLUDED_SCHEMAS,
                identity_names=[*config.tenant_columns, *IDENTITY_PARAMETERS],
                plpgsql_check=use_checker,
                identity_arguments=any(r.name == IDENTITY_RULE for r in rules),
            )
            # Facts computed in Python (migrations compared with the history, function bodies read)
            # are computed while the server runs the rules that do not read them: on two cores
            # neither waits for the other. The catalog is read first (with the session's own
            # search_path: identity arguments deparse by it), the rows written after.
            history = function_rows = None
            if "migrations" in needed and directory is not None:
                history = facts.read_migration_history(conn)
            if "helpers" in needed:
                facts.load_helpers(conn)
            if "functions" in needed:
                function_rows = facts.read_functions(conn, fact_settings)
            conn.execute("select set_config('search_path', '', true)")
            if "policies" in needed:
                facts.load_policies(conn)  # deparsed with the rules' (empty) search_path
            early = [r for r in rules_here if _PYTHON_FACTS.isdisjoint(r.requires)]
            on_functions = [r for r in rules_here if "migrations" not in r.requires and r not in early]
            on_history = [r for r in rules_here if "migrations" in r.requires]
            cache = AnalysisCache.for_database(conn) if function_rows is not None else None

            def analyse() -> facts.FunctionFacts | None:
                if function_rows is None:
                    return None
                found = facts.analyse_functions(function_rows, fact_settings, default_path, cache)
                if cache is not None:
                    cache.save()
                return found

            def compare() -> MigrationStatus | None:
                return None if history is None or directory is None else facts.compare_migrations(directory, history)

            # bodies read while the server runs the rules that read no Python fact; then, once they
            # are written and planned, migrations compared while it runs the rules that read them
            found = _run_rules(conn, early, raw, meanwhile=analyse)
            if found is not None:
                conn.execute("select set_config('search_path', %s, true)", (search_path,))
                facts.write_functions(conn, found)
                if "plans" in needed:  # planned as the functions run: with the session's search_path
                    _, checker_used = facts.load_plans(conn, fact_settings)
                    conn.execute(
                        "select set_config('khepri.plpgsql_check', %s, true)", ("on" if checker_used else "off",)
                    )
                conn.execute("select set_config('search_path', '', true)")
            status = _run_rules(conn, on_functions, raw, meanwhile=compare)
            if status is not None:
                facts.write_migrations(conn, status)
            _run_rules(conn, on_history, raw)
        except BaseException:
            if side is not None:
                side.close()
            raise
        finally:
            conn.rollback()
        if side is not None:
            side.finish(raw)
    # A rule the connecting role lacks a privilege for (hosted Supabase's postgres is no superuser) did
    # not check anything: it is listed as not run, with why, rather than reported as a broken rule.
    for failed in [
        f for f in raw if f.cache_key == f"doctor_rule_failed_{f.name}" and f.metadata.get("sqlstate") == "42501"
    ]:
        raw.remove(failed)
        not_run[failed.name] = (
            f"not checked: the connecting role lacks a privilege this rule needs ({failed.detail.split(': ', 1)[-1]})"
        )
    findings, matched = deduplicate(raw, suppressed_keys)
    suppressed = len(matched)
    findings.sort(key=lambda f: (-level_rank(f.level), f.name, f.cache_key))
    ran = [r.name for r in rules]
    unused = sorted(key for key in suppressed_keys - matched if _rule_of_cache_key(key, ran) is not None)
    return DoctorReport(
        target=target.to_dict(),
        exposed_schemas=exposed,
        migrations_dir=str(directory) if directory is not None else None,
        rules=[r.name for r in rules],
        not_run=not_run,
        findings=findings,
        suppressed=suppressed,
        unused_suppressions=unused,
        config_file=config.path,
        plpgsql_check=checker_used,
    )
