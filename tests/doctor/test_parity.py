"""Every rule of Supabase's database linter (splinter 0001-0029; 0012 has no SQL), under the same
name: a positive case, a negative case, and the fix clearing it, plus each blind spot doctor
fixes. Each test plants objects in a fresh clone of the migrated template."""

from __future__ import annotations

import psycopg
import pytest

from khepri_db.core.db import connect
from khepri_db.doctor.run import run_doctor
from tests.support.doctor import PROJECT, findings, names, plant

pytestmark = pytest.mark.pg


def flush_stats(conn: psycopg.Connection) -> None:
    """Make this backend's pending activity statistics visible to other sessions now."""
    conn.execute("select pg_stat_force_next_flush()")
    conn.execute("select 1")


# -- 0001 unindexed_foreign_keys ----------------------------------------------------------------


def test_unindexed_foreign_keys(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.parent (id int primary key, a int, b int, unique (a, b));
        create table public.child (
            id int primary key, parent_id int references public.parent, a int, b int,
            constraint child_pair_fkey foreign key (a, b) references public.parent (a, b)
        );
        create index child_b_a_idx on public.child (b, a);              -- covers (a, b): order does not matter
        create index child_parent_partial on public.child (parent_id) where a > 0;  -- partial: not every row
        """,
    )
    [finding] = findings(khepri_clone_url, "unindexed_foreign_keys")
    assert finding.level == "INFO"
    assert finding.metadata["fkey_name"] == "child_parent_id_fkey"
    assert finding.metadata["fkey_columns"] == [2]
    assert finding.cache_key == "unindexed_foreign_keys_public_child_child_parent_id_fkey"
    assert "create index on public.child (parent_id)" in finding.detail

    plant(khepri_clone_url, "create index on public.child (parent_id, id)")
    assert findings(khepri_clone_url, "unindexed_foreign_keys") == []


# -- 0002 auth_users_exposed ---------------------------------------------------------------------


def test_auth_users_exposed_directly_and_through_views_on_views(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create view public.user_emails as select u.id, u.email from auth.users as u;
        -- view on a view: the inner one reads auth.users with its owner's rights
        create schema private;
        create view private.all_users as select u.id, u.email, u.raw_user_meta_data from auth.users as u;
        grant usage on schema private to anon, authenticated;
        grant select on private.all_users to anon, authenticated;
        create view public.coach_directory with (security_invoker = on) as select a.email from private.all_users as a;
        -- security invoker all the way down: the API roles cannot read auth.users, so nothing leaks
        create view public.my_id with (security_invoker = on) as select u.id from auth.users as u;
        """,
    )
    found = {f.metadata["name"]: f for f in findings(khepri_clone_url, "auth_users_exposed")}
    assert set(found) == {"user_emails", "coach_directory"}
    assert found["user_emails"].level == "ERROR"
    assert found["user_emails"].metadata["exposed_to"] == ["anon", "authenticated"]
    assert "through private.all_users" in found["coach_directory"].detail
    # What the finding claims is true: anon reads every user's email through the view.
    with connect(khepri_clone_url) as conn:
        conn.execute("insert into auth.users (id, email) values (gen_random_uuid(), 'alice@example.com')")
        conn.execute("set local role anon")
        assert conn.execute("select email from public.coach_directory").fetchall() == [("alice@example.com",)]

    plant(
        khepri_clone_url,
        "revoke select on public.user_emails from anon, authenticated; "
        "revoke select on public.coach_directory from anon, authenticated",
    )
    assert findings(khepri_clone_url, "auth_users_exposed") == []


# -- 0004 no_primary_key -------------------------------------------------------------------------


