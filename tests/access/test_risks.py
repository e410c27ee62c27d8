"""Risks (issue 22): what verify-access observed that is dangerous whatever the declaration says, and
the ``--fail-on risk`` gate."""

from __future__ import annotations

from pathlib import Path

import pytest

from khepri_db.access._caller import checks_caller
from khepri_db.core.db import connect
from tests.support import REPO, Cli

pytestmark = pytest.mark.pg

GUESTBOOK = """
create table public.guestbook (id bigint generated always as identity primary key, message text not null);
alter table public.guestbook enable row level security;
create policy anyone_signs on public.guestbook for insert to anon, authenticated with check (true);
create policy anyone_reads on public.guestbook for select to anon, authenticated using (true);
grant select, insert on public.guestbook to anon, authenticated;
"""

DECLARED = """
[tables.guestbook]
description = "A public guestbook: anyone signs it, anyone reads it."
shared = true
row = { message = "hello" }
allow.anon = ["select", "insert"]
allow.owner = ["select", "insert"]
allow.other = ["select", "insert"]
allow.coach = ["select", "insert"]
allow.admin = ["select", "insert"]
allow.service_role = "all"
"""


def test_a_declared_public_write_holds_but_is_a_risk_and_fails_only_under_fail_on_risk(
    cli: Cli, khepri_clone_url: str, tmp_path: Path
) -> None:
    access = tmp_path / "access.toml"
    access.write_text((REPO / "supabase" / "access.toml").read_text() + DECLARED)
    code, clean = cli.json("verify-access", "--db-url", khepri_clone_url, "--fail-on", "risk")
    assert (code, clean["summary"]["risks"]) == (0, 0)  # Khepri's own matrix: no actor writes rows it does not own
    args = ("verify-access", "--db-url", khepri_clone_url, "--access-file", str(access))

    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute(GUESTBOOK)
    code, report = cli.json(*args)
    assert code == 0, report["summary"]  # every cell as declared
    risky = {c["id"]: c["risk"] for c in report["risks"]}
    # anon signing is a risk; another signed-in user adding a row to a table nobody owns is not
    assert risky == {
        "public.guestbook:anon:insert": "anon (no sign-in, the public anon key) can insert rows into public.guestbook"
    }
    assert report["summary"]["risks"] == 1
    code, _ = cli.json(*args, "--fail-on", "risk")
    assert code == 1
    text = cli(*args, "--fail-on", "risk", cwd=REPO)
    assert "RISK public.guestbook:anon:insert: anon (no sign-in" in text.stdout
    assert "fail (--fail-on risk): 1 risk(s)" in text.stdout


def test_an_undeclared_write_by_anon_is_a_mismatch_and_a_risk(cli: Cli, khepri_clone_url: str) -> None:
    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute("create policy anon_rewrites on public.goals for update to anon using (true) with check (true)")
        conn.execute("create policy anon_sees on public.goals for select to anon using (true)")
        conn.execute("grant select, update on public.goals to anon")
    code, report = cli.json("verify-access", "--db-url", khepri_clone_url, cwd=REPO)
    assert code == 1
    assert "public.goals:anon:update" in {c["id"] for c in report["mismatches"]}
    assert "public.goals:anon:update" in {c["id"] for c in report["risks"]}
    code, _ = cli.json("verify-access", "--db-url", khepri_clone_url, "--fail-on", "nonsense", cwd=REPO)
    assert code == 2


LEAKY_FUNCTION = """
create function public.add_goal_for(athlete uuid, title text) returns void
language sql security definer set search_path = '' as $$
    insert into public.goals (athlete_id, goal_type, title, fitness_metric, fitness_target_value)
    values (athlete, 'fitness', title, 'sessions_per_week', 1)
$$;
grant execute on function public.add_goal_for(uuid, text) to anon, authenticated;
"""

LEAKY_DECLARED = """
[functions."public.add_goal_for"]
description = "Adds a goal to any athlete: SECURITY DEFINER, callable by anyone (the bug under test)."
call = "select public.add_goal_for(athlete => {athletes.id}, title => 'matrix')"
allow = ["anon", "owner", "other", "coach", "admin", "service_role"]
"""


