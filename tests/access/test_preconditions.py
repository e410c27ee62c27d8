"""Rows meeting a function's simple preconditions (issue 22, item 2c): before a function's calls, the rows its
body looks up (``select ... into`` with ``alias.col = <literal | parameter>``, ``alias.col >= record.col``,
``is not null``) are found or made, so a call that names the owner's rows reaches the function's work.

One schema of our own in the shape of open-bsp-api's ``billing.change_plan``: a SECURITY DEFINER function
that looks up the plan it is given (``active = true``), then a tier whose ``level >= _plan.min_tier``,
raises when there is none, and then changes the subscription of the organisation it is given, with no
check of the caller. Migrated without any tier of a high enough level, so without the arranged row the
call fails for everybody. Negative controls: the same lookup guarded by a membership check of
``auth.uid()`` (decided, and no risk), a body whose condition is not simple (an ``or``: nothing is
made, the call stays undecided), and a lookup by a parameter (a secret token: found, never made).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from khepri_db.access._preconditions import call_arguments, read_needs
from khepri_db.access.access_init import init_access
from khepri_db.access.probe import verify_access
from khepri_db.core.db import connect
from khepri_db.core.plpgsql import Parameter
from khepri_db.core.project import Project
from khepri_db.testing.plugin import DatabaseFactory
from tests.support.databases import clone_of, migrated_template
from tests.support.pgtap import pg_prove

NO_PROJECT = Project(Path(__file__).resolve().parent)

SCHEMA = """
create table public.orgs (id uuid primary key default gen_random_uuid(), name text not null);
create table public.members (
    org_id uuid not null references public.orgs (id),
    user_id uuid not null references auth.users (id),
    primary key (org_id, user_id)
);
create table public.plans (
    id text primary key,
    min_tier integer not null,
    active boolean not null default true
);
create table public.tiers (
    id text primary key,
    level integer not null default 0,
    active boolean not null default true
);
create table public.subscriptions (
    org_id uuid primary key references public.orgs (id),
    plan_id text references public.plans (id),
    tier_id text references public.tiers (id)
);
create function public.is_member(p_org uuid) returns boolean language sql stable security definer
set search_path = '' as $$
    select exists (select 1 from public.members where org_id = p_org and user_id = (select auth.uid()))
$$;
do $$
declare t text;
begin
    foreach t in array array['orgs', 'members', 'subscriptions'] loop
        execute format('alter table public.%I enable row level security', t);
        execute format('grant select on public.%I to authenticated', t);
    end loop;
    foreach t in array array['plans', 'tiers'] loop
        execute format('alter table public.%I enable row level security', t);
        execute format('grant select on public.%I to anon, authenticated', t);
        execute format('create policy %I on public.%I for select to anon, authenticated using (true)', t || '_read', t);
    end loop;
end $$;
create policy orgs_read on public.orgs for select to authenticated using (public.is_member(id));
create policy members_read on public.members for select to authenticated using (user_id = (select auth.uid()));
create policy subscriptions_read on public.subscriptions for select to authenticated
    using (public.is_member(org_id));

-- any signed-in user changes any organisation's plan (open-bsp-api's billing.change_plan, in small)
create function public.change_plan(_org_id uuid, _plan_id text) returns void
language plpgsql security definer set search_path = '' as $$
declare
    _plan public.plans%rowtype;
    _tier_id text;
begin
    select * into strict _plan from public.plans p where p.id = _plan_id and p.active = true;
    select t.id into _tier_id from public.tiers t
    where t.level >= _plan.min_tier and t.active = true
    order by t.level limit 1;
    if _tier_id is null then
        raise exception 'no active tier for plan %', _plan_id;
    end if;
    update public.subscriptions set plan_id = _plan_id, tier_id = _tier_id where org_id = _org_id;
end $$;
revoke execute on function public.change_plan(uuid, text) from public, anon;
grant execute on function public.change_plan(uuid, text) to authenticated;

-- negative control: the same lookups, for members only
create function public.change_my_plan(_org_id uuid, _plan_id text) returns void
language plpgsql security definer set search_path = '' as $$
declare
    _plan public.plans%rowtype;
    _tier_id text;
begin
    if not public.is_member(_org_id) then
        raise exception 'not a member' using errcode = '42501';
    end if;
    select * into strict _plan from public.plans p where p.id = _plan_id and p.active = true;
    select t.id into _tier_id from public.tiers t where t.level >= _plan.min_tier and t.active = true limit 1;
    if _tier_id is null then
        raise exception 'no active tier for plan %', _plan_id;
    end if;
    update public.subscriptions set plan_id = _plan_id, tier_id = _tier_id where org_id = _org_id;
