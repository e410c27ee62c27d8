"""doctor as a CI gate (issue 10): one defect, one finding; levels that match the harm; leaks the
rules used to miss, each reproduced as anon or another user; truthful initplan wording; and no
findings about objects Supabase always has. Small fixtures of our own in the shape of what real
projects do."""

from __future__ import annotations

import pytest

from khepri_db.core.db import connect
from khepri_db.core.session import as_anon, as_user, create_user
from khepri_db.doctor.run import run_doctor
from tests.support.doctor import PROJECT, findings, plant

pytestmark = pytest.mark.pg


def test_anon_and_authenticated_variants_are_one_finding(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        "create function public.stats() returns int language sql security definer set search_path = '' "
        "as $$ select 1 $$",
    )
    report = run_doctor(
        khepri_clone_url, project=PROJECT,
        only=["anon_security_definer_function_executable", "authenticated_security_definer_function_executable"],
    )  # fmt: skip
    [finding] = [f for f in report.findings if f.metadata["name"] == "stats"]
    assert finding.name == "anon_security_definer_function_executable"
    [also] = finding.metadata["also_reported_as"]
    assert also["rule"] == "authenticated_security_definer_function_executable"
    assert also["cache_key"] in finding.detail
    # Suppressing the authenticated half (an existing suppression) drops the one finding.
    quiet = run_doctor(
        khepri_clone_url, project=PROJECT, suppress=[also["cache_key"]],
        only=["anon_security_definer_function_executable", "authenticated_security_definer_function_executable"],
    )  # fmt: skip
    assert [f for f in quiet.findings if f.metadata["name"] == "stats"] == []
    assert quiet.suppressed == 1


def test_always_true_write_policy_is_an_error_only_when_an_api_role_can_use_it(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.guestbook (id int primary key, body text);
        alter table public.guestbook enable row level security;
        create policy guestbook_insert on public.guestbook for insert to anon with check (true);
        grant insert on public.guestbook to anon;
        create table public.ledger (id int primary key, body text);
        alter table public.ledger enable row level security;
        create policy ledger_delete on public.ledger for delete to authenticated using (true);
        revoke all on public.ledger from anon, authenticated;
        """,
    )
    found = {f.metadata["name"]: f for f in findings(khepri_clone_url, "rls_policy_always_true")}
    assert found["guestbook"].level == "ERROR"
    assert found["guestbook"].metadata["reachable_by"] == ["anon"]
    assert found["ledger"].level == "WARN"  # needs a grant too
    with connect(khepri_clone_url) as conn, as_anon(conn):
        conn.execute("insert into public.guestbook values (1, 'anyone')")  # the ERROR's claim holds


def test_storage_objects_policies_are_checked_like_the_projects_own(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        "create policy files_all on storage.objects for all to public using (true) with check (true)",
    )
    [finding] = [f for f in findings(khepri_clone_url, "rls_policy_always_true") if f.metadata["schema"] == "storage"]
    assert (finding.metadata["name"], finding.level) == ("objects", "ERROR")
    with connect(khepri_clone_url) as conn:
        conn.execute("insert into storage.buckets (id, name) values ('docs', 'docs') on conflict do nothing")
        conn.execute("insert into storage.objects (bucket_id, name) values ('docs', 'alice/cv.pdf')")
        with as_anon(conn):  # anon deletes someone else's file, as the Storage API does it for anon's JWT
            conn.execute("set local storage.allow_delete_query = 'true'")
            assert conn.execute("delete from storage.objects where name = 'alice/cv.pdf'").rowcount == 1
            # and overwrites another's metadata, with no Storage API setting at all
            conn.execute("insert into storage.objects (bucket_id, name) values ('docs', 'bob/id.png')")
            assert conn.execute("update storage.objects set metadata = '{}' where name = 'bob/id.png'").rowcount == 1
        conn.rollback()
    plant(khepri_clone_url, "drop policy files_all on storage.objects")
    assert [f for f in findings(khepri_clone_url, "rls_policy_always_true") if f.metadata["schema"] == "storage"] == []


def test_always_true_hidden_in_an_or_is_reported_for_select_on_tenant_tables(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.projects (id int primary key, organization_id uuid, owner_id uuid);
        alter table public.projects enable row level security;
        grant select on public.projects to authenticated;
        create policy projects_select on public.projects for select to authenticated
            using (owner_id = (select auth.uid()) or 1 = 1);
        create table public.news (id int primary key, body text);
        alter table public.news enable row level security;
        create policy news_select on public.news for select to anon using (true);  -- public on purpose
        """,
    )
    [finding] = findings(khepri_clone_url, "rls_policy_always_true")
    assert (finding.metadata["name"], finding.metadata["command"], finding.level) == ("projects", "SELECT", "ERROR")
    with connect(khepri_clone_url) as conn:
        alice, bob = create_user(conn, "alice@example.com"), create_user(conn, "bob@example.com")
        conn.execute("insert into public.projects values (1, null, %s)", (alice.id,))
        with as_user(conn, bob):  # Bob reads Alice's project
            assert conn.execute("select count(*) from public.projects").fetchone() == (1,)
        conn.rollback()


