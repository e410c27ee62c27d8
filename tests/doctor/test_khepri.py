"""doctor's own rules, beyond Supabase's linter: each with a positive case, a negative case and the
fix clearing it, most in the shape of the seeds' real bugs, and where it matters the runtime
failure or leak the finding predicts, shown for real."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest

from khepri_db.core.db import connect
from khepri_db.core.session import AuthUser, as_user, create_user
from khepri_db.doctor.config import DoctorConfig
from khepri_db.doctor.run import run_doctor
from tests.support.doctor import PROJECT, SEED_BUG, findings, names, plant

pytestmark = pytest.mark.pg

# -- on_conflict_without_unique_index --------------------------------------------------------------


def test_on_conflict_without_unique_index_finds_the_seed_bug_and_the_fix_clears_it(khepri_clone_url: str) -> None:
    plant(khepri_clone_url, SEED_BUG)
    report = run_doctor(khepri_clone_url, project=PROJECT, only=["on_conflict_without_unique_index"])
    [finding] = report.findings
    # every call runs the upsert, and the plan proves it fails: the default gate (--fail-on error) fails
    assert finding.level == "ERROR"
    assert finding.metadata["fails_every_call"] is True
    assert report.fails("error")
    assert finding.metadata["name"] == "seed_finalize_onboarding"
    assert finding.metadata["table"] == "public.profiles"  # resolved through the function's search_path
    assert finding.metadata["conflict_columns"] == ["auth_user_id"]
    assert finding.metadata["line"] == 4
    assert "public.seed_finalize_onboarding(p_display_name text)" in finding.detail
    assert "unique (auth_user_id)" in finding.detail
    assert "no unique or exclusion constraint" in finding.metadata["planner"]

    # The runtime failure doctor predicts is real:
    with connect(khepri_clone_url) as conn:
        conn.execute(
            "select set_config('request.jwt.claims', '{\"sub\": \"00000000-0000-0000-0000-000000000001\"}', true)"
        )
        with pytest.raises(psycopg.errors.InvalidColumnReference, match="no unique or exclusion constraint"):
            conn.execute("select public.seed_finalize_onboarding('x')")

    plant(
        khepri_clone_url, "alter table public.profiles add constraint profiles_auth_user_id_key unique (auth_user_id)"
    )
    assert findings(khepri_clone_url, "on_conflict_without_unique_index") == []


UPSERTS_SOMETIMES_REACHED = """
create schema elsewhere;
create table elsewhere.profiles (id uuid primary key, auth_user_id uuid, display_name text);
create function public.upsert_sql(p_name text) returns void language sql set search_path = '' as $$
    insert into public.profiles (auth_user_id, display_name) values (auth.uid(), p_name)
    on conflict (auth_user_id) do nothing;
$$;
create function public.upsert_checked(p_name text) returns void language plpgsql set search_path = '' as $$
begin
    if p_name is null then
        raise exception using errcode = '22023', message = 'name required';
    end if;
    insert into public.profiles (auth_user_id, display_name) values (auth.uid(), p_name)
    on conflict (auth_user_id) do nothing;
end $$;
create function public.upsert_if(p_name text, p_save boolean) returns void language plpgsql
set search_path = '' as $$
begin
    if p_save then
        insert into public.profiles (auth_user_id, display_name) values (auth.uid(), p_name)
        on conflict (auth_user_id) do nothing;
    end if;
end $$;
create function public.upsert_after_return(p_name text) returns void language plpgsql set search_path = '' as $$
begin
    if p_name is null then
        return;
    end if;
    insert into public.profiles (auth_user_id, display_name) values (auth.uid(), p_name)
    on conflict (auth_user_id) do nothing;
end $$;
create function public.upsert_caught(p_name text) returns void language plpgsql set search_path = '' as $$
begin
    insert into public.profiles (auth_user_id, display_name) values (auth.uid(), p_name)
    on conflict (auth_user_id) do nothing;
exception when invalid_column_reference then
    raise notice 'not saved';
end $$;
create function public.upsert_in_loop(p_names text[]) returns void language plpgsql set search_path = '' as $$
declare v_name text;
begin
    foreach v_name in array p_names loop
        insert into public.profiles (auth_user_id, display_name) values (auth.uid(), v_name)
        on conflict (auth_user_id) do nothing;
    end loop;
end $$;
-- no search_path of its own: which `profiles` it names depends on the caller's search_path
create function public.upsert_unqualified(p_name text) returns void language sql as $$
    insert into profiles (auth_user_id, display_name) values (auth.uid(), p_name)
    on conflict (auth_user_id) do nothing;
