"""Existence oracles: can a signed-in user learn that a row it cannot see exists?

Closed: a client never chooses or changes an id (column privileges), so an insert, an upsert or an
update naming another user's hidden id answers exactly as one naming a random id does. Accepted
(README, Security notes): ``link_coach`` tells an existing user id from an unknown one, because
inviting a coach needs their id; it reveals nothing else about that user.
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest

from khepri_db.core.session import AuthUser
from tests.support.khepri import onboard, rpc

pytestmark = pytest.mark.pg

# Statements a client could send through the Data API with an id of its choosing, %(id)s being
# either Bob's hidden row or a random id; %(athlete)s is Alice's own athlete.
PROBES = {
    "insert goal with an id": "insert into public.goals (id, athlete_id, goal_type, title, fitness_metric, "
    "fitness_target_value) values (%(id)s, %(athlete)s, 'fitness', 'g', 'sessions_per_week', 3)",
    "upsert goal on id": "insert into public.goals (id, athlete_id, goal_type, title, fitness_metric, "
    "fitness_target_value) values (%(id)s, %(athlete)s, 'fitness', 'g', 'sessions_per_week', 3) "
    "on conflict (id) do update set title = excluded.title",
    "insert plan with an id": "insert into public.training_plans (id, athlete_id, name, starts_on) "
    "values (%(id)s, %(athlete)s, 'p', '2027-01-04')",
    "upsert plan on id": "insert into public.training_plans (id, athlete_id, name, starts_on) "
    "values (%(id)s, %(athlete)s, 'p', '2027-01-04') on conflict (id) do update set name = excluded.name",
    "move own plan onto an id": "update public.training_plans set id = %(id)s where athlete_id = %(athlete)s",
}
HIDDEN = {"insert goal with an id": "goals", "upsert goal on id": "goals", "insert plan with an id": "training_plans",
          "upsert plan on id": "training_plans", "move own plan onto an id": "training_plans"}  # fmt: skip
GOAL = {"goal_type": "fitness", "title": "Fit", "fitness_metric": "sessions_per_week", "fitness_target_value": 4}


@pytest.fixture
def two(db, make_user, as_user) -> dict[str, Any]:
    alice, bob = make_user(), make_user()
    mine = onboard(db, alice, "Alice", plan={"name": "A", "starts_on": "2027-01-04"})
    theirs = onboard(db, bob, "Bob", goal=GOAL, plan={"name": "B", "starts_on": "2027-01-04"})
    return {"alice": alice, "athlete": mine["athlete_id"], "goals": theirs["goal_id"],
            "training_plans": theirs["plan_id"]}  # fmt: skip


def _answer(db, as_user, user: AuthUser, query: str, params: dict[str, Any]) -> tuple[str | None, str]:
    try:
        with db.transaction(force_rollback=True), as_user(user):
            db.execute(query, params)
    except psycopg.Error as exc:
        return exc.diag.sqlstate, exc.diag.message_primary or ""
    return None, "ok"


@pytest.mark.parametrize("probe", sorted(PROBES))
def test_another_users_hidden_id_answers_as_a_random_id_does(db, as_user, two, probe: str) -> None:
    hidden = {"id": two[HIDDEN[probe]], "athlete": two["athlete"]}
    random = {"id": uuid.uuid4(), "athlete": two["athlete"]}
    answer = _answer(db, as_user, two["alice"], PROBES[probe], hidden)
    assert answer == _answer(db, as_user, two["alice"], PROBES[probe], random)
    assert answer[0] == "42501"  # a client may not choose ids at all: permission denied, whatever the id
    assert "permission denied" in answer[1]


def test_without_an_id_the_same_writes_still_work(db, as_user, two) -> None:
    with as_user(two["alice"]):
        db.execute("insert into public.goals (athlete_id, goal_type, title, fitness_metric, fitness_target_value) "
                   "values (%s, 'fitness', 'g', 'sessions_per_week', 3)", (two["athlete"],))  # fmt: skip
        assert db.execute("update public.training_plans set name = 'renamed' where athlete_id = %s",
                          (two["athlete"],)).rowcount == 1  # fmt: skip


def test_every_column_but_id_is_writable_by_authenticated(db) -> None:
    # Column privileges are fixed when granted: a column added later without its grant would make
    # every insert naming it fail. This keeps the grants and the tables in step.
    missing = db.execute(
        """
        select c.table_name || '.' || c.column_name || ' (' || p.privilege || ')'
        from information_schema.columns as c
        cross join (values ('INSERT'), ('UPDATE')) as p (privilege)
        where c.table_schema = 'public' and c.column_name <> 'id' and c.is_generated = 'NEVER'
            and c.table_name in ('athletes', 'goals', 'constraints', 'daily_checkins', 'training_plans', 'workouts',
                                 'methodologies', 'conversations', 'conversation_messages')
            and not pg_catalog.has_column_privilege('authenticated', format('public.%I', c.table_name),
                                                    c.column_name, p.privilege)
        order by 1
        """
    ).fetchall()
    assert missing == []
    granted_id = db.execute(
        "select count(*) from information_schema.column_privileges where grantee = 'authenticated' "
        "and table_schema = 'public' and column_name = 'id' and privilege_type in ('INSERT', 'UPDATE')"
    ).fetchone()
    assert granted_id == (0,)


def test_link_coach_tells_a_user_id_from_an_unknown_one_and_nothing_more(db, as_user, make_user, two) -> None:
    # Accepted (README, Security notes): the athlete must know the coach's id to invite them.
    coach = make_user(email="coach-secret@example.com", user_metadata={"name": "Secret Name"})
    with as_user(two["alice"]):
        link = rpc(db, "link_coach", coach_user_id=coach.id)
    assert set(link) <= {"id", "athlete_id", "coach_user_id", "status", "invited_at", "accepted_at", "revoked_at",
                         "created_at", "updated_at"}  # fmt: skip
    assert "coach-secret" not in str(link)
    assert "Secret Name" not in str(link)
    unknown = uuid.uuid4()
    with pytest.raises(psycopg.errors.NoDataFound, match=f"no user with id {unknown}"), as_user(two["alice"]):
        rpc(db, "link_coach", coach_user_id=unknown)