def test_definer_function_trusting_any_argument(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.reports (id int primary key, project_id int, owner_id uuid, body text);
        alter table public.reports enable row level security;
        create policy reports_select on public.reports for select to authenticated
            using (owner_id = (select auth.uid()));
        -- leaks: any caller reads any project's reports by id
        create function public.project_reports(p_project_id int) returns setof public.reports
        language sql stable security definer set search_path = '' as $$
            select r.* from public.reports as r where r.project_id = p_project_id
        $$;
        -- fine: scoped by the caller
        create function public.my_reports(p_project_id int) returns setof public.reports
        language sql stable security definer set search_path = '' as $$
            select r.* from public.reports as r where r.project_id = p_project_id and r.owner_id = auth.uid()
        $$;
        -- fine: the argument reaches no table with RLS
        create function public.echo(target text) returns text
        language sql stable security definer set search_path = '' as $$ select target $$;
        """,
    )
    found = {f.metadata["name"]: f for f in findings(khepri_clone_url, "security_definer_trusts_caller_id")}
    assert set(found) == {"project_reports"}
    assert (found["project_reports"].metadata["argument"], found["project_reports"].level) == ("p_project_id", "ERROR")
    with connect(khepri_clone_url) as conn:
        alice = create_user(conn, "alice@example.com")
        conn.execute("insert into public.reports values (1, 7, %s, 'secret')", (alice.id,))
        with as_anon(conn):  # anon reads Alice's report
            assert conn.execute("select body from public.project_reports(7)").fetchall() == [("secret",)]
        conn.rollback()


def test_function_body_reading_supabase_objects_is_not_a_defect(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create schema if not exists vault;
        create function public.api_url() returns text language plpgsql security invoker set search_path = '' as $$
        declare v text;
        begin
            select s.decrypted_secret into v from vault.no_such_secrets_view as s where s.name = 'url';
            return v;
        end $$;
        create function public.broken() returns int language plpgsql set search_path = '' as $$
        begin
            return (select count(*) from public.no_such_table);
        end $$;
        """,
    )
    found = {f.metadata["name"]: f for f in findings(khepri_clone_url, "function_body_invalid")}
    assert found["api_url"].level == "INFO"
    assert found["api_url"].metadata["unchecked_supabase_object"] is True
    assert "Could not check" in found["api_url"].detail
    assert found["broken"].level == "ERROR"  # the project's own object, read on every call