$$;
"""


def test_on_conflict_is_an_error_only_when_every_call_fails(khepri_clone_url: str) -> None:
    # ERROR means the plan proves every call fails; an upsert that only some calls reach is WARN.
    plant(khepri_clone_url, SEED_BUG + UPSERTS_SOMETIMES_REACHED)
    levels = {f.metadata["name"]: f.level for f in findings(khepri_clone_url, "on_conflict_without_unique_index")}
    assert levels == {
        "seed_finalize_onboarding": "ERROR",
        "upsert_sql": "ERROR",
        "upsert_checked": "ERROR",  # the calls the guard lets through all reach the upsert
        "upsert_if": "WARN",
        "upsert_after_return": "WARN",
        "upsert_caught": "WARN",
        "upsert_in_loop": "WARN",
        "upsert_unqualified": "WARN",
    }
    # What Postgres does agrees: the ERROR functions fail on every call, some calls of the others pass.
    calls = {
        "select public.upsert_sql('a')": False,
        "select public.upsert_checked(null)": False,
        "select public.upsert_checked('a')": False,
        "select public.upsert_if('a', false)": True,
        "select public.upsert_after_return(null)": True,
        "select public.upsert_caught('a')": True,
        "select public.upsert_in_loop('{}')": True,
    }
    for call, passes in calls.items():
        with connect(khepri_clone_url) as conn:
            try:
                conn.execute(call)
                passed = True
            except psycopg.Error:
                passed = False
        assert passed == passes, call


@pytest.mark.parametrize(
    ("index_sql", "flagged"),
    [
        # up() conflicts on (a, b); up_one() on (a).
        ("create unique index t_a_partial on public.t (a) where a > 0", {"up", "up_one"}),
        ("alter table public.t add constraint t_a_key unique (a) deferrable initially deferred", {"up", "up_one"}),
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
    assert names(findings(khepri_clone_url, "on_conflict_without_unique_index")) == flagged
    # what doctor says agrees with what Postgres does when the functions run
    for function in ("up", "up_one"):
        with connect(khepri_clone_url) as conn:
            try:
                conn.execute(f"select public.{function}(1)")
                failed = False
            except psycopg.Error:
                failed = True
        assert failed == (function in flagged), function


def test_on_conflict_with_a_partial_unique_index_needs_its_predicate(khepri_clone_url: str) -> None:
    # The Khepri shape: at most one active plan per athlete, enforced by a partial unique index.
    plant(
        khepri_clone_url,
        """
        create table public.plans (id int primary key, athlete_id int not null, status text not null);
        create unique index plans_one_active on public.plans (athlete_id) where status = 'active';
        create function public.activate(p_athlete int, p_id int) returns void
        language plpgsql set search_path = '' as $$
        begin
            insert into public.plans (id, athlete_id, status) values (p_id, p_athlete, 'active')
            on conflict (athlete_id) do update set id = excluded.id;
        end $$;
        create function public.activate_draft(p_athlete int, p_id int) returns void
        language plpgsql set search_path = '' as $$
        begin
            insert into public.plans (id, athlete_id, status) values (p_id, p_athlete, 'draft')
            on conflict (athlete_id) where status = 'draft' do nothing;
        end $$;
        create function public.activate_right(p_athlete int, p_id int) returns void
        language plpgsql set search_path = '' as $$
        begin
            insert into public.plans (id, athlete_id, status) values (p_id, p_athlete, 'active')
            on conflict (athlete_id) where status = 'active' do update set id = excluded.id;
        end $$;
        """,
    )
    found = {f.metadata["name"]: f for f in findings(khepri_clone_url, "on_conflict_without_unique_index")}
    assert set(found) == {"activate", "activate_draft"}
    assert "where status = 'active'" in found["activate"].detail.replace(
        "(status = 'active'::text)", "status = 'active'"
    )
    assert found["activate_draft"].metadata["conflict_predicate"] == "status = 'draft'"
    with connect(khepri_clone_url) as conn, pytest.raises(psycopg.errors.InvalidColumnReference):
        conn.execute("select public.activate(1, 1)")

    plant(
        khepri_clone_url,
        """
        create or replace function public.activate(p_athlete int, p_id int) returns void
        language plpgsql set search_path = '' as $$
        begin
            insert into public.plans (id, athlete_id, status) values (p_id, p_athlete, 'active')
            on conflict (athlete_id) where status = 'active' do update set id = excluded.id;
        end $$;
        drop function public.activate_draft(int, int);
        """,
    )
    assert findings(khepri_clone_url, "on_conflict_without_unique_index") == []


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

    plant(khepri_clone_url, "alter table public.u add constraint u_b_key unique (b)")
    assert findings(khepri_clone_url, "on_conflict_without_unique_index") == []


# -- function_body_invalid -----------------------------------------------------------------------


BODY_BUGS = """
create table public.checkins (id int primary key, athlete_id int, mood int, note text);
create function public.log_mood(p_athlete int, p_mood int) returns int
language plpgsql set search_path = '' as $$
declare
    v_id int;
    v_last public.checkins%rowtype;
begin
    select * into v_last from public.checkins where athlete_id = p_athlete order by id desc limit 1;
    if v_last.energy > 3 then           -- no such column: record field
        return v_last.id;
    end if;
    insert into public.checkins (id, athlete_id, mood, sleep_hours)   -- no such column
    values (coalesce(v_last.id, 0) + 1, p_athlete, p_mood, 8)
    returning id into v_id;
    return v_id;
end $$;
set check_function_bodies = off;
create function public.mood_history(p_athlete int) returns setof int language sql set search_path = '' as $$
    select mood from public.check_ins where athlete_id = p_athlete   -- no such table
$$;
reset check_function_bodies;
create function public.fine(p_athlete int) returns int language plpgsql set search_path = '' as $$
declare
    athlete_id int := p_athlete;   -- a variable named like a column
    r record;
begin
    create temporary table if not exists scratch (n int);
    insert into scratch values (1);
    for r in select c.mood from public.checkins as c where c.athlete_id = fine.p_athlete loop
        perform r.mood;
    end loop;
    return (select count(*) from scratch);
end $$;
create function public.stamp() returns trigger language plpgsql set search_path = '' as $$
begin
    new.note := coalesce(new.note, tg_op);
    return new;
