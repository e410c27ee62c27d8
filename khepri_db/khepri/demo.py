"""``khepri-db demo``: the onboarding walkthrough ``make demo`` ends with.

Against a database migrated with the Khepri schema it signs up two users, completes Alice's
onboarding through ``finalize_onboarding`` exactly as PostgREST would call it, retries with the
same idempotency key, and shows what Bob, a replay of Alice's key by Bob, and an anonymous
visitor get. Every claim it prints is checked; a failed check makes the demo fail.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import psycopg
from rich.console import Console

from khepri_db.client.transports import named_call
from khepri_db.core.db import connect
from khepri_db.core.errors import UsageError
from khepri_db.core.session import AuthUser, as_anon, as_user, create_user

OWNED_TABLES = (
    "athletes",
    "training_plans",
    "workouts",
    "conversations",
    "conversation_messages",
    "idempotency_keys",
)


@dataclass
class DemoResult:
    """The checks the demo made: ``(description, passed)`` in order."""

    checks: list[tuple[str, bool]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return all(ok for _, ok in self.checks)


def _finalize(conn: psycopg.Connection, profile: dict[str, Any], plan: dict[str, Any] | None, key: str) -> Any:
    query, params = named_call("finalize_onboarding", {"profile": profile, "plan": plan, "idempotency_key": key})
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def _counts(conn: psycopg.Connection) -> dict[str, int]:
    return {t: conn.execute(f"select count(*) from public.{t}").fetchone()[0] for t in OWNED_TABLES}  # type: ignore[index]


def run_demo(url: str, console: Console | None = None) -> DemoResult:
    """Run the walkthrough against ``url`` and print it.

    Args:
        url: a database migrated with the Khepri schema.
        console: where to print (default: stdout).

    Returns:
        The checks made and whether each passed.

    Raises:
        UsageError: the database lacks ``public.finalize_onboarding`` (not migrated).
        ConnectionFailedError: the database cannot be reached.
    """
    out = console or Console()
    result = DemoResult()

    def check(description: str, ok: bool) -> None:
        result.checks.append((description, ok))
        mark = "[green]✓[/green]" if ok else "[red]✗[/red]"
        out.print(f"  {mark} {description}")

    with connect(url) as conn:
        signature = "public.finalize_onboarding(jsonb, jsonb, text, jsonb)"
        if conn.execute("select to_regprocedure(%s)", (signature,)).fetchone() == (None,):
            raise UsageError(
                "public.finalize_onboarding does not exist in this database",
                hint="run `khepri-db migrate` first",
            )
        run = uuid.uuid4().hex[:8]
        alice: AuthUser = create_user(conn, f"alice-{run}@khepri.test", user_metadata={"name": "Alice"})
        bob: AuthUser = create_user(conn, f"bob-{run}@khepri.test", user_metadata={"name": "Bob"})
        conn.commit()
        out.print(
            "[bold]1. Two users sign up[/bold] (rows in auth.users, as Supabase Auth writes them): "
            f"{alice.email}, {bob.email}"
        )

        key = f"onboarding-{run}"
        profile = {"display_name": "Alice", "timezone": "Europe/Paris", "units": "metric"}
        plan = {"name": "First half marathon", "starts_on": "2026-11-23", "total_weeks": 12}
        out.print(
            "[bold]2. Alice finalizes onboarding[/bold] as PostgREST would call it: role authenticated, "
            f"request.jwt.claims with sub={alice.id}, idempotency_key={key!r}"
        )
        with as_user(conn, alice, path="/rpc/finalize_onboarding"):
            first = _finalize(conn, profile, plan, key)
        out.print_json(json.dumps(first))
        check(
            "athlete, active plan and welcome conversation created in one call",
            all(first.get(k) for k in ("athlete_id", "plan_id", "conversation_id", "welcome_message_id")),
        )

        out.print("[bold]3. The app retries with the same key[/bold] (say the response was lost)")
        with as_user(conn, alice, path="/rpc/finalize_onboarding"):
            second = _finalize(conn, profile, plan, key)
        check("the retry returns the first result, identical", second == first)
        with as_user(conn, alice):
            alice_counts = _counts(conn)
        with connect(url) as other:
            committed = other.execute(
                "select count(*) from public.athletes where auth_user_id = %s", (alice.id,)
            ).fetchone()
        check("the call committed on its own: a second connection sees Alice's athlete", committed == (1,))
        check(
            "no duplicate rows: Alice has 1 athlete, 1 plan, 1 conversation, 1 message, 1 key",
            alice_counts == {t: 1 for t in ("athletes", "training_plans", "conversations",
                                             "conversation_messages", "idempotency_keys")} | {"workouts": 0},
        )  # fmt: skip

        out.print("[bold]4. Bob, signed in, looks at every Khepri table[/bold]")
        with as_user(conn, bob):
            bob_counts = _counts(conn)
            sees_alice = conn.execute(
                "select count(*) from public.athletes where id = %s", (first["athlete_id"],)
            ).fetchone()
        out.print("    rows Bob can see: " + ", ".join(f"{t} {n}" for t, n in bob_counts.items()))
        check("Bob sees none of Alice's rows (RLS, policies scoped to auth.uid())", not any(bob_counts.values()))
        check("Bob cannot read Alice's athlete row even by its id", sees_alice == (0,))

        out.print(f"[bold]5. Bob calls finalize_onboarding with Alice's key {key!r}[/bold]")
        with as_user(conn, bob, path="/rpc/finalize_onboarding"):
            bobs = _finalize(conn, {"display_name": "Bob", "timezone": "America/New_York"}, None, key)
        check("Bob gets his own new athlete, never Alice's result (keys are scoped per user)",
              bobs["athlete_id"] != first["athlete_id"])  # fmt: skip

        out.print("[bold]6. An anonymous visitor (anon key) calls finalize_onboarding[/bold]")
        refused = None
        try:
            with as_anon(conn, path="/rpc/finalize_onboarding"):
                _finalize(conn, profile, None, f"anon-{run}")
        except psycopg.errors.InsufficientPrivilege as exc:
            refused = exc.diag.message_primary
        out.print(f"    Postgres answered: {refused or 'no error'}")
        check("anon is refused: EXECUTE is revoked from PUBLIC and anon (SQLSTATE 42501)", refused is not None)
    verdict = "[green]all checks passed[/green]" if result.passed else "[red]some checks FAILED[/red]"
    out.print(f"[bold]Demo:[/bold] {verdict} ({sum(ok for _, ok in result.checks)}/{len(result.checks)})")
    return result
