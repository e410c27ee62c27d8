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

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row

from khepri_db.core.db import connect, read_only_reason
from khepri_db.core.errors import UsageError
from khepri_db.core.project import Project
from khepri_db.doctor import _facts as facts
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
from khepri_db.migrations.compat import TargetInfo, detect

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
    pooler (Supavisor on port 6543, PgBouncer) as on a direct connection. On a read-only hot standby
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
        if read_only is not None and "standby" in read_only:
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
        try:
            row = conn.execute("select current_schemas(false)").fetchone()
            default_path = list(row[0]) if row else ["public"]
            conn.execute(
                "select set_config('statement_timeout', %s, true), set_config('lock_timeout', %s, true)",
                (RULE_TIMEOUT, LOCK_TIMEOUT),
            )
            settings = _settings(exposed, config, merged_thresholds)
            conn.execute(  # one round trip for all settings
                "select " + ", ".join("set_config(%s, %s, true)" for _ in settings),
                [part for setting in settings for part in setting],
            )
            fact_settings = facts.FactsSettings(
                migrations_dir=directory,
                excluded_schemas=EXCLUDED_SCHEMAS,
                identity_names=[*config.tenant_columns, *IDENTITY_PARAMETERS],
                plpgsql_check=use_checker,
            )
            if "migrations" in needed and directory is not None:
                facts.load_migrations(conn, directory)
            if "helpers" in needed:
                facts.load_helpers(conn)
            if "functions" in needed:
                facts.load_functions(conn, fact_settings, default_path)
            if "plans" in needed:
                _, checker_used = facts.load_plans(conn, fact_settings)
                conn.execute("select set_config('khepri.plpgsql_check', %s, true)", ("on" if checker_used else "off",))
            conn.execute("select set_config('search_path', '', true)")
            if "policies" in needed:
                facts.load_policies(conn)  # deparsed with the rules' (empty) search_path
            results: list[list[dict[str, Any]]] | None = None
            if psycopg.Pipeline.is_supported():
                # All rules in one round trip (psycopg's pipeline mode), inside one savepoint: if any
                # rule fails, everything is rolled back to the loaded facts and the rules run again
                # one by one below, each in its own savepoint, so that the failure is reported.
                try:
                    with conn.transaction():
                        with conn.pipeline():
                            cursors = [conn.cursor(row_factory=dict_row) for _ in rules]
                            for rule, cur in zip(rules, cursors, strict=True):
                                cur.execute(rule.sql)
                        results = [cur.fetchall() for cur in cursors]
                except psycopg.Error:
                    results = None
            if results is not None:
                for rows in results:
                    raw.extend(Finding(**row) for row in rows)
            else:
                for rule in rules:
                    try:
                        with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
                            rows = cur.execute(rule.sql).fetchall()
                    except psycopg.Error as exc:
                        raw.append(_failure(rule, exc))
                        continue
                    raw.extend(Finding(**row) for row in rows)
        finally:
            conn.rollback()
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