end $$;
create trigger checkins_stamp before insert on public.checkins for each row execute function public.stamp();
"""


def test_function_body_invalid_on_the_planner_path(khepri_clone_url: str) -> None:
    plant(khepri_clone_url, BODY_BUGS)
    report = run_doctor(khepri_clone_url, project=PROJECT, only=["function_body_invalid"], plpgsql_check=False)
    assert report.plpgsql_check is False
    found = {(f.metadata["name"], f.metadata["object"]): f for f in report.findings}
    assert set(found) == {
        ("log_mood", "energy"),
        ("log_mood", "sleep_hours"),
        ("mood_history", "public.check_ins"),
    }
    sleep = found[("log_mood", "sleep_hours")]
    # after `if ... then return ...`: only the calls that reach the insert fail
    assert (sleep.level, sleep.metadata["sqlstate"], sleep.metadata["line"]) == ("WARN", "42703", 10)
    assert found[("log_mood", "energy")].level == "ERROR"  # the IF condition every call evaluates
    assert sleep.metadata["checker"] == "planner"
    assert found[("mood_history", "public.check_ins")].metadata["sqlstate"] == "42P01"
    # The failures doctor predicts are real:
    with connect(khepri_clone_url) as conn, pytest.raises(psycopg.errors.UndefinedColumn, match='no field "energy"'):
        conn.execute("select public.log_mood(1, 3)")
    plant(khepri_clone_url, "alter table public.checkins add column energy int")
    with connect(khepri_clone_url) as conn, pytest.raises(psycopg.errors.UndefinedColumn, match="sleep_hours"):
        conn.execute("select public.log_mood(1, 3)")
    with connect(khepri_clone_url) as conn, pytest.raises(psycopg.errors.UndefinedTable, match="check_ins"):
        conn.execute("select public.mood_history(1)")

    plant(
        khepri_clone_url,
        """
        alter table public.checkins add column sleep_hours numeric;
        create or replace function public.mood_history(p_athlete int) returns setof int language sql
        set search_path = '' as $$ select mood from public.checkins where athlete_id = p_athlete $$;
        """,
    )
    assert findings(khepri_clone_url, "function_body_invalid", plpgsql_check=False) == []


def test_function_body_invalid_after_a_column_is_renamed(khepri_clone_url: str) -> None:
    # The quiet way a working function breaks: a later migration renames a column it uses.
    plant(
        khepri_clone_url,
        """
        create table public.race_goals (id int primary key, athlete_id int, target_date date);
        create function public.next_goal(p_athlete int) returns date language plpgsql stable set search_path = '' as $$
        begin
            return (select min(g.target_date) from public.race_goals as g where g.athlete_id = p_athlete);
        end $$;
        """,
    )
    assert findings(khepri_clone_url, "function_body_invalid", plpgsql_check=False) == []
    plant(khepri_clone_url, "alter table public.race_goals rename column target_date to race_date")
    [finding] = findings(khepri_clone_url, "function_body_invalid", plpgsql_check=False)
    assert finding.metadata["object"] == "g.target_date"
    assert "column g.target_date does not exist" in finding.detail


def test_function_body_invalid_is_an_error_when_every_call_fails(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.race_goals (id int primary key, athlete_id int, race_date date);
        create function public.next_goal(p_athlete int) returns date language plpgsql stable set search_path = '' as $$
        begin
            return (select min(g.target_date) from public.race_goals as g where g.athlete_id = p_athlete);
        end $$;
        create function public.next_goal_or_today(p_athlete int) returns date language plpgsql stable
        set search_path = '' as $$
        begin
            if p_athlete is null then
                return current_date;
            end if;
            return (select min(g.target_date) from public.race_goals as g where g.athlete_id = p_athlete);
        end $$;
        set check_function_bodies = off;
        create function public.goal_dates() returns setof date language sql stable set search_path = '' as $$
            select g.target_date from public.race_goals as g
        $$;
        reset check_function_bodies;
        """,
    )
    found = {f.metadata["name"]: f for f in findings(khepri_clone_url, "function_body_invalid", plpgsql_check=False)}
    assert {name: f.level for name, f in found.items()} == {
        "next_goal": "ERROR",  # every call runs the broken statement
        "goal_dates": "ERROR",  # a SQL function runs all its statements
        "next_goal_or_today": "WARN",  # a call with NULL returns before it
    }
    assert found["next_goal"].metadata["fails_every_call"] is True
    assert "every call fails" in found["next_goal"].detail
    assert "the calls that reach it fail" in found["next_goal_or_today"].detail
    with connect(khepri_clone_url) as conn:
        assert conn.execute("select public.next_goal_or_today(null)").fetchone() is not None
        with pytest.raises(psycopg.errors.UndefinedColumn):
            conn.execute("select public.next_goal(1)")


def test_function_body_invalid_never_judges_fields_of_a_record_argument(khepri_clone_url: str) -> None:
    # A `record` argument's fields are known only from the row a caller passes (gonasi's
    # get_next_navigation_state(..., current_context record)): planned with a NULL record, every
    # field is "could not identify column" (42703), which says nothing about the function.
    plant(
        khepri_clone_url,
        """
        create table public.race_goals (id int primary key, athlete_id int, race_date date);
        create function public.goal_after(current_context record) returns date
        language plpgsql stable set search_path = '' as $$
        begin
            if current_context.goal_id is not null then
                return (select g.race_date from public.race_goals as g where g.id = current_context.goal_id);
            end if;
            return null;
        end $$;
        create function public.next_goal_date(p_athlete int) returns date
        language plpgsql stable set search_path = '' as $$
        declare
            ctx record;
        begin
            select g.id as goal_id into ctx from public.race_goals as g where g.athlete_id = p_athlete limit 1;
            return public.goal_after(ctx);
        end $$;
        """,
    )
    assert findings(khepri_clone_url, "function_body_invalid", plpgsql_check=False) == []
    assert findings(khepri_clone_url, "function_body_invalid") == []  # plpgsql_check too, where the server has it
    with connect(khepri_clone_url, autocommit=True) as conn:  # it runs
        conn.execute("insert into public.race_goals values (1, 7, '2027-04-18')")
        assert conn.execute("select public.next_goal_date(7)").fetchone() == (date(2027, 4, 18),)


