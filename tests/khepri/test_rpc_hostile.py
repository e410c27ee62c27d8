"""Hostile payloads against every Khepri RPC (property-based, hypothesis, derandomized).

Each payload is what a careless or malicious client could send through ``POST /rpc/<name>``: wrong
JSON types, huge and out-of-range numbers, NUL characters, deep nesting, missing required fields
and unknown ones, other users' ids. Every call runs as a signed-in athlete in its own rolled-back
savepoint, inside one request context (the role switch is checked once). The properties: a call
either succeeds or fails with a documented SQLSTATE (README: 22023/23514 naming the field, P0002
not found, 42501 not allowed, 55000 wrong state), a 22023 or 23514 names the input it is about,
and a failed call leaves every Khepri table as it was.
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khepri_db.client.transports import named_call
from khepri_db.core.session import as_user
from tests.support.khepri import KHEPRI_TABLES, onboard, rpc
from tests.support.payloads import BASE, arguments, postgrest_call

pytestmark = pytest.mark.pg

EXAMPLES = 2100
"""Payloads per run (the issue asks for at least 2,000 across all RPCs)."""

DOCUMENTED = {"22023", "23514", "P0002", "42501", "55000"}
"""SQLSTATEs the RPCs document (README: the Khepri schema)."""

NUL_IN_JSON = "22P05"
"""PostgreSQL refuses ``\\u0000`` in jsonb (untranslatable_character) before the function runs."""


@pytest.fixture
def scene(db, make_user, as_user) -> dict[str, Any]:
    """Alice (onboarded, a plan with sessions, a coach link) and Bob's ids for the uuid arguments."""
    alice, bob, coach = make_user(), make_user(), make_user()
    onboard(db, alice, "Alice", plan={"name": "Alice's plan", "starts_on": "2027-01-04"})
    onboard(db, bob, "Bob", plan={"name": "Bob's plan", "starts_on": "2027-01-04"})
    ids: dict[str, list[Any]] = {"plan": [], "workout": [], "athlete": [], "user": [alice.id, bob.id, coach.id]}
    for user in (alice, bob):
        with as_user(user):
            made = rpc(db, "create_plan_with_workouts", plan=BASE["plan"])
            ids["plan"].append(made["plan_id"])
            ids["workout"].extend(made["workout_ids"])
            ids["athlete"].append(made["athlete_id"])
    with as_user(alice):
        rpc(db, "link_coach", coach_user_id=coach.id)
    return {"alice": alice, "ids": ids}


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


SNAPSHOT = "select " + ", ".join(
    f"(select count(*)::text || ':' || coalesce(sum(xmin::text::bigint), 0)::text from public.{t})"
    for t in KHEPRI_TABLES
)
"""Every Khepri table's row count and row versions: any insert, update or delete changes it."""


def test_hostile_payloads_get_documented_errors_naming_the_field_and_write_nothing(db, scene) -> None:
    alice, ids = scene["alice"], scene["ids"]
    strategies = arguments(ids)
    names = sorted(strategies)
    before = db.execute(SNAPSHOT).fetchone()
    calls: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.data())
    def one_call(data: st.DataObject) -> None:
        function = data.draw(st.sampled_from(names), label="function")
        args = data.draw(strategies[function], label="args")
        query, params = postgrest_call(function, args)
        calls[function] += 1
        error: psycopg.Error | None = None
        with db.transaction(force_rollback=True):
            try:
                with db.transaction():  # the request's own savepoint: rolled back when it fails
                    db.execute(query, params).fetchone()
            except psycopg.Error as exc:
                error = exc
            if error is not None:
                db.execute("select set_config('role', 'postgres', true)")  # see every row; undone with the savepoint
                assert db.execute(SNAPSHOT).fetchone() == before, f"{function} failed and still wrote: {args!r}"
        if error is None:
            outcomes["ok"] += 1
            return
        state, message = error.diag.sqlstate, error.diag.message_primary or ""
        outcomes[state or "?"] += 1
        if state == NUL_IN_JSON:
            assert _has_nul(args), f"{function}: {state} {message} without a NUL in {args!r}"
            return
        assert state in DOCUMENTED, f"{function}: undocumented SQLSTATE {state} ({message}) for {args!r}"
        if state in {"22023", "23514"}:
            assert message.startswith(tuple(args)), f"{function}: {state} names no argument: {message!r} for {args!r}"

    # One request context for all the calls (each in its own savepoint), as Alice, checked once.
    with as_user(db, alice, path="/rpc"):
        one_call()
    total = sum(calls.values())
    print(f"\n{total} hostile payloads: " + ", ".join(f"{n} {calls[n]}" for n in names))
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in outcomes.most_common()))
    assert total >= 2000
    assert set(calls) == set(names)  # every RPC got its share
    assert min(outcomes["ok"], outcomes["22023"], outcomes["23514"]) > 0  # the mix reached deep into the RPCs


def test_the_numbers_the_issue_names_are_named_back(db, scene) -> None:
    # issue 9, item 3: each of these answered 22003 or a raw 23505 before.
    alice = scene["alice"]
    workout = {"week_number": 1, "day_number": 1, "sport": "run", "title": "x"}
    cases = [
        ("finalize_onboarding", {"profile": {"display_name": "X", "weight_kg": 1000}}, "23514", "profile.weight_kg"),
        ("submit_daily_checkin", {"checkin": {"sleep_quality": 40000}}, "23514", "checkin.sleep_quality"),
        ("create_plan_with_workouts", {"plan": {"name": "p", "starts_on": "2027-01-04",
                                                "workouts": [{**workout, "slot": 40000}]}}, "23514",
         "plan.workouts[].slot"),
        ("create_plan_with_workouts", {"plan": {"name": "p", "starts_on": "2027-01-04",
                                                "workouts": [{**workout, "planned_load": 100000}]}}, "23514",
         "plan.workouts[].planned_load"),
        ("create_plan_with_workouts", {"plan": {"name": "p", "starts_on": "2027-01-04",
                                                "workouts": [workout, {**workout, "week_number": 1.0}]}}, "22023",
         "plan.workouts has two sessions for week 1 day 1 slot 1"),
    ]  # fmt: skip
    for function, args, sqlstate, start in cases:
        query, params = named_call(function, args)
        with pytest.raises(psycopg.Error) as caught, as_user(db, alice):
            db.execute(query, params)
        assert (caught.value.diag.sqlstate, (caught.value.diag.message_primary or "")[: len(start)]) == (
            sqlstate,
            start,
        )


def test_a_random_id_is_never_a_crash(db, scene) -> None:
    query, params = named_call("plan_progress", {"plan_id": uuid.uuid4()})
    with pytest.raises(psycopg.errors.NoDataFound), as_user(db, scene["alice"]):
        db.execute(query, params)
