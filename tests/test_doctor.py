"""doctor: each rule's positive case, negative case and fix, and the output contract."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import REPO, write_migration

from khepri_db.db import connect
from khepri_db.doctor import DoctorReport, load_rules, run_doctor
from khepri_db.engines import EmbeddedEngine, free_port
from khepri_db.errors import DoctorError
from khepri_db.project import Project

PROJECT = Project(REPO)

# The seeds' bug (seed 000/001): profiles.auth_user_id had an index, but no unique constraint,
# and finalize_onboarding upserted on it. Postgres accepts the function and fails every call.
SEED_BUG = """
create table public.profiles (
    id uuid primary key default gen_random_uuid(),
    auth_user_id uuid references auth.users (id),
    display_name text
);
alter table public.profiles enable row level security;
create policy profiles_select_owner on public.profiles for select to authenticated
    using (auth_user_id = (select auth.uid()));
create index profiles_auth_user_id_idx on public.profiles (auth_user_id);
create function public.seed_finalize_onboarding(p_display_name text) returns uuid
language plpgsql security definer set search_path = public as $$
declare v_id uuid;
begin
    insert into profiles (auth_user_id, display_name)
    values (auth.uid(), p_display_name)
    on conflict (auth_user_id) do update set display_name = excluded.display_name
    returning id into v_id;
    return v_id;
end $$;
revoke execute on function public.seed_finalize_onboarding(text) from public, anon;
"""


def plant(url: str, sql: str) -> None:
    with connect(url, autocommit=True) as conn:
        conn.execute(sql)


def findings(url: str, rule: str, **kwargs) -> list:
    return [f for f in run_doctor(url, project=PROJECT, only=[rule], **kwargs).findings]


def test_the_shipped_schema_is_clean(khepri_clone_url: str) -> None:
    report = run_doctor(khepri_clone_url, project=PROJECT)
    assert report.findings == []
    assert report.target["kind"] == "compat"
    assert report.exposed_schemas.source == "supabase/config.toml"
    assert set(report.rules) == {r.name for r in load_rules()}


def test_on_conflict_without_unique_index_finds_the_seed_bug_and_the_fix_clears_it(
    khepri_clone_url: str,
) -> None:
    plant(khepri_clone_url, SEED_BUG)
    [finding] = findings(khepri_clone_url, "on_conflict_without_unique_index")
    assert finding.level == "ERROR"
    assert finding.metadata["name"] == "seed_finalize_onboarding"
    assert finding.metadata["table"] == "public.profiles"  # resolved through the function's search_path
    assert finding.metadata["conflict_columns"] == ["auth_user_id"]
    assert finding.metadata["line"] == 4
    assert "public.seed_finalize_onboarding(p_display_name text)" in finding.detail
    assert "unique (auth_user_id)" in finding.detail

    # The runtime failure doctor predicts is real:
    with connect(khepri_clone_url) as conn:
        conn.execute(
            "select set_config('request.jwt.claims', '{\"sub\": \"00000000-0000-0000-0000-000000000001\"}', true)"
        )
        with pytest.raises(Exception, match="no unique or exclusion constraint matching the ON CONFLICT"):
            conn.execute("select public.seed_finalize_onboarding('x')")

    plant(
        khepri_clone_url,
        "alter table public.profiles add constraint profiles_auth_user_id_key unique (auth_user_id)",
    )
    assert findings(khepri_clone_url, "on_conflict_without_unique_index") == []


@pytest.mark.parametrize(
    ("index_sql", "flagged"),
    [
        # up() conflicts on (a, b); up_one() on (a).
        ("create unique index t_a_partial on public.t (a) where a > 0", {"up", "up_one"}),
        (
            "alter table public.t add constraint t_a_key unique (a) deferrable initially deferred",
            {"up", "up_one"},
        ),
        ("create unique index t_a_b on public.t (a, b)", {"up_one"}),
        ("create unique index t_b_a on public.t (b, a)", {"up_one"}),  # column order does not matter
        ("alter table public.t add primary key (a, b)", {"up_one"}),
        ("create unique index t_a on public.t (a)", {"up"}),
    ],
)
def test_on_conflict_needs_an_immediate_total_unique_index_on_exactly_the_columns(
    khepri_clone_url: str, index_sql: str, flagged: set[str]
) -> None:
    plant(
        khepri_clone_url,
        f"""
        create table public.t (a int, b int);
        {index_sql};
        create function public.up(x int) returns void language sql set search_path = '' as $$
            insert into public.t (a, b) values (x, x) on conflict (a, b) do nothing;
        $$;
        create function public.up_one(x int) returns void language sql set search_path = '' as $$
            insert into public.t (a) values (x) on conflict (a) do nothing;
        $$;
        """,
    )
    assert {f.metadata["name"] for f in findings(khepri_clone_url, "on_conflict_without_unique_index")} == flagged


def test_on_conflict_on_constraint_must_name_an_arbiter(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.u (a int constraint u_a_key unique, b int);
        create function public.by_name(x int) returns void language plpgsql set search_path = '' as $$
        begin
            insert into public.u (a) values (x) on conflict on constraint u_a_key do nothing;
            insert into public.u (a) values (x) on conflict on constraint u_b_key do nothing;
        end $$;
        """,
    )
    [finding] = findings(khepri_clone_url, "on_conflict_without_unique_index")
    assert finding.metadata["constraint"] == "u_b_key"
    assert finding.metadata["line"] == 4


