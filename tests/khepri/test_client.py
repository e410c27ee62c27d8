"""khepri_db.khepri.client: the typed client over psycopg (real Postgres) and over supabase-py.

The supabase transport is exercised here with supabase-py's real request building, sending to
an in-process httpx mock that answers like PostgREST; against a real PostgREST only when
KHEPRI_SUPABASE_URL and KHEPRI_SUPABASE_ANON_KEY are set (test_real_postgrest_round_trip).
"""

from __future__ import annotations

import json
import os
import re
import typing
import uuid
from datetime import date

import httpx
import psycopg
import pytest

from khepri_db.client.transports import postgrest_status, rpc_error
from khepri_db.core import errors
from khepri_db.core.db import connect
from khepri_db.core.session import create_user
from khepri_db.khepri.client import (
    ActualWorkout,
    AthleteProfile,
    Consents,
    DailyCheckin,
    GoalInput,
    KhepriClient,
    NewPlan,
    OnboardingPlan,
    PlannedWorkout,
    PsycopgTransport,
    SupabaseTransport,
    WorkoutFeedback,
    WorkoutSchedule,
)
from tests.support import scalar

pytestmark = pytest.mark.pg

PROFILE = AthleteProfile(
    display_name="Ada", timezone="Europe/London", weight_kg=61.5, consents=Consents(health_data=True)
)


@pytest.fixture
def ada(db, make_user):
    return make_user()


@pytest.fixture
def client(db, ada) -> KhepriClient:
    return KhepriClient(PsycopgTransport(db, ada))


def test_a_whole_training_week_through_the_typed_client(client: KhepriClient, db, make_user) -> None:
    onboarded = client.finalize_onboarding(
        PROFILE,
        goal=GoalInput(goal_type="race", title="Half", race_date=date(2027, 5, 2), race_distance_m=21097),
        plan=OnboardingPlan(name="Half plan", starts_on=date(2027, 1, 4), total_weeks=16),
        idempotency_key="onboard-1",
    )
    replay = client.finalize_onboarding(
        PROFILE,
        goal=GoalInput(goal_type="race", title="Half", race_date=date(2027, 5, 2), race_distance_m=21097),
        plan=OnboardingPlan(name="Half plan", starts_on=date(2027, 1, 4), total_weeks=16),
        idempotency_key="onboard-1",
    )
    assert replay == onboarded
    created = client.create_plan_with_workouts(
        NewPlan(name="Week 1", starts_on=date(2027, 1, 4), workouts=[
            PlannedWorkout(week_number=1, day_number=1, sport="run", title="Easy", planned_distance_m=6000),
            PlannedWorkout(week_number=1, day_number=3, sport="run", workout_type="intervals", title="Intervals"),
        ]),
    )  # fmt: skip
    activated = client.activate_plan(created.plan_id)
    moved = client.schedule_workout(WorkoutSchedule(plan_id=created.plan_id, week_number=1, day_number=1,
                                                    scheduled_on=date(2027, 1, 5)))  # fmt: skip
    done = client.complete_workout(moved.id, actual=ActualWorkout(duration_s=2100, distance_m=6100), rpe=4,
                                   feedback=WorkoutFeedback(categories=["just_right"]))  # fmt: skip
    skipped = client.skip_workout(created.workout_ids[1], reason="sick")
    checkin = client.submit_daily_checkin(DailyCheckin(sleep_quality=8, soreness_areas={"hamstrings": 3}))
    progress = client.plan_progress(created.plan_id)
    coach = make_user()
    link = client.link_coach(coach.id)
    exported = client.export_my_data()

    assert onboarded.goal_id
    assert onboarded.plan_id
    assert onboarded.onboarding_completed_at
    assert activated.previous_active_plan_id == onboarded.plan_id
    assert moved.id == created.workout_ids[0]
    assert moved.scheduled_on == date(2027, 1, 5)
    assert (done.status, done.rpe, done.actual_distance_m) == ("completed", 4, 6100)
    assert (skipped.status, skipped.skip_reason) == ("skipped", "sick")
    assert checkin.soreness_areas == {"hamstrings": 3}
    assert (progress.completed, progress.skipped, progress.adherence_rate) == (1, 1, 0.5)
    assert (link.status, link.coach_user_id) == ("pending", coach.id)
    assert len(exported.training_plans) == 2
    assert len(exported.workouts) == 2