def test_arguments_of_the_projects_own_types_are_planned_under_an_empty_search_path(khepri_clone_url: str) -> None:
    # gonasi's process_subscription_payment(..., p_currency_code currency_code) has `set search_path
    # = ''`: its statements must be planned with the argument typed `public.currency_code`, or
    # planning fails with 42704 (type does not exist). That 42704 once made doctor call an upsert on
    # a real unique constraint an ERROR, and left every other statement of such functions unjudged.
    plant(
        khepri_clone_url,
        """
        create type public.race_unit as enum ('km', 'mi');
        create table public.unit_totals (
            id bigint generated always as identity primary key,
            unit public.race_unit not null unique,
            total numeric not null default 0
        );
        create function public.add_distance(p_unit public.race_unit, p_amount numeric) returns void
        language plpgsql security definer set search_path = '' as $$
        begin
            insert into public.unit_totals (unit) values (p_unit) on conflict (unit) do nothing;
            update public.unit_totals set total = total + p_amount where unit = p_unit;
        end $$;
        create function public.add_pace(p_unit public.race_unit, p_amount numeric) returns void
        language plpgsql security definer set search_path = '' as $$
        begin
            update public.unit_totals set pace_total = pace_total + p_amount where unit = p_unit;
        end $$;
        revoke execute on function public.add_distance(public.race_unit, numeric) from public, anon, authenticated;
        revoke execute on function public.add_pace(public.race_unit, numeric) from public, anon, authenticated;
        """,
    )
    assert findings(khepri_clone_url, "on_conflict_without_unique_index") == []
    broken = findings(khepri_clone_url, "function_body_invalid", plpgsql_check=False)
    assert [(f.metadata["name"], f.level) for f in broken] == [("add_pace", "ERROR")]
    assert "pace_total" in broken[0].detail
    with connect(khepri_clone_url, autocommit=True) as conn:  # add_distance runs; add_pace fails
        conn.execute("select public.add_distance('km', 5)")
        conn.execute("select public.add_distance('km', 7)")
        assert conn.execute("select total from public.unit_totals where unit = 'km'").fetchone() == (12,)
        with pytest.raises(psycopg.errors.UndefinedColumn):
            conn.execute("select public.add_pace('km', 1)")


def test_function_body_invalid_knows_declared_variables_and_cursor_arguments(khepri_clone_url: str) -> None:
    # issue 18: a variable of a declare block used in a later variable's default is a variable, not
    # a missing column (42703), also after a #variable_conflict directive; so are a cursor's arguments.
    plant(
        khepri_clone_url,
        """
        create table public.race_goals (id int primary key, athlete_id int, race_date date);
        create function public.defaults() returns int language plpgsql set search_path = '' as $$
        #variable_conflict use_column
        declare a int := 1; b int := a + 1;
        begin
            return b;
        end $$;
        create function public.typed_defaults() returns int language plpgsql set search_path = '' as $$
        declare
            a int not null := 1;
            b int := a * 2;
        begin
            declare c int := b + a;
            begin
                return c;
            end;
        end $$;
        create function public.first_goal(p_athlete int) returns date language plpgsql set search_path = '' as $$
        declare
            v_from date := current_date;
            goals cursor (k int) for
                select g.race_date from public.race_goals as g where g.athlete_id = k and g.race_date >= v_from;
            v_date date;
        begin
            open goals(p_athlete);
            fetch goals into v_date;
            close goals;
            return v_date;
        end $$;
        """,
    )
    assert findings(khepri_clone_url, "function_body_invalid", plpgsql_check=False) == []
    with connect(khepri_clone_url) as conn:  # they run
        assert conn.execute("select public.defaults(), public.typed_defaults()").fetchone() == (2, 3)
        assert conn.execute("select public.first_goal(1)").fetchone() == (None,)


def test_function_body_invalid_same_statement_in_several_functions(khepri_clone_url: str) -> None:
    # doctor plans each distinct (statement, search_path) once: copies of a statement share the
    # verdict only when the function's search_path is the same too.
    plant(
        khepri_clone_url,
        """
        create schema stock_a;
        create schema stock_b;
        create table stock_a.items (id int primary key, qty int);
        """
        + "".join(
            f"""
            create function {schema}.{name}() returns int language plpgsql stable set search_path = {schema} as $$
            begin
                return (select sum(qty) from items);
            end $$;
            """
            for schema, name in (("stock_a", "total"), ("stock_b", "total"), ("stock_b", "total_copy"))
        ),
    )
    found = findings(khepri_clone_url, "function_body_invalid", plpgsql_check=False)
    assert sorted((f.metadata["schema"], f.metadata["name"], f.metadata["object"]) for f in found) == [
        ("stock_b", "total", "items"),
        ("stock_b", "total_copy", "items"),
    ]


