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

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import psycopg
from psycopg.rows import dict_row
from pydantic import BaseModel, Field

from khepri_db.core.db import connect, is_transaction_pooler, redact
from khepri_db.core.errors import ConfigError, DoctorError, UsageError
from khepri_db.core.project import Project, bundled_path, read_toml
from khepri_db.doctor import _facts as facts
from khepri_db.migrations.compat import TargetInfo, detect

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

POLICY_TABLES: tuple[str, ...] = ("storage.objects", "storage.buckets", "realtime.messages")
"""Tables in Supabase's schemas that projects write their own policies for (file access, Realtime
Authorization). The policy rules check their policies like the project's own tables, although
their schemas are otherwise skipped."""

TENANT_COLUMNS: tuple[str, ...] = ("user_id", "owner_id", "athlete_id", "profile_id", "auth_user_id")
"""Column names that mean "this row belongs to one user" (``[doctor] tenant_columns`` overrides)."""

IDENTITY_PARAMETERS: tuple[str, ...] = ("uid", "userid", "account_id", "member_id", "customer_id")
"""Parameter names (after ``p_``/``_`` prefixes) that carry a user id, on top of the tenant columns."""

THRESHOLDS: dict[str, float] = {
    "table_bloat_min_wasted_fraction": 0.70,
    "table_bloat_min_wasted_bytes": 200 * 1024 * 1024,
    "cache_hit_ratio_info": 0.99,
    "cache_hit_ratio_warn": 0.95,
    "cache_hit_min_blocks": 10_000,
    "index_usage_info": 0.99,
    "index_usage_warn": 0.95,
    "index_usage_min_rows": 10_000,
    "index_usage_min_scans": 100,
    "sequential_scan_min_rows": 10_000,
    "sequential_scan_min_scans": 100,
    "sequential_scan_warn_rows": 1_000_000,
    "long_running_query_info_seconds": 300,
    "long_running_query_warn_seconds": 3_600,
    "blocking_lock_info_seconds": 10,
    "blocking_lock_warn_seconds": 60,
    "vacuum_min_dead_tuples": 1_000,
    "vacuum_dead_fraction_warn": 0.5,
    "table_size_info_bytes": 1024**3,
    "table_size_warn_bytes": 10 * 1024**3,
}
"""Runtime thresholds and their defaults; each rule's docs page says what its thresholds mean.
Override them in ``supabase/khepri.toml`` under ``[doctor.thresholds]``."""

RULE_TIMEOUT = "60s"
LOCK_TIMEOUT = "3s"
"""doctor never waits long for a lock: planning a statement takes the locks a real run would."""

CONFIG_FILE = Path("supabase") / "khepri.toml"
"""Where doctor's configuration lives, relative to the project root (not in ``config.toml``,
whose keys the Supabase CLI validates)."""


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
        level: ``ERROR``, ``WARN`` or ``INFO``: the level of every finding, or the lowest one for
            a rule with ``max_level``.
        facing: ``EXTERNAL`` (affects API users) or ``INTERNAL``.
        categories: e.g. ``["SECURITY"]``.
        path: the SQL file.
        max_level: for runtime rules that escalate past a threshold, the highest level a finding
            may have (``level`` otherwise).
        requires: the facts (:data:`khepri_db.doctor._facts.FACT_NAMES`) the query reads.
        splinter: the number of the same rule in Supabase's linter (``"0013"``), if any.
    """

    name: str
    title: str
    level: Level
    facing: str
    categories: tuple[str, ...]
    path: Path
    max_level: Level | None = None
    requires: tuple[str, ...] = ()
    splinter: str | None = None

    @cached_property
    def sql(self) -> str:
        """The rule's query."""
        return self.path.read_text(encoding="utf-8")

    @property
    def docs(self) -> str:
        """Path of the rule's documentation page, relative to the repository."""
        return f"docs/doctor/{self.name}.md"

    @property
    def levels(self) -> tuple[Level, ...]:
        """The levels this rule's findings may have, lowest first."""
        top = self.max_level or self.level
        return tuple(LEVELS[level_rank(self.level) : level_rank(top) + 1])