def test_errors_map_to_the_hierarchy_from_the_database(db, client: KhepriClient, make_user) -> None:
    with pytest.raises(errors.UnauthorizedError) as anon:
        KhepriClient(PsycopgTransport(db)).finalize_onboarding(PROFILE)
    assert (anon.value.sqlstate, anon.value.http_status) == ("42501", 401)

    with pytest.raises(errors.BadRequestError) as bad:
        client.finalize_onboarding(PROFILE.model_copy(update={"timezone": "Atlantis/Capital"}))
    assert (bad.value.sqlstate, bad.value.http_status) == ("22023", 400)
    assert "profile.timezone 'Atlantis/Capital' is not a known time zone" in bad.value.message

    client.finalize_onboarding(PROFILE)
    with pytest.raises(errors.ConflictError) as again:
        client.finalize_onboarding(PROFILE)
    assert (again.value.sqlstate, again.value.http_status) == ("55000", 500)

    with pytest.raises(errors.NotFoundError) as missing:
        client.complete_workout(uuid.uuid4())
    assert (missing.value.sqlstate, missing.value.http_status) == ("P0002", 500)

    with pytest.raises(errors.ForbiddenError) as forbidden:
        client.cleanup_expired_idempotency_keys()
    assert (forbidden.value.sqlstate, forbidden.value.http_status) == ("42501", 403)
    assert KhepriClient(PsycopgTransport(db, role="service_role")).cleanup_expired_idempotency_keys() == 0


def test_the_models_refuse_what_the_database_would(client: KhepriClient) -> None:
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        ActualWorkout(duration_s=0)
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        AthleteProfile(display_name="x", nickname="y")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("sqlstate", "anonymous", "status"),
    [
        ("22023", False, 400), ("23514", False, 400), ("P0001", False, 400), ("42501", True, 401),
        ("42501", False, 403), ("28000", False, 403), ("23505", False, 409), ("23503", False, 409),
        ("42883", False, 404), ("42P01", False, 404), ("P0002", False, 500), ("55000", False, 500),
        ("08006", False, 503), ("53300", False, 503), ("53400", False, 500), ("25006", False, 405), (None, False, 400),
    ],
)  # fmt: skip
def test_postgrest_status_table(sqlstate: str | None, anonymous: bool, status: int) -> None:
    assert postgrest_status(sqlstate, anonymous=anonymous) == status


# -- the supabase transport ---------------------------------------------------------------------


def _supabase(handler, access_token: str | None = None):
    from supabase.lib.client_options import SyncClientOptions

    from supabase import create_client

    client = create_client(
        "http://127.0.0.1:54321", "anon-key",
        options=SyncClientOptions(httpx_client=httpx.Client(transport=httpx.MockTransport(handler))),
    )  # fmt: skip
    if access_token:
        client.postgrest.auth(access_token)
    return client


def test_supabase_transport_builds_the_postgrest_request() -> None:
    seen: list[httpx.Request] = []
    result = {"athlete_id": str(uuid.uuid4()), "goal_id": None, "plan_id": None,
              "conversation_id": str(uuid.uuid4()), "welcome_message_id": str(uuid.uuid4()),
              "onboarding_completed_at": "2026-11-21T10:00:00+00:00"}  # fmt: skip

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=result)

    client = KhepriClient(SupabaseTransport(_supabase(handler, access_token="user-jwt")))
    answer = client.finalize_onboarding(PROFILE, idempotency_key="k")

    [request] = seen
    assert (request.method, request.url.path) == ("POST", "/rest/v1/rpc/finalize_onboarding")
    assert request.headers["authorization"] == "Bearer user-jwt"
    assert request.headers["apikey"] == "anon-key"
    assert json.loads(request.content) == {
        "profile": {"display_name": "Ada", "timezone": "Europe/London", "weight_kg": 61.5,
                    "consents": {"health_data": True}},
        "idempotency_key": "k",
    }  # fmt: skip
    assert str(answer.athlete_id) == result["athlete_id"]


