"""Reading function bodies (khepri_db.doctor._plpgsql): the statements and expressions PL/pgSQL hands to
the SQL parser, made standalone, and which parameters carry a caller-supplied user id. Pure
functions on text; the database-backed behaviour is in tests/doctor/test_khepri.py."""

from __future__ import annotations

import pytest

from khepri_db.doctor._plpgsql import (
    Parameter,
    embedded_statements,
    identity_arguments,
    normalised_parameter_name,
)

pytestmark = pytest.mark.pg

PLPGSQL = """
declare
    v_user uuid := auth.uid();
    v_row public.athletes%rowtype;
    v_n integer;
begin
    <<main>>
    select a.* into strict v_row from public.athletes as a where a.auth_user_id = v_user;
    if v_row.display_name is null then
        raise exception 'no name %', v_user using errcode = '22023';
    elsif not found then
        v_n := coalesce(array_length(p_tags, 1), 0);
    end if;
    for r in select w.id from public.workouts as w where w.athlete_id = v_row.id loop
        perform public.touch(r.id);
    end loop;
    insert into public.goals as g (athlete_id, title) values (v_row.id, p_title)
        on conflict (athlete_id, title) do update set title = excluded.title
        returning g.id into v_n;
    update public.goals set title = p_title where id = v_n;
    execute format('delete from %I', p_title);
    return query select 1 from public.goals where title = $2;
end
"""


def test_embedded_statements_are_standalone_sql() -> None:
    params = [Parameter("p_tags", 1, "text[]"), Parameter("p_title", 2, "text")]
    analysis = embedded_statements(PLPGSQL, "plpgsql", params, function_name="f")
    plannable = [" ".join(s.plannable.split()) for s in analysis.statements]
    assert plannable == [
        "select (auth.uid())",
        "select a.* from public.athletes as a where a.auth_user_id = (NULL::uuid)",
        "select (((NULL::public.athletes)).display_name is null)",
        "select (not NULL)",
        "select (coalesce(array_length((NULL::text[]), 1), 0))",
        "select w.id from public.workouts as w where w.athlete_id = ((NULL::public.athletes)).id",
        "select public.touch(NULL)",
        "insert into public.goals as g (athlete_id, title) values (((NULL::public.athletes)).id, (NULL::text)) "
        "on conflict (athlete_id, title) do update set title = excluded.title returning g.id",
        "update public.goals set title = (NULL::text) where id = (NULL::integer)",
        "select 1 from public.goals where title = (NULL::text)",
    ]
    assert [s.line for s in analysis.statements][:3] == [3, 8, 9]
    assert {"v_user", "v_row", "v_n", "r", "p_tags", "p_title", "found"} <= analysis.variables
    # the raw text is kept for the report
    assert analysis.statements[1].raw.startswith("select a.* into strict v_row")


def test_columns_named_like_variables_stay_columns() -> None:
    body = """
    declare athlete_id uuid := p_athlete;
    begin
        insert into public.t (athlete_id) values (athlete_id) on conflict (athlete_id) do nothing;
        update public.t set athlete_id = athlete_id where t.athlete_id = f.p_athlete;
    end"""
    analysis = embedded_statements(body, "plpgsql", [Parameter("p_athlete", 1, "uuid")], function_name="f")
    sql = [" ".join(s.plannable.split()) for s in analysis.statements]
    assert sql[1] == ("insert into public.t (athlete_id) values ((NULL::uuid)) on conflict (athlete_id) do nothing")
    assert sql[2] == "update public.t set athlete_id = (NULL::uuid) where t.athlete_id = (NULL::uuid)"


def test_sql_functions_and_local_objects() -> None:
    body = "with recent as (select 1 as n) select n from recent where $1 > 0; select * from public.t where id = p_id"
    analysis = embedded_statements(body, "sql", [Parameter("p_id", 1, "integer")])
    assert [s.plannable for s in analysis.statements] == [
        "with recent as (select 1 as n) select n from recent where (NULL::integer) > 0",
        "select * from public.t where id = (NULL::integer)",
    ]
    assert "recent" in analysis.local_relations
    created = embedded_statements(
        "begin create temporary table if not exists scratch (n int); insert into scratch values (1); end",
        "plpgsql",
    )
    assert created.local_relations == frozenset({"scratch"})