_HEADER = re.compile(r"^--\s*(name|title|level|max_level|facing|categories|requires|splinter):\s*(.+?)\s*$")


def load_rules(directory: Path | None = None) -> list[Rule]:
    """Load every rule in ``directory`` (default: the bundled ``sql/doctor``), sorted by name.

    Raises:
        DoctorError: a file lacks a header key, its name does not match the file name, its level
            is unknown, or it requires an unknown fact.
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
        for key in ("level", "max_level"):
            if key in header and header[key] not in LEVELS:
                raise DoctorError(f"{path}: {key} must be one of {', '.join(LEVELS)}, got {header[key]!r}")
        requires = tuple(r.strip() for r in header.get("requires", "").split(",") if r.strip())
        unknown = sorted(set(requires) - set(facts.FACT_NAMES))
        if unknown:
            raise DoctorError(
                f"{path}: requires unknown fact(s) {', '.join(unknown)}; known: {', '.join(facts.FACT_NAMES)}"
            )
        categories = tuple(c.strip() for c in header["categories"].split(","))
        rules.append(
            Rule(
                header["name"], header["title"], header["level"], header["facing"], categories, path,  # type: ignore[arg-type]
                max_level=header.get("max_level"), requires=requires, splinter=header.get("splinter"),  # type: ignore[arg-type]
            )
        )  # fmt: skip
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


# -- configuration -----------------------------------------------------------------------------


class Suppression(BaseModel):
    """One ``[[doctor.suppress]]`` entry: a finding accepted on purpose, and why."""

    cache_key: str
    reason: str


class DoctorConfig(BaseModel):
    """doctor's settings from ``supabase/khepri.toml``, table ``[doctor]``.

    Example::

        [doctor]
        exclude = ["unused_index"]
        tenant_columns = ["user_id", "team_id"]

        [[doctor.suppress]]
        cache_key = "rls_enabled_no_policy_public_audit_log"
        reason = "written by service_role only; no API access intended"

        [doctor.thresholds]
        long_running_query_info_seconds = 120

    Attributes:
        path: the file it was read from (``None``: defaults, no file).
        suppress: findings to drop, by ``cache_key``, each with a required reason.
        exclude: rules never to run (added to ``--exclude``).
        thresholds: overrides of :data:`THRESHOLDS`.
        tenant_columns: overrides :data:`TENANT_COLUMNS`.
        plpgsql_check: ``false`` never uses the ``plpgsql_check`` extension even if the server has it.
    """

    path: str | None = None
    suppress: list[Suppression] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    thresholds: dict[str, float] = Field(default_factory=dict)
    tenant_columns: list[str] = Field(default_factory=lambda: list(TENANT_COLUMNS))
    plpgsql_check: bool = True

    @classmethod
    def load(cls, path: Path) -> DoctorConfig:
        """Read the ``[doctor]`` table of ``path``; a missing file (or table) gives the defaults.

        Raises:
            ConfigError: invalid TOML, an unknown key, a value of the wrong type, a suppression
                without a ``cache_key`` or ``reason``, or an unknown threshold. The message names
                the file and the key.
        """
        data = read_toml(path)
        if data is None:
            return cls()
        table = data.get("doctor", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [doctor] must be a table")
        known = {"suppress", "exclude", "thresholds", "tenant_columns", "plpgsql_check"}
        unknown = sorted(set(table) - known)
        if unknown:
            raise ConfigError(
                f"{path}: unknown key(s) in [doctor]: {', '.join(unknown)}",
                hint=f"known keys: {', '.join(sorted(known))}",
            )
        suppress = []
        entries = table.get("suppress", [])
        if not isinstance(entries, list):
            raise ConfigError(f"{path}: [doctor] suppress must be an array of tables ([[doctor.suppress]])")
        for index, entry in enumerate(entries, start=1):
            where = f"{path}: [[doctor.suppress]] entry {index}"
            if not isinstance(entry, dict):
                raise ConfigError(f"{where} must be a table with cache_key and reason")
            extra = sorted(set(entry) - {"cache_key", "reason"})
            if extra:
                raise ConfigError(f"{where}: unknown key(s) {', '.join(extra)}; use cache_key and reason")
            for key in ("cache_key", "reason"):
                value = entry.get(key)
                if not isinstance(value, str) or not value.strip():
                    raise ConfigError(
                        f"{where}: {key} is required (a non-empty string)",
                        hint="every suppression says which finding (cache_key) and why it is accepted (reason)",
                    )
            suppress.append(Suppression(cache_key=entry["cache_key"], reason=entry["reason"]))
        exclude = table.get("exclude", [])
        if not (isinstance(exclude, list) and all(isinstance(x, str) for x in exclude)):
            raise ConfigError(f"{path}: [doctor] exclude must be a list of rule names, got {exclude!r}")
        thresholds = table.get("thresholds", {})
        if not isinstance(thresholds, dict):
            raise ConfigError(f"{path}: [doctor.thresholds] must be a table")
        for key, value in thresholds.items():
            if key not in THRESHOLDS:
                raise ConfigError(
                    f"{path}: [doctor.thresholds] {key} is not a threshold",
                    hint=f"known thresholds: {', '.join(sorted(THRESHOLDS))}",
                )
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ConfigError(f"{path}: [doctor.thresholds] {key} must be a number >= 0, got {value!r}")
        tenant_columns = table.get("tenant_columns", list(TENANT_COLUMNS))
        if not (
            isinstance(tenant_columns, list) and tenant_columns and all(isinstance(x, str) for x in tenant_columns)
        ):
            raise ConfigError(f"{path}: [doctor] tenant_columns must be a non-empty list of column names")
        plpgsql_check = table.get("plpgsql_check", True)
        if not isinstance(plpgsql_check, bool):
            raise ConfigError(f"{path}: [doctor] plpgsql_check must be true or false, got {plpgsql_check!r}")
        return cls(
            path=str(path), suppress=suppress, exclude=exclude, thresholds=dict(thresholds),
            tenant_columns=[c.lower() for c in tenant_columns], plpgsql_check=plpgsql_check,
        )  # fmt: skip


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
    else ``public``. Never an empty list (Supabase's linter finds nothing when
    ``pgrst.db_schemas`` is unset).
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
        migrations_dir: the directory compared with the history (``None``: no project, so the
            migration-history rules did not run).
        rules: names of the rules that ran.
        findings: the findings, most severe first.
        suppressed: how many findings a ``cache_key`` suppression removed.
        unused_suppressions: suppressed cache keys that matched no finding of the rules that ran
            (stale entries to delete from the config file).
        config_file: the ``khepri.toml`` read, if any.
        plpgsql_check: whether the ``plpgsql_check`` extension checked PL/pgSQL bodies (``None``:
            no rule needed it).
    """

    target: dict[str, Any]
    exposed_schemas: ExposedSchemas
    migrations_dir: str | None
    rules: list[str]
    findings: list[Finding]
    suppressed: int = 0
    unused_suppressions: list[str] = Field(default_factory=list)
    config_file: str | None = None
    plpgsql_check: bool | None = None

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