def test_function_body_invalid_uses_plpgsql_check_when_the_server_has_it(khepri_clone_url: str) -> None:
    with connect(khepri_clone_url) as conn:
        available = conn.execute(
            "select exists (select 1 from pg_available_extensions where name = 'plpgsql_check')"
        ).fetchone()
    if not available or not available[0]:
        pytest.skip(
            "the server does not ship plpgsql_check (the embedded engine does not); run the suite against "
            "Debian's PostgreSQL with postgresql-15-plpgsql-check installed to cover this path"
        )
    plant(khepri_clone_url, BODY_BUGS)
    report = run_doctor(khepri_clone_url, project=PROJECT, only=["function_body_invalid"])
    assert report.plpgsql_check is True
    by_checker = {(f.metadata["name"], f.metadata["checker"]) for f in report.findings}
    assert ("log_mood", "plpgsql_check") in by_checker
    assert ("mood_history", "planner") in by_checker  # SQL functions are always planned by doctor
    # plpgsql_check's lines meet doctor's reading of the body: the IF every call evaluates fails every
    # call; the insert after `if ... then return` fails only the calls that reach it
    levels = {(f.metadata["name"], f.metadata["line"]): f.level for f in report.findings}
    assert (levels[("log_mood", 7)], levels[("log_mood", 10)]) == ("ERROR", "WARN")
    assert not [f for f in report.findings if f.metadata["name"] in ("fine", "stamp")]
    with connect(khepri_clone_url) as conn:  # doctor rolled its extension back
        assert conn.execute("select count(*) from pg_extension where extname = 'plpgsql_check'").fetchone() == (0,)


# -- security_definer_trusts_caller_id ------------------------------------------------------------


def _athlete(url: str, name: str) -> tuple[AuthUser, str]:
    """A committed auth user with an athlete row and one conversation; returns (user, athlete id)."""
    with connect(url) as conn:
        user = create_user(conn, f"{name}@example.com")
        row = conn.execute(
            "insert into public.athletes (auth_user_id, display_name) values (%s, %s) returning id", (user.id, name)
        ).fetchone()
        conn.execute("insert into public.conversations (athlete_id, title) values (%s, %s)", (row[0], f"{name}'s chat"))
        conn.commit()
    return user, str(row[0])


def test_security_definer_trusting_a_caller_supplied_athlete_id(khepri_clone_url: str) -> None:
    # Seed shape: a SECURITY DEFINER RPC that takes the athlete id from its argument, callable by anon.
    plant(
        khepri_clone_url,
        """
        create function public.get_conversations(p_athlete_id uuid) returns setof public.conversations
        language sql stable security definer set search_path = '' as $$
            select c.* from public.conversations as c where c.athlete_id = p_athlete_id
        $$;
        create function public.get_my_conversations(p_athlete_id uuid) returns setof public.conversations
        language plpgsql stable security definer set search_path = '' as $$
        begin
            if p_athlete_id is distinct from (select public.current_athlete_id()) then
                raise exception using errcode = '42501', message = 'not your athlete';
            end if;
            return query select c.* from public.conversations as c where c.athlete_id = p_athlete_id;
        end $$;
        create function public.get_owned(athlete_id uuid) returns setof public.conversations
        language sql stable security definer set search_path = '' as $$
            select c.* from public.conversations as c
            join public.athletes as a on a.id = c.athlete_id
            where c.athlete_id = get_owned.athlete_id and a.auth_user_id = auth.uid()
        $$;
        create function public.is_admin() returns boolean language sql stable set search_path = '' as $$
            select coalesce((auth.jwt() -> 'app_metadata' ->> 'admin')::boolean, false)
        $$;
        create function public.admin_conversations(p_user_id uuid) returns setof public.conversations
        language plpgsql stable security definer set search_path = '' as $$
        begin
            if not public.is_admin() then
                raise exception using errcode = '42501', message = 'admins only';
            end if;
            return query select c.* from public.conversations as c
                join public.athletes as a on a.id = c.athlete_id where a.auth_user_id = p_user_id;
        end $$;
        create function public.invoker_conversations(p_athlete_id uuid) returns setof public.conversations
        language sql stable security invoker set search_path = '' as $$
            select c.* from public.conversations as c where c.athlete_id = p_athlete_id
        $$;
        """,
    )
    [finding] = findings(khepri_clone_url, "security_definer_trusts_caller_id")
    assert finding.metadata["name"] == "get_conversations"
    assert finding.metadata["argument"] == "p_athlete_id"
    assert finding.metadata["executable_by"] == ["anon", "authenticated"]
    assert finding.level == "ERROR"

    # The leak is real: Bob reads Alice's conversations by passing her athlete id.
    _, alice_athlete = _athlete(khepri_clone_url, "alice")
    bob, _ = _athlete(khepri_clone_url, "bob")
    with connect(khepri_clone_url) as conn, as_user(conn, bob):
        rows = conn.execute("select title from public.get_conversations(%s)", (alice_athlete,)).fetchall()
        assert rows == [("alice's chat",)]
        # RLS alone would show Bob only his own conversation
        assert conn.execute("select title from public.conversations").fetchall() == [("bob's chat",)]

    plant(
        khepri_clone_url,
        """
        create or replace function public.get_conversations(p_athlete_id uuid) returns setof public.conversations
        language sql stable security definer set search_path = '' as $$
            select c.* from public.conversations as c
            where c.athlete_id = p_athlete_id and c.athlete_id = (select public.current_athlete_id())
        $$;
        """,
    )
    assert findings(khepri_clone_url, "security_definer_trusts_caller_id") == []