def test_initplan_detail_follows_the_plan(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.members (team_id int, user_id uuid);
        create table public.docs (id int primary key, team_id int, user_id uuid);
        alter table public.docs enable row level security;
        create policy docs_team on public.docs for select to authenticated
            using (team_id in (select m.team_id from public.members as m where m.user_id = auth.uid()));
        create policy docs_own on public.docs for update to authenticated using (user_id = auth.uid());
        create policy docs_wrapped on public.docs for delete to authenticated using (user_id = (select auth.uid()));
        """,
    )
    found = {f.cache_key.rsplit("_", 1)[-1]: f for f in findings(khepri_clone_url, "auth_rls_initplan")}
    assert set(found) == {"team", "own"}
    assert "once per statement (hashed SubPlan)" in found["team"].detail
    assert "for each row of the table" not in found["team"].detail.split("not for each row")[0]
    assert found["team"].metadata["per_row_calls"] == 0
    assert "for each row of the table" in found["own"].detail
    assert found["own"].metadata["per_row_calls"] == 1


def test_dedupe_keeps_distinct_defects_apart(khepri_clone_url: str) -> None:
    plant(khepri_clone_url, "create table public.a1 (id int primary key); create table public.a2 (id int primary key)")
    report = run_doctor(
        khepri_clone_url, project=PROJECT, only=["rls_disabled_in_public", "policy_exists_rls_disabled"]
    )
    assert {f.metadata["name"] for f in report.findings} >= {"a1", "a2"}
    assert all("also_reported_as" not in f.metadata for f in report.findings if f.metadata["name"] in {"a1", "a2"})


def test_policy_columns_without_an_index(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.docs (id int primary key, user_id uuid, team_id int, published boolean);
        alter table public.docs enable row level security;
        create policy docs_select on public.docs for select to authenticated
            using (user_id = (select auth.uid()) or published);
        create policy docs_update on public.docs for update to authenticated
            using (team_id = 1 and id > 0);
        create index docs_team_user on public.docs (team_id, user_id);  -- leads with team_id only
        """,
    )
    found = {f.metadata["column"]: f for f in findings(khepri_clone_url, "rls_policy_column_unindexed")}
    assert set(found) == {"user_id"}  # team_id and id have leading indexes; published is boolean
    assert found["user_id"].level == "INFO"
    assert "create index on public.docs (user_id);" in found["user_id"].detail
    plant(khepri_clone_url, "create index on public.docs (user_id)")
    assert findings(khepri_clone_url, "rls_policy_column_unindexed") == []


def test_definer_lookups_of_auth_users_are_errors_and_boolean_oracles_warnings(khepri_clone_url: str) -> None:
    # Real-world shapes: an email lookup by id or username open to anon, and a has_role() helper.
    plant(
        khepri_clone_url,
        """
        create function public.email_of(id uuid) returns table (email text)
        language plpgsql security definer set search_path = '' as $$
        begin
            return query select u.email::text from auth.users as u where u.id = $1;
        end $$;
        create table public.user_roles (user_id uuid, role text);
        alter table public.user_roles enable row level security;
        create function public.has_role(_user_id uuid, _role text) returns boolean
        language sql stable security definer set search_path = '' as $$
            select exists (select 1 from public.user_roles as r where r.user_id = _user_id and r.role = _role)
        $$;
        create function public.accept_invite(invite_token text) returns boolean
        language sql security definer set search_path = '' as $$
            select exists (select 1 from public.user_roles as r where r.role = invite_token)
        $$;
        """,
    )
    found = {f.metadata["name"]: f for f in findings(khepri_clone_url, "security_definer_trusts_caller_id")}
    assert set(found) == {"email_of", "has_role"}  # knowing a token is the authorisation
    assert found["email_of"].level == "ERROR"
    assert found["has_role"].level == "WARN"  # a boolean oracle
    with connect(khepri_clone_url) as conn:
        alice = create_user(conn, "alice@example.com")
        with as_anon(conn):  # anon reads Alice's email
            assert conn.execute("select email from public.email_of(%s)", (alice.id,)).fetchall() == [
                ("alice@example.com",)
            ]
        conn.rollback()