def test_rls_disabled_in_public(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.open_notes (id int primary key);
        create schema private;
        create table private.internal (id int primary key);
        grant usage on schema private to anon;
        grant select on private.internal to anon;
        create table public.no_api_access (id int primary key);
        revoke all on public.no_api_access from anon, authenticated;
        """,
    )
    [finding] = findings(khepri_clone_url, "rls_disabled_in_public")
    assert finding.metadata == {"schema": "public", "name": "open_notes", "type": "table"}
    assert finding.cache_key == "rls_disabled_in_public_public_open_notes"
    # private is exposed once the user says so
    exposed = findings(khepri_clone_url, "rls_disabled_in_public", exposed_schemas=["public", "private"])
    assert {f.metadata["name"] for f in exposed} == {"open_notes", "internal"}

    plant(khepri_clone_url, "alter table public.open_notes enable row level security")
    assert findings(khepri_clone_url, "rls_disabled_in_public") == []
    [info] = findings(khepri_clone_url, "rls_enabled_no_policy")
    assert info.level == "INFO"
    assert info.metadata["name"] == "open_notes"
    plant(khepri_clone_url, "create policy n on public.open_notes for select to authenticated using (true)")
    assert findings(khepri_clone_url, "rls_enabled_no_policy") == []


def test_anon_executable_security_definer_function(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create function public.admin_reset(p_athlete_id uuid) returns void
        language sql security definer set search_path = '' as $$
            delete from public.workouts where athlete_id = p_athlete_id;
        $$;
        """,
    )
    [finding] = findings(khepri_clone_url, "anon_security_definer_function_executable")
    assert finding.metadata["arguments"] == "p_athlete_id uuid"
    assert "through the grant to PUBLIC" in finding.detail

    # The trap on Supabase: revoking from PUBLIC leaves anon's own default-privilege grant.
    plant(khepri_clone_url, "revoke execute on function public.admin_reset(uuid) from public")
    assert len(findings(khepri_clone_url, "anon_security_definer_function_executable")) == 1
    plant(khepri_clone_url, "revoke execute on function public.admin_reset(uuid) from anon")
    assert findings(khepri_clone_url, "anon_security_definer_function_executable") == []


def test_security_definer_without_search_path(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        "create function public.whoami() returns text language sql security definer as $$ select current_user $$; "
        "create function public.plain() returns int language sql as $$ select 1 $$; "
        "create aggregate public.total(int) (sfunc = int4pl, stype = int)",
    )
    [definer] = findings(khepri_clone_url, "security_definer_search_path_mutable")
    assert definer.metadata["name"] == "whoami"
    assert definer.level == "ERROR"
    mutable = {f.metadata["name"] for f in findings(khepri_clone_url, "function_search_path_mutable")}
    assert mutable == {"whoami", "plain"}  # aggregates cannot have a search_path: not flagged

    plant(khepri_clone_url, "alter function public.whoami() set search_path = ''")
    assert findings(khepri_clone_url, "security_definer_search_path_mutable") == []