def test_a_security_definer_function_anon_and_other_can_use_to_write_the_owners_rows_is_a_risk(
    cli: Cli, khepri_clone_url: str, tmp_path: Path
) -> None:
    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute(LEAKY_FUNCTION)
    access = tmp_path / "access.toml"
    access.write_text((REPO / "supabase" / "access.toml").read_text() + LEAKY_DECLARED)
    code, report = cli.json("verify-access", "--db-url", khepri_clone_url, "--access-file", str(access))
    assert code == 0, report["summary"]  # every cell as declared: the declaration allows it
    risky = {c["id"]: c["risk"] for c in report["risks"]}
    assert set(risky) == {"public.add_goal_for:anon:execute", "public.add_goal_for:other:execute"}
    assert (
        risky["public.add_goal_for:anon:execute"]
        == "anon's call of public.add_goal_for(uuid, text) wrote 1 row(s) to public.goals"
    )
    assert "with the owner's data wrote 1 row(s) to public.goals" in risky["public.add_goal_for:other:execute"]
    cells = {c["id"]: c for c in report["cells"]}
    assert cells["public.add_goal_for:anon:execute"]["security_definer"] is True
    assert cells["public.add_goal_for:owner:execute"]["wrote"] is None  # only anon's and other's calls are counted
    code, _ = cli.json("verify-access", "--db-url", khepri_clone_url, "--access-file", str(access), "--fail-on", "risk")
    assert code == 1


def test_an_accepted_risk_is_listed_with_why_and_does_not_fail_the_gate(
    cli: Cli, khepri_clone_url: str, tmp_path: Path
) -> None:
    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute(GUESTBOOK)
    access = tmp_path / "access.toml"
    accepted = DECLARED + 'accepted_risks = { "anon:insert" = "anyone may sign the guestbook" }\n'
    access.write_text((REPO / "supabase" / "access.toml").read_text() + accepted)
    args = ("verify-access", "--db-url", khepri_clone_url, "--access-file", str(access), "--fail-on", "risk")
    code, report = cli.json(*args)
    assert code == 0, report["summary"]
    assert (report["summary"]["risks"], report["summary"]["accepted_risks"]) == (0, 1)
    cell = next(c for c in report["cells"] if c["id"] == "public.guestbook:anon:insert")
    assert cell["risk_accepted"] == "anyone may sign the guestbook"
    text = cli(*args, cwd=REPO)
    assert "ACCEPTED RISK public.guestbook:anon:insert" in text.stdout

    access.write_text(
        (REPO / "supabase" / "access.toml").read_text() + DECLARED + 'accepted_risks = { "nobody" = "x" }\n'
    )
    code, error = cli.json(*args)
    assert code == 2
    assert "accepted_risks: 'nobody' is not *, an actor or actor:operation" in error["error"]["message"]


def test_a_call_anon_cannot_make_that_fails_before_the_privilege_check_is_no_risk(
    cli: Cli, khepri_clone_url: str, tmp_path: Path
) -> None:
    # As on SuuperSaees: the generated argument does not cast (22P02 while planning, before the EXECUTE
    # check), and anon holds no EXECUTE: the call never reached the SECURITY DEFINER body.
    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute(
            "create function public.admin_only(target uuid) returns void language sql security definer "
            "set search_path = '' as 'select 1'"
        )
        conn.execute("revoke execute on function public.admin_only(uuid) from public, anon")
        conn.execute("grant execute on function public.admin_only(uuid) to authenticated")
    access = tmp_path / "access.toml"
    declared = '\n[functions."public.admin_only"]\ncall = "select public.admin_only(target => \'x\')"\nallow = []\n'
    access.write_text((REPO / "supabase" / "access.toml").read_text() + declared)
    _, report = cli.json("verify-access", "--db-url", khepri_clone_url, "--access-file", str(access))
    cell = next(c for c in report["cells"] if c["id"] == "public.admin_only:anon:execute")
    assert cell["sqlstate"] == "22P02"
    assert cell["executable"] is False
    assert cell["risk"] is None