def test_no_primary_key_reports_partitioned_parents_once(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.events (id bigint, at date not null) partition by range (at);
        create table public.events_2026 partition of public.events for values from ('2026-01-01') to ('2027-01-01');
        create table public.tags (name text);
        create table public.keyed (id int primary key);
        """,
    )
    assert names(findings(khepri_clone_url, "no_primary_key")) == {"events", "tags"}

    plant(
        khepri_clone_url,
        "alter table public.events add primary key (id, at); alter table public.tags add primary key (name)",
    )
    assert findings(khepri_clone_url, "no_primary_key") == []


# -- 0005 unused_index ---------------------------------------------------------------------------


def test_unused_index_judges_only_tables_read_through_indexes(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.readings (id int primary key, device int, taken_on date);
        create index readings_device_idx on public.readings (device);
        create index readings_taken_on_idx on public.readings (taken_on);
        insert into public.readings select g, g % 100, date '2026-01-01' + g % 365 from generate_series(1, 5000) as g;
        analyze public.readings;
        create table public.idle (id int primary key, note text);
        create index idle_note_idx on public.idle (note);
        """,
    )
    # Nothing has read the tables through an index yet: nothing to judge (Supabase's linter would
    # report all three indexes of this brand-new schema).
    assert findings(khepri_clone_url, "unused_index") == []

    with connect(khepri_clone_url, autocommit=True) as conn:
        for device in range(5):
            conn.execute("select count(*) from public.readings where device = %s", (device,))
        flush_stats(conn)
    [finding] = findings(khepri_clone_url, "unused_index")
    assert finding.metadata == {
        "schema": "public",
        "name": "readings",
        "type": "table",
        "index": "readings_taken_on_idx",
    }
    assert finding.cache_key == "unused_index_public_readings_readings_taken_on_idx"

    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute("select count(*) from public.readings where taken_on = date '2026-02-01'")
        flush_stats(conn)
    assert findings(khepri_clone_url, "unused_index") == []


def test_unused_index_never_advises_dropping_a_foreign_key_index(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.devices (id int primary key);
        insert into public.devices select g from generate_series(1, 100) as g;
        create table public.samples (id int primary key, device_id int references public.devices (id), taken_on date);
        create index samples_device_id_idx on public.samples (device_id);
        create index samples_taken_on_idx on public.samples (taken_on);
        insert into public.samples
            select g, 1 + g % 100, date '2026-01-01' + g % 365 from generate_series(1, 5000) as g;
        analyze public.samples;
        """,
    )
    with connect(khepri_clone_url, autocommit=True) as conn:
        for sample in range(5):
            conn.execute("select * from public.samples where id = %s", (sample,))
        flush_stats(conn)
    # Both indexes are unscanned; only the one that does not back the foreign key is reported, and
    # dropping the other would be flagged by unindexed_foreign_keys.
    assert [f.metadata["index"] for f in findings(khepri_clone_url, "unused_index")] == ["samples_taken_on_idx"]
    plant(khepri_clone_url, "drop index public.samples_device_id_idx")
    assert [f.metadata["name"] for f in findings(khepri_clone_url, "unindexed_foreign_keys")] == ["samples"]


# -- 0006 multiple_permissive_policies -----------------------------------------------------------


def test_multiple_permissive_policies(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.notes (id int primary key, owner uuid, shared boolean);
        alter table public.notes enable row level security;
        create policy notes_select_owner on public.notes for select to authenticated
            using (owner = (select auth.uid()));
        create policy notes_select_shared on public.notes for select to authenticated using (shared);
        create policy notes_all_public on public.notes to public using (shared);
        create policy notes_restrict on public.notes as restrictive for select to authenticated using (true);
        """,
    )
    found = {f.cache_key: f for f in findings(khepri_clone_url, "multiple_permissive_policies")}
    # PUBLIC counts for the API roles only, not for authenticator or admin roles.
    assert set(found) == {"multiple_permissive_policies_public_notes_authenticated_SELECT"}
    assert found["multiple_permissive_policies_public_notes_authenticated_SELECT"].metadata["policies"] == [
        "notes_all_public", "notes_select_owner", "notes_select_shared",
    ]  # fmt: skip

    plant(
        khepri_clone_url,
        "drop policy notes_select_shared on public.notes; drop policy notes_all_public on public.notes",
    )
    assert findings(khepri_clone_url, "multiple_permissive_policies") == []


# -- 0007 policy_exists_rls_disabled -------------------------------------------------------------