def test_security_definer_paging_arguments_are_not_identities(khepri_clone_url: str) -> None:
    # issue 18: an argument counts when it selects or writes rows by a key, owner or tenant column,
    # never when it only feeds LIMIT, OFFSET or ORDER BY.
    plant(
        khepri_clone_url,
        """
        create function public.conversations_page(p_user_id uuid, page_size int, page_number int)
        returns setof public.conversations language sql stable security definer set search_path = '' as $$
            select c.* from public.conversations as c
            inner join public.athletes as a on c.athlete_id = a.id
            where a.auth_user_id = p_user_id
            order by c.created_at desc
            limit page_size offset (page_number - 1) * page_size
        $$;
        create function public.recent_conversations(page_size int, page_number int, limit_val int default 50)
        returns setof public.conversations language plpgsql stable security definer set search_path = '' as $$
        declare v_offset int := page_number * page_size;
        begin
            return query select c.* from public.conversations as c
                order by c.created_at desc limit least(page_size, limit_val) offset v_offset;
        end $$;
        """,
    )
    [finding] = findings(khepri_clone_url, "security_definer_trusts_caller_id")
    assert (finding.metadata["name"], finding.metadata["argument"]) == ("conversations_page", "p_user_id")
    assert "also_reported_as" not in finding.metadata  # page_size and page_number are not reported
    assert finding.level == "ERROR"


def test_security_definer_trust_rule_only_looks_at_functions_the_api_can_call(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create schema internal;
        create function internal.purge(p_user_id uuid) returns void language sql security definer
        set search_path = '' as $$ delete from public.idempotency_keys where user_id = p_user_id $$;
        grant usage on schema internal to authenticated;
        create function public.purge(p_user_id uuid) returns void language sql security definer
        set search_path = '' as $$ delete from public.idempotency_keys where user_id = p_user_id $$;
        revoke execute on function public.purge(uuid) from public, anon, authenticated;
        grant execute on function public.purge(uuid) to service_role;
        """,
    )
    # internal is not exposed; public.purge is for service_role only
    assert findings(khepri_clone_url, "security_definer_trusts_caller_id") == []
    plant(khepri_clone_url, "grant execute on function public.purge(uuid) to authenticated")
    [finding] = findings(khepri_clone_url, "security_definer_trusts_caller_id")
    assert finding.metadata["executable_by"] == ["authenticated"]


# -- rls_policy_role_only ------------------------------------------------------------------------


ROLE_ONLY = """
create table public.mood_checkins (
    id uuid primary key default gen_random_uuid(),
    athlete_id uuid not null references public.athletes (id),
    mood int
);
alter table public.mood_checkins enable row level security;
create policy mood_checkins_select on public.mood_checkins for select to authenticated
    using ((select auth.role()) = 'authenticated');
create policy mood_checkins_update on public.mood_checkins for update to authenticated
    using ((select auth.jwt()) ->> 'role' = 'authenticated') with check ((select auth.uid()) is not null);
create policy mood_checkins_delete on public.mood_checkins for delete to authenticated
    using (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'coach_admin');
create policy mood_checkins_insert on public.mood_checkins for insert to authenticated
    with check (athlete_id = (select public.current_athlete_id()));
"""


def test_rls_policy_role_only_on_per_user_tables(khepri_clone_url: str) -> None:
    tips = """
    create table public.tips (id int primary key, body text);
    alter table public.tips enable row level security;
    create policy tips_select on public.tips for select to authenticated
        using ((select auth.role()) = 'authenticated');
    """
    plant(khepri_clone_url, ROLE_ONLY + tips)
    found = {f.metadata["policy_name"]: f for f in findings(khepri_clone_url, "rls_policy_role_only")}
    # app_metadata admin checks are deliberate; tips has no per-user rows
    assert set(found) == {"mood_checkins_select", "mood_checkins_update"}
    assert found["mood_checkins_select"].metadata["tenant_columns"] == ["athlete_id"]
    assert "every signed-in user can read every row" in found["mood_checkins_select"].detail

    # The leak is real: Bob reads Alice's check-in.
    _, alice_athlete = _athlete(khepri_clone_url, "alice")
    plant(khepri_clone_url, f"insert into public.mood_checkins (athlete_id, mood) values ('{alice_athlete}', 2)")
    with connect(khepri_clone_url) as conn:
        bob = create_user(conn, "bob@example.com")
        with as_user(conn, bob):
            assert conn.execute("select mood from public.mood_checkins").fetchall() == [(2,)]

    plant(
        khepri_clone_url,
        """
        alter policy mood_checkins_select on public.mood_checkins
            using (athlete_id = (select public.current_athlete_id()));
        alter policy mood_checkins_update on public.mood_checkins
            using (athlete_id = (select public.current_athlete_id()))
            with check (athlete_id = (select public.current_athlete_id()));
        """,
    )
    assert findings(khepri_clone_url, "rls_policy_role_only") == []


# -- rls_policy_reads_auth_users -------------------------------------------------------------------


def test_rls_policy_reads_auth_users(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.coach_notes (id int primary key, coach_email text, body text);
        alter table public.coach_notes enable row level security;
        grant select on public.coach_notes to authenticated;
        create policy coach_notes_select on public.coach_notes for select to authenticated
            using (coach_email = (select u.email from auth.users as u where u.id = (select auth.uid())));
        create view public.my_user with (security_invoker = on) as select u.id, u.email from auth.users as u;
        create policy coach_notes_update on public.coach_notes for update to authenticated
            using (coach_email in (select m.email from public.my_user as m))
            with check (coach_email in (select m.email from public.my_user as m));
        create function public.my_email() returns text language sql stable set search_path = '' as $$
            select u.email::text from auth.users as u where u.id = auth.uid()
        $$;
        create policy coach_notes_delete on public.coach_notes for delete to authenticated
            using (coach_email = (select public.my_email()));
        create function public.my_email_definer() returns text language sql stable security definer
            set search_path = '' as $$ select u.email::text from auth.users as u where u.id = auth.uid() $$;
        create policy coach_notes_insert on public.coach_notes for insert to authenticated
            with check (coach_email = (select public.my_email_definer()));
        """,
    )
    found = {f.metadata["policy_name"]: f for f in findings(khepri_clone_url, "rls_policy_reads_auth_users")}
    assert set(found) == {"coach_notes_select", "coach_notes_update", "coach_notes_delete"}
    assert found["coach_notes_update"].metadata["via"] == ["the view public.my_user"]
    assert found["coach_notes_delete"].metadata["via"] == ["the function public.my_email()"]
    # read by the policy itself or its views: every request fails (ERROR); by a function the policy
    # calls for each row: the requests that reach a row fail (WARN)
    levels = {name: f.level for name, f in found.items()}
    assert levels == {"coach_notes_select": "ERROR", "coach_notes_update": "ERROR", "coach_notes_delete": "WARN"}
    # The failure is real: every signed-in user's read or update of the (empty) table fails.
    with connect(khepri_clone_url) as conn:
        alice = create_user(conn, "alice@example.com")
        for request in ("select * from public.coach_notes", "update public.coach_notes set body = 'x'"):
            with (
                as_user(conn, alice),
                pytest.raises(psycopg.errors.InsufficientPrivilege, match="table users"),
                conn.transaction(),
            ):
                conn.execute(request)
        with as_user(conn, alice), conn.transaction():  # no row: the delete policy's function never runs
            conn.execute("delete from public.coach_notes")

    plant(
        khepri_clone_url,
        """
        alter policy coach_notes_select on public.coach_notes using (coach_email = (select auth.jwt() ->> 'email'));
        alter policy coach_notes_update on public.coach_notes using (coach_email = (select auth.jwt() ->> 'email'))
            with check (coach_email = (select auth.jwt() ->> 'email'));
        drop policy coach_notes_delete on public.coach_notes;
        """,
    )
    assert findings(khepri_clone_url, "rls_policy_reads_auth_users") == []


