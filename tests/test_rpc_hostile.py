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
from psycopg.types.json import Jsonb
from support import KHEPRI_TABLES, onboard, rpc

from khepri_db.access.session import as_user
from khepri_db.client.transports import named_call

pytestmark = pytest.mark.pg

EXAMPLES = 2100
"""Payloads per run (the issue asks for at least 2,000 across all RPCs)."""

DOCUMENTED = {"22023", "23514", "P0002", "42501", "55000"}
"""SQLSTATEs the RPCs document (README: the Khepri schema)."""

NUL_IN_JSON = "22P05"
"""PostgreSQL refuses ``\\u0000`` in jsonb (untranslatable_character) before the function runs."""

# The fields each JSON argument accepts (the RPCs' object_input lists), to aim mutations at them.
PROFILE = ["display_name", "timezone", "units", "preferences", "date_of_birth", "sex", "weight_kg", "height_cm",
           "daily_checkin_time", "experience_level", "ftp_watts", "threshold_pace_s_per_km", "css_s_per_100m",
           "resting_hr_bpm", "max_hr_bpm", "threshold_hr_bpm", "one_rm_squat_kg", "one_rm_bench_kg",
           "one_rm_deadlift_kg", "consents", "intervals_icu_athlete_id"]  # fmt: skip
GOAL = ["goal_type", "title", "description", "priority", "target_date", "race_name", "race_date", "race_distance_m",
        "race_location", "race_target_time_s", "performance_metric", "performance_current_value",
        "performance_target_value", "fitness_metric", "fitness_target_value", "health_metric", "health_target_value",
        "strength_lift", "strength_target_kg"]  # fmt: skip
PLAN = ["athlete_id", "name", "starts_on", "ends_on", "total_weeks", "status", "goal_id", "methodology_id", "phases",
        "weekly_template", "workouts"]  # fmt: skip
WORKOUT = ["week_number", "day_number", "slot", "scheduled_on", "sport", "workout_type", "title", "structure",
           "planned_duration_s", "planned_distance_m", "planned_load", "plan_id", "athlete_id"]  # fmt: skip
CHECKIN = ["checkin_date", "sleep_quality", "sleep_hours", "energy_level", "stress_level", "soreness_level",
           "soreness_areas", "resting_hr_bpm", "hrv_ms", "weight_kg", "available_minutes", "equipment",
           "travel_status", "notes", "ai_recommendation", "recommendation_response"]  # fmt: skip
ACTUAL = ["duration_s", "distance_m"]
FEEDBACK = ["categories", "text"]

# Valid payloads the mutations start from (so that some calls get deep into each RPC).
BASE = {
    "profile": {"display_name": "Hostile", "timezone": "Europe/Paris", "weight_kg": 70},
    "goal": {"goal_type": "race", "title": "10K", "race_date": "2027-05-01", "race_distance_m": 10000},
    "plan": {
        "name": "Block",
        "starts_on": "2027-01-04",
        "total_weeks": 4,
        "workouts": [{"week_number": 1, "day_number": 1, "sport": "run", "title": "Easy"}],
    },
    "workout": {"week_number": 1, "day_number": 2, "sport": "run", "title": "Tempo", "scheduled_on": "2027-01-05"},
    "checkin": {"sleep_quality": 7, "energy_level": 6},
    "actual": {"duration_s": 1800, "distance_m": 5000},
    "feedback": {"categories": ["just_right"], "text": "ok"},
}

# Scalars that break types and ranges: huge and tiny numbers, fractions, NUL, long text, dates.
HUGE = st.sampled_from([0, -1, 1.5, 1.0, 11, 32767, 32768, 40000, 100000, 2**31, -(2**31) - 1, 2**63, 10**40,
                        -(10**40), 1e300, -1e-300, 999.995, 99.995, 1e-7])  # fmt: skip
TEXTS = st.sampled_from(["", " ", "\x00", "a\x00b", "x" * 10_001, "2027-02-30", "2027-13-01", "25:61", "9999-12-31",
                         "not-a-uuid", "'; drop table public.athletes; --", "\u202e", "NaN", "Infinity", "null",
                         "run", "active", "race", "metric"])  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | HUGE
    | TEXTS
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def nested(draw: st.DrawFn) -> Any:
    """A value under 20 to 60 levels of arrays and objects."""
    value: Any = draw(SCALARS)
    for _ in range(draw(st.integers(min_value=20, max_value=60))):
        value = [value] if draw(st.booleans()) else {"k": value}
    return value