def test_policy_exists_rls_disabled(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.diary (id int primary key, owner uuid);
        create policy diary_select_owner on public.diary for select to authenticated
            using (owner = (select auth.uid()));
        create table public.log (id int, at date) partition by range (at);
        create policy log_select on public.log for select to authenticated using (false);
        create table public.fine (id int primary key);
        alter table public.fine enable row level security;
        create policy fine_select on public.fine for select to authenticated using (false);
        create schema private;
        create table private.drafts (id int primary key, owner uuid);
        create policy drafts_select on private.drafts for select to authenticated using (owner = (select auth.uid()));
        """,
    )
    found = findings(khepri_clone_url, "policy_exists_rls_disabled")
    assert names(found) == {"diary", "log", "drafts"}
    # ERROR, as Supabase's linter, where the API roles reach the rows; WARN in a schema the API does not expose
    assert {f.metadata["name"]: f.level for f in found} == {"diary": "ERROR", "log": "ERROR", "drafts": "WARN"}

    plant(
        khepri_clone_url,
        "alter table public.diary enable row level security; alter table public.log enable row level security; "
        "alter table private.drafts enable row level security",
    )
    assert findings(khepri_clone_url, "policy_exists_rls_disabled") == []


# -- 0009 duplicate_index ------------------------------------------------------------------------


def test_duplicate_index_compares_definitions_not_index_names(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.t (x1 int, x2 int, y text);
        -- named like their columns: cutting the name out of the two definitions leaves the same text,
        -- so Supabase's linter reports them as identical although they index different columns
        create index x1 on public.t (x1);
        create index x2 on public.t (x2);
        create index t_y_lower on public.t (lower(y));
        create index t_y_lower_again on public.t (lower(y));
        create index t_y_plain on public.t (y);
        """,
    )
    [finding] = findings(khepri_clone_url, "duplicate_index")
    assert finding.level == "WARN"
    assert finding.metadata["indexes"] == ["t_y_lower", "t_y_lower_again"]
    assert finding.cache_key == "duplicate_index_public_t_{t_y_lower,t_y_lower_again}"

    plant(khepri_clone_url, "drop index public.t_y_lower_again")
    assert findings(khepri_clone_url, "duplicate_index") == []


# -- 0010 security_definer_view ------------------------------------------------------------------