# -- rls_policy_for_service_role ------------------------------------------------------------------


def test_rls_policy_for_service_role(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.jobs (id int primary key, owner uuid);
        alter table public.jobs enable row level security;
        create policy jobs_service on public.jobs to service_role using (true) with check (true);
        create policy jobs_select on public.jobs for select to authenticated
            using (owner = (select auth.uid()) or (select auth.role()) = 'service_role');
        create policy jobs_delete on public.jobs for delete to authenticated using (owner = (select auth.uid()));
        """,
    )
    found = {f.metadata["policy_name"]: f for f in findings(khepri_clone_url, "rls_policy_for_service_role")}
    assert set(found) == {"jobs_service", "jobs_select"}
    assert found["jobs_service"].metadata["reason"] == "applies to service_role"
    assert found["jobs_select"].metadata["reason"] == "dead OR branch checking role = service_role"
    assert "Delete that OR branch" in found["jobs_select"].detail
    assert found["jobs_select"].level == "INFO"
    # the detail shows each expression once (USING and WITH CHECK are the same here)
    assert found["jobs_select"].detail.count("service_role'::text") == 1
    with connect(khepri_clone_url) as conn:  # what the rule rests on: service_role skips RLS
        assert conn.execute("select rolbypassrls from pg_roles where rolname = 'service_role'").fetchone() == (True,)

    plant(
        khepri_clone_url,
        "drop policy jobs_service on public.jobs; "
        "alter policy jobs_select on public.jobs using (owner = (select auth.uid()))",
    )
    assert findings(khepri_clone_url, "rls_policy_for_service_role") == []


# -- rls_tenant_column_unreferenced ---------------------------------------------------------------


def test_rls_policy_for_service_role_never_advises_opening_the_policy(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.invoices (id int primary key, paid boolean);
        alter table public.invoices enable row level security;
        grant select on public.invoices to anon;
        create policy invoices_service on public.invoices for select
            using (auth.role() = 'service_role' and paid);
        insert into public.invoices values (1, true);
        """,
    )
    [finding] = findings(khepri_clone_url, "rls_policy_for_service_role")
    assert finding.metadata["reason"] == "requires role = service_role"
    assert "Do not just delete that condition" in finding.detail
    assert "anonymous callers included" in finding.detail
    assert "drop policy invoices_service on public.invoices;" in finding.detail
    # What the advice rests on: today anon reads nothing; without the condition it would read the row.
    with connect(khepri_clone_url) as conn:
        conn.execute("set local role anon")
        assert conn.execute("select count(*) from public.invoices").fetchone() == (0,)
        conn.execute("reset role")
        conn.execute("alter policy invoices_service on public.invoices using (paid)")
        conn.execute("set local role anon")
        assert conn.execute("select count(*) from public.invoices").fetchone() == (1,)
        conn.rollback()


