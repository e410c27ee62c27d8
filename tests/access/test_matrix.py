"""The Khepri schema against its own declared access matrix (supabase/access.toml).

``test_declared_access`` is the pytest hook of khepri-db's plugin, dogfooded: one test per cell
(table x actor x operation, function x actor x execute) plus ``coverage``, which fails when an
exposed table, view or function has no declaration. The other tests plant one policy bug each in
a fresh clone of the schema and show the check catches it, comparing with an unbroken run so they
hold whatever else the schema contains.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from khepri_db.access.declaration import load_declaration
from khepri_db.access.probe import verify_access
from khepri_db.access.report import AccessReport
from khepri_db.core.db import connect
from khepri_db.core.project import Project
from khepri_db.testing.plugin import DatabaseFactory, database_name

pytestmark = [pytest.mark.pg, pytest.mark.docker_rerun]

REPO = Path(__file__).resolve().parents[2]
ACCESS_FILE = REPO / "supabase" / "access.toml"
PROJECT = Project(REPO)


def test_declared_access(khepri_access_cell) -> None:
    khepri_access_cell.check()


def test_the_declaration_covers_the_walking_skeleton() -> None:
    declaration = load_declaration(ACCESS_FILE)
    names = {t.name for t in declaration.tables}
    assert {
        "public.athletes", "public.idempotency_keys", "public.training_plans", "public.workouts",
        "public.conversations", "public.conversation_messages",
    } <= names  # fmt: skip
    functions = {f.name for f in declaration.functions}
    assert {"public.finalize_onboarding", "public.cleanup_expired_idempotency_keys"} <= functions
    # Conversations and idempotency keys belong to their owner alone, whoever else the schema adds.
    for table in ("conversations", "conversation_messages", "idempotency_keys"):
        assert set(declaration.table(table).allowed) <= {"owner", "service_role"}, table


@pytest.fixture
def khepri_db_clone(khepri_template_url: str, khepri_database_factory: DatabaseFactory) -> Iterator[str]:
    url = khepri_database_factory(template=database_name(khepri_template_url))
    yield url
    khepri_database_factory.drop(url)


def _flagged(report: AccessReport) -> set[str]:
    return {c.id for c in report.mismatches}


# bug -> (statements planting it, cells it must flag, the table it is confined to). A bug may also
# break RPCs that read or write the table (their execute cells), never another table's cells.
BUGS = {
    "rls-disabled": (
        "alter table public.conversations disable row level security",
        # No leak on the owner's update: messages reference (conversation, athlete), so the foreign
        # key, not RLS, stops a conversation from moving to another athlete.
        {f"public.conversations:other:{op}" for op in ("select", "insert", "update", "delete")},
        "public.conversations",
    ),
    "select-using-true": (
        "drop policy conversation_messages_select_owner on public.conversation_messages;"
        "create policy conversation_messages_select_owner on public.conversation_messages "
        "for select to authenticated using (true)",
        {"public.conversation_messages:other:select"},
        "public.conversation_messages",
    ),
    "wrong-role": (
        "drop policy conversation_messages_select_owner on public.conversation_messages;"
        "create policy conversation_messages_select_owner on public.conversation_messages for select to anon "
        "using (athlete_id = (select public.current_athlete_id()))",
        # The owner loses their messages, and update/delete, whose WHERE needs a visible row.
        {f"public.conversation_messages:owner:{op}" for op in ("select", "update", "delete")},
        "public.conversation_messages",
    ),
    # The coach update policies only ask that the new athlete be one the author reaches: without the
    # trigger pinning athlete_id, a coach moves a plan or session to their own athlete row or to
    # another athlete they coach, and an athlete who coaches someone moves theirs to that athlete.
    "coach-moves-plans": (
        "drop trigger if exists training_plans_keep_athlete_id on public.training_plans",
        {"public.training_plans:coach:update", "public.training_plans:owner:update"},
        "public.training_plans",
    ),
    "coach-moves-workouts": (
        "drop trigger if exists workouts_keep_athlete_id on public.workouts",
        {"public.workouts:coach:update", "public.workouts:owner:update"},
        "public.workouts",
    ),
    "anon-granted-and-open": (
        "grant select on public.conversations to anon;"
        "create policy conversations_select_anyone on public.conversations for select to anon using (true)",
        {"public.conversations:anon:select"},
        "public.conversations",
    ),
}


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_a_planted_policy_bug_in_the_khepri_schema_is_caught(khepri_db_clone: str, bug: str) -> None:
    statements, expected, table = BUGS[bug]
    baseline = verify_access(khepri_db_clone, ACCESS_FILE, project=PROJECT)
    with connect(khepri_db_clone, autocommit=True) as conn:
        conn.execute(statements)
    broken = verify_access(khepri_db_clone, ACCESS_FILE, project=PROJECT)
    new = _flagged(broken) - _flagged(baseline)
    assert expected <= new
    assert {c for c in new if not c.startswith(f"{table}:") and not c.endswith(":execute")} == set()
    assert not broken.passed