def test_trigger_functions_know_new_and_old() -> None:
    analysis = embedded_statements("begin new.updated_at := now(); return new; end", "plpgsql", is_trigger=True)
    assert {"new", "old", "tg_op"} <= analysis.variables
    assert [s.plannable for s in analysis.statements] == ["select (now())", "select (NULL)"]


def test_parameter_names_are_normalised() -> None:
    assert normalised_parameter_name("p_athlete_id") == "athlete_id"
    assert normalised_parameter_name("_user_id") == "user_id"
    assert normalised_parameter_name("in_owner_id") == "owner_id"
    assert normalised_parameter_name("athlete_id") == "athlete_id"


IDS = ["user_id", "athlete_id", "uid"]


def test_identity_arguments_trusted_or_checked() -> None:
    params = [Parameter("p_athlete_id", 1, "uuid"), Parameter("p_note", 2, "text")]
    trusted = "select * from public.workouts where athlete_id = p_athlete_id"
    [arg] = identity_arguments(trusted, "sql", params, IDS)
    assert (arg.name, arg.used_in_query, arg.checked, arg.line) == ("p_athlete_id", True, False, 1)

    compared = """
    begin
        if p_athlete_id is distinct from (select public.current_athlete_id()) then
            raise exception 'not yours';
        end if;
        delete from public.workouts where athlete_id = p_athlete_id;
    end"""
    [arg] = identity_arguments(compared, "plpgsql", params, IDS, identity_functions=[("public", "current_athlete_id")])
    assert arg.checked
    assert arg.used_in_query

    # only checks that someone is signed in: the id is still trusted
    signed_in_only = """
    declare v_uid uuid := auth.uid();
    begin
        if v_uid is null then raise exception 'sign in'; end if;
        delete from public.workouts where athlete_id = p_athlete_id;
    end"""
    [arg] = identity_arguments(signed_in_only, "plpgsql", params, IDS)
    assert not arg.checked

    # ownership checked in the same statement, through a variable holding auth.uid()
    same_statement = """
    declare v_uid uuid := auth.uid();
    begin
        delete from public.workouts as w using public.athletes as a
        where w.athlete_id = p_athlete_id and a.id = w.athlete_id and a.auth_user_id = v_uid;
    end"""
    [arg] = identity_arguments(same_statement, "plpgsql", params, IDS)
    assert arg.checked

    # copied into a variable, then compared with the caller's own athlete id
    copied = """
    declare v_target uuid; v_mine uuid;
    begin
        v_target := p_athlete_id;
        select a.id into v_mine from public.athletes as a where a.auth_user_id = auth.uid();
        if v_target <> v_mine then raise exception 'no'; end if;
        delete from public.workouts where athlete_id = v_target;
    end"""
    [arg] = identity_arguments(copied, "plpgsql", params, IDS)
    assert arg.checked
    assert arg.used_in_query


def test_identity_arguments_authorised_by_a_guard_and_positional_use() -> None:
    params = [Parameter("p_user_id", 1, "uuid")]
    guarded = """
    begin
        if not public.is_admin() then raise exception 'admins only'; end if;
        delete from public.notes where user_id = $1;
    end"""
    [arg] = identity_arguments(guarded, "plpgsql", params, IDS, authorization_functions=[("public", "is_admin")])
    assert arg.used_in_query
    assert arg.checked
    [unguarded] = identity_arguments(guarded, "plpgsql", params, IDS)
    assert unguarded.used_in_query
    assert not unguarded.checked
    unused = identity_arguments("begin return 1; end", "plpgsql", params, IDS)
    assert unused[0].used_in_query is False
    assert identity_arguments("select 1", "sql", [Parameter("p_note", 1, "text")], IDS) == []