@pytest.mark.parametrize(
    ("status", "body", "token", "error", "http_status"),
    [
        (401, {"code": "42501", "message": "permission denied for function finalize_onboarding"}, None,
         errors.UnauthorizedError, 401),
        (403, {"code": "42501", "message": "permission denied for function cleanup_expired_idempotency_keys"},
         "user-jwt", errors.ForbiddenError, 403),
        (400, {"code": "22023", "message": "profile.display_name is required", "hint": None}, "user-jwt",
         errors.BadRequestError, 400),
        (500, {"code": "P0002", "message": "workout 1 not found", "details": None}, "user-jwt",
         errors.NotFoundError, 500),
        (409, {"code": "23505", "message": "the athlete already has an active training plan",
               "hint": "Finish or cancel it"}, "user-jwt", errors.ConflictError, 409),
        (404, {"code": "PGRST202", "message": "Could not find the function public.finalize_onboarding"},
         "user-jwt", errors.NotFoundError, 400),
    ],
)  # fmt: skip
def test_supabase_transport_parses_postgrest_errors(status, body, token, error, http_status) -> None:
    client = KhepriClient(SupabaseTransport(_supabase(lambda _r: httpx.Response(status, json=body), token)))
    with pytest.raises(error) as caught:
        client.finalize_onboarding(PROFILE)
    assert (caught.value.sqlstate, caught.value.http_status) == (body["code"], http_status)
    assert body["message"] in caught.value.message
    assert caught.value.function == "finalize_onboarding"
    assert caught.value.hint == body.get("hint")


def test_supabase_transport_reports_an_unreachable_server() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(errors.ServiceUnavailableError, match="cannot reach PostgREST"):
        KhepriClient(SupabaseTransport(_supabase(handler))).export_my_data()


def test_rpc_error_keeps_the_message_detail_and_hint() -> None:
    err = rpc_error("skip_workout", "55000", "workout 1 is already completed", detail="d", hint="h")
    assert isinstance(err, errors.ConflictError)
    assert err.to_dict() | {} == {
        "type": "ConflictError", "message": "skip_workout: workout 1 is already completed", "hint": "h",
        "function": "skip_workout", "sqlstate": "55000", "http_status": 500, "detail": "d",
    }  # fmt: skip


@pytest.mark.skipif(
    not (os.environ.get("KHEPRI_SUPABASE_URL") and os.environ.get("KHEPRI_SUPABASE_ANON_KEY")),
    reason="needs a real Supabase (KHEPRI_SUPABASE_URL, KHEPRI_SUPABASE_ANON_KEY, e.g. `supabase start` with the "
    "Khepri migrations); request building and error parsing are covered above without one",
)
def test_real_postgrest_round_trip() -> None:
    from supabase import create_client

    client = create_client(os.environ["KHEPRI_SUPABASE_URL"], os.environ["KHEPRI_SUPABASE_ANON_KEY"])
    with pytest.raises(errors.UnauthorizedError):
        KhepriClient(SupabaseTransport(client)).finalize_onboarding(PROFILE)
    email = f"khepri-{uuid.uuid4().hex[:10]}@example.com"
    session = client.auth.sign_up({"email": email, "password": uuid.uuid4().hex}).session
    assert session is not None, "sign-up returned no session: turn off email confirmations for this test project"
    client.postgrest.auth(session.access_token)
    khepri = KhepriClient(SupabaseTransport(client))
    first = khepri.finalize_onboarding(PROFILE, idempotency_key="real-1")
    assert khepri.finalize_onboarding(PROFILE, idempotency_key="real-1") == first
    with pytest.raises(errors.ConflictError):
        khepri.finalize_onboarding(PROFILE)


