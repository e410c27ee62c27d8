"""Helpers for tests of the Khepri RPCs: call them the way PostgREST does (named arguments)."""

from __future__ import annotations

from typing import Any

import psycopg

from khepri_db.client.transports import named_call
from khepri_db.core.session import AuthUser, as_user

KHEPRI_TABLES = (
    "athletes", "goals", "constraints", "daily_checkins", "training_plans", "workouts", "methodologies",
    "coach_links", "conversations", "conversation_messages", "idempotency_keys",
)  # fmt: skip


def rpc(conn: psycopg.Connection, function: str, **args: Any) -> Any:
    """``select public.<function>(name => value, ...)``; dicts and lists are sent as jsonb."""
    query, params = named_call(function, args)
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def count(conn: psycopg.Connection, table: str, where: str = "true", params: Any = None) -> int:
    """Rows of ``public.<table>`` visible to the current role."""
    row = conn.execute(f"select count(*) from public.{table} where {where}", params).fetchone()
    assert row is not None
    return int(row[0])


def onboard(conn: psycopg.Connection, user: AuthUser, name: str = "Athlete", **extra: Any) -> dict[str, Any]:
    """Complete onboarding for ``user`` (committed inside the caller's transaction) and return the result."""
    with as_user(conn, user):
        return rpc(conn, "finalize_onboarding", profile={"display_name": name, **extra.pop("profile", {})}, **extra)


def sqlstate_of(exc: BaseException) -> str | None:
    """The SQLSTATE of a psycopg error."""
    return exc.diag.sqlstate if isinstance(exc, psycopg.Error) else None