def test_auth_rls_initplan_flags_bare_and_mixed_calls(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.notes (id int primary key, owner uuid, team text);
        alter table public.notes enable row level security;
        create policy notes_bare on public.notes for select to authenticated using (owner = auth.uid());
        create policy notes_wrapped on public.notes for update to authenticated
            using (owner = (select auth.uid())) with check (owner = (select auth.uid()));
        create policy notes_mixed on public.notes for delete to authenticated
            using (owner = (select auth.uid()) and team = auth.jwt() ->> 'team');
        create policy notes_setting on public.notes for insert to authenticated
            with check (owner = (current_setting('request.jwt.claims', true)::jsonb ->> 'sub')::uuid);
        """,
    )
    flagged = {f.cache_key: f for f in findings(khepri_clone_url, "auth_rls_initplan")}
    assert set(flagged) == {
        "auth_rls_init_plan_public_notes_notes_bare",
        "auth_rls_init_plan_public_notes_notes_mixed",
        "auth_rls_init_plan_public_notes_notes_setting",
    }
    assert "re-evaluates 1 of its 2 call(s)" in flagged["auth_rls_init_plan_public_notes_notes_mixed"].detail


def test_migration_rules_report_pending_changed_and_missing(khepri_clone_url: str, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(REPO / "supabase" / "migrations", migrations)
    applied = sorted(migrations.glob("*.sql"))
    applied[-1].write_text(applied[-1].read_text() + "\n-- edited after it was applied\n")
    applied[0].unlink()
    write_migration(migrations, "20991231000000_future.sql", "select 1;\n")

    report = run_doctor(khepri_clone_url, project=PROJECT, migrations_dir=migrations)

    by_rule = {f.name: f for f in report.findings}
    assert set(by_rule) == {"pending_migration", "migration_changed_after_apply", "migration_missing_locally"}
    assert by_rule["pending_migration"].metadata["version"] == "20991231000000"
    assert by_rule["migration_changed_after_apply"].level == "ERROR"
    assert by_rule["migration_changed_after_apply"].metadata["file"] == applied[-1].name
    assert by_rule["migration_missing_locally"].metadata["version"] == applied[0].name.split("_")[0]


def test_rows_match_each_rule_header(khepri_clone_url: str) -> None:
    plant(khepri_clone_url, SEED_BUG + "create table public.open_notes (id int);"
          "create function public.f() returns int language sql security definer as 'select 1';")  # fmt: skip
    report = run_doctor(khepri_clone_url, project=PROJECT)
    rules = {r.name: r for r in load_rules()}
    assert {"on_conflict_without_unique_index", "rls_disabled_in_public",
            "security_definer_search_path_mutable", "anon_security_definer_function_executable"} <= {
        f.name for f in report.findings
    }  # fmt: skip
    for finding in report.findings:
        rule = rules[finding.name]
        assert (finding.title, finding.level, finding.facing, tuple(finding.categories)) == (
            rule.title, rule.level, rule.facing, rule.categories,
        )  # fmt: skip
        assert finding.cache_key.startswith(finding.name.replace("auth_rls_initplan", "auth_rls_init_plan"))


def test_suppression_by_cache_key(khepri_clone_url: str) -> None:
    plant(khepri_clone_url, "create table public.open_notes (id int)")
    report = run_doctor(
        khepri_clone_url, project=PROJECT, only=["rls_disabled_in_public"],
        suppress=["rls_disabled_in_public_public_open_notes"],
    )  # fmt: skip
    assert report.findings == []
    assert report.suppressed == 1


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


def test_malformed_rule_headers_and_unknown_names_are_usage_errors(khepri_clone_url: str, tmp_path: Path) -> None:
    (tmp_path / "x.sql").write_text(
        "-- name: y\n-- title: t\n-- level: WARN\n-- facing: INTERNAL\n-- categories: A\nselect 1\n"
    )
    with pytest.raises(DoctorError, match="differs from the file name"):
        load_rules(tmp_path)
    with pytest.raises(DoctorError, match="unknown rule name"):
        run_doctor(khepri_clone_url, project=PROJECT, only=["no_such_rule"])


@pytest.mark.slow
def test_missing_api_roles_are_a_finding_not_a_crash() -> None:
    # A brand-new cluster: plain PostgreSQL, no anon/authenticated/service_role anywhere.
    root = Path(tempfile.mkdtemp(prefix="khepri-test-vanilla-"))
    engine = EmbeddedEngine(root / "pgdata", port=free_port(), settings={"fsync": "off"})
    try:
        url = engine.start()
        plant(url, "create table public.t (id int); create function public.f() returns int language sql "
                   "security definer set search_path = '' as 'select 1'")  # fmt: skip
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
        assert (REPO / rule.docs).is_file(), rule.docs
        assert f"`{rule.name}`" in index