_CACHE_KEY_ALIASES = {
    "auth_rls_init_plan": "auth_rls_initplan",
    "rls_disabled_in_public_pgmq": "insecure_queue_exposed_in_api",
}
"""cache_key prefixes that differ from the rule name (kept as Supabase's linter writes them)."""


def _rule_of_cache_key(key: str, rule_names: Sequence[str]) -> str | None:
    """The rule among ``rule_names`` that produces ``key``, or ``None``."""
    for prefix, rule in _CACHE_KEY_ALIASES.items():
        if key.startswith(prefix + "_") and rule in rule_names:
            return rule
    matches = [name for name in rule_names if key.startswith(name + "_")]
    return max(matches, key=len) if matches else None


DEFECT_FAMILIES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("security_definer_trusts_caller_id", "anon_security_definer_function_executable",
         "authenticated_security_definer_function_executable"),
        ("schema", "name", "arguments"),
    ),
    (("security_definer_search_path_mutable", "function_search_path_mutable"), ("schema", "name", "arguments")),
    (
        ("rls_disabled_in_public", "sensitive_columns_exposed", "policy_exists_rls_disabled"),
        ("schema", "name"),
    ),
    (("multiple_permissive_policies",), ("schema", "name", "command")),
    (("pg_graphql_anon_table_exposed", "pg_graphql_authenticated_table_exposed"), ("schema", "name")),
    (
        ("rls_policy_always_true", "rls_policy_role_only", "rls_update_policy_without_check"),
        ("schema", "name", "policy_name"),
    ),
)  # fmt: skip
"""Rules that report the same defect, each family with the metadata keys naming one defect.

Supabase's linter reports a SECURITY DEFINER function callable by both API roles twice (0028 and
0029), a function without a fixed search_path under two rules when it is also SECURITY DEFINER,
and one finding per role for multiple permissive policies. doctor keeps those rules and their
cache keys (for parity and for existing suppressions) and then keeps one finding per defect: the
most severe (on a tie, the rule listed first). See :func:`deduplicate`."""


