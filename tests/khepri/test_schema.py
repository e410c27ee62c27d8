"""The Khepri schema: owner-only RLS on every table, and finalize_onboarding.

Every test acts through khepri-db's request contexts, which switch role and JWT claims the way
PostgREST does and refuse to run if the role could bypass RLS; tests also assert the rights.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from khepri_db.core.request import request_rights
from khepri_db.core.session import AuthUser
from tests.support import scalar

pytestmark = pytest.mark.pg

TABLES = (
    "athletes",
    "training_plans",
    "workouts",
    "conversations",
    "conversation_messages",
    "idempotency_keys",
)
PROFILE = {"display_name": "Alice", "timezone": "Europe/Paris", "units": "metric"}
PLAN = {"name": "Spring 10K", "starts_on": "2026-12-01", "total_weeks": 8}


def finalize(conn: psycopg.Connection, profile: Any = PROFILE, plan: Any = None, key: str | None = None) -> Any:
    return scalar(
        conn,
        "select public.finalize_onboarding(%s, %s, %s)",
        (Jsonb(profile), Jsonb(plan) if plan is not None else None, key),
    )


def counts(conn: psycopg.Connection) -> dict[str, int]:
    return {t: scalar(conn, f"select count(*) from public.{t}") for t in TABLES}


@pytest.fixture
def alice(make_user) -> AuthUser:
    return make_user(user_metadata={"name": "Alice"})


@pytest.fixture
def bob(make_user) -> AuthUser:
    return make_user(user_metadata={"name": "Bob"})


@pytest.fixture
def onboarded_alice(db, as_user, alice) -> dict[str, Any]:
    """Alice after onboarding with a plan and one workout: a row of hers in every table."""
    with as_user(alice):
        result = finalize(db, PROFILE, PLAN, key="k1")
        db.execute(
            "insert into public.workouts (athlete_id, plan_id, week_number, day_number, sport, title) "
            "values (%s, %s, 1, 1, 'run', 'Easy run')",
            (result["athlete_id"], result["plan_id"]),
        )
    return result


# -- the role switch itself --------------------------------------------------------------------


def test_request_contexts_drop_superuser_bypassrls_and_ownership(db, as_user, as_anon, as_service_role, alice) -> None:
    assert request_rights(db).superuser  # the test connection itself could bypass RLS
    with as_user(alice):
        rights = request_rights(db)
        assert (rights.current_user, rights.superuser, rights.bypassrls, rights.owned_rls_tables) == (
            "authenticated", False, False, [],
        )  # fmt: skip
        assert scalar(db, "select auth.uid()") == alice.id
        assert scalar(db, "select auth.jwt() ->> 'email'") == alice.email
    with as_anon():
        rights = request_rights(db)
        assert (rights.current_user, rights.superuser, rights.bypassrls) == ("anon", False, False)
        assert scalar(db, "select auth.uid()") is None
        assert scalar(db, "select auth.role()") == "anon"
    with as_service_role():
        rights = request_rights(db)
        assert (rights.current_user, rights.superuser, rights.bypassrls) == ("service_role", False, True)
    assert scalar(db, "select current_user") == "postgres"  # restored after each block


# -- owner-only access -------------------------------------------------------------------------


def test_owner_sees_a_row_in_every_table(db, as_user, alice, onboarded_alice) -> None:
    with as_user(alice):
        assert counts(db) == dict.fromkeys(TABLES, 1)


@pytest.mark.parametrize("table", TABLES)
def test_another_user_can_neither_see_nor_change_the_owners_rows(db, as_user, bob, onboarded_alice, table) -> None:
    with as_user(bob):
        assert request_rights(db).current_user == "authenticated"
        assert scalar(db, f"select count(*) from public.{table}") == 0
        updated = (
            db.execute(f"update public.{table} set updated_at = now()").rowcount if table != "idempotency_keys" else 0
        )
        deleted = db.execute(f"delete from public.{table}").rowcount if table != "idempotency_keys" else 0
    assert (updated, deleted) == (0, 0)
    assert scalar(db, f"select count(*) from public.{table}") >= 1  # nothing was lost


@pytest.mark.parametrize("table", ["training_plans", "workouts", "conversations", "conversation_messages"])
def test_another_user_cannot_insert_rows_for_the_owner(db, as_user, bob, onboarded_alice, table) -> None:
    values = {
        "training_plans": (
            "(athlete_id, name, starts_on)", "(%s, 'stolen', current_date)", [onboarded_alice["athlete_id"]],
        ),
        "workouts": (
            "(athlete_id, sport, title, scheduled_on)",
            "(%s, 'run', 'x', current_date)",
            [onboarded_alice["athlete_id"]],
        ),
        "conversations": ("(athlete_id, title)", "(%s, 'x')", [onboarded_alice["athlete_id"]]),
        "conversation_messages": (
            "(conversation_id, athlete_id, role, content)", "(%s, %s, 'user', 'x')",
            [onboarded_alice["conversation_id"], onboarded_alice["athlete_id"]],
        ),
    }[table]  # fmt: skip
    columns, row, params = values
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"), as_user(bob):
        db.execute(f"insert into public.{table} {columns} values {row}", params)


def test_another_user_cannot_claim_the_owners_identity(db, as_user, alice, bob) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"), as_user(bob):
        db.execute("insert into public.athletes (auth_user_id, display_name) values (%s, 'Not Alice')", (alice.id,))


@pytest.mark.parametrize("table", TABLES)
def test_anon_has_no_access_at_all(db, as_anon, onboarded_alice, table) -> None:
    with as_anon():  # the failed statement aborts only this request's savepoint
        rights = request_rights(db)
    assert rights.current_user == "anon"
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege, match=f"permission denied for table {table}"),
        as_anon(),
    ):
        db.execute(f"select * from public.{table}")


def test_users_cannot_write_idempotency_keys_directly(db, as_user, alice, onboarded_alice) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege), as_user(alice):
        db.execute("update public.idempotency_keys set response = '{}'")


def test_a_workout_cannot_point_at_another_athletes_plan(db, as_user, make_user, onboarded_alice) -> None:
    carol = make_user()
    with as_user(carol):
        mine = finalize(db, {"display_name": "Carol"})
    with pytest.raises(psycopg.errors.ForeignKeyViolation), as_user(carol):
        db.execute(
            "insert into public.workouts (athlete_id, plan_id, week_number, day_number, sport, title) "
            "values (%s, %s, 2, 2, 'run', 'x')",
            (mine["athlete_id"], onboarded_alice["plan_id"]),
        )


# -- finalize_onboarding -------------------------------------------------------------------------


def test_finalize_onboarding_creates_athlete_plan_and_welcome_in_one_call(db, as_user, alice) -> None:
    with as_user(alice, path="/rpc/finalize_onboarding"):
        result = finalize(db, PROFILE, PLAN, key="first")
        athlete = db.execute(
            "select auth_user_id, display_name, timezone, onboarding_completed_at is not null from public.athletes"
        ).fetchone()
        plan = db.execute("select id::text, status, starts_on::text, total_weeks from public.training_plans").fetchone()
        message = db.execute(
            "select m.role, m.content, c.last_message_at = m.created_at from public.conversation_messages m "
            "join public.conversations c on c.id = m.conversation_id"
        ).fetchone()
    assert set(result) == {
        "athlete_id",
        "goal_id",
        "plan_id",
        "conversation_id",
        "welcome_message_id",
        "onboarding_completed_at",
    }
    assert athlete == (alice.id, "Alice", "Europe/Paris", True)
    assert plan == (result["plan_id"], "active", "2026-12-01", 8)
    assert message[0] == "assistant"
    assert "Welcome to Khepri, Alice!" in message[1]
    assert message[2] is True


def test_finalize_onboarding_is_idempotent_per_key(db, as_user, alice) -> None:
    with as_user(alice):
        first = finalize(db, PROFILE, PLAN, key="retry-me")
    with as_user(alice):
        second = finalize(db, PROFILE, PLAN, key="retry-me")
        assert counts(db) == {**dict.fromkeys(TABLES, 1), "workouts": 0}
    assert second == first


def test_finalize_onboarding_refuses_a_reused_key_with_different_input(db, as_user, alice) -> None:
    with as_user(alice):
        finalize(db, PROFILE, None, key="k")
    with (
        pytest.raises(psycopg.errors.InvalidParameterValue, match="already used with different input"),
        as_user(alice),
    ):
        finalize(db, {**PROFILE, "display_name": "Alicia"}, None, key="k")


def test_another_users_key_never_returns_someone_elses_result(db, as_user, alice, bob) -> None:
    with as_user(alice):
        alices = finalize(db, PROFILE, None, key="shared-key")
    with as_user(bob):
        bobs = finalize(db, {"display_name": "Bob"}, None, key="shared-key")
        assert scalar(db, "select count(*) from public.athletes") == 1
    assert bobs["athlete_id"] != alices["athlete_id"]
    assert bobs["conversation_id"] != alices["conversation_id"]


def test_finalize_onboarding_is_refused_for_anon(db, as_anon) -> None:
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for function finalize_onboarding"),
        as_anon(),
    ):
        finalize(db, PROFILE)


def test_finalize_onboarding_needs_a_user_even_for_service_role(db, as_service_role) -> None:
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="needs a signed-in user"),
        as_service_role(),
    ):
        finalize(db, PROFILE)


@pytest.mark.parametrize(
    ("profile", "plan", "sqlstate", "message"),
    [
        ({}, None, "22023", "profile.display_name is required"),
        ({"display_name": "   "}, None, "23514", "profile.display_name is not allowed: it must satisfy CHECK"),
        ({"display_name": "A", "timezone": "Mars/Olympus"}, None, "22023",
         "profile.timezone 'Mars/Olympus' is not a known time zone"),
        ({"display_name": "A", "units": "furlongs"}, None, "23514", "profile.units is not allowed"),
        ({"display_name": "A", "nickname": "x"}, None, "22023", "profile has unknown field(s): nickname"),
        ({"display_name": "A", "preferences": []}, None, "22023", "profile.preferences must be a JSON object"),
        (["not", "an", "object"], None, "22023", "profile must be a JSON object"),
        ({"display_name": "A"}, {"starts_on": "2026-01-01"}, "22023", "plan.name is required"),
        ({"display_name": "A"}, {"name": "P", "starts_on": "next monday"}, "22023",
         "plan.starts_on 'next monday' is not a date"),
        ({"display_name": "A"}, {"name": "P", "total_weeks": 2.5}, "22023", "plan.total_weeks must be a whole number"),
        ({"display_name": "A"}, {"name": "P", "total_weeks": 500}, "23514", "plan.total_weeks is not allowed"),
    ],
)  # fmt: skip
def test_invalid_input_names_the_field_and_writes_nothing(db, as_user, alice, profile, plan, sqlstate, message) -> None:
    with pytest.raises(psycopg.Error) as caught, as_user(alice):
        finalize(db, profile, plan, key="k")
    assert caught.value.diag.sqlstate == sqlstate
    assert message in caught.value.diag.message_primary
    assert counts(db) == dict.fromkeys(TABLES, 0)


def test_a_failure_after_the_first_writes_rolls_everything_back(db, as_user, alice) -> None:
    # Alice started a profile and an active plan herself; onboarding with a plan must then fail
    # after it has already upserted the athlete and stored the key, and keep none of that.
    with as_user(alice):
        athlete_id = scalar(
            db,
            "insert into public.athletes (auth_user_id, display_name) values (%s, 'Al') returning id",
            (alice.id,),
        )
        db.execute(
            "insert into public.training_plans (athlete_id, name, status, starts_on) "
            "values (%s, 'Own', 'active', current_date)",
            (athlete_id,),
        )
    with (
        pytest.raises(psycopg.errors.UniqueViolation, match="already has an active training plan"),
        as_user(alice),
    ):
        finalize(db, PROFILE, PLAN, key="k")
    with as_user(alice):
        assert db.execute("select display_name, onboarding_completed_at from public.athletes").fetchall() == [
            ("Al", None)
        ]
        assert counts(db) == {**dict.fromkeys(TABLES, 0), "athletes": 1, "training_plans": 1}


def test_onboarding_twice_with_a_new_key_is_refused(db, as_user, alice) -> None:
    with as_user(alice):
        finalize(db, PROFILE, None, key="one")
    with (
        pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="already completed"),
        as_user(alice),
    ):
        finalize(db, PROFILE, None, key="two")


def test_cleanup_of_expired_keys_is_for_service_role_only(db, as_user, as_service_role, alice, onboarded_alice) -> None:
    db.execute(
        "update public.idempotency_keys "
        "set created_at = now() - interval '2 days', expires_at = now() - interval '1 day'"
    )
    with pytest.raises(psycopg.errors.InsufficientPrivilege), as_user(alice):
        db.execute("select public.cleanup_expired_idempotency_keys()")
    with as_service_role():
        removed = scalar(db, "select public.cleanup_expired_idempotency_keys()")
    assert removed == 1
    assert scalar(db, "select count(*) from public.idempotency_keys") == 0


def test_updated_at_is_maintained_by_the_shared_trigger(db, as_user, alice, onboarded_alice) -> None:
    db.execute("update public.athletes set updated_at = now() - interval '1 day'")
    with as_user(alice):
        db.execute("update public.athletes set display_name = 'Alice B.'")
    assert scalar(db, "select updated_at = now() from public.athletes where auth_user_id = %s", (alice.id,)) is True