def test_the_write_counts_are_the_rows_of_pg_stat_xact_user_tables(khepri_clone_url: str) -> None:
    # _WRITE_COUNTS reads the view's functions directly (without its pg_index join): the same tables and
    # counts, rolled-back savepoints' attempts and another schema's table included, temp and catalog excluded.
    from khepri_db.access._attempts import WRITE_COUNTS as _WRITE_COUNTS

    view = (
        "select coalesce(jsonb_object_agg(schemaname || '.' || relname, n_tup_ins + n_tup_upd + n_tup_del), '{}') "
        "from pg_catalog.pg_stat_xact_user_tables where n_tup_ins + n_tup_upd + n_tup_del > 0"
    )
    with connect(khepri_clone_url) as conn:
        assert conn.execute(_WRITE_COUNTS).fetchone() == conn.execute(view).fetchone() == ({},)
        conn.execute(GUESTBOOK)
        conn.execute("create schema khepri_side; create table khepri_side.notes (id int primary key)")
        conn.execute("insert into public.guestbook (message) select 'm' || g from generate_series(1, 3) as g")
        conn.execute("update public.guestbook set message = message || '!' where id = 1")
        conn.execute("delete from public.guestbook where id = 2")
        conn.execute("insert into khepri_side.notes values (1), (2)")
        conn.execute("create temp table scratch (x int); insert into scratch values (1)")
        with conn.transaction(force_rollback=True):
            conn.execute("insert into public.guestbook (message) values ('undone')")
        ours = conn.execute(_WRITE_COUNTS).fetchone()
        assert ours == conn.execute(view).fetchone()
        assert ours is not None
        assert ours[0]["public.guestbook"] == 6
        assert ours[0]["khepri_side.notes"] == 2
        conn.rollback()


DEFINER_READS = """
create function public.is_my_athlete(p_athlete uuid) returns boolean
language sql stable security definer set search_path = '' as $$
    select exists (select 1 from public.athletes where id = p_athlete and auth_user_id = auth.uid())
$$;
create function public.athlete_name(p_athlete uuid) returns text
language sql stable security definer set search_path = '' as $$
    select display_name from public.athletes where id = p_athlete
$$;
create function public.redeem_code(code text) returns text
language plpgsql security definer set search_path = '' as $$
begin
    raise exception 'invalid code' using errcode = 'P0001';
end
$$;
create function public.my_goal_count() returns bigint
language plpgsql stable security definer set search_path = '' as $$
begin
    if auth.uid() is null then  -- signed-in users only
        raise exception 'sign in first' using errcode = 'P0001';
    end if;
    return (select count(*) from public.goals as g join public.athletes as a on a.id = g.athlete_id
            where a.auth_user_id = auth.uid());
end
$$;
create function public.can_see_athlete(p_athlete uuid) returns boolean
language sql stable security definer set search_path = '' as $$
    select public.is_my_athlete(p_athlete)  -- checks the caller through the helper
$$;
grant execute on function public.is_my_athlete(uuid), public.athlete_name(uuid), public.redeem_code(text),
    public.my_goal_count(), public.can_see_athlete(uuid) to anon, authenticated;
"""

DEFINER_READS_DECLARED = """
[functions."public.is_my_athlete"]
call = "select public.is_my_athlete(p_athlete => {athletes.id})"
allow = ["anon", "owner", "other", "coach", "admin", "service_role"]

[functions."public.athlete_name"]
call = "select public.athlete_name(p_athlete => {athletes.id})"
allow = ["anon", "owner", "other", "coach", "admin", "service_role"]

[functions."public.redeem_code"]
call = "select public.redeem_code(code => 'not-a-code')"
undecided = { "*" = "refuses every code it does not know" }

[functions."public.can_see_athlete"]
call = "select public.can_see_athlete(p_athlete => {athletes.id})"
allow = ["anon", "owner", "other", "coach", "admin", "service_role"]

[functions."public.my_goal_count"]
allow = ["owner", "other", "coach", "admin"]
undecided = { anon = "refuses callers without a user id", service_role = "refuses callers without a user id" }
"""


