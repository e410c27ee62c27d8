"""gen types' translation of a CHECK reading into pydantic ``Field`` arguments, on definitions printed
by a real PostgreSQL: a CHECK becomes a validator only when the validator refuses exactly what the
database refuses (the whole module's behaviour is in test_gen_types.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from khepri_db.client._checks import check_constraints
from khepri_db.core.db import connect
from khepri_db.testing.plugin import DatabaseFactory
from tests.support.databases import printed_checks

pytestmark = pytest.mark.pg

SCHEMA = r"""
create extension if not exists citext with schema public;
create table public.t (
    plan text constraint plan_or_null check (plan in ('monthly', null)),
    plan2 text constraint plan_in check (plan2 in ('monthly', 'annual')),
    n int constraint n_reversed check (10 >= n and 0 < n),
    qty int,
    code text constraint code_citext check (code ~ '^[a-z]+$'::public.citext),
    other text constraint other_column check (char_length(qty::text) < 3),
    tier public.citext constraint tier_citext check (tier in ('gold', 'silver')),
    kind varchar(10) constraint kind_in check (kind in ('a', 'b'))
);
alter table public.t add constraint qty_positive check (qty > 0) not valid;
"""


@pytest.fixture(scope="module")
def printed(khepri_database_factory: DatabaseFactory) -> dict[str, str]:
    return printed_checks(khepri_database_factory, SCHEMA)


def test_a_list_holding_null_lets_every_value_through_so_it_is_no_literal(printed: dict[str, str]) -> None:
    assert check_constraints(printed["plan_or_null"], "str", "plan") is None
    assert check_constraints(printed["plan_in"], "str", "plan2") == ({}, ["monthly", "annual"])


def test_bounds_written_number_first(printed: dict[str, str]) -> None:
    assert check_constraints(printed["n_reversed"], "int", "n") == ({"le": "10", "gt": "0"}, [])


def test_what_is_left_to_the_database(printed: dict[str, str]) -> None:
    assert check_constraints(printed["code_citext"], "str", "code") is None  # citext's ~ ignores case
    # NOT VALID: rows already stored may break it, and the aliases validate the rows read too
    assert check_constraints(printed["qty_positive"], "int", "qty") is None
    assert check_constraints(printed["other_column"], "str", "other") is None  # not about this column
    assert check_constraints(printed["plan_in"], "int", "plan2") is None  # a list of strings on a number
    # citext compares case-insensitively: a Literal would refuse 'GOLD', which the database stores
    assert check_constraints(printed["tier_citext"], "str", "tier") is None
    assert check_constraints(printed["kind_in"], "str", "kind") == ({}, ["a", "b"])  # varchar: still a Literal


def test_a_citext_list_lets_every_case_through(khepri_database_factory: Callable[..., str]) -> None:
    # the fact behind the line above, on the server
    with connect(khepri_database_factory(), autocommit=True) as conn:
        conn.execute(SCHEMA)
        conn.execute("insert into public.t (tier) values ('GOLD')")
        with pytest.raises(Exception, match="tier_citext"):
            conn.execute("insert into public.t (tier) values ('bronze')")
