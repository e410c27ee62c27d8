"""Training RPCs: create_plan_with_workouts, activate_plan, schedule_workout, complete_workout,
skip_workout, plan_progress. Each: success, replay, validation errors (nothing written), refusals."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import psycopg
import pytest

from khepri_db.core.request import request_rights
from khepri_db.core.session import AuthUser
from tests.support.khepri import count, onboard, rpc

pytestmark = pytest.mark.pg

PLAN = {
    "name": "Base block",
    "starts_on": "2027-01-04",
    "total_weeks": 2,
    "workouts": [
        {"week_number": 1, "day_number": 1, "sport": "run", "workout_type": "easy", "title": "Easy 5k",
         "planned_duration_s": 1800, "planned_distance_m": 5000},
        {"week_number": 1, "day_number": 3, "sport": "run", "workout_type": "intervals", "title": "6 x 400 m",
         "structure": {"steps": [{"repeat": 6, "distance_m": 400}]}},
        {"week_number": 2, "day_number": 7, "sport": "run", "workout_type": "long", "title": "Long run",
         "scheduled_on": "2027-01-16"},
    ],
}  # fmt: skip


@pytest.fixture
def alice(db, make_user) -> AuthUser:
    user = make_user()
    onboard(db, user, "Alice")
    return user


@pytest.fixture
def bob(db, make_user) -> AuthUser:
    user = make_user()
    onboard(db, user, "Bob")
    return user


@pytest.fixture
def alices_plan(db, as_user, alice) -> dict[str, Any]:
    with as_user(alice):
        return rpc(db, "create_plan_with_workouts", plan=PLAN)


# -- create_plan_with_workouts -----------------------------------------------------------------


def test_create_plan_with_workouts_creates_the_plan_and_every_session(db, as_user, alice) -> None:
    with as_user(alice):
        assert request_rights(db).current_user == "authenticated"
        result = rpc(db, "create_plan_with_workouts", plan=PLAN)
        plan = db.execute("select status, starts_on, total_weeks from public.training_plans where id = %s",
                          (result["plan_id"],)).fetchone()  # fmt: skip
        sessions = db.execute(
            "select week_number, day_number, scheduled_on, structure from public.workouts where plan_id = %s "
            "order by week_number, day_number",
            (result["plan_id"],),
        ).fetchall()
    assert result["workouts"] == 3
    assert len(result["workout_ids"]) == 3
    assert result["status"] == "draft"
    assert plan == ("draft", date(2027, 1, 4), 2)
    assert [(s[0], s[1], s[2]) for s in sessions] == [
        (1, 1, date(2027, 1, 4)),  # defaults to starts_on + 7 * (week - 1) + (day - 1)
        (1, 3, date(2027, 1, 6)),
        (2, 7, date(2027, 1, 16)),  # given explicitly
    ]
    assert sessions[1][3] == {"steps": [{"repeat": 6, "distance_m": 400}]}


def test_create_plan_active_replaces_the_active_plan(db, as_user, alice) -> None:
    with as_user(alice):
        first = rpc(db, "create_plan_with_workouts", plan={**PLAN, "status": "active"})
        second = rpc(db, "create_plan_with_workouts", plan={**PLAN, "name": "Build", "status": "active"})
        statuses = dict(db.execute("select id::text, status from public.training_plans").fetchall())
    assert statuses[first["plan_id"]] == "cancelled"
    assert statuses[second["plan_id"]] == "active"


def test_create_plan_with_workouts_replays_with_the_same_key(db, as_user, alice) -> None:
    with as_user(alice):
        first = rpc(db, "create_plan_with_workouts", plan=PLAN, idempotency_key="plan-1")
        again = rpc(db, "create_plan_with_workouts", plan=PLAN, idempotency_key="plan-1")
        assert count(db, "training_plans") == 1
        assert count(db, "workouts") == 3
    assert again == first


@pytest.mark.parametrize(
    ("plan", "sqlstate", "message"),
    [
        ({**PLAN, "name": None}, "22023", "plan.name is required"),
        ({k: v for k, v in PLAN.items() if k != "starts_on"}, "22023", "plan.starts_on is required"),
        ({**PLAN, "colour": "red"}, "22023", "plan has unknown field(s): colour"),
        ({**PLAN, "status": "completed"}, "22023", "plan.status 'completed': a new plan is draft or active"),
        ({**PLAN, "workouts": {"week_number": 1}}, "22023", "plan.workouts must be an array of workouts"),
        ({**PLAN, "workouts": [PLAN["workouts"][0], PLAN["workouts"][0]]}, "22023",
         "plan.workouts has two sessions for week 1 day 1 slot 1"),
        ({**PLAN, "workouts": [{"week_number": 1, "day_number": 2, "title": "x"}]}, "22023",
         "plan.workouts[0] needs sport and title"),
        ({**PLAN, "workouts": [{"week_number": 3, "day_number": 1, "sport": "run", "title": "x"}]}, "22023",
         "plan.workouts[0].week_number is after the plan's last week (2)"),
        ({**PLAN, "workouts": [{"week_number": 1, "day_number": 1, "sport": "run", "title": "x", "rpe": 3}]},
         "22023", "plan.workouts[0] has unknown field(s): rpe"),
        ({**PLAN, "workouts": [{"week_number": 1, "day_number": 9, "sport": "run", "title": "x"}]}, "23514",
         "plan.workouts[].day_number is not allowed"),
        ({**PLAN, "workouts": [{"week_number": 1, "day_number": 1, "sport": "rowing", "title": "x"}]}, "23514",
         "plan.workouts[].sport is not allowed"),
        ({**PLAN, "total_weeks": 0}, "23514", "plan.total_weeks is not allowed"),
        ({**PLAN, "methodology_id": "00000000-0000-4000-8000-000000000000"}, "P0002",
         "plan.methodology_id does not exist or is not yours"),
        ({**PLAN, "goal_id": "not-a-uuid"}, "22023", "plan.goal_id 'not-a-uuid' is not a UUID"),
    ],
)  # fmt: skip
def test_create_plan_validation_names_the_field_and_writes_nothing(db, as_user, alice, plan, sqlstate, message):
    with pytest.raises(psycopg.Error) as caught, as_user(alice):
        rpc(db, "create_plan_with_workouts", plan=plan, idempotency_key="k")
    assert (caught.value.diag.sqlstate, message in caught.value.diag.message_primary) == (sqlstate, True), (
        caught.value.diag.message_primary
    )
    with as_user(alice):
        assert (count(db, "training_plans"), count(db, "workouts"), count(db, "idempotency_keys")) == (0, 0, 0)


def test_a_goal_of_another_athlete_cannot_be_attached(db, as_user, alice, bob) -> None:
    with as_user(bob):
        goal_id = db.execute(
            "insert into public.goals (athlete_id, goal_type, title, fitness_metric, fitness_target_value) "
            "values (public.current_athlete_id(), 'fitness', 'Consistency', 'sessions_per_week', 4) returning id"
        ).fetchone()[0]
    with (
        pytest.raises(psycopg.errors.NoDataFound, match=r"plan\.goal_id does not exist or is not yours"),
        as_user(alice),
    ):
        rpc(db, "create_plan_with_workouts", plan={**PLAN, "goal_id": str(goal_id)})


def test_create_plan_is_refused_for_anon_and_for_other_athletes(db, as_anon, as_user, alice, bob) -> None:
    with as_user(alice):
        alice_athlete = db.execute("select public.current_athlete_id()").fetchone()[0]
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for function"), as_anon():
        rpc(db, "create_plan_with_workouts", plan=PLAN)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="may not create plans for athlete"), as_user(bob):
        rpc(db, "create_plan_with_workouts", plan={**PLAN, "athlete_id": str(alice_athlete)})
    assert count(db, "training_plans") == 0


# -- activate_plan ---------------------------------------------------------------------------------


def test_activate_plan_makes_it_the_only_active_plan(db, as_user, alice) -> None:
    with as_user(alice):
        first = rpc(db, "create_plan_with_workouts", plan={**PLAN, "status": "active"})
        draft = rpc(db, "create_plan_with_workouts", plan={**PLAN, "name": "Next"})
        result = rpc(db, "activate_plan", plan_id=draft["plan_id"])
        again = rpc(db, "activate_plan", plan_id=draft["plan_id"])
        active = db.execute("select id from public.training_plans where status = 'active'").fetchall()
    assert result["previous_active_plan_id"] == first["plan_id"]
    assert again == {"plan_id": draft["plan_id"], "status": "active", "previous_active_plan_id": None}
    assert [str(a[0]) for a in active] == [draft["plan_id"]]


def test_activate_plan_refusals(db, as_user, as_anon, alice, bob, alices_plan) -> None:
    with pytest.raises(psycopg.errors.NoDataFound, match="not found"), as_user(bob):
        rpc(db, "activate_plan", plan_id=alices_plan["plan_id"])
    with pytest.raises(psycopg.errors.InsufficientPrivilege), as_anon():
        rpc(db, "activate_plan", plan_id=alices_plan["plan_id"])
    with as_user(alice):
        db.execute("update public.training_plans set status = 'completed' where id = %s", (alices_plan["plan_id"],))
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="is completed"), as_user(alice):
        rpc(db, "activate_plan", plan_id=alices_plan["plan_id"])


# -- schedule_workout ---------------------------------------------------------------------------------


def test_schedule_workout_gets_or_creates_one_row_per_slot(db, as_user, alice, alices_plan) -> None:
    plan_id = alices_plan["plan_id"]
    with as_user(alice):
        moved = rpc(db, "schedule_workout", workout={"plan_id": plan_id, "week_number": 1, "day_number": 1,
                                                      "scheduled_on": "2027-01-05"})  # fmt: skip
        again = rpc(db, "schedule_workout", workout={"plan_id": plan_id, "week_number": 1, "day_number": 1,
                                                      "scheduled_on": "2027-01-05"})  # fmt: skip
        created = rpc(db, "schedule_workout", workout={"plan_id": plan_id, "week_number": 2, "day_number": 2,
                                                        "sport": "bike", "title": "Spin"})  # fmt: skip
        assert count(db, "workouts", "plan_id = %s", (plan_id,)) == 4
    assert moved["id"] == alices_plan["workout_ids"][0]
    assert moved["scheduled_on"] == "2027-01-05"
    assert moved["title"] == "Easy 5k"  # untouched fields stay
    assert again["id"] == moved["id"]
    assert created["scheduled_on"] == "2027-01-12"
    assert created["sport"] == "bike"


def test_schedule_ad_hoc_workout_is_idempotent_with_a_key(db, as_user, alice) -> None:
    workout = {"scheduled_on": "2027-02-01", "sport": "swim", "title": "Technique", "planned_distance_m": 2000}
    with as_user(alice):
        first = rpc(db, "schedule_workout", workout=workout, idempotency_key="swim-1")
        again = rpc(db, "schedule_workout", workout=workout, idempotency_key="swim-1")
        assert count(db, "workouts") == 1
    assert again == first
    assert first["plan_id"] is None


@pytest.mark.parametrize(
    ("workout", "sqlstate", "message"),
    [
        ({"scheduled_on": "2027-02-01", "sport": "swim"}, "22023",
         "workout needs scheduled_on, sport and title for an ad-hoc session"),
        ({"week_number": 1, "day_number": 1, "sport": "swim", "title": "x", "scheduled_on": "2027-02-01"}, "22023",
         "workout takes week_number and day_number only with plan_id"),
        ({"scheduled_on": "2027-02-01", "sport": "swim", "title": "x", "planned_distance_m": -5}, "23514",
         "workout.planned_distance_m is not allowed"),
        ({"scheduled_on": "2027-02-31", "sport": "swim", "title": "x"}, "22023",
         "workout.scheduled_on '2027-02-31' is not a date"),
        ({"scheduled_on": "2027-02-01", "sport": "swim", "title": "x", "coach": "me"}, "22023",
         "workout has unknown field(s): coach"),
    ],
)  # fmt: skip
def test_schedule_workout_validation(db, as_user, alice, workout, sqlstate, message) -> None:
    with pytest.raises(psycopg.Error) as caught, as_user(alice):
        rpc(db, "schedule_workout", workout=workout)
    assert caught.value.diag.sqlstate == sqlstate
    assert message in caught.value.diag.message_primary
    with as_user(alice):
        assert count(db, "workouts") == 0


def test_schedule_workout_refusals(db, as_user, as_anon, bob, alices_plan) -> None:
    slot = {"plan_id": alices_plan["plan_id"], "week_number": 1, "day_number": 1, "scheduled_on": "2027-03-01"}
    with pytest.raises(psycopg.errors.NoDataFound, match=r"training plan .* not found"), as_user(bob):
        rpc(db, "schedule_workout", workout=slot)
    with pytest.raises(psycopg.errors.InsufficientPrivilege), as_anon():
        rpc(db, "schedule_workout", workout=slot)
    assert db.execute("select scheduled_on from public.workouts where id = %s",
                      (alices_plan["workout_ids"][0],)).fetchone() == (date(2027, 1, 4),)  # fmt: skip


# -- complete_workout / skip_workout -----------------------------------------------------------------


def test_complete_workout_records_what_was_done_once(db, as_user, alice, alices_plan) -> None:
    workout_id = alices_plan["workout_ids"][0]
    with as_user(alice):
        done = rpc(db, "complete_workout", workout_id=workout_id, actual={"duration_s": 1850, "distance_m": 5010},
                   rpe=4, feedback={"categories": ["just_right"], "text": "Felt smooth"})  # fmt: skip
        again = rpc(db, "complete_workout", workout_id=workout_id, rpe=5)
    assert (done["status"], done["actual_duration_s"], done["rpe"], done["feedback_categories"]) == (
        "completed", 1850, 4, ["just_right"],
    )  # fmt: skip
    assert again["completed_at"] == done["completed_at"]  # one completion
    assert (again["rpe"], again["actual_distance_m"], again["feedback_text"]) == (5, 5010, "Felt smooth")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"rpe": 11}, "rpe must be from 1 to 10"),
        ({"actual": {"duration_s": "30 min"}}, "actual.duration_s must be a number"),
        ({"actual": {"duration_s": 0}}, "actual.duration_s must be from 1 to 172800 seconds"),
        ({"actual": {"pace": 300}}, "actual has unknown field(s): pace"),
        ({"feedback": {"categories": ["bored"]}}, "feedback.categories has an unknown category"),
        ({"feedback": {"categories": "pain"}}, "feedback.categories must be an array of strings"),
    ],
)
def test_complete_workout_validation(db, as_user, alice, alices_plan, args, message) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue, match=re.escape(message)), as_user(alice):
        rpc(db, "complete_workout", workout_id=alices_plan["workout_ids"][0], **args)
    with as_user(alice):
        assert count(db, "workouts", "status = 'completed'") == 0


def test_complete_and_skip_refusals(db, as_user, as_anon, bob, alices_plan) -> None:
    workout_id = alices_plan["workout_ids"][0]
    for fn, args in (("complete_workout", {"rpe": 3}), ("skip_workout", {"reason": "busy"})):
        with pytest.raises(psycopg.errors.NoDataFound, match="not found"), as_user(bob):
            rpc(db, fn, workout_id=workout_id, **args)
        with pytest.raises(psycopg.errors.InsufficientPrivilege), as_anon():
            rpc(db, fn, workout_id=workout_id, **args)
    assert db.execute("select status from public.workouts where id = %s", (workout_id,)).fetchone() == ("planned",)


def test_skip_workout(db, as_user, alice, alices_plan) -> None:
    first, second = alices_plan["workout_ids"][:2]
    with as_user(alice):
        skipped = rpc(db, "skip_workout", workout_id=first, reason="  travelling  ")
        again = rpc(db, "skip_workout", workout_id=first, reason="travelling")
        rpc(db, "complete_workout", workout_id=second)
    assert (skipped["status"], skipped["skip_reason"]) == ("skipped", "travelling")
    assert again["id"] == skipped["id"]
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="already completed"), as_user(alice):
        rpc(db, "skip_workout", workout_id=second)
    with as_user(alice):  # a skipped session can still be done later
        assert rpc(db, "complete_workout", workout_id=first)["skip_reason"] is None


# -- plan_progress ------------------------------------------------------------------------------------------


def test_plan_progress_counts_per_week(db, as_user, as_anon, alice, bob) -> None:
    today = date.today()
    monday = today - timedelta(days=today.weekday()) - timedelta(days=7)  # last week's Monday
    workouts = [
        {"week_number": 1, "day_number": 1, "sport": "run", "title": "done", "scheduled_on": str(monday)},
        {"week_number": 1, "day_number": 2, "sport": "run", "title": "done too", "scheduled_on": str(monday)},
        {"week_number": 1, "day_number": 3, "sport": "run", "title": "skipped", "scheduled_on": str(monday)},
        {"week_number": 1, "day_number": 4, "sport": "run", "title": "missed", "scheduled_on": str(monday)},
        {"week_number": 1, "day_number": 5, "sport": "rest", "title": "rest", "scheduled_on": str(monday)},
        {"week_number": 2, "day_number": 7, "sport": "bike", "title": "future",
         "scheduled_on": str(today + timedelta(days=3))},
    ]  # fmt: skip
    with as_user(alice):
        plan = rpc(db, "create_plan_with_workouts", plan={"name": "P", "starts_on": str(monday), "workouts": workouts})
        ids = plan["workout_ids"]
        rpc(db, "complete_workout", workout_id=ids[0], rpe=4)
        rpc(db, "complete_workout", workout_id=ids[1], rpe=7)
        rpc(db, "skip_workout", workout_id=ids[2])
        progress = rpc(db, "plan_progress", plan_id=plan["plan_id"])
    assert {k: progress[k] for k in ("planned", "completed", "skipped", "overdue", "average_rpe")} == {
        "planned": 5, "completed": 2, "skipped": 1, "overdue": 1, "average_rpe": 5.5,
    }  # fmt: skip
    assert progress["adherence_rate"] == 0.5  # 2 of the 4 sessions that were due
    assert [(w["week_number"], w["planned"], w["adherence_rate"]) for w in progress["weeks"]] == [
        (1, 4, 0.5), (2, 1, None),
    ]  # fmt: skip
    with pytest.raises(psycopg.errors.NoDataFound), as_user(bob):
        rpc(db, "plan_progress", plan_id=plan["plan_id"])
    with pytest.raises(psycopg.errors.InsufficientPrivilege), as_anon():
        rpc(db, "plan_progress", plan_id=plan["plan_id"])
