"""doctor: the output contract, rule loading, configuration and suppression, exposure, and the
shipped schema being clean. Rule-by-rule cases live beside this file: test_parity.py (Supabase's
linter), test_khepri.py (our rules), test_rules.py (one fixture per rule), test_runtime.py and
test_output.py (CLI, SARIF).

Helpers these files share (``plant``, ``findings``, ``PROJECT``) are in ``tests/support/doctor.py``.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from khepri_db.core.db import connect
from khepri_db.core.errors import ConfigError, DoctorError, UsageError
from khepri_db.core.project import Project
from khepri_db.doctor.config import THRESHOLDS, DoctorConfig
from khepri_db.doctor.report import DoctorReport
from khepri_db.doctor.rules import load_rules
from khepri_db.doctor.run import run_doctor
from khepri_db.engines import EmbeddedEngine, free_port, make_cluster_root
from tests.support import REPO, write_migration
from tests.support.doctor import PROJECT, SEED_BUG, names, plant

pytestmark = pytest.mark.pg

RUNTIME_RULES = {
    "cache_hit_ratio", "index_usage", "sequential_scans", "long_running_queries", "blocking_locks", "vacuum_stats",
    "table_sizes",
}  # fmt: skip
"""Rules that read the server's activity statistics rather than the schema."""

CACHE_KEY_PREFIXES = {
    "auth_rls_initplan": "auth_rls_init_plan",
    "insecure_queue_exposed_in_api": "rls_disabled_in_public",
}
"""Rules whose cache_key prefix is not their name: Supabase's linter writes them so."""


def test_the_shipped_schema_is_clean(khepri_clone_url: str) -> None:
    report = run_doctor(khepri_clone_url, project=PROJECT)
    # pg_graphql is preinstalled, as on Supabase; the Khepri schema turns it off (it uses only the
    # Data API), so no table is "visible in GraphQL" (0026/0027) either.
    loud = [(f.level, f.name, f.detail) for f in report.findings if f.level in ("ERROR", "WARN")]
    assert loud == []
    assert not [f for f in report.findings if "rule failed" in f.title]
    assert report.target["kind"] == "compat"
    assert report.exposed_schemas.source == "supabase/config.toml"
    assert set(report.rules) == {r.name for r in load_rules()}
    # A fresh database has no activity worth reporting: runtime rules stay silent.
    assert [f.name for f in report.findings if f.name in RUNTIME_RULES] == []


def test_rules_cover_every_sql_lint_of_supabases_linter() -> None:
    rules = load_rules()
    numbers = {r.splinter: r.name for r in rules if r.splinter}
    expected = {f"{n:04d}" for n in range(1, 30)} - {"0012"}  # 0012 (anonymous sign-ins) has no SQL
    assert set(numbers) == expected
    assert numbers["0001"] == "unindexed_foreign_keys"
    assert numbers["0024"] == "rls_policy_always_true"
    assert numbers["0029"] == "authenticated_security_definer_function_executable"
    assert len(rules) >= 49


def test_rows_match_each_rule_header(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        SEED_BUG
        + """
        create table public.open_notes (id int, secret text);
        create function public.f() returns int language sql security definer as 'select 1';
        create table public.t (a int, b int);
        create index t_a on public.t (a);
        create index t_a_again on public.t (a);
        create index t_a_b on public.t (a, b);
        create view public.v as select id, email from auth.users;
        """,
    )
    report = run_doctor(khepri_clone_url, project=PROJECT)
    rules = {r.name: r for r in load_rules()}
    fired = {f.name for f in report.findings}
    merged = {a["rule"] for f in report.findings for a in f.metadata.get("also_reported_as", [])}
    assert {
        "on_conflict_without_unique_index", "rls_disabled_in_public", "security_definer_search_path_mutable",
        "anon_security_definer_function_executable", "no_primary_key", "duplicate_index", "redundant_index",
        "auth_users_exposed", "security_definer_view",
    } <= fired  # fmt: skip
    # one defect, one finding: the pair's other half and the overlapping rules are folded in
    assert {
        "authenticated_security_definer_function_executable", "sensitive_columns_exposed",
        "function_search_path_mutable",
    } <= merged  # fmt: skip
    for finding in report.findings:
        rule = rules[finding.name]
        assert (finding.title, finding.facing, tuple(finding.categories)) == (rule.title, rule.facing, rule.categories)
        assert finding.level in rule.levels
        assert finding.cache_key.startswith(CACHE_KEY_PREFIXES.get(finding.name, finding.name) + "_")
        assert finding.remediation.startswith(("https://supabase.com/", "docs/doctor/"))
    assert len({f.cache_key for f in report.findings}) == len(report.findings)


