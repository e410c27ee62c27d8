"""The parameters that carry a caller-supplied user id and whether a body checks them against the
caller (khepri_db.doctor._identity, for security_definer_trusts_caller_id). Pure functions on text; the
database-backed behaviour is in tests/doctor/test_khepri.py."""

from __future__ import annotations

import pytest

from khepri_db.core.plpgsql import Parameter
from khepri_db.doctor._identity import identity_arguments, normalised_parameter_name

pytestmark = pytest.mark.pg


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
