"""Reading function bodies (khepri_db.core.plpgsql): the statements and expressions PL/pgSQL hands to
the SQL parser, made standalone, and whether every call runs them. Pure functions on text; the
database-backed behaviour is in tests/doctor/test_khepri.py (function_body_invalid) and
tests/access/test_preconditions.py (the rows a body looks up)."""

from __future__ import annotations

import pytest

from khepri_db.core.plpgsql import Parameter, embedded_statements

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


def test_the_reader_is_still_offered_under_its_old_name() -> None:
    # issue 23: the reader moved from doctor to core; khepri_db.doctor.bodies re-exports the same objects
    from khepri_db.core import plpgsql
    from khepri_db.doctor import bodies

    assert bodies.__all__ == ["BodyAnalysis", "EmbeddedStatement", "Parameter", "embedded_statements"]
    assert all(getattr(bodies, name) is getattr(plpgsql, name) for name in bodies.__all__)