ESCALATING_RULES = {
    # INFO: an object Supabase provides is missing locally; ERROR: every call runs the failing statement
    "function_body_invalid": ("INFO", "WARN", "ERROR"),
    "on_conflict_without_unique_index": ("WARN", "ERROR"),  # ERROR: every call runs the upsert
    "policy_exists_rls_disabled": ("WARN", "ERROR"),  # ERROR: an API role can reach the table
    "rls_policy_always_true": ("WARN", "ERROR"),  # ERROR: an API role holds the table privilege
    "rls_policy_reads_auth_users": ("WARN", "ERROR"),  # WARN: only a function the policy calls reads it
    "rls_policy_role_only": ("WARN", "ERROR"),  # WARN: INSERT only
    "rls_references_user_metadata": ("WARN", "ERROR"),  # ERROR: an API role can use the policy
    "security_definer_trusts_caller_id": ("WARN", "ERROR"),  # WARN: a scalar oracle
}
"""Schema rules whose level follows the harm (see docs/doctor/README.md, "Levels")."""


def test_only_runtime_rules_and_harm_graded_rules_may_escalate() -> None:
    for rule in load_rules():
        if rule.name in RUNTIME_RULES:
            assert rule.levels == ("INFO", "WARN"), rule.name
        elif rule.name in ESCALATING_RULES:
            assert rule.levels == ESCALATING_RULES[rule.name], rule.name
        else:
            assert rule.max_level is None, rule.name


def test_suppression_by_cache_key(khepri_clone_url: str) -> None:
    plant(khepri_clone_url, "create table public.open_notes (id int primary key)")
    report = run_doctor(
        khepri_clone_url, project=PROJECT, only=["rls_disabled_in_public"],
        suppress=["rls_disabled_in_public_public_open_notes", "rls_disabled_in_public_public_gone"],
    )  # fmt: skip
    assert report.findings == []
    assert report.suppressed == 1
    assert report.unused_suppressions == ["rls_disabled_in_public_public_gone"]


