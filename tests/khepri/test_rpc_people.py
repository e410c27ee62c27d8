"""Daily check-ins, coach links and what an active coach may do, methodologies, and data export."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import psycopg
import pytest

from khepri_db.core.request import request_rights
from khepri_db.core.session import AuthUser
from tests.support.khepri import count, onboard, rpc

pytestmark = pytest.mark.pg

GOAL = {"goal_type": "race", "title": "Spring 10K", "race_date": "2027-04-10", "race_distance_m": 10000}


@pytest.fixture
def alice(db, make_user) -> AuthUser:
    user = make_user()
    onboard(db, user, "Alice", goal=GOAL, plan={"name": "10K plan", "starts_on": "2027-01-04"})
    return user


@pytest.fixture
def coach(make_user) -> AuthUser:
    return make_user(user_metadata={"name": "Coach Carla"})


@pytest.fixture
def stranger(db, make_user) -> AuthUser:
    user = make_user()
    onboard(db, user, "Stranger")
    return user


@pytest.fixture
def alice_id(db, as_user, alice) -> str:
    with as_user(alice):
        return str(db.execute("select public.current_athlete_id()").fetchone()[0])


@pytest.fixture
def coached(db, as_user, alice, coach, alice_id) -> dict[str, Any]:
    """Alice invited Carla and Carla accepted."""
    with as_user(alice):
        rpc(db, "link_coach", coach_user_id=coach.id)
    with as_user(coach):
        return rpc(db, "accept_coach_link", athlete_id=alice_id)


# -- submit_daily_checkin ---------------------------------------------------------------------------


def test_daily_checkin_is_one_row_per_day_and_merges(db, as_user, alice) -> None:
    with as_user(alice):
        first = rpc(db, "submit_daily_checkin", checkin={"checkin_date": "2026-11-20", "sleep_quality": 7,
                                                           "soreness_areas": {"calves": 6}})  # fmt: skip
        second = rpc(db, "submit_daily_checkin", checkin={"checkin_date": "2026-11-20", "energy_level": 4,
                                                            "ai_recommendation": {"session": "easy 30 min"},
                                                            "recommendation_response": "accepted"})  # fmt: skip
        assert count(db, "daily_checkins") == 1
    assert second["id"] == first["id"]
    assert (second["sleep_quality"], second["energy_level"], second["soreness_areas"]) == (7, 4, {"calves": 6})
    assert second["recommendation_response"] == "accepted"


def test_daily_checkin_defaults_to_today_in_the_athletes_time_zone(db, as_user, alice) -> None:
    # Alice was onboarded in UTC. Give her a zone whose date differs from UTC's at this moment (UTC+14 from
    # 10:00 UTC, UTC-12 before 12:00), so UTC's date cannot pass for hers. (This test once compared with
    # Europe/Paris's date against a UTC athlete: it failed between 23:00 and 24:00 UTC, CI on 2026-12-07.)
    zone = (
        "Pacific/Kiritimati"
        if db.execute("select extract(hour from now() at time zone 'UTC')").fetchone()[0] >= 10
        else "Etc/GMT+12"
    )
    db.execute("update public.athletes set timezone = %s where auth_user_id = %s", (zone, alice.id))
    today, utc_today = db.execute(
        "select (now() at time zone %s)::date::text, (now() at time zone 'UTC')::date::text", (zone,)
    ).fetchone()
    assert today != utc_today
    with as_user(alice):
        row = rpc(db, "submit_daily_checkin", checkin={"stress_level": 3})
    assert row["checkin_date"] == today


@pytest.mark.parametrize(
    ("checkin", "sqlstate", "message"),
    [
        ({"energy_level": 11}, "23514", "checkin.energy_level is not allowed"),
        ({"sleep_hours": "eight"}, "22023", "checkin.sleep_hours must be a number"),
        ({"soreness_areas": {"calves": 12}}, "22023",
         "checkin.soreness_areas.calves must be a whole number from 1 to 10"),
        ({"soreness_areas": ["calves"]}, "22023", "checkin.soreness_areas must be a JSON object"),
        ({"checkin_date": str(date.today() + timedelta(days=3))}, "22023", "is in the future"),
        ({"recommendation_response": "accepted"}, "23514", "daily_checkins_response_needs_recommendation"),
        ({"travel_status": "space"}, "23514", "checkin.travel_status is not allowed"),
        ({"mood": 5}, "22023", "checkin has unknown field(s): mood"),
    ],
)  # fmt: skip
def test_daily_checkin_validation(db, as_user, alice, checkin, sqlstate, message) -> None:
    with pytest.raises(psycopg.Error) as caught, as_user(alice):
        rpc(db, "submit_daily_checkin", checkin=checkin)
    assert caught.value.diag.sqlstate == sqlstate
    assert message in caught.value.diag.message_primary
    with as_user(alice):
        assert count(db, "daily_checkins") == 0


def test_daily_checkin_refusals(db, as_user, as_anon, make_user, alice) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege), as_anon():
        rpc(db, "submit_daily_checkin", checkin={"sleep_quality": 5})
    newcomer = make_user()
    with pytest.raises(psycopg.errors.NoDataFound, match="no athlete profile"), as_user(newcomer):
        rpc(db, "submit_daily_checkin", checkin={"sleep_quality": 5})
    assert count(db, "daily_checkins") == 0


# -- coach links --------------------------------------------------------------------------------------


def test_coach_link_lifecycle(db, as_user, alice, coach, alice_id) -> None:
    with as_user(alice):
        invited = rpc(db, "link_coach", coach_user_id=coach.id)
        again = rpc(db, "link_coach", coach_user_id=coach.id)
    assert invited["status"] == "pending"
    assert again["id"] == invited["id"]
    with as_user(coach):
        accepted = rpc(db, "accept_coach_link", athlete_id=alice_id)
        assert rpc(db, "accept_coach_link", athlete_id=alice_id)["status"] == "active"  # idempotent
    assert accepted["status"] == "active"
    assert accepted["accepted_at"]
    with as_user(alice):
        revoked = rpc(db, "revoke_coach", coach_user_id=coach.id)
        reinvited = rpc(db, "link_coach", coach_user_id=coach.id)
    assert revoked["status"] == "revoked"
    assert revoked["revoked_at"]
    assert (reinvited["status"], reinvited["id"], reinvited["revoked_at"], reinvited["accepted_at"]) == (
        "pending", invited["id"], None, None,
    )  # fmt: skip


def test_coach_link_refusals(db, as_user, as_anon, alice, coach, stranger, alice_id) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="cannot be yourself"), as_user(alice):
        rpc(db, "link_coach", coach_user_id=alice.id)
    with pytest.raises(psycopg.errors.NoDataFound, match="no user with id"), as_user(alice):
        rpc(db, "link_coach", coach_user_id="00000000-0000-4000-8000-00000000dead")
    with pytest.raises(psycopg.errors.InsufficientPrivilege), as_anon():
        rpc(db, "link_coach", coach_user_id=coach.id)
    with as_user(alice):
        rpc(db, "link_coach", coach_user_id=coach.id)
    # Only the invited coach accepts: not a stranger, not the athlete herself.
    with pytest.raises(psycopg.errors.NoDataFound, match="no pending coach invitation"), as_user(stranger):
        rpc(db, "accept_coach_link", athlete_id=alice_id)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="only the invited coach"), as_user(alice):
        db.execute("update public.coach_links set status = 'active'")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"), as_user(alice):
        db.execute("update public.coach_links set coach_user_id = %s", (stranger.id,))
    with pytest.raises(psycopg.errors.NoDataFound, match="no coach link"), as_user(stranger):
        rpc(db, "revoke_coach", coach_user_id=coach.id)
    assert db.execute("select status from public.coach_links").fetchall() == [("pending",)]


# -- what an active coach may do --------------------------------------------------------------------


@pytest.mark.parametrize("table", ["goals", "training_plans", "workouts"])
def test_an_active_coach_reads_training_data(db, as_user, alice, coach, coached, table) -> None:
    with as_user(coach):
        rights = request_rights(db)
        assert (rights.current_user, rights.bypassrls, rights.owned_rls_tables) == ("authenticated", False, [])
        assert count(db, table) == (0 if table == "workouts" else 1)


def test_an_active_coach_reads_checkins_and_constraints(db, as_user, alice, coach, coached, alice_id) -> None:
    with as_user(alice):
        rpc(db, "submit_daily_checkin", checkin={"sleep_quality": 6})
        db.execute(
            "insert into public.constraints (athlete_id, constraint_type, injury_body_part, injury_severity) "
            "values (%s, 'injury', 'left knee', 4)",
            (alice_id,),
        )
    with as_user(coach):
        assert (count(db, "daily_checkins"), count(db, "constraints")) == (1, 1)


def test_an_active_coach_plans_but_never_sees_private_data(db, as_user, alice, coach, coached, alice_id) -> None:
    with as_user(coach):
        plan = rpc(db, "create_plan_with_workouts", plan={
            "athlete_id": alice_id, "name": "Coach's block", "starts_on": "2027-02-01",
            "workouts": [{"week_number": 1, "day_number": 2, "sport": "run", "title": "Tempo"}],
        })  # fmt: skip
        rpc(db, "schedule_workout", workout={"plan_id": plan["plan_id"], "week_number": 1, "day_number": 2,
                                              "scheduled_on": "2027-02-03"})  # fmt: skip
        assert count(db, "training_plans") == 2
        private = {t: count(db, t) for t in ("athletes", "conversations", "conversation_messages", "idempotency_keys")}
        # Deleting stays with the athlete; writing goals and check-ins too.
        assert db.execute("delete from public.training_plans").rowcount == 0
        assert db.execute("update public.goals set title = 'mine now'").rowcount == 0
    assert private == {"athletes": 0, "conversations": 0, "conversation_messages": 0, "idempotency_keys": 0}
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"), as_user(coach):
        db.execute(
            "insert into public.daily_checkins (athlete_id, checkin_date, sleep_quality) values (%s, current_date, 5)",
            (alice_id,),
        )
    with as_user(alice):
        assert count(db, "training_plans", "name = %s", ("Coach's block",)) == 1


# How a coach would move one of Alice's rows to another athlete: a plan without sessions (the
# sessions' foreign key would hold a plan that has some), a session made ad hoc on the way.
MOVES = {
    "training_plans": "update public.training_plans set athlete_id = %s where athlete_id = %s and name = '10K plan'",
    "workouts": "update public.workouts set athlete_id = %s, plan_id = null, scheduled_on = '2027-03-01' "
    "where athlete_id = %s",
}


@pytest.mark.parametrize("table", sorted(MOVES))
def test_an_active_coach_cannot_move_an_athletes_rows_to_another_athlete(
    db, as_user, make_user, alice, coach, coached, alice_id, table
) -> None:
    # The coach is also an athlete, and coaches a second athlete: neither may gain Alice's rows.
    onboard(db, coach, "Carla")
    bea = make_user()
    onboard(db, bea, "Bea")
    with as_user(coach):
        carla_id = db.execute("select public.current_athlete_id()").fetchone()[0]
    with as_user(bea):
        rpc(db, "link_coach", coach_user_id=coach.id)
        bea_id = db.execute("select public.current_athlete_id()").fetchone()[0]
    with as_user(coach):
        rpc(db, "accept_coach_link", athlete_id=bea_id)
        rpc(db, "create_plan_with_workouts", plan={
            "athlete_id": alice_id, "name": "Alice's block", "starts_on": "2027-03-01",
            "workouts": [{"week_number": 1, "day_number": 1, "sport": "run", "title": "Easy"}],
        })  # fmt: skip
    for new_owner in (carla_id, bea_id):
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege, match=rf"athlete_id of public\.{table} cannot change"),
            as_user(coach),
        ):
            db.execute(MOVES[table], (new_owner, alice_id))
    with as_user(alice):
        assert count(db, table) >= 1  # everything Alice had is still hers
    # A change that keeps the athlete is still the coach's to make.
    with as_user(coach):
        assert db.execute(f"update public.{table} set updated_at = now() where athlete_id = %s", (alice_id,)).rowcount


def test_a_pending_or_revoked_coach_sees_nothing_at_once(db, as_user, alice, coach, alice_id) -> None:
    with as_user(alice):
        rpc(db, "link_coach", coach_user_id=coach.id)
    with as_user(coach):
        assert count(db, "goals") == 0  # pending: no access yet
        rpc(db, "accept_coach_link", athlete_id=alice_id)
        assert count(db, "goals") == 1
    with as_user(alice):
        rpc(db, "revoke_coach", coach_user_id=coach.id)
    with as_user(coach):
        assert (count(db, "goals"), count(db, "training_plans")) == (0, 0)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="may not create plans"), as_user(coach):
        rpc(db, "create_plan_with_workouts", plan={"athlete_id": alice_id, "name": "x", "starts_on": "2027-01-01"})


# -- methodologies ----------------------------------------------------------------------------------


def test_methodologies_are_read_by_all_and_written_by_admins_only(db, as_user, as_anon, as_service_role, make_user):
    reader = make_user()
    admin = make_user(app_metadata={"khepri_role": "admin"})
    pretender = make_user(user_metadata={"khepri_role": "admin"})  # user_metadata is editable by the user
    row = ("Polarized", "run", "80/20 intensity distribution")
    with as_service_role():
        db.execute("insert into public.methodologies (name, sport, description) values (%s, %s, %s)", row)
    with as_user(reader):
        assert count(db, "methodologies") == 1
    for user in (reader, pretender):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"), as_user(user):
            db.execute("insert into public.methodologies (name, sport, description) values ('x', 'run', 'y')")
        with as_user(user):
            assert db.execute("update public.methodologies set description = 'hacked'").rowcount == 0
    with as_user(admin):
        db.execute("insert into public.methodologies (name, sport, description) values ('5/3/1', 'strength', 'w')")
        assert db.execute("update public.methodologies set description = 'edited'").rowcount == 2
    with pytest.raises(psycopg.errors.InsufficientPrivilege), as_anon():
        db.execute("select * from public.methodologies")


# -- export_my_data ---------------------------------------------------------------------------------------


def test_export_my_data_holds_every_owned_row_and_nothing_coached(db, as_user, as_anon, alice, coach, coached):
    with as_user(alice):
        rpc(db, "submit_daily_checkin", checkin={"sleep_quality": 8})
        exported = rpc(db, "export_my_data")
    assert exported["user"] == {"id": str(alice.id), "email": alice.email}
    assert exported["athlete"]["display_name"] == "Alice"
    owned = ("goals", "training_plans", "daily_checkins", "conversations", "coach_links")
    assert [len(exported[k]) for k in owned] == [
        1, 1, 1, 1, 1,
    ]  # fmt: skip
    assert len(exported["conversations"][0]["messages"]) == 1
    with as_user(coach):
        coach_export = rpc(db, "export_my_data")
    # The coach sees Alice's goals through RLS, but they are not the coach's data.
    assert coach_export["athlete"] is None
    assert coach_export["goals"] == []
    assert coach_export["training_plans"] == []
    assert [link["athlete_id"] for link in coach_export["coach_links"]] == [exported["athlete"]["id"]]
    with pytest.raises(psycopg.errors.InsufficientPrivilege), as_anon():
        rpc(db, "export_my_data")


def test_finalize_onboarding_stores_the_full_profile_and_explicit_consents(db, as_user, make_user) -> None:
    user = make_user()
    profile = {
        "display_name": "Tri Tom", "timezone": "America/Denver", "units": "imperial", "date_of_birth": "1990-05-17",
        "sex": "male", "weight_kg": 72.5, "height_cm": 180, "daily_checkin_time": "07:30",
        "experience_level": "advanced", "ftp_watts": 285, "threshold_pace_s_per_km": 245, "css_s_per_100m": 95,
        "resting_hr_bpm": 48, "max_hr_bpm": 188, "threshold_hr_bpm": 168, "one_rm_squat_kg": 120,
        "consents": {"health_data": True, "marketing": False}, "intervals_icu_athlete_id": "i123456",
    }  # fmt: skip
    with as_user(user):
        rpc(db, "finalize_onboarding", profile=profile, goal={
            "goal_type": "performance", "title": "FTP 300", "performance_metric": "ftp_watts",
            "performance_target_value": 300, "priority": "A",
        })  # fmt: skip
        athlete = db.execute(
            "select ftp_watts, css_s_per_100m, daily_checkin_time::text, consent_health_data_at is not null, "
            "consent_ai_coaching_at, consent_marketing_at, intervals_icu_connected from public.athletes"
        ).fetchone()
        goal = db.execute("select goal_type, priority, performance_target_value from public.goals").fetchone()
    assert athlete == (285, 95, "07:30:00", True, None, None, False)  # consents: only what was given
    assert goal == ("performance", "A", 300)


@pytest.mark.parametrize(
    ("goal", "message"),
    [
        ({"goal_type": "race", "title": "x", "race_date": "2027-04-10"},
         "goal.race_distance_m is required for a race goal"),
        ({"goal_type": "strength", "title": "x", "strength_lift": "squat", "strength_target_kg": 150,
          "race_date": "2027-01-01"}, "goal.race_date is only for race goals"),
        ({"goal_type": "hobby", "title": "x"}, "goal.goal_type 'hobby' is not a goal type"),
        ({"title": "x"}, "goal.goal_type is required"),
    ],
)  # fmt: skip
def test_goal_fields_are_checked_for_their_type(db, as_user, make_user, goal, message) -> None:
    user = make_user()
    with pytest.raises(psycopg.errors.InvalidParameterValue) as caught, as_user(user):
        rpc(db, "finalize_onboarding", profile={"display_name": "G"}, goal=goal)
    assert message in caught.value.diag.message_primary
    assert count(db, "athletes", "auth_user_id = %s", (user.id,)) == 0


EVERY_RPC = {
    "finalize_onboarding": {"profile": {"display_name": "x"}},
    "create_plan_with_workouts": {"plan": {"name": "x", "starts_on": "2027-01-01"}},
    "activate_plan": {"plan_id": "00000000-0000-4000-8000-000000000001"},
    "schedule_workout": {"workout": {"scheduled_on": "2027-01-01", "sport": "run", "title": "x"}},
    "complete_workout": {"workout_id": "00000000-0000-4000-8000-000000000001"},
    "skip_workout": {"workout_id": "00000000-0000-4000-8000-000000000001"},
    "submit_daily_checkin": {"checkin": {"sleep_quality": 5}},
    "plan_progress": {"plan_id": "00000000-0000-4000-8000-000000000001"},
    "link_coach": {"coach_user_id": "00000000-0000-4000-8000-000000000001"},
    "accept_coach_link": {"athlete_id": "00000000-0000-4000-8000-000000000001"},
    "revoke_coach": {"coach_user_id": "00000000-0000-4000-8000-000000000001"},
    "export_my_data": {},
    "cleanup_expired_idempotency_keys": {},
    "current_athlete_id": {},
}


def test_every_public_function_is_listed_here(db) -> None:
    functions = {r[0] for r in db.execute(
        "select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
        "where n.nspname = 'public' and p.prorettype <> 'trigger'::regtype"
    )}  # fmt: skip
    assert functions == set(EVERY_RPC) | {"is_valid_timezone"}


@pytest.mark.parametrize("function", sorted(EVERY_RPC))
def test_anon_may_execute_no_khepri_rpc(db, as_anon, function: str) -> None:
    denied = pytest.raises(psycopg.errors.InsufficientPrivilege, match=f"permission denied for function {function}")
    with denied, as_anon():
        rpc(db, function, **EVERY_RPC[function])


def test_revoking_twice_is_harmless(db, as_user, alice, coach, coached) -> None:
    with as_user(alice):
        first = rpc(db, "revoke_coach", coach_user_id=coach.id)
        second = rpc(db, "revoke_coach", coach_user_id=coach.id)
    assert (first["status"], second["status"], second["revoked_at"]) == ("revoked", "revoked", first["revoked_at"])