HOSTILE = JSON | nested() | SCALARS


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any], fields: list[str]) -> Any:
    """``base`` with fields replaced by hostile values, required ones dropped, unknown ones added;
    or, now and then, not an object at all."""
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        return draw(HOSTILE)
    payload = dict(base)
    for field in draw(st.lists(st.sampled_from(fields), max_size=4, unique=True)):
        payload[field] = draw(HOSTILE)
    for field in draw(st.lists(st.sampled_from(sorted(base)), max_size=2, unique=True)) if base else []:
        payload.pop(field, None)
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        payload[draw(st.text(min_size=1, max_size=8))] = draw(HOSTILE)
    return payload


def plan_payload() -> st.SearchStrategy[Any]:
    workouts = st.lists(mutated(BASE["plan"]["workouts"][0], WORKOUT), max_size=3)
    return mutated(BASE["plan"], PLAN).flatmap(
        lambda p: (
            workouts.map(lambda w: {**p, "workouts": w}) if isinstance(p, dict) and "workouts" in p else st.just(p)
        )
    )


def text_arg() -> st.SearchStrategy[str | None]:
    # Text arguments: PostgreSQL text cannot hold NUL at all (the client refuses to send it).
    return st.none() | st.text(max_size=40).map(lambda s: s.replace("\x00", "")) | st.just("x" * 5000)


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


def arguments(ids: dict[str, list[Any]]) -> dict[str, st.SearchStrategy[dict[str, Any]]]:
    """A strategy of named arguments per RPC."""

    def some(kind: str) -> st.SearchStrategy[Any]:
        return st.sampled_from(ids[kind]) | st.uuids() | st.none()

    return {
        "finalize_onboarding": st.fixed_dictionaries(
            {"profile": mutated(BASE["profile"], PROFILE)},
            optional={"plan": plan_payload(), "goal": mutated(BASE["goal"], GOAL), "idempotency_key": text_arg()},
        ),
        "create_plan_with_workouts": st.fixed_dictionaries(
            {"plan": plan_payload()}, optional={"idempotency_key": text_arg()}
        ),
        "schedule_workout": st.fixed_dictionaries(
            {"workout": mutated({**BASE["workout"], "plan_id": str(ids["plan"][0])}, WORKOUT)},
            optional={"idempotency_key": text_arg()},
        ),
        "complete_workout": st.fixed_dictionaries(
            {"workout_id": some("workout")},
            optional={
                "actual": mutated(BASE["actual"], ACTUAL),
                "feedback": mutated(BASE["feedback"], FEEDBACK),
                "rpe": st.none() | st.integers(min_value=-(2**31), max_value=2**31 - 1),
            },
        ),
        "skip_workout": st.fixed_dictionaries({"workout_id": some("workout")}, optional={"reason": text_arg()}),
        "submit_daily_checkin": st.fixed_dictionaries({"checkin": mutated(BASE["checkin"], CHECKIN)}),
        "activate_plan": st.fixed_dictionaries({"plan_id": some("plan")}),
        "plan_progress": st.fixed_dictionaries({"plan_id": some("plan")}),
        "link_coach": st.fixed_dictionaries({"coach_user_id": some("user")}),
        "accept_coach_link": st.fixed_dictionaries({"athlete_id": some("athlete")}),
        "revoke_coach": st.fixed_dictionaries({"coach_user_id": some("user")}),
        "export_my_data": st.just({}),
        "cleanup_expired_idempotency_keys": st.just({}),
    }


JSON_ARGUMENTS = {"profile", "plan", "goal", "workout", "checkin", "actual", "feedback"}
"""The jsonb parameters: PostgREST hands them whatever JSON the body holds (not only objects)."""


def postgrest_call(function: str, args: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """:func:`named_call`, with every jsonb argument sent as JSON whatever its value (as PostgREST does)."""
    query, params = named_call(function, args)
    return query, {k: Jsonb(args[k]) if k in JSON_ARGUMENTS else v for k, v in params.items()}


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