def test_security_definer_view(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create view public.athlete_names as select a.id, a.display_name from public.athletes as a;
        create view public.safe_names with (security_invoker = true) as select a.display_name from public.athletes as a;
        create schema reporting;
        create view reporting.totals as select count(*) from public.athletes;
        grant usage on schema reporting to authenticated;
        grant select on reporting.totals to authenticated;
        """,
    )
    [finding] = findings(khepri_clone_url, "security_definer_view")
    assert finding.metadata == {"schema": "public", "name": "athlete_names", "type": "view"}
    assert findings(khepri_clone_url, "security_definer_view", exposed_schemas=["public", "reporting"]) != [finding]

    plant(khepri_clone_url, "alter view public.athlete_names set (security_invoker = on)")
    assert findings(khepri_clone_url, "security_definer_view") == []


# -- 0011 function_search_path_mutable / security_definer_search_path_mutable ---------------------


def test_search_path_rules(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        "create function public.whoami() returns text language sql security definer as $$ select current_user $$; "
        "create function public.plain() returns int language sql as $$ select 1 $$; "
        "create procedure public.tidy() language sql as $$ select 1 $$; "
        "create aggregate public.total(int) (sfunc = int4pl, stype = int)",
    )
    [definer] = findings(khepri_clone_url, "security_definer_search_path_mutable")
    assert definer.metadata["name"] == "whoami"
    assert definer.level == "WARN"  # an API caller can neither set search_path nor create objects
    # one defect, one finding: the full run keeps the definer rule and folds 0011's finding in
    full = run_doctor(
        khepri_clone_url, project=PROJECT, only=["security_definer_search_path_mutable", "function_search_path_mutable"]
    )
    whoami = [f for f in full.findings if f.metadata["name"] == "whoami"]
    assert [f.name for f in whoami] == ["security_definer_search_path_mutable"]
    [also] = whoami[0].metadata["also_reported_as"]
    assert also["rule"] == "function_search_path_mutable"
    # a suppression written for either cache key drops the one finding
    quiet = run_doctor(
        khepri_clone_url,
        project=PROJECT,
        only=["security_definer_search_path_mutable", "function_search_path_mutable"],
        suppress=[also["cache_key"]],
    )
    assert [f for f in quiet.findings if f.metadata["name"] == "whoami"] == []
    mutable = names(findings(khepri_clone_url, "function_search_path_mutable"))
    assert mutable == {"whoami", "plain", "tidy"}  # aggregates cannot have a search_path: not flagged

    plant(
        khepri_clone_url,
        "alter function public.whoami() set search_path = ''; alter function public.plain() set search_path = ''; "
        "alter procedure public.tidy() set search_path = ''",
    )
    assert findings(khepri_clone_url, "security_definer_search_path_mutable") == []
    assert findings(khepri_clone_url, "function_search_path_mutable") == []


# -- 0003, 0008, 0013: auth_rls_initplan, rls_enabled_no_policy, rls_disabled_in_public --------------


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

    plant(
        khepri_clone_url,
        """
        alter policy notes_bare on public.notes using (owner = (select auth.uid()));
        alter policy notes_mixed on public.notes
            using (owner = (select auth.uid()) and team = (select auth.jwt()) ->> 'team');
        alter policy notes_setting on public.notes
            with check (owner = (select (current_setting('request.jwt.claims', true)::jsonb ->> 'sub')::uuid));
        """,
    )
    assert findings(khepri_clone_url, "auth_rls_initplan") == []


def test_rls_disabled_in_public_counts_write_grants_too(khepri_clone_url: str) -> None:
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
        create table public.write_only (id int primary key);
        revoke all on public.write_only from anon, authenticated;
        grant insert on public.write_only to anon;
        """,
    )
    found = {f.metadata["name"]: f for f in findings(khepri_clone_url, "rls_disabled_in_public")}
    # write_only: anon can only INSERT, and Supabase's linter (SELECT only) does not see it
    assert set(found) == {"open_notes", "write_only"}
    assert found["open_notes"].cache_key == "rls_disabled_in_public_public_open_notes"
    exposed = findings(khepri_clone_url, "rls_disabled_in_public", exposed_schemas=["public", "private"])
    assert names(exposed) == {"open_notes", "write_only", "internal"}

    plant(
        khepri_clone_url,
        "alter table public.open_notes enable row level security; "
        "alter table public.write_only enable row level security",
    )
    assert findings(khepri_clone_url, "rls_disabled_in_public") == []
    assert names(findings(khepri_clone_url, "rls_enabled_no_policy")) == {"open_notes", "write_only"}
    plant(
        khepri_clone_url,
        "create policy n on public.open_notes for select to authenticated using (true); "
        "create policy w on public.write_only for insert to anon with check (true)",
    )
    assert findings(khepri_clone_url, "rls_enabled_no_policy") == []


# -- 0014 extension_in_public / 0022 extension_versions_outdated ----------------------------------


def test_extension_in_public_and_outdated_versions(khepri_clone_url: str) -> None:
    plant(khepri_clone_url, "create extension hstore with schema public version '1.4'")
    [in_public] = findings(khepri_clone_url, "extension_in_public")
    assert in_public.metadata == {"schema": "public", "name": "hstore", "type": "extension"}
    [outdated] = findings(khepri_clone_url, "extension_versions_outdated")
    assert outdated.metadata["installed_version"] == "1.4"
    assert outdated.cache_key == "extension_versions_outdated_hstore_1.4"

    plant(khepri_clone_url, "alter extension hstore set schema extensions; alter extension hstore update")
    assert findings(khepri_clone_url, "extension_in_public") == []
    assert findings(khepri_clone_url, "extension_versions_outdated") == []


# -- 0015 rls_references_user_metadata -----------------------------------------------------------


