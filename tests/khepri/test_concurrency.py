"""Concurrency: retries and double-taps from many connections at once leave one result."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest

from khepri_db.core.db import connect
from khepri_db.core.session import AuthUser, as_user, create_user
from tests.support.khepri import rpc

pytestmark = pytest.mark.pg

THREADS = 32


def _race(url: str, user: AuthUser, call: Callable[[psycopg.Connection], Any]) -> list[Any]:
    """Run ``call`` as ``user`` from THREADS connections released at the same instant."""
    start = threading.Barrier(THREADS)

    def one(_: int) -> Any:
        with connect(url) as conn:
            start.wait(timeout=60)
            with as_user(conn, user):
                return call(conn)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(one, range(THREADS)))


@pytest.fixture
def user(khepri_clone_url: str) -> AuthUser:
    with connect(khepri_clone_url) as conn:
        created = create_user(conn)
        conn.commit()
    return created


@pytest.mark.slow
def test_32_concurrent_onboardings_with_one_key_make_one_athlete(khepri_clone_url: str, user: AuthUser) -> None:
    profile = {"display_name": "Racer", "timezone": "Europe/Berlin"}
    plan = {"name": "Race block", "starts_on": "2027-03-01", "total_weeks": 6}

    results = _race(
        khepri_clone_url, user,
        lambda conn: rpc(conn, "finalize_onboarding", profile=profile, plan=plan, idempotency_key="tap-tap-tap"),
    )  # fmt: skip

    assert all(r == results[0] for r in results)  # identical responses
    with connect(khepri_clone_url) as conn:
        counts = conn.execute(
            """
            select
                (select count(*) from public.athletes where auth_user_id = %(u)s),
                (select count(*) from public.training_plans p join public.athletes a on a.id = p.athlete_id
                 where a.auth_user_id = %(u)s and p.status = 'active'),
                (select count(*) from public.conversation_messages m join public.athletes a on a.id = m.athlete_id
                 where a.auth_user_id = %(u)s),
                (select count(*) from public.idempotency_keys where user_id = %(u)s)
            """,
            {"u": user.id},
        ).fetchone()
    assert counts == (1, 1, 1, 1)


@pytest.mark.slow
def test_32_concurrent_completions_of_one_workout_make_one_completion(khepri_clone_url: str, user: AuthUser) -> None:
    with connect(khepri_clone_url) as conn, as_user(conn, user):
        rpc(conn, "finalize_onboarding", profile={"display_name": "Finisher"})
        plan = rpc(conn, "create_plan_with_workouts", plan={
            "name": "P", "starts_on": "2027-01-04",
            "workouts": [{"week_number": 1, "day_number": 1, "sport": "run", "title": "Easy"}],
        })  # fmt: skip
    workout_id = plan["workout_ids"][0]

    results = _race(
        khepri_clone_url, user,
        lambda conn: rpc(conn, "complete_workout", workout_id=workout_id, actual={"duration_s": 1800}, rpe=5),
    )  # fmt: skip

    assert {r["completed_at"] for r in results} == {results[0]["completed_at"]}  # completed once
    assert {r["status"] for r in results} == {"completed"}
    with connect(khepri_clone_url) as conn:
        rows = conn.execute(
            "select count(*), count(*) filter (where status = 'completed') from public.workouts where plan_id = %s",
            (plan["plan_id"],),
        ).fetchone()
    assert rows == (1, 1)


@pytest.mark.slow
def test_32_concurrent_schedulings_of_one_slot_make_one_row(khepri_clone_url: str, user: AuthUser) -> None:
    # The seeds' get-or-create race: progress rows duplicated under concurrency.
    with connect(khepri_clone_url) as conn, as_user(conn, user):
        rpc(conn, "finalize_onboarding", profile={"display_name": "Scheduler"})
        plan = rpc(conn, "create_plan_with_workouts", plan={"name": "P", "starts_on": "2027-01-04"})

    results = _race(
        khepri_clone_url, user,
        lambda conn: rpc(conn, "schedule_workout", workout={
            "plan_id": plan["plan_id"], "week_number": 1, "day_number": 4, "sport": "bike", "title": "Spin",
        }),
    )  # fmt: skip

    assert len({r["id"] for r in results}) == 1
    with connect(khepri_clone_url) as conn:
        assert conn.execute(
            "select count(*) from public.workouts where plan_id = %s", (plan["plan_id"],)
        ).fetchone() == (1,)