def test_checks_caller_follows_helper_calls_and_ignores_comments() -> None:
    helpers = {"public.is_member": ["select exists (select 1 from m where user_id = auth.uid())"]}
    assert checks_caller("select 1 where owner_id = auth.uid()")
    assert checks_caller('select "auth"."jwt"() ->> \'sub\' = p_owner::text')
    assert checks_caller("select 1 where (current_setting('request.jwt.claims', true)::json ->> 'sub') = p_owner")
    assert not checks_caller("select auth.uid()")  # returned, not compared: it decides nothing
    assert not checks_caller("select 1 -- where owner_id = auth.uid() in a comment")
    assert not checks_caller("select public.is_member(p_org)")  # helpers not given: not followed
    assert checks_caller("select public.is_member(p_org)", helpers)
    assert not checks_caller("select public.is_member(p_org)", helpers, depth=0)
    assert not checks_caller("select now(), lower(p_name)", helpers)
    # the caller written into a row decides nothing; compared, or through a variable, it does
    assert not checks_caller("insert into r (code, redeemed_by) values (p_code, auth.uid())")
    assert not checks_caller("update t set updated_by = auth.uid() where id = p_id")
    assert checks_caller("update t set title = p_title where id = p_id and owner_id = auth.uid()")
    assert checks_caller("select (auth.jwt() ->> 'role')::text = 'admin'")
    assert checks_caller("declare v uuid; begin v := auth.uid(); if v is null then raise exception 'no'; end if; end")


def test_anon_reaching_a_definer_body_that_reads_the_caller_and_returned_nothing_is_an_exposure_not_a_risk(
    cli: Cli, khepri_clone_url: str, tmp_path: Path
) -> None:
    # The membership helper answers false to anon and the count refuses callers without a user id: both
    # decide by the caller, who is nobody, and nothing leaked: exposures (listed, failing only --fail-on
    # exposure). The name lookup returns the owner's athlete's name to anon, and the code-gated function
    # never checks who calls it (the right code works for anyone): risks.
    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute(DEFINER_READS)
    access = tmp_path / "access.toml"
    access.write_text((REPO / "supabase" / "access.toml").read_text() + DEFINER_READS_DECLARED)
    args = ("verify-access", "--db-url", khepri_clone_url, "--access-file", str(access))
    code, report = cli.json(*args)
    assert code == 0, [(c["id"], c["actual"], c["detail"]) for c in report["mismatches"]]
    risky = {c["id"]: c["risk"] for c in report["risks"]}
    assert risky == {
        "public.athlete_name:anon:execute": "anon can run SECURITY DEFINER public.athlete_name(uuid), which "
        "bypasses RLS, and it returned data",
        "public.redeem_code:anon:execute": "anon can run SECURITY DEFINER public.redeem_code(text), which bypasses "
        "RLS and never checks who is calling: it acts on whatever its arguments name (it ran and failed inside: "
        "P0001)",
    }
    exposed = {c["id"]: c["exposure"] for c in report["exposures"]}
    assert set(exposed) == {
        "public.is_my_athlete:anon:execute",
        "public.my_goal_count:anon:execute",
        "public.can_see_athlete:anon:execute",
    }
    assert (
        "(it completed); in this probe its calls returned nothing and wrote nothing"
        in exposed["public.is_my_athlete:anon:execute"]
    )
    assert "(it ran and failed inside: P0001)" in exposed["public.my_goal_count:anon:execute"]
    cells = {c["id"]: c for c in report["cells"]}
    assert cells["public.is_my_athlete:anon:execute"]["revealed"] is False
    assert cells["public.is_my_athlete:anon:execute"]["checks_caller"] is True
    assert cells["public.redeem_code:anon:execute"]["checks_caller"] is False
    assert cells["public.athlete_name:anon:execute"]["revealed"] is True
    assert cells["public.athlete_name:anon:execute"]["rights"]["bypassrls"] is False
    assert cells["public.can_see_athlete:anon:execute"]["checks_caller"] is True
    assert report["summary"]["exposures"] == 3
    code, _ = cli.json(*args, "--fail-on", "risk")
    assert code == 1
    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute("revoke execute on function public.athlete_name(uuid), public.redeem_code(text) from public, anon")
    code, report = cli.json(*args, "--fail-on", "risk")
    assert report["risks"] == []
    assert code == 1  # anon's cell of athlete_name is now a mismatch (denied)
    text = cli(*args, "--fail-on", "exposure", cwd=REPO)
    assert "EXPOSED public.is_my_athlete:anon:execute: anon can run SECURITY DEFINER" in text.stdout
    assert "fail (--fail-on exposure): 3 exposure(s)" in text.stdout