def test_rls_references_user_metadata_in_the_policy_and_in_helpers(khepri_clone_url: str) -> None:
    # The seeds' admin check: a role read from user_metadata, which every user can set for themselves.
    plant(
        khepri_clone_url,
        """
        create table public.plans_admin (id int primary key);
        alter table public.plans_admin enable row level security;
        create policy plans_admin_select on public.plans_admin for select to authenticated
            using ((select auth.jwt() -> 'user_metadata' ->> 'role') = 'admin');
        create function public.is_admin() returns boolean language sql stable set search_path = '' as $$
            select coalesce((auth.jwt() -> 'user_metadata' ->> 'is_admin')::boolean, false)
        $$;
        create policy plans_admin_delete on public.plans_admin for delete to authenticated
            using ((select public.is_admin()));
        create function public.is_staff() returns boolean language sql stable set search_path = '' as $$
            select coalesce((auth.jwt() -> 'app_metadata' ->> 'staff')::boolean, false)
        $$;
        create policy plans_admin_update on public.plans_admin for update to authenticated
            using ((select public.is_staff())) with check ((select public.is_staff()));
        """,
    )
    found = {f.metadata["policy_name"]: f for f in findings(khepri_clone_url, "rls_references_user_metadata")}
    # Supabase's linter sees only plans_admin_select: the helper function hides the other one.
    assert set(found) == {"plans_admin_select", "plans_admin_delete"}
    assert {f.level for f in found.values()} == {"ERROR"}  # authenticated can use both policies
    assert found["plans_admin_delete"].metadata["via"] == ["function public.is_admin()"]
    assert found["plans_admin_select"].cache_key == "rls_references_user_metadata_public_plans_admin_plans_admin_select"

    plant(
        khepri_clone_url,
        """
        alter policy plans_admin_select on public.plans_admin
            using ((select auth.jwt() -> 'app_metadata' ->> 'role') = 'admin');
        create or replace function public.is_admin() returns boolean language sql stable set search_path = '' as $$
            select coalesce((auth.jwt() -> 'app_metadata' ->> 'is_admin')::boolean, false)
        $$;
        """,
    )
    assert findings(khepri_clone_url, "rls_references_user_metadata") == []


def test_rls_references_user_metadata_is_a_warning_where_no_api_role_can_use_the_policy(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create schema private;
        create table private.plans_admin (id int primary key);
        alter table private.plans_admin enable row level security;
        grant usage on schema private to authenticated;
        grant select on private.plans_admin to authenticated;
        create policy plans_admin_select on private.plans_admin for select to authenticated
            using ((select auth.jwt() -> 'user_metadata' ->> 'role') = 'admin');
        create table public.reports (id int primary key);
        alter table public.reports enable row level security;
        revoke all on public.reports from anon, authenticated;
        create policy reports_select on public.reports for select to authenticated
            using ((select auth.jwt() -> 'user_metadata' ->> 'role') = 'admin');
        """,
    )
    found = {f.metadata["name"]: f.level for f in findings(khepri_clone_url, "rls_references_user_metadata")}
    # not exposed; exposed but no API role holds a privilege on it
    assert found == {"plans_admin": "WARN", "reports": "WARN"}
    plant(khepri_clone_url, "grant select on public.reports to authenticated")
    found = {f.metadata["name"]: f.level for f in findings(khepri_clone_url, "rls_references_user_metadata")}
    assert found == {"plans_admin": "WARN", "reports": "ERROR"}


# -- 0016 materialized_view_in_api / 0017 foreign_table_in_api ------------------------------------


def test_materialized_view_and_foreign_table_in_api(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create materialized view public.plan_counts as select count(*) as n from public.training_plans;
        create extension file_fdw with schema extensions;
        create server local_files foreign data wrapper file_fdw;
        create foreign table public.imports (line text) server local_files options (filename '/dev/null');
        create schema internal;
        create materialized view internal.counts as select 1 as n;
        grant usage on schema internal to anon;
        grant select on internal.counts to anon;
        """,
    )
    [matview] = findings(khepri_clone_url, "materialized_view_in_api")
    assert matview.metadata == {"schema": "public", "name": "plan_counts", "type": "materialized view"}
    [foreign] = findings(khepri_clone_url, "foreign_table_in_api")
    assert foreign.metadata == {"schema": "public", "name": "imports", "type": "foreign table"}

    plant(
        khepri_clone_url,
        "revoke all on public.plan_counts from anon, authenticated; "
        "revoke all on public.imports from anon, authenticated",
    )
    assert findings(khepri_clone_url, "materialized_view_in_api") == []
    assert findings(khepri_clone_url, "foreign_table_in_api") == []