end $$;
revoke execute on function public.change_my_plan(uuid, text) from public, anon;
grant execute on function public.change_my_plan(uuid, text) to authenticated;

-- negative control: a condition that is not simple (an or): nothing is arranged
create function public.change_plan_or(_org_id uuid, _plan_id text) returns void
language plpgsql security definer set search_path = '' as $$
declare
    _plan public.plans%rowtype;
    _tier_id text;
begin
    select * into strict _plan from public.plans p where p.id = _plan_id;
    select t.id into _tier_id from public.tiers t where t.level >= _plan.min_tier or t.level > 1000;
    if _tier_id is null then
        raise exception 'no active tier for plan %', _plan_id;
    end if;
    update public.subscriptions set plan_id = _plan_id where org_id = _org_id;
end $$;
revoke execute on function public.change_plan_or(uuid, text) from public, anon;
grant execute on function public.change_plan_or(uuid, text) to authenticated;

-- negative control: a row named by a parameter (a secret token) is found, never made
create table public.invites (token text primary key, org_id uuid not null references public.orgs (id));
alter table public.invites enable row level security;
create function public.redeem(p_token text) returns void
language plpgsql security definer set search_path = '' as $$
declare
    _invite public.invites%rowtype;
begin
    select * into strict _invite from public.invites i where i.token = p_token;
    update public.subscriptions set plan_id = null where org_id = _invite.org_id;
end $$;
revoke execute on function public.redeem(text) from public, anon;
grant execute on function public.redeem(text) to authenticated;

insert into public.tiers (id, level) values ('free', 0);
"""

DECLARATION = """\
version = 1

[tables.orgs]
row = { name = "org {user.id}" }
allow.owner = ["select"]
allow.service_role = "all"

[tables.members]
row = { org_id = "{orgs.id}", user_id = "{user.id}" }
allow.owner = ["select"]
allow.service_role = "all"

[tables.plans]
shared = true
row = { id = "plan-{run.id}", min_tier = 2 }
allow.anon = ["select"]
allow.owner = ["select"]
allow.other = ["select"]
allow.service_role = "all"

[tables.tiers]
shared = true
row = { id = "tier-{run.id}" }
allow.anon = ["select"]
allow.owner = ["select"]
allow.other = ["select"]
allow.service_role = "all"

[tables.subscriptions]
row = { org_id = "{orgs.id}", tier_id = "{tiers.id}" }
allow.owner = ["select"]
allow.service_role = "all"

[functions."public.change_plan"]
call = "select public.change_plan({orgs.id}::uuid, {plans.id}::text)"
allow = ["owner", "other", "service_role"]

[functions."public.change_my_plan"]
call = "select public.change_my_plan({orgs.id}::uuid, {plans.id}::text)"
allow = ["owner"]
denied_sqlstates = ["42501"]

[functions."public.change_plan_or"]
call = "select public.change_plan_or({orgs.id}::uuid, {plans.id}::text)"
allow = []
undecided = { "*" = "no tier: the or is not arranged" }

[tables.invites]
row = { token = "token-{user.id}", org_id = "{orgs.id}" }
allow.service_role = "all"

[functions."public.redeem"]
call = "select public.redeem('guess'::text)"
allow = []
undecided = { "*" = "no invite has that token" }