def test_identity_arguments_watch_every_argument_of_a_definer() -> None:
    # Any argument: an object id, a filter, a value copied into a variable and written.
    body = """
    declare
        v_target text := 'prefix/' || target;
    begin
        update public.reports set body = new_body where project_id = p_project_id and path = v_target;
    end
    """
    params = [Parameter("p_project_id", 1, "int"), Parameter("target", 2, "text"), Parameter("new_body", 3, "text")]
    assert identity_arguments(body, "plpgsql", params, IDS) == []  # none named like an id
    found = {a.name: a for a in identity_arguments(body, "plpgsql", params, IDS, watch_all=True)}
    assert set(found) == {"p_project_id", "target", "new_body"}
    assert all(a.used_in_query and not a.checked and not a.named_like_identity for a in found.values())
    # A body that looks at the caller anywhere scopes by the caller: arguments not named like an id
    # count as checked; one named like an id still needs its own comparison.
    scoped = body.replace("and path = v_target", "and path = v_target and owner_id = auth.uid()")
    checked = {a.name: a.checked for a in identity_arguments(scoped, "plpgsql", params, IDS, watch_all=True)}
    assert checked == {"p_project_id": True, "target": True, "new_body": True}
    elsewhere = "begin perform auth.uid(); return (select count(*) from public.reports where owner_id = p_user_id); end"
    [arg] = identity_arguments(elsewhere, "plpgsql", [Parameter("p_user_id", 1, "uuid")], IDS, watch_all=True)
    assert arg.named_like_identity
    assert not arg.checked


def test_declared_variables_directives_and_cursor_arguments_are_variables() -> None:
    # issue 18: `declare a int := 1; b int := a + 1;` plans `a` as a variable, after a directive too
    body = """#variable_conflict use_column
    declare a int not null := 1; b int := a + 1;
        c cursor (k int) for select t.n from public.t as t where t.id = k and t.n > b;
    begin
        return b;
    end"""
    analysis = embedded_statements(body, "plpgsql")
    assert [s.plannable for s in analysis.statements] == [
        "select (1)",
        "select ((NULL::int) + 1)",
        "select t.n from public.t as t where t.id = (NULL::int) and t.n > (NULL::int)",
        "select ((NULL::int))",
    ]
    assert {"a", "b", "c"} <= analysis.variables
    assert "k" not in analysis.variables  # a cursor's argument is a name only inside its query


def test_which_statements_every_call_runs() -> None:
    body = """
    declare v int := 7;
    begin
        insert into public.a values (1);
        if v > 0 then insert into public.b values (1); elsif v < 0 then insert into public.c values (1); end if;
        for r in select 1 loop insert into public.d values (1); end loop;
        begin insert into public.e values (1); exception when others then insert into public.f values (1); end;
        begin insert into public.g values (1); end;
        case v when 1 then insert into public.h values (1); end case;
        insert into public.i values (1);
        if v is null then return 0; end if;
        insert into public.j values (1);
        return 1;
    end"""
    every = {s.raw.split()[2] if s.raw.startswith("insert") else s.raw: s.every_call
             for s in embedded_statements(body, "plpgsql").statements}  # fmt: skip
    assert every == {
        "7": True, "public.a": True, "v > 0": True, "public.b": False, "v < 0": False, "public.c": False,
        "select 1": True, "public.d": False, "public.e": False, "public.f": False, "public.g": True,
        "public.h": False, "public.i": True, "v is null": True, "0": False, "public.j": False, "1": False,
    }  # fmt: skip
    sql = embedded_statements("insert into public.a values (1); select 2", "sql")
    assert all(s.every_call for s in sql.statements)


def test_arguments_select_rows_by_columns_and_paging_selects_none() -> None:
    params = [Parameter("p_user_id", 1, "uuid"), Parameter("page_size", 2, "int"), Parameter("page_number", 3, "int")]
    body = """
    select n.* from public.notes as n where n.user_id = p_user_id
    order by n.created_at desc limit page_size offset (page_number - 1) * page_size
    """
    args = {a.name: a for a in identity_arguments(body, "sql", params, IDS, watch_all=True)}
    assert (args["p_user_id"].used_in_query, args["p_user_id"].columns) == (True, ("user_id",))
    assert not args["page_size"].used_in_query
    assert not args["page_number"].used_in_query
    writes = """
    begin
        insert into public.t (a, owner_id) values (lower(p_a), coalesce(p_o, auth.uid()));
        update public.t set b = p_b where id = any(p_ids) and p_x = t.x;
    end"""
    params = [Parameter(n, i, "text") for i, n in enumerate(["p_a", "p_o", "p_b", "p_ids", "p_x"], start=1)]
    columns = {a.name: a.columns for a in identity_arguments(writes, "plpgsql", params, IDS, watch_all=True)}
    assert columns == {"p_a": ("a",), "p_o": ("owner_id",), "p_b": ("b",), "p_ids": ("id",), "p_x": ("x",)}