# -- 0018 unsupported_reg_types ------------------------------------------------------------------


def test_unsupported_reg_types_including_arrays_and_domains(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create domain public.handler as regproc;
        create table public.hooks (
            id int primary key, fn regproc, fns regprocedure[], via public.handler, kind regclass, ok text
        );
        """,
    )
    found = findings(khepri_clone_url, "unsupported_reg_types")
    # regclass is supported by pg_upgrade; arrays and domains of the others are not
    assert names(found, "column") == {"fn", "fns", "via"}
    assert {f.cache_key for f in found} >= {"unsupported_reg_types_public_hooks_fn"}

    plant(
        khepri_clone_url,
        "alter table public.hooks alter column fn type text using fn::text, "
        "alter column fns type text[] using fns::text[], "
        "alter column via type text using via::text",
    )
    assert findings(khepri_clone_url, "unsupported_reg_types") == []


# -- 0019 insecure_queue_exposed_in_api ----------------------------------------------------------


def test_insecure_queue_exposed_in_api(khepri_clone_url: str) -> None:
    # The shape Supabase Queues (pgmq) creates: schema pgmq, one table q_<queue> per queue, exposed
    # to the API through the pgmq_public schema. pgmq itself is not installed here.
    plant(
        khepri_clone_url,
        """
        create schema pgmq;
        create table pgmq.q_emails (msg_id bigint primary key, message jsonb);
        create table pgmq.meta (queue_name text primary key);
        grant usage on schema pgmq to anon, authenticated;
        grant select on pgmq.q_emails, pgmq.meta to anon;
        create schema pgmq_public;
        """,
    )
    assert findings(khepri_clone_url, "insecure_queue_exposed_in_api") == []  # pgmq_public is not exposed
    [finding] = findings(khepri_clone_url, "insecure_queue_exposed_in_api", exposed_schemas=["public", "pgmq_public"])
    assert finding.metadata == {"schema": "pgmq", "name": "q_emails", "type": "table"}
    assert finding.cache_key == "rls_disabled_in_public_pgmq_q_emails"  # Supabase's linter's form

    plant(khepri_clone_url, "alter table pgmq.q_emails enable row level security")
    assert findings(khepri_clone_url, "insecure_queue_exposed_in_api", exposed_schemas=["public", "pgmq_public"]) == []


# -- 0020 table_bloat ----------------------------------------------------------------------------


def test_table_bloat_with_documented_thresholds(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.events_log (id int primary key, payload text) with (autovacuum_enabled = false);
        insert into public.events_log select g, repeat('x', 200) from generate_series(1, 40000) as g;
        delete from public.events_log where id % 10 <> 0;
        analyze public.events_log;
        """,
    )
    # About 90% of the table is waste, but only ~8 MB of it: below the documented 200 MB.
    assert findings(khepri_clone_url, "table_bloat") == []
    small = {"table_bloat_min_wasted_bytes": 1024 * 1024}
    [finding] = findings(khepri_clone_url, "table_bloat", thresholds=small)
    assert finding.level == "WARN"
    assert finding.metadata["wasted_fraction"] > 0.7
    assert finding.metadata["wasted_bytes"] > 1024 * 1024
    assert finding.cache_key == "table_bloat_public_events_log"

    plant(khepri_clone_url, "vacuum full public.events_log")
    plant(khepri_clone_url, "analyze public.events_log")
    assert findings(khepri_clone_url, "table_bloat", thresholds=small) == []


# -- 0021 fkey_to_auth_unique --------------------------------------------------------------------