[functions."public.is_member"]
call = "select public.is_member({orgs.id}::uuid)"
allow = ["anon", "owner", "other", "service_role"]
"""


@pytest.fixture(scope="module")
def template(khepri_database_factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> str:
    return migrated_template(khepri_database_factory, tmp_path_factory, "preconditions", SCHEMA)


@pytest.fixture
def db(template: str, khepri_database_factory: DatabaseFactory) -> Iterator[str]:
    yield from clone_of(template, khepri_database_factory)


def test_the_tier_a_plan_needs_is_made_and_another_users_plan_change_is_a_risk(db: str, tmp_path: Path) -> None:
    path = tmp_path / "access.toml"
    path.write_text(DECLARATION, encoding="utf-8")
    report = verify_access(db, path, project=NO_PROJECT, exposed_schemas=["public"])
    assert not report.mismatches, [c.describe() for c in report.mismatches]
    cells = report.by_id()

    other = cells["public.change_plan:other:execute"]
    assert other.actual == "allowed", other.detail
    assert other.arranged == ("made a row of public.tiers meeting the body's level >= _plan.min_tier and active = true")
    assert other.wrote == {"public.subscriptions": 1}
    assert other.risk is not None
    assert "other" in other.risk
    assert other.rights is not None
    assert (other.rights.current_user, other.rights.superuser, other.rights.bypassrls) == (
        "authenticated", False, False,
    )  # fmt: skip
    assert other.rights.owns_rls_tables is False

    # negative controls: a membership check refuses other (no risk); an `or` is not arranged
    mine = cells["public.change_my_plan:other:execute"]
    assert (mine.actual, mine.sqlstate, mine.risk) == ("denied", "42501", None)
    assert cells["public.change_my_plan:owner:execute"].actual == "allowed"
    for actor in ("owner", "other"):
        plain = cells[f"public.change_plan_or:{actor}:execute"]
        assert (plain.sqlstate, plain.arranged) == ("P0001", None), plain.detail
    assert cells["public.is_member:owner:execute"].arranged is None  # a SQL body without select ... into
    redeem = cells["public.redeem:other:execute"]
    assert (redeem.sqlstate, redeem.arranged) == ("P0002", None)  # strict found no invite: none is made

    with connect(db) as conn:  # the tier made for the calls is gone with the run
        assert conn.execute("select count(*) from public.tiers").fetchone() == (1,)


def test_access_init_decides_the_call_and_says_what_it_arranged(db: str, tmp_path: Path) -> None:
    path = tmp_path / "access.toml"
    init_access(db, path, project=NO_PROJECT, exposed_schemas=["public"])
    text = path.read_text(encoding="utf-8")
    section = text.split('[functions."public.change_plan"]', 1)[1].split("\n\n", 1)[0]
    assert "# arranged for every call: made a row of public.tiers" in section
    written = tomllib.loads(text)["functions"]["public.change_plan"]
    assert "undecided" not in written
    assert "other" in written["allow"]
    report = verify_access(db, path, project=NO_PROJECT, exposed_schemas=["public"])
    assert "public.change_plan:other:execute" in {c.id for c in report.risks}


def test_simple_conditions_are_read_from_the_body_and_the_rest_left_alone() -> None:
    body = """
    declare _plan record; _n int; _tier text;
    begin
        select * into _plan from billing.plans as p where p.id = _plan_id and p.active = true and p.kind = 'x';
        select t.id into _tier from billing.tiers t where t.level >= _plan.min_tier and t.note is not null;
        select count(*) into _n from billing.tiers t where t.level > 1 or t.active;
        if _n > 0 then
            select t.id into _tier from billing.tiers t where t.level = 99;
        end if;
        for _tier in select t.id from billing.tiers t where t.level = 7 loop
            null;
        end loop;
    end"""
    needs = read_needs(body, "plpgsql", [Parameter("_plan_id", 1, "text")])
    assert [(n.table, n.into, [c.text() for c in n.conditions]) for n in needs] == [
        ("billing.plans", "_plan", ["id = _plan_id", "active = true", "kind = 'x'"]),
        ("billing.tiers", None, ["level >= _plan.min_tier", "note is not null"]),
    ]
    literal = call_arguments("select s.f('a'::text, gen_random_uuid(), 3)", ["x", "y", "z"])
    assert literal == {"x": "'a'::text", "z": "3"}
    assert call_arguments("select s.f(z => 'q', x => now())", ["x", "y", "z"]) == {"z": "'q'"}


def test_the_pgtap_export_makes_the_same_rows_and_passes(db: str, tmp_path: Path) -> None:
    from khepri_db.access.pgtap_export import export_pgtap

    path = tmp_path / "access.toml"
    path.write_text(DECLARATION, encoding="utf-8")
    with connect(db) as conn:
        if conn.execute("select count(*) from pg_available_extensions where name = 'pgtap'").fetchone() == (0,):
            pytest.skip("this server has no pgTAP")
    text = export_pgtap(db, path, project=NO_PROJECT)
    block = text.split("-- public.change_plan:other:execute", 1)[1].split("\n-- ", 1)[0]
    assert 'insert into "public"."tiers"' in block, block
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "matrix_test.sql").write_text(text, encoding="utf-8")
    done = pg_prove(db, tests)
    assert done.returncode == 0, done.stdout + done.stderr
