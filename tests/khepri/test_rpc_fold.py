"""The fold migration (``20261201120000_khepri_rpc_shared_helpers.sql``) changes no RPC's answers.

That migration re-creates every Khepri RPC on shared helpers (the sign-in check, the "no athlete
profile" check, the typed field readers' type check). This is the differential test of its claim
"behaviour and SQLSTATEs unchanged": one database is migrated to the version before it, given users
and rows (committed), and every RPC is called with bad payloads (wrong JSON types, out-of-range and
unfitting numbers, bad dates and times, unknown and missing fields, other users' ids, nobody signed
in, anon), each call in its own rolled-back savepoint. Then the fold is applied to that same
database, as ``khepri-db migrate`` applies it to a deployed project, and the same calls run again.
Per RPC, every answer must be the same: for an error its SQLSTATE, message, detail, hint and the
schema/table/column/constraint fields; for a success the result and every row the caller owns
afterwards (export_my_data, before the rollback), with ids and timestamps masked (they are new on
every call). The calls are a systematic set (every field of every JSON argument with
every bad value) plus payloads drawn from test_rpc_hostile's strategies (derandomized), recorded
once and replayed on both sides.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khepri_db.core.db import connect
from khepri_db.core.request import request_context
from khepri_db.core.session import AuthUser, as_anon, as_user, create_user
from khepri_db.migrations.apply import migrate
from tests.support.khepri import onboard, rpc
from tests.support.payloads import BASE, arguments, postgrest_call

pytestmark = pytest.mark.pg

FOLD = "20261201120000_khepri_rpc_shared_helpers.sql"

RPCS = (
    "finalize_onboarding", "create_plan_with_workouts", "activate_plan", "schedule_workout", "complete_workout",
    "skip_workout", "plan_progress", "submit_daily_checkin", "link_coach", "accept_coach_link", "revoke_coach",
    "export_my_data",
)  # fmt: skip
"""The RPCs with the sign-in preamble the fold replaces (every public RPC but the service_role-only
cleanup_expired_idempotency_keys, which the fold leaves alone)."""

FIELDS = {
    "profile": ["display_name", "timezone", "units", "preferences", "date_of_birth", "sex", "weight_kg", "height_cm",
                "daily_checkin_time", "experience_level", "ftp_watts", "threshold_pace_s_per_km", "css_s_per_100m",
                "resting_hr_bpm", "max_hr_bpm", "threshold_hr_bpm", "one_rm_squat_kg", "one_rm_bench_kg",
                "one_rm_deadlift_kg", "consents", "intervals_icu_athlete_id"],
    "consents": ["health_data", "ai_coaching", "marketing"],
    "goal": ["goal_type", "title", "description", "priority", "target_date", "race_name", "race_date",
             "race_distance_m", "race_location", "race_target_time_s", "performance_metric",
             "performance_current_value", "performance_target_value", "fitness_metric", "fitness_target_value",
             "health_metric", "health_target_value", "strength_lift", "strength_target_kg"],
    "onboarding_plan": ["name", "starts_on", "total_weeks", "methodology_id", "phases", "weekly_template"],
    "plan": ["athlete_id", "name", "starts_on", "ends_on", "total_weeks", "status", "goal_id", "methodology_id",
             "phases", "weekly_template", "workouts"],
    "workout": ["week_number", "day_number", "slot", "scheduled_on", "sport", "workout_type", "title", "structure",
                "planned_duration_s", "planned_distance_m", "planned_load", "plan_id", "athlete_id"],
    "checkin": ["checkin_date", "sleep_quality", "sleep_hours", "energy_level", "stress_level", "soreness_level",
                "soreness_areas", "resting_hr_bpm", "hrv_ms", "weight_kg", "available_minutes", "equipment",
                "travel_status", "notes", "ai_recommendation", "recommendation_response"],
    "actual": ["duration_s", "distance_m"],
    "feedback": ["categories", "text"],
}  # fmt: skip
"""The fields each JSON argument accepts (the RPCs' object_input lists)."""

NO_ROW = "00000000-0000-4000-8000-000000000001"
"""A well-formed id no row has."""

BAD = [None, True, False, "", "x", "run", 0, -1, 1.5, 7, 11, 32768, 40000, 2**31, 10**40, 999.995, [], {}, ["a"],
       [1.5], [1, "a"], {"a": 1}, "2027-02-30", "2027-01-05", "9999-12-31", "25:61", "07:30", "not-a-uuid",
       NO_ROW, "x" * 5001]  # fmt: skip
"""Values every field gets in turn: each JSON type, numbers that do not fit (smallint, integer,
numeric(p, s)) or are not whole, strings that are or are not dates, times and UUIDs."""

NOT_OBJECTS = [None, "x", 1, True, [], [{}], {}, {"unknown_field": 1}]
"""Whole-argument values: not a JSON object, empty, or with an unknown field."""

HOSTILE_EXAMPLES = 700
"""Payloads drawn from test_rpc_hostile's strategies, on top of the systematic set."""

Call = tuple[str, str, str, dict[str, Any]]
"""(actor, label, rpc, named arguments)."""


def _with(base: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    return {**base, field: value}


def systematic_calls(ids: dict[str, Any]) -> list[Call]:
    """Every RPC with bad payloads, as the actor each needs to get deep into it.

    ``ids`` holds the scene's ids (see :func:`_scene`).
    """
    calls: list[Call] = []

    def add(actor: str, label: str, function: str, **args: Any) -> None:
        calls.append((actor, label, function, args))

    # Nobody signed in (the preamble the fold replaced), and anon (no EXECUTE at all).
    minimal: dict[str, dict[str, Any]] = {
        "finalize_onboarding": {"profile": {"display_name": "X"}},
        "create_plan_with_workouts": {"plan": BASE["plan"]},
        "activate_plan": {"plan_id": ids["alice_plan"]},
        "schedule_workout": {"workout": BASE["workout"]},
        "complete_workout": {"workout_id": ids["alice_workout"]},
        "skip_workout": {"workout_id": ids["alice_workout"]},
        "plan_progress": {"plan_id": ids["alice_plan"]},
        "submit_daily_checkin": {"checkin": BASE["checkin"]},
        "link_coach": {"coach_user_id": ids["coach_user"]},
        "accept_coach_link": {"athlete_id": ids["alice_athlete"]},
        "revoke_coach": {"coach_user_id": ids["coach_user"]},
        "export_my_data": {},
    }
    for function, args in minimal.items():
        for actor in ("nobody", "anon", "alice", "newcomer"):
            add(actor, "minimal", function, **args)

    # finalize_onboarding, as a user not onboarded yet (alice is: 55000 after validation).
    profile = {"display_name": "New", "timezone": "Europe/Paris"}
    goal = BASE["goal"]
    plan = {"name": "First", "starts_on": "2027-01-04"}
    for value in NOT_OBJECTS:
        add("newcomer", f"profile={value!r}", "finalize_onboarding", profile=value)
        add("newcomer", f"goal={value!r}", "finalize_onboarding", profile=profile, goal=value)
        add("newcomer", f"plan={value!r}", "finalize_onboarding", profile=profile, plan=value)
    for field in FIELDS["profile"]:
        for value in BAD:
            add("newcomer", f"profile.{field}={value!r}", "finalize_onboarding", profile=_with(profile, field, value))
    for field in FIELDS["consents"]:
        for value in BAD:
            add("newcomer", f"consents.{field}={value!r}", "finalize_onboarding",
                profile={**profile, "consents": {field: value}})  # fmt: skip
    for field in FIELDS["goal"]:
        for value in BAD:
            add("newcomer", f"goal.{field}={value!r}", "finalize_onboarding", profile=profile,
                goal=_with(goal, field, value))  # fmt: skip
    for goal_type in ("race", "performance", "fitness", "health", "strength", "other"):
        add("newcomer", f"goal_type {goal_type} alone", "finalize_onboarding", profile=profile,
            goal={"goal_type": goal_type, "title": "t"})  # fmt: skip
    for field in FIELDS["onboarding_plan"]:
        for value in BAD:
            add("newcomer", f"plan.{field}={value!r}", "finalize_onboarding", profile=profile,
                plan=_with(plan, field, value))  # fmt: skip
    for key in ("", "k" * 256, "new-key"):
        add("newcomer", f"idempotency_key={key!r}", "finalize_onboarding", profile=profile, idempotency_key=key)
    add("alice", "already onboarded", "finalize_onboarding", profile=profile)

    # create_plan_with_workouts, as alice; a coach for alice and for bob; a newcomer.
    new_plan = BASE["plan"]
    workout = new_plan["workouts"][0]
    for value in NOT_OBJECTS:
        add("alice", f"plan={value!r}", "create_plan_with_workouts", plan=value)
        add("alice", f"workouts=[{value!r}]", "create_plan_with_workouts", plan=_with(new_plan, "workouts", [value]))
    for field in FIELDS["plan"]:
        for value in BAD:
            add("alice", f"plan.{field}={value!r}", "create_plan_with_workouts", plan=_with(new_plan, field, value))
    for field in FIELDS["workout"]:
        for value in BAD:
            add("alice", f"workouts[0].{field}={value!r}", "create_plan_with_workouts",
                plan=_with(new_plan, "workouts", [_with(workout, field, value)]))  # fmt: skip
    add("alice", "two sessions, one place", "create_plan_with_workouts",
        plan=_with(new_plan, "workouts", [workout, {**workout, "week_number": 1.0}]))  # fmt: skip
    add("alice", "a week after the last", "create_plan_with_workouts",
        plan=_with(new_plan, "workouts", [{**workout, "week_number": 9}]))  # fmt: skip
    add("alice", "key reused, other input", "create_plan_with_workouts", plan=_with(new_plan, "name", "Other"),
        idempotency_key="alice-key")  # fmt: skip
    add("alice", "key reused, same input", "create_plan_with_workouts", plan=new_plan, idempotency_key="alice-key")
    add("alice", "key too long", "create_plan_with_workouts", plan=new_plan, idempotency_key="k" * 256)
    add("alice", "bob's athlete", "create_plan_with_workouts", plan=_with(new_plan, "athlete_id", ids["bob_athlete"]))
    add("coach", "alice's athlete", "create_plan_with_workouts",
        plan=_with(new_plan, "athlete_id", ids["alice_athlete"]))  # fmt: skip
    add("coach", "own plan, no athlete", "create_plan_with_workouts", plan=new_plan)
    add("newcomer", "no athlete", "create_plan_with_workouts", plan=new_plan)

    # activate_plan, plan_progress: ids of every kind.
    for label in ("alice_plan", "bob_plan", "completed_plan", "no_row", "null"):
        plan_id = None if label == "null" else NO_ROW if label == "no_row" else ids[label]
        for actor in ("alice", "coach", "newcomer"):
            add(actor, label, "activate_plan", plan_id=plan_id)
            add(actor, label, "plan_progress", plan_id=plan_id)

    # schedule_workout: a plan's session and an ad-hoc one.
    in_plan = {"plan_id": ids["alice_plan"], "week_number": 1, "day_number": 3, "sport": "run", "title": "Tempo"}
    ad_hoc = BASE["workout"] | {"week_number": None, "day_number": None}
    for base_label, base in (("in plan", in_plan), ("ad hoc", ad_hoc)):
        for value in NOT_OBJECTS:
            add("alice", f"{base_label}: workout={value!r}", "schedule_workout", workout=value)
        for field in FIELDS["workout"]:
            for value in BAD:
                add("alice", f"{base_label}: {field}={value!r}", "schedule_workout", workout=_with(base, field, value))
        for actor in ("coach", "newcomer"):
            add(actor, base_label, "schedule_workout", workout=base)
    add("alice", "bob's plan", "schedule_workout", workout=_with(in_plan, "plan_id", ids["bob_plan"]))
    add("alice", "bob's athlete", "schedule_workout", workout=_with(ad_hoc, "athlete_id", ids["bob_athlete"]))
    add("alice", "key too long", "schedule_workout", workout=in_plan, idempotency_key="k" * 256)

    # complete_workout, skip_workout.
    for arg in ("actual", "feedback"):
        for value in NOT_OBJECTS:
            add("alice", f"{arg}={value!r}", "complete_workout", workout_id=ids["alice_workout"], **{arg: value})
        for field in FIELDS[arg]:
            for value in BAD:
                add("alice", f"{arg}.{field}={value!r}", "complete_workout", workout_id=ids["alice_workout"],
                    **{arg: {field: value}})  # fmt: skip
    add("alice", "unknown category", "complete_workout", workout_id=ids["alice_workout"],
        feedback={"categories": ["nope"]})  # fmt: skip
    for rpe in (None, 0, 1, 10, 11, -(2**31)):
        add("alice", f"rpe={rpe!r}", "complete_workout", workout_id=ids["alice_workout"], rpe=rpe)
    for label in ("alice_workout", "bob_workout", "completed_workout", "no_row", "null"):
        workout_id = None if label == "null" else NO_ROW if label == "no_row" else ids[label]
        for actor in ("alice", "coach"):
            add(actor, label, "complete_workout", workout_id=workout_id)
            add(actor, label, "skip_workout", workout_id=workout_id)
            add(actor, f"{label}, long reason", "skip_workout", workout_id=workout_id, reason="r" * 1001)

    # submit_daily_checkin.
    for value in NOT_OBJECTS:
        add("alice", f"checkin={value!r}", "submit_daily_checkin", checkin=value)
    for field in FIELDS["checkin"]:
        for value in BAD:
            add("alice", f"checkin.{field}={value!r}", "submit_daily_checkin",
                checkin=_with(BASE["checkin"], field, value))  # fmt: skip
    for areas in ({"knee": 11}, {"knee": "x"}, {"knee": 2.5}, {"knee": 3}):
        add("alice", f"soreness_areas={areas!r}", "submit_daily_checkin", checkin={"soreness_areas": areas})
    add("alice", "in the future", "submit_daily_checkin", checkin={"checkin_date": "2999-01-01"})
    add("newcomer", "no athlete", "submit_daily_checkin", checkin=BASE["checkin"])
    add("newcomer", "no athlete, bad field", "submit_daily_checkin", checkin={"sleep_hours": "x"})

    # Coach links.
    for label in ("coach_user", "bob_user", "alice_user", "no_row", "null"):
        user_id = None if label == "null" else NO_ROW if label == "no_row" else ids[label]
        for actor in ("alice", "newcomer", "coach"):
            add(actor, label, "link_coach", coach_user_id=user_id)
            add(actor, label, "revoke_coach", coach_user_id=user_id)
    for label in ("alice_athlete", "bob_athlete", "no_row", "null"):
        athlete_id = None if label == "null" else NO_ROW if label == "no_row" else ids[label]
        for actor in ("alice", "coach"):
            add(actor, label, "accept_coach_link", athlete_id=athlete_id)
    return calls


def hostile_calls(ids: dict[str, Any]) -> list[Call]:
    """Payloads drawn (derandomized) from test_rpc_hostile's strategies, as alice, recorded once."""
    strategies = arguments(
        {
            "plan": [ids["alice_plan"], ids["bob_plan"]],
            "workout": [ids["alice_workout"], ids["bob_workout"]],
            "athlete": [ids["alice_athlete"], ids["bob_athlete"]],
            "user": [ids["alice_user"], ids["bob_user"], ids["coach_user"]],
        }
    )
    names = [n for n in sorted(strategies) if n in RPCS]
    drawn: list[Call] = []

    @settings(max_examples=HOSTILE_EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.data())
    def draw(data: st.DataObject) -> None:
        function = data.draw(st.sampled_from(names))
        drawn.append(("alice", f"hostile #{len(drawn)}", function, data.draw(strategies[function])))

    draw()
    return drawn


def _scene(url: str) -> dict[str, Any]:
    """Users and rows every call runs against, committed before the fold: alice (onboarded, a plan
    with sessions, one completed; a second, completed plan; an idempotency key; coach's link
    active), bob (the same, whose ids alice cannot see), coach (coaches alice, no athlete row of
    their own), newcomer (signed up, not onboarded)."""
    with connect(url) as conn:
        users = {name: create_user(conn) for name in ("alice", "bob", "coach", "newcomer")}
        ids: dict[str, Any] = {f"{name}_user": user.id for name, user in users.items()}
        for name in ("alice", "bob"):
            made = onboard(conn, users[name], name.title())
            ids[f"{name}_athlete"] = made["athlete_id"]
            with as_user(conn, users[name]):
                plan = rpc(conn, "create_plan_with_workouts", plan=BASE["plan"], idempotency_key=f"{name}-key")
                ids[f"{name}_plan"] = plan["plan_id"]
                ids[f"{name}_workout"] = plan["workout_ids"][0]
        with as_user(conn, users["alice"]):
            done = rpc(conn, "create_plan_with_workouts", plan=_with(BASE["plan"], "name", "Done"))
            rpc(conn, "complete_workout", workout_id=done["workout_ids"][0], rpe=5)
            rpc(conn, "link_coach", coach_user_id=users["coach"].id)
        with as_user(conn, users["coach"]):
            rpc(conn, "accept_coach_link", athlete_id=ids["alice_athlete"])
        conn.execute("update public.training_plans set status = 'completed' where id = %s", (done["plan_id"],))
        ids["completed_plan"] = done["plan_id"]
        ids["completed_workout"] = done["workout_ids"][0]
        conn.commit()
    return {"users": users, "ids": ids}


def _stable(value: Any, key: str = "") -> Any:
    """``value`` with what differs on every call masked: ids (``id``, ``*_id``, ``*_ids``) and
    timestamps (``*_at``) that are not null become ``"<id>"`` and ``"<time>"``, and arrays are
    sorted (rows one call creates share created_at: export_my_data orders them by their random ids)."""
    if isinstance(value, dict):
        return {k: _stable(v, k) for k, v in sorted(value.items())}
    if value is not None and (key == "id" or key.endswith("_id")):
        return "<id>"
    if value is not None and key.endswith("_at"):
        return "<time>"
    if isinstance(value, list):
        # rows made by one call share created_at, so their order (then by random id) is not stable
        items = ["<id>" if key.endswith("_ids") else _stable(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str))
    return value


def _answer(conn: psycopg.Connection, actor: str, function: str, args: dict[str, Any]) -> tuple[Any, ...]:
    """An error's fields; or the result and, for a signed-in actor, what the call left in their
    rows (export_my_data, read before the savepoint is rolled back), both with ids and times masked."""
    query, params = postgrest_call(function, args)
    try:
        with conn.transaction(force_rollback=True):
            row = conn.execute(query, params).fetchone()
            assert row is not None
            left = rpc(conn, "export_my_data") if actor not in {"anon", "nobody"} else None
    except psycopg.Error as exc:
        d = exc.diag
        return ("error", d.sqlstate, d.message_primary, d.message_detail, d.message_hint, d.schema_name,
                d.table_name, d.column_name, d.constraint_name)  # fmt: skip
    return ("ok", _stable(row[0]), _stable(left))


def _acting(conn: psycopg.Connection, actor: str, users: dict[str, AuthUser]) -> AbstractContextManager[Any]:
    if actor == "anon":
        return as_anon(conn, path="/rpc")
    if actor == "nobody":  # role authenticated, a JWT without a sub claim: auth.uid() is null
        return request_context(conn, "authenticated", {"role": "authenticated", "aud": "authenticated"}, path="/rpc")
    return as_user(conn, users[actor], path="/rpc")


def _answers(url: str, users: dict[str, AuthUser], calls: list[Call]) -> dict[str, list[tuple[Any, ...]]]:
    """Every call's answer, per RPC; one request context per actor, each call in a rolled-back savepoint."""
    by_actor: dict[str, list[Call]] = defaultdict(list)
    for call in calls:
        by_actor[call[0]].append(call)
    answers: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    with connect(url) as conn:
        for actor, mine in sorted(by_actor.items()):
            with conn.transaction(force_rollback=True), _acting(conn, actor, users):
                for _, label, function, args in mine:
                    answers[function].append((actor, label, _answer(conn, actor, function, args)))
    return answers


def _rpc_sources(url: str) -> dict[str, str]:
    with connect(url) as conn:
        rows = conn.execute(
            "select p.proname, p.prosrc from pg_catalog.pg_proc as p "
            "where p.pronamespace = 'public'::regnamespace and p.proname = any(%s)",
            (list(RPCS),),
        ).fetchall()
    return dict(rows)


def _helper_exists(url: str) -> bool:
    with connect(url) as conn:
        row = conn.execute("select to_regprocedure('khepri_private.require_user(text, text)') is not null").fetchone()
    assert row is not None
    return bool(row[0])


@pytest.fixture(scope="module")
def before_and_after(
    khepri_database_factory: Callable[..., str], khepri_migrations_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The answers of every call before and after the fold, on one database migrated across it."""
    fold = khepri_migrations_dir / FOLD
    if not fold.exists():
        pytest.skip(f"{khepri_migrations_dir} has no {FOLD} (the test template is not the Khepri schema)")
    before_dir = tmp_path_factory.mktemp("before") / "supabase" / "migrations"
    before_dir.mkdir(parents=True)
    for path in sorted(khepri_migrations_dir.glob("*.sql")):
        if path.name < FOLD:
            shutil.copy2(path, before_dir / path.name)
    url = khepri_database_factory()
    migrate(url, before_dir)
    scene = _scene(url)
    calls = systematic_calls(scene["ids"]) + hostile_calls(scene["ids"])
    facts: dict[str, Any] = {"calls": calls}
    facts["helper_before"], facts["sources_before"] = _helper_exists(url), _rpc_sources(url)
    facts["before"] = _answers(url, scene["users"], calls)
    applied = migrate(url, khepri_migrations_dir).applied
    facts["applied"] = [a.path.name for a in applied]
    facts["helper_after"], facts["sources_after"] = _helper_exists(url), _rpc_sources(url)
    facts["after"] = _answers(url, scene["users"], calls)
    yield facts
    khepri_database_factory.drop(url)


def test_the_fold_is_what_changed_between_the_two_runs(before_and_after) -> None:
    facts = before_and_after
    assert facts["applied"] == [FOLD]
    assert (facts["helper_before"], facts["helper_after"]) == (False, True)
    assert set(facts["sources_before"]) == set(facts["sources_after"]) == set(RPCS)
    for name in RPCS:
        before, after = facts["sources_before"][name], facts["sources_after"][name]
        assert "needs a signed-in user" in before, name
        assert "needs a signed-in user" not in after, name
        assert "khepri_private.require_user(" in after, name
    assert sum("no athlete profile yet" in s for s in facts["sources_before"].values()) == 4
    assert not any("no athlete profile yet" in s for s in facts["sources_after"].values())


def test_the_calls_reach_every_answer_the_rpcs_document(before_and_after) -> None:
    # Not a vacuous comparison: the calls get every documented error and successes out of every RPC.
    seen: Counter[str] = Counter()
    for function in RPCS:
        answers = [a[2] for a in before_and_after["before"][function]]
        assert {a[0] for a in answers} >= ({"ok", "error"} if function != "export_my_data" else {"ok"}), function
        errors = {a[1:3] for a in answers if a[0] == "error"}
        assert ("42501", f"{function} needs a signed-in user") in errors, function
        seen.update(a[1] if a[0] == "error" else "ok" for a in answers)
    print(f"\n{sum(seen.values())} calls per run: " + ", ".join(f"{k} {v}" for k, v in seen.most_common()))
    assert {"ok", "22023", "23514", "P0002", "42501", "55000"} <= set(seen)
    assert sum(seen.values()) >= 4000


@pytest.mark.parametrize("function", RPCS)
def test_every_answer_is_the_same_after_the_fold(before_and_after, function: str) -> None:
    before = before_and_after["before"][function]
    after = before_and_after["after"][function]
    assert len(before) == len(after)
    changed = [(b[0], b[1], b[2], a[2]) for b, a in zip(before, after, strict=True) if b != a]
    assert not changed, f"{len(changed)} of {len(before)} answers of {function} changed, first: {changed[:3]}"