def test_fkey_to_auth_unique(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.sms_contacts (id int primary key, phone text references auth.users (phone));
        create table public.members (id int primary key, user_id uuid references auth.users (id));
        """,
    )
    [finding] = findings(khepri_clone_url, "fkey_to_auth_unique")
    assert finding.metadata == {"schema": "public", "name": "sms_contacts", "foreign_key": "sms_contacts_phone_fkey"}

    plant(khepri_clone_url, "alter table public.sms_contacts drop constraint sms_contacts_phone_fkey")
    assert findings(khepri_clone_url, "fkey_to_auth_unique") == []


# -- 0023 sensitive_columns_exposed --------------------------------------------------------------


def test_sensitive_columns_exposed(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.integrations (
            id int primary key, name text, api_token text, password_hash text, token_count int, stripe_secret_key text
        );
        create table public.cities (id int primary key, name text);
        """,
    )
    [finding] = findings(khepri_clone_url, "sensitive_columns_exposed")
    assert finding.metadata["name"] == "integrations"
    assert finding.metadata["sensitive_columns"] == ["api_token", "password_hash", "stripe_secret_key"]

    plant(khepri_clone_url, "alter table public.integrations enable row level security")
    assert findings(khepri_clone_url, "sensitive_columns_exposed") == []


# -- 0024 rls_policy_always_true -----------------------------------------------------------------


def test_rls_policy_always_true_after_normalisation(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.boards (id int primary key, owner uuid);
        alter table public.boards enable row level security;
        create policy boards_select on public.boards for select to authenticated using (true);
        create policy boards_update on public.boards for update to authenticated using ('a' = 'a');
        create policy boards_delete on public.boards for delete to authenticated using (not false);
        create policy boards_insert on public.boards for insert to authenticated with check (1 = 1 and true);
        create policy boards_all on public.boards to public using (owner = (select auth.uid()) or 2 > 1);
        create policy boards_owner on public.boards for update to authenticated using (owner = (select auth.uid()));
        create policy boards_admin on public.boards for delete to service_role using (true);
        create table public.inbox (id int primary key);
        alter table public.inbox enable row level security;
        grant insert on public.inbox to anon;
        create policy inbox_insert on public.inbox for insert to anon;
        """,
    )
    found = {f.metadata["policy_name"]: f for f in findings(khepri_clone_url, "rls_policy_always_true")}
    # boards_select: public read is often intended (not reported, as in Supabase's linter);
    # boards_all reads a column, but `or 2 > 1` makes the planner fold it to true;
    # inbox_insert has no WITH CHECK, which denies every insert (Supabase's linter reports it).
    assert set(found) == {"boards_update", "boards_delete", "boards_insert", "boards_all"}
    assert found["boards_update"].metadata["permissive_using"] is True
    assert found["boards_update"].metadata["permissive_with_check"] is True  # USING is the check
    assert found["boards_insert"].metadata["permissive_using"] is False
    assert found["boards_all"].metadata["roles"] == ["public"]
    with connect(khepri_clone_url) as conn:
        conn.execute("set local role anon")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level"):
            conn.execute("insert into public.inbox (id) values (1)")

    plant(
        khepri_clone_url,
        """
        alter policy boards_update on public.boards
            using (owner = (select auth.uid())) with check (owner = (select auth.uid()));
        alter policy boards_delete on public.boards using (owner = (select auth.uid()));
        alter policy boards_insert on public.boards with check (owner = (select auth.uid()));
        alter policy boards_all on public.boards using (owner = (select auth.uid()));
        """,
    )
    assert findings(khepri_clone_url, "rls_policy_always_true") == []


# -- 0025 public_bucket_allows_listing -----------------------------------------------------------


def test_public_bucket_allows_listing(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        insert into storage.buckets (id, name, public) values
            ('avatars', 'avatars', true), ('logos', 'logos', true), ('receipts', 'receipts', false);
        create policy avatars_list on storage.objects for select to public using (bucket_id = 'avatars');
        create policy shared_list on storage.objects for select to anon using (bucket_id in ('logos', 'receipts'));
        create policy receipts_owner on storage.objects for select to authenticated
            using (bucket_id = 'logos' and (storage.foldername(name))[1] = (select auth.uid())::text);
        """,
    )
    found = {f.metadata["bucket_id"]: f for f in findings(khepri_clone_url, "public_bucket_allows_listing")}
    assert set(found) == {"avatars", "logos"}  # receipts is private; the owner-folder policy is narrow
    assert found["logos"].metadata["policy_names"] == ["shared_list"]
    assert found["avatars"].cache_key == "public_bucket_allows_listing_avatars"

    plant(
        khepri_clone_url,
        "drop policy avatars_list on storage.objects; "
        "alter policy shared_list on storage.objects using (bucket_id = 'receipts')",
    )
    assert findings(khepri_clone_url, "public_bucket_allows_listing") == []