def test_rls_tenant_column_unreferenced(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.photos (id int primary key, user_id uuid, is_public boolean);
        alter table public.photos enable row level security;
        create policy photos_select on public.photos for select to authenticated using (is_public);
        create table public.albums (id int primary key, owner_id uuid);
        alter table public.albums enable row level security;
        create policy albums_select on public.albums for select to authenticated
            using (public.is_valid_timezone('UTC') and owner_id = (select auth.uid()));
        create table public.drafts (id int primary key, profile_id uuid);
        alter table public.drafts enable row level security;
        """,
    )
    [finding] = findings(khepri_clone_url, "rls_tenant_column_unreferenced")
    assert (finding.metadata["name"], finding.metadata["column"]) == ("photos", "user_id")
    assert finding.metadata["policies"] == ["photos_select"]
    # The tenant columns are configurable:
    tuned = run_doctor(
        khepri_clone_url, project=PROJECT, only=["rls_tenant_column_unreferenced"],
        config=DoctorConfig(tenant_columns=["owner_id"]),
    )  # fmt: skip
    assert tuned.findings == []

    plant(
        khepri_clone_url,
        "alter policy photos_select on public.photos using (is_public or user_id = (select auth.uid()))",
    )
    assert findings(khepri_clone_url, "rls_tenant_column_unreferenced") == []


def test_rls_tenant_column_unreferenced_skips_actor_and_invitee_columns(khepri_clone_url: str) -> None:
    # Real-world shape: an audit log and invitations scoped by organisation; user_id is the actor or
    # the invitee there, not the tenant key.
    plant(
        khepri_clone_url,
        """
        create table public.org_members (org_id uuid, member uuid);
        create table public.audit_log (id int primary key, organization_id uuid, user_id uuid, action text);
        alter table public.audit_log enable row level security;
        create policy audit_select on public.audit_log for select to authenticated using (
            organization_id in (select m.org_id from public.org_members as m where m.member = (select auth.uid()))
        );
        create table public.invites (id int primary key, group_id uuid, user_id uuid);
        alter table public.invites enable row level security;
        create policy invites_select on public.invites for select to authenticated using (group_id is not null);
        create table public.notes (id int primary key, user_id uuid, archived boolean);
        alter table public.notes enable row level security;
        create policy notes_select on public.notes for select to authenticated using (not archived);
        """,
    )
    found = findings(khepri_clone_url, "rls_tenant_column_unreferenced")
    assert [(f.metadata["name"], f.metadata["column"]) for f in found] == [("notes", "user_id")]


# -- rls_update_policy_without_check -------------------------------------------------------------


def test_rls_update_policy_without_check(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.entries (id int primary key, user_id uuid, body text);
        alter table public.entries enable row level security;
        create policy entries_update on public.entries for update to authenticated
            using (user_id = (select auth.uid()));
        create policy entries_update_checked on public.entries for update to authenticated
            using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
        create policy entries_all on public.entries to authenticated using (user_id = (select auth.uid()));
        create policy entries_open_check on public.entries for update to authenticated
            using (user_id = (select auth.uid())) with check (true);
        create policy entries_body_check on public.entries for update to authenticated
            using (user_id = (select auth.uid())) with check (body is not null);
        """,
    )
    # Without WITH CHECK, USING checks the new row too: entries_update and entries_all are fine.
    found = {f.metadata["policy_name"]: f for f in findings(khepri_clone_url, "rls_update_policy_without_check")}
    assert set(found) == {"entries_open_check", "entries_body_check"}
    assert found["entries_open_check"].metadata["reason"] == "with check always true"
    assert found["entries_body_check"].metadata["reason"] == "with check drops the caller"

    # What the rule rests on, as two users: with `with check (true)` Alice hands her row to Bob...
    plant(
        khepri_clone_url,
        "drop policy entries_body_check on public.entries; drop policy entries_all on public.entries; "
        "create policy entries_read on public.entries for select to authenticated using (true)",
    )
    with connect(khepri_clone_url) as conn:
        alice, bob = create_user(conn, "alice@example.com"), create_user(conn, "bob@example.com")
        conn.execute("grant select, update on public.entries to authenticated")
        conn.execute("insert into public.entries values (1, %s, 'x')", (alice.id,))
        with as_user(conn, alice):
            conn.execute("update public.entries set user_id = %s where id = 1", (bob.id,))
        assert conn.execute("select user_id from public.entries").fetchone() == (bob.id,)
        conn.rollback()
    # ...while without WITH CHECK (USING applies to the new row) the same update is refused.
    plant(khepri_clone_url, "drop policy entries_open_check on public.entries")
    with connect(khepri_clone_url) as conn:
        alice, bob = create_user(conn, "alice@example.com"), create_user(conn, "bob@example.com")
        conn.execute("grant select, update on public.entries to authenticated")
        conn.execute("insert into public.entries values (1, %s, 'x')", (alice.id,))
        with as_user(conn, alice), pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
            conn.execute("update public.entries set user_id = %s where id = 1", (bob.id,))
        conn.rollback()
    assert findings(khepri_clone_url, "rls_update_policy_without_check") == []


# -- redundant_index -----------------------------------------------------------------------------


def test_redundant_index(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        """
        create table public.sessions (id int primary key, athlete_id int, day date, kind text, code text);
        create index sessions_athlete_idx on public.sessions (athlete_id);
        create index sessions_athlete_day_idx on public.sessions (athlete_id, day);
        create index sessions_day_idx on public.sessions (day);                     -- not a prefix
        create index sessions_kind_active on public.sessions (kind) where day is not null;
        create index sessions_kind_day on public.sessions (kind, day);              -- other predicate
        alter table public.sessions add constraint sessions_code_key unique (code);
        create index sessions_code_idx on public.sessions (code);                   -- same as the constraint's
        create index sessions_day_desc on public.sessions (day desc);               -- other sort order
        """,
    )
    found = {f.metadata["index"]: f for f in findings(khepri_clone_url, "redundant_index")}
    assert set(found) == {"sessions_athlete_idx", "sessions_code_idx"}
    assert found["sessions_athlete_idx"].metadata["covered_by"] == "public.sessions_athlete_day_idx"
    assert found["sessions_code_idx"].metadata["covered_by"] == "public.sessions_code_key"
    assert found["sessions_athlete_idx"].level == "INFO"

    plant(khepri_clone_url, "drop index public.sessions_athlete_idx; drop index public.sessions_code_idx")
    assert findings(khepri_clone_url, "redundant_index") == []