# -- the models follow the database -------------------------------------------------------------


@pytest.mark.parametrize(
    ("constraint", "annotation"),
    [
        ("workouts_sport_check", PlannedWorkout.model_fields["sport"].annotation),
        ("workouts_workout_type_check", WorkoutSchedule.model_fields["workout_type"].annotation),
        ("workouts_feedback_categories_check", WorkoutFeedback.model_fields["categories"].annotation),
        ("goals_goal_type_check", GoalInput.model_fields["goal_type"].annotation),
        ("athletes_sex_check", AthleteProfile.model_fields["sex"].annotation),
        ("athletes_experience_level_check", AthleteProfile.model_fields["experience_level"].annotation),
        ("daily_checkins_travel_status_check", DailyCheckin.model_fields["travel_status"].annotation),
        (
            "daily_checkins_recommendation_response_check",
            DailyCheckin.model_fields["recommendation_response"].annotation,
        ),
    ],
)
def test_model_enums_equal_the_database_checks(db, constraint: str, annotation) -> None:
    definition = db.execute("select pg_get_constraintdef(oid) from pg_constraint where conname = %s",
                            (constraint,)).fetchone()[0]  # fmt: skip
    allowed = set(re.findall(r"'([^']+)'::text", definition))

    def literal_values(tp) -> set[str]:
        args = typing.get_args(tp)
        if typing.get_origin(tp) is typing.Literal:
            return set(args)
        return set().union(*(literal_values(a) for a in args)) if args else set()

    assert literal_values(annotation) == allowed


# -- each call on an idle connection is its own committed request ----------------------------------


def test_calls_on_an_idle_connection_commit_on_their_own(khepri_clone_url: str) -> None:
    # What an app does: one connection, no transaction of its own, calls, then closes. Another
    # connection (another request, another process) must see what the calls wrote.
    with connect(khepri_clone_url, autocommit=True) as admin:
        ada_user = create_user(admin)
    conn = connect(khepri_clone_url)
    client = KhepriClient(PsycopgTransport(conn, ada_user))
    first = client.finalize_onboarding(PROFILE, idempotency_key="idle-1")
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    with connect(khepri_clone_url) as other:
        assert scalar(other, "select count(*) from public.athletes where auth_user_id = %s", (ada_user.id,)) == 1
    with pytest.raises(errors.NotFoundError):
        client.activate_plan(uuid.uuid4())
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE  # rolled back, not left in error
    second = client.finalize_onboarding(PROFILE, idempotency_key="idle-1")
    conn.close()  # closing without commit() loses nothing: each call committed itself
    assert second == first
    with connect(khepri_clone_url) as other:
        assert scalar(other, "select count(*) from public.athletes where auth_user_id = %s", (ada_user.id,)) == 1
        assert scalar(other, "select count(*) from public.training_plans where athlete_id = %s",
                      (first.athlete_id,)) == 0  # fmt: skip
        assert scalar(other, "select count(*) from public.idempotency_keys where user_id = %s", (ada_user.id,)) == 1


def test_calls_inside_the_callers_transaction_nest_and_the_caller_decides(khepri_clone_url: str) -> None:
    with connect(khepri_clone_url, autocommit=True) as admin:
        ada_user = create_user(admin)
    with connect(khepri_clone_url) as conn:
        client = KhepriClient(PsycopgTransport(conn, ada_user))
        with conn.transaction(force_rollback=True):  # the caller gives up on its transaction
            client.finalize_onboarding(PROFILE, idempotency_key="nested-1")
            assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        with connect(khepri_clone_url) as other:
            assert scalar(other, "select count(*) from public.athletes where auth_user_id = %s", (ada_user.id,)) == 0