def test_suppressions_come_from_khepri_toml_with_a_reason(khepri_clone_url: str, tmp_path: Path) -> None:
    plant(
        khepri_clone_url,
        "create table public.audit_log (id int primary key); alter table public.audit_log enable row level security",
    )
    config_file = tmp_path / "khepri.toml"
    config_file.write_text(
        "[doctor]\nexclude = ['unused_index']\n\n[[doctor.suppress]]\n"
        "cache_key = 'rls_enabled_no_policy_public_audit_log'\nreason = 'written by service_role only'\n"
    )
    config = DoctorConfig.load(config_file)
    assert config.suppress[0].reason == "written by service_role only"
    report = run_doctor(khepri_clone_url, project=PROJECT, config=config)
    assert "rls_enabled_no_policy" in report.rules
    assert "unused_index" not in report.rules
    assert [f for f in report.findings if f.name == "rls_enabled_no_policy"] == []
    assert report.suppressed == 1
    assert report.config_file == str(config_file)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[doctor]\n[[doctor.suppress]]\ncache_key = 'x'\n", "entry 1: reason is required"),
        ("[doctor]\n[[doctor.suppress]]\nreason = 'why'\n", "entry 1: cache_key is required"),
        ("[doctor]\n[[doctor.suppress]]\ncache_key = 'x'\nreason = 'y'\nuntil = 2\n", "unknown key(s) until"),
        ("[doctor]\nsupress = []\n", "unknown key(s) in [doctor]: supress"),
        ("[doctor.thresholds]\ncache_hit = 0.9\n", "[doctor.thresholds] cache_hit is not a threshold"),
        ("[doctor.thresholds]\ncache_hit_ratio_info = 'high'\n", "cache_hit_ratio_info must be a number"),
        ("[doctor]\nexclude = 'unused_index'\n", "exclude must be a list of rule names"),
        ("[doctor]\ntenant_columns = []\n", "tenant_columns must be a non-empty list"),
        ("[doctor\n", "invalid TOML"),
    ],
)
def test_config_errors_name_the_file_and_the_key(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "khepri.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as raised:
        DoctorConfig.load(path)
    assert str(path) in raised.value.message
    assert message in raised.value.message


def test_a_missing_config_file_means_defaults(tmp_path: Path) -> None:
    config = DoctorConfig.load(tmp_path / "nope.toml")
    assert config.suppress == []
    assert config.path is None
    assert "athlete_id" in config.tenant_columns


def test_unknown_thresholds_are_usage_errors(khepri_clone_url: str) -> None:
    with pytest.raises(UsageError, match="unknown threshold"):
        run_doctor(khepri_clone_url, project=PROJECT, only=["table_sizes"], thresholds={"table_size": 1})
    assert set(THRESHOLDS) >= {"table_bloat_min_wasted_fraction", "long_running_query_info_seconds"}


def test_exposed_schemas_come_from_the_flag_then_config_then_pgrst_then_public(
    khepri_clone_url: str, tmp_path: Path
) -> None:
    bare = Project(tmp_path)  # no supabase/config.toml
    plant(
        khepri_clone_url,
        "create schema api; create table api.items (id int primary key); "
        "grant usage on schema api to anon; grant select on api.items to anon",
    )

    report = run_doctor(khepri_clone_url, project=bare, only=["rls_disabled_in_public"])
    assert (report.exposed_schemas.schemas, report.exposed_schemas.source) == (["public"], "default")
    assert report.findings == []  # api is not exposed: never "silently nothing", but public only

    database = khepri_clone_url.rsplit("/", 1)[1]
    plant(khepri_clone_url, f"alter database {database} set pgrst.db_schemas = 'api, public'")
    report = run_doctor(khepri_clone_url, project=bare, only=["rls_disabled_in_public"])
    assert (report.exposed_schemas.schemas, report.exposed_schemas.source) == (["api", "public"], "pgrst.db_schemas")
    assert names(report.findings) == {"items"}

    report = run_doctor(khepri_clone_url, project=PROJECT, only=["rls_disabled_in_public"])
    assert report.exposed_schemas.source == "supabase/config.toml"
    assert report.findings == []

    report = run_doctor(khepri_clone_url, project=PROJECT, only=["rls_disabled_in_public"], exposed_schemas=["api"])
    assert report.exposed_schemas.source == "--exposed-schemas"
    assert names(report.findings) == {"items"}


def test_migration_rules_report_pending_changed_and_missing(khepri_clone_url: str, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(REPO / "supabase" / "migrations", migrations)
    applied = sorted(migrations.glob("*.sql"))
    applied[-1].write_text(applied[-1].read_text() + "\n-- edited after it was applied\n")
    applied[0].unlink()
    write_migration(migrations, "20991231000000_future.sql", "select 1;\n")

    report = run_doctor(
        khepri_clone_url, project=PROJECT, migrations_dir=migrations,
        only=["pending_migration", "migration_changed_after_apply", "migration_missing_locally"],
    )  # fmt: skip

    by_rule = {f.name: f for f in report.findings}
    assert set(by_rule) == {"pending_migration", "migration_changed_after_apply", "migration_missing_locally"}
    assert by_rule["pending_migration"].metadata["version"] == "20991231000000"
    assert (
        by_rule["migration_changed_after_apply"].level == "WARN"
    )  # a reliability problem, not one an API caller exploits
    assert by_rule["migration_changed_after_apply"].metadata["file"] == applied[-1].name
    assert by_rule["migration_missing_locally"].metadata["version"] == applied[0].name.split("_")[0]


def test_a_failing_rule_becomes_an_error_finding(khepri_clone_url: str, tmp_path: Path) -> None:
    (tmp_path / "broken_rule.sql").write_text(
        "-- name: broken_rule\n-- title: Broken\n-- level: WARN\n-- facing: INTERNAL\n-- categories: SECURITY\n"
        "select * from public.no_such_table\n"
    )
    report = run_doctor(khepri_clone_url, project=PROJECT, rules_dir=tmp_path)
    [finding] = report.findings
    assert finding.level == "ERROR"
    assert "no_such_table" in finding.detail
    assert "42P01" in finding.detail


def test_a_failing_rule_among_others_loses_no_finding_of_the_others(khepri_clone_url: str, tmp_path: Path) -> None:
    # The rules run in one pipeline; when one fails they run again one by one, each in its own
    # savepoint, on the facts loaded before: the others' findings are those of a run without it.
    plant(
        khepri_clone_url,
        "create table public.open_t (id int primary key); "
        "create table public.slow_t (id int primary key, user_id uuid); "
        "alter table public.slow_t enable row level security; "
        "create policy slow_t_select on public.slow_t for select to authenticated using (user_id = auth.uid());",
    )
    rules = REPO / "sql" / "doctor"
    for name in ("auth_rls_initplan", "rls_disabled_in_public", "rls_policy_always_true"):
        shutil.copy(rules / f"{name}.sql", tmp_path / f"{name}.sql")
    healthy = run_doctor(khepri_clone_url, project=PROJECT, rules_dir=tmp_path)
    assert {f.name for f in healthy.findings} == {"auth_rls_initplan", "rls_disabled_in_public"}
    (tmp_path / "broken_rule.sql").write_text(
        "-- name: broken_rule\n-- title: Broken\n-- level: WARN\n-- facing: INTERNAL\n-- categories: SECURITY\n"
        "select * from public.no_such_table\n"
    )
    report = run_doctor(khepri_clone_url, project=PROJECT, rules_dir=tmp_path)
    failed = [f for f in report.findings if f.name == "broken_rule"]
    assert [f.cache_key for f in failed] == ["doctor_rule_failed_broken_rule"]
    assert [f for f in report.findings if f.name != "broken_rule"] == healthy.findings


def test_the_rules_on_the_second_connection_wait_for_a_pooler_with_one_server_connection(
    khepri_clone_url: str, pgbouncer: Callable[..., str]
) -> None:
    # The rules that read no fact run on a second connection, in a transaction of its own: through
    # a transaction-mode pooler with a single server connection, it gets it when doctor's main
    # transaction ends, and nothing waits for it before (no deadlock until a pooler timeout).
    plant(khepri_clone_url, "create table public.open_t (id int primary key);")
    pooled = pgbouncer(khepri_clone_url, pool_size=1)
    started = time.monotonic()
    # rules of both kinds, none reading runtime statistics (which change from run to run)
    only = ["rls_disabled_in_public", "no_primary_key", "auth_rls_initplan", "function_body_invalid"]
    through_pooler = run_doctor(pooled, project=PROJECT, only=only)
    assert time.monotonic() - started < 30
    direct = run_doctor(khepri_clone_url, project=PROJECT, only=only)
    assert [(f.name, f.cache_key, f.level) for f in through_pooler.findings] == [
        (f.name, f.cache_key, f.level) for f in direct.findings
    ]
    assert "rls_disabled_in_public" in {f.name for f in direct.findings}


def test_malformed_rule_headers_and_unknown_names_are_usage_errors(khepri_clone_url: str, tmp_path: Path) -> None:
    (tmp_path / "x.sql").write_text(
        "-- name: y\n-- title: t\n-- level: WARN\n-- facing: INTERNAL\n-- categories: A\nselect 1\n"
    )
    with pytest.raises(DoctorError, match="differs from the file name"):
        load_rules(tmp_path)
    (tmp_path / "x.sql").write_text(
        "-- name: x\n-- title: t\n-- level: WARN\n-- facing: INTERNAL\n-- categories: A\n-- requires: magic\nselect 1\n"
    )
    with pytest.raises(DoctorError, match="requires unknown fact"):
        load_rules(tmp_path)
    with pytest.raises(DoctorError, match="unknown rule name"):
        run_doctor(khepri_clone_url, project=PROJECT, only=["no_such_rule"])


def test_doctor_writes_nothing(khepri_clone_url: str) -> None:
    def snapshot() -> tuple:
        with connect(khepri_clone_url) as conn:
            return (
                conn.execute("select count(*) from pg_class").fetchone(),
                conn.execute("select count(*) from pg_proc").fetchone(),
                conn.execute("select count(*) from pg_extension").fetchone(),
            )

    before = snapshot()
    run_doctor(khepri_clone_url, project=PROJECT)
    assert snapshot() == before


@pytest.mark.slow
def test_missing_api_roles_are_a_finding_not_a_crash() -> None:
    # A brand-new cluster: plain PostgreSQL, no anon/authenticated/service_role anywhere.
    root = make_cluster_root("khepri-test-vanilla-")
    engine = EmbeddedEngine(root / "pgdata", port=free_port(), settings={"fsync": "off"})
    try:
        url = engine.start()
        plant(url, "create table public.t (id int primary key); create view public.v as select * from public.t; "
                   "create function public.f() returns int language sql security definer set search_path = '' "
                   "as 'select 1'")  # fmt: skip
        report: DoctorReport = run_doctor(url, project=PROJECT, migrations_dir=REPO / "supabase" / "migrations")
    finally:
        engine.stop()
        shutil.rmtree(root, ignore_errors=True)
    missing = sorted(f.metadata["name"] for f in report.findings if f.name == "api_roles_missing")
    assert missing == ["anon", "authenticated", "service_role"]
    assert report.target["kind"] == "vanilla"
    assert not [f for f in report.findings if "rule failed" in f.title]
    assert {f.name for f in report.findings} == {"api_roles_missing", "pending_migration"}


def test_every_rule_has_a_docs_page_listed_in_the_index() -> None:
    index = (REPO / "docs" / "doctor" / "README.md").read_text()
    for rule in load_rules():
        page = REPO / rule.docs
        assert page.is_file(), rule.docs
        text = page.read_text()
        assert text.startswith(f"# {rule.name} ("), rule.docs
        for section in ("**What it detects.**", "**Why it matters.**", "**How to fix.**", "**Example.**"):
            assert section in text, f"{rule.docs} lacks {section}"
        if rule.splinter:
            assert f"({rule.splinter})" in text, f"{rule.docs} does not say how it differs from Supabase's linter"
        assert f"`{rule.name}`" in index