# -- 0026 / 0027 pg_graphql --------------------------------------------------------------------


@pytest.mark.parametrize("rule", ["pg_graphql_anon_table_exposed", "pg_graphql_authenticated_table_exposed"])
def test_pg_graphql_rules_need_pg_graphql(khepri_clone_url: str, rule: str) -> None:
    # The negative case: without pg_graphql (the layer preinstalls khepri-db's stand-in, as Supabase
    # preinstalls pg_graphql; the positive case is in tests/extensions/test_platform.py), nothing is reported.
    plant(khepri_clone_url, "drop extension if exists pg_graphql; create table public.visible (id int primary key)")
    with connect(khepri_clone_url) as conn:
        assert conn.execute("select count(*) from pg_extension where extname = 'pg_graphql'").fetchone() == (0,)
        assert conn.execute("select has_table_privilege('anon', 'public.visible', 'select')").fetchone() == (True,)
    assert findings(khepri_clone_url, rule) == []


# -- 0028 / 0029 SECURITY DEFINER functions executable by the API roles ---------------------------


def test_security_definer_functions_executable_by_api_roles(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create function public.admin_reset(p_athlete_id uuid) returns void
        language sql security definer set search_path = '' as $$
            delete from public.workouts where athlete_id = p_athlete_id;
        $$;
        create procedure public.nightly() language sql security definer set search_path = '' as $$ select 1 $$;
        create function public.audit_trigger() returns trigger language plpgsql security definer set search_path = ''
            as $$ begin return new; end $$;
        create schema ops;
        create function ops.helper() returns int language sql security definer set search_path = '' as 'select 1';
        grant usage on schema ops to anon, authenticated;
        grant execute on function ops.helper() to anon, authenticated;
        """,
    )
    [anon] = findings(khepri_clone_url, "anon_security_definer_function_executable")
    assert anon.metadata["name"] == "admin_reset"
    assert anon.metadata["arguments"] == "p_athlete_id uuid"
    assert "through the grant to PUBLIC" in anon.detail
    assert anon.cache_key == "anon_security_definer_function_executable_public_admin_reset_p_athlete_id uuid"
    [signed_in] = findings(khepri_clone_url, "authenticated_security_definer_function_executable")
    assert signed_in.metadata["name"] == "admin_reset"
    # ops is not exposed; procedures and trigger functions cannot be called through /rest/v1/rpc
    assert names(findings(khepri_clone_url, "anon_security_definer_function_executable", exposed_schemas=["ops"])) == {
        "helper"
    }

    # The trap on Supabase: revoking from PUBLIC leaves anon's own default-privilege grant.
    plant(khepri_clone_url, "revoke execute on function public.admin_reset(uuid) from public")
    assert len(findings(khepri_clone_url, "anon_security_definer_function_executable")) == 1
    plant(khepri_clone_url, "revoke execute on function public.admin_reset(uuid) from anon")
    assert findings(khepri_clone_url, "anon_security_definer_function_executable") == []
    plant(khepri_clone_url, "revoke execute on function public.admin_reset(uuid) from authenticated")
    assert findings(khepri_clone_url, "authenticated_security_definer_function_executable") == []


def test_parity_rules_are_exact_on_the_seeds_shape(khepri_clone_url: str) -> None:
    # The seeds' backend as Supabase's linter sees it: every one of these is silent there, because
    # it needs pgrst.db_schemas set; doctor decides exposure from supabase/config.toml.
    plant(khepri_clone_url, "create view public.v as select 1 as x")
    report = run_doctor(khepri_clone_url, project=PROJECT, only=["security_definer_view"])
    assert report.exposed_schemas.schemas == ["public", "graphql_public"]
    assert names(report.findings) == {"v"}