def _defect_key(finding: Finding) -> tuple | None:
    for index, (rules, keys) in enumerate(DEFECT_FAMILIES):
        if finding.name in rules:
            return (index, *(str(finding.metadata.get(k, "")) for k in keys))
    return None


def deduplicate(findings: Iterable[Finding], suppressed: Iterable[str] = ()) -> tuple[list[Finding], set[str]]:
    """One finding per defect: group findings of the same :data:`DEFECT_FAMILIES` family naming
    the same object, and keep the most severe of each group (on a tie, the family's first rule).

    The kept finding lists every other finding of its group under ``metadata["also_reported_as"]``
    (``[{"rule", "level", "cache_key"}]``) and its detail says so. A group is suppressed as a whole
    when any of its cache keys is in ``suppressed``, so suppressions written for either rule of a
    pair keep working.

    Args:
        findings: rows returned by the rules.
        suppressed: cache keys accepted on purpose.

    Returns:
        ``(kept findings, suppressed cache keys that matched)``.
    """
    suppressed = set(suppressed)
    groups: dict[tuple, list[Finding]] = {}
    order: list[tuple] = []
    for finding in findings:
        key = _defect_key(finding) or ("single", finding.name, finding.cache_key)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(finding)
    kept: list[Finding] = []
    matched: set[str] = set()
    for key in order:
        group = groups[key]
        hits = {f.cache_key for f in group} & suppressed
        if hits:
            matched |= hits
            continue
        if len(group) == 1:
            kept.append(group[0])
            continue
        family = DEFECT_FAMILIES[key[0]][0] if key[0] != "single" else ()

        def rank(f: Finding, family: tuple[str, ...] = family) -> tuple[int, int, str]:
            return (-level_rank(f.level), family.index(f.name) if f.name in family else 0, f.cache_key)

        group.sort(key=rank)
        best, others = group[0], group[1:]
        also = [{"rule": f.name, "level": f.level, "cache_key": f.cache_key} for f in others]
        roles = sorted({str(f.metadata["role"]) for f in group if "role" in f.metadata})
        metadata = {**best.metadata, "also_reported_as": also}
        if len(roles) > 1:
            metadata["roles"] = roles
        listed = ", ".join(f"{f.name} `{f.cache_key}`" for f in others)
        detail = f"{best.detail} (One defect: also reported as {listed}.)"
        kept.append(best.model_copy(update={"metadata": metadata, "detail": detail}))
    return kept, matched


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
        UsageError: ``url`` is Supabase's transaction pooler, or a threshold name is unknown.
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
    if is_transaction_pooler(url):
        raise UsageError(
            f"doctor needs a session connection; {redact(url)} is Supabase's transaction pooler (port 6543)",
            hint="use the direct connection or the session pooler (port 5432)",
        )
    use_checker = config.plpgsql_check if plpgsql_check is None else plpgsql_check
    needed = facts.required_facts(r.requires for r in rules)
    checker_used: bool | None = None
    with connect(url) as conn:
        conn.prepare_threshold = None
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
        findings=findings,
        suppressed=suppressed,
        unused_suppressions=unused,
        config_file=config.path,
        plpgsql_check=checker_used,
    )
