"""RLS and RPC cost of the Khepri schema (issue 3's benchmark).

On a throwaway embedded server (fsync off) with the Khepri migrations:

* RLS cost: 10,000 athletes with 100 workouts each (1,000,000 rows). One athlete's workouts are
  read (``where athlete_id = $1 order by scheduled_on``) as that signed-in user (role
  authenticated, RLS on) and as the owner role (the migrating superuser, no RLS) with the same
  explicit filter, on one connection, interleaved; also by an active coach of that athlete.
  Reported: median and p95 per query and the ratio user/owner (target <= 1.2) and coach/owner
  (target <= 2). The request context is set up outside the timed part (PostgREST does it per request too).
* RPC cost: finalize_onboarding for 1,000 distinct new users, each call its own request and
  transaction, at 1 and at 8 concurrent connections; against the same rows (athlete, active plan,
  conversation, message, idempotency key) written by a client as the owner role in one transaction.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from psycopg.types.json import Jsonb  # noqa: E402

from khepri_db.core.db import connect  # noqa: E402
from khepri_db.core.session import AuthUser, as_user  # noqa: E402
from khepri_db.engines import EmbeddedEngine, free_port, make_cluster_root  # noqa: E402
from khepri_db.migrations.apply import migrate  # noqa: E402

TITLE = "Khepri schema: RLS and RPC cost"
ATHLETES = 10_000
WORKOUTS_PER_ATHLETE = 100
READS = 300
RPC_USERS = 1_000


def _populate(url: str) -> tuple[AuthUser, AuthUser, uuid.UUID]:
    with connect(url) as conn:
        conn.execute(
            "insert into auth.users (instance_id, id, aud, role, email, encrypted_password, raw_app_meta_data, "
            "raw_user_meta_data, created_at, updated_at) "
            "select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated', "
            "'bench-' || n || '@khepri.test', '', '{}', '{}', now(), now() from generate_series(1, %s) as n",
            (ATHLETES + 1,),
        )
        conn.execute(
            "insert into public.athletes (auth_user_id, display_name) "
            "select id, email from auth.users where email like 'bench-%%' and email <> %s",
            (f"bench-{ATHLETES + 1}@khepri.test",),
        )
        conn.execute(
            "insert into public.workouts (athlete_id, scheduled_on, sport, title, planned_duration_s) "
            "select a.id, date '2026-01-01' + (g %% 365), 'run', 'Session ' || g, 1800 "
            "from public.athletes as a cross join generate_series(1, %s) as g",
            (WORKOUTS_PER_ATHLETE,),
        )
        athlete_id, user_id = conn.execute("select id, auth_user_id from public.athletes limit 1").fetchone()
        coach_id = conn.execute(
            "select id from auth.users where email = %s", (f"bench-{ATHLETES + 1}@khepri.test",)
        ).fetchone()[0]
        conn.execute(
            "insert into public.coach_links (athlete_id, coach_user_id, status) values (%s, %s, 'active')",
            (athlete_id, coach_id),
        )
        conn.commit()
        conn.autocommit = True
        conn.execute("vacuum analyze")
    return AuthUser(user_id), AuthUser(coach_id), athlete_id


def _timed(conn, query: str, params: tuple) -> float:
    started = time.perf_counter()
    conn.execute(query, params).fetchall()
    return (time.perf_counter() - started) * 1000


def _rls_cost(url: str) -> list[str]:
    user, coach, athlete_id = _populate(url)
    query = "select id, scheduled_on, title, status from public.workouts where athlete_id = %s order by scheduled_on"
    owner, as_owner_user, as_coach = [], [], []
    with connect(url) as conn:
        for _ in range(20):  # warm-up
            _timed(conn, query, (athlete_id,))
        for _ in range(READS):
            owner.append(_timed(conn, query, (athlete_id,)))
            conn.commit()
            with as_user(conn, user):
                rows = conn.execute(query, (athlete_id,)).fetchall()
                assert len(rows) == WORKOUTS_PER_ATHLETE
                as_owner_user.append(_timed(conn, query, (athlete_id,)))
            with as_user(conn, coach):
                as_coach.append(_timed(conn, query, (athlete_id,)))
        plan = conn.execute("explain " + query, (athlete_id,)).fetchall()
        conn.rollback()

    def row(name: str, samples: list[float]) -> str:
        ratio = statistics.median(samples) / statistics.median(owner)
        p95 = statistics.quantiles(samples, n=20)[-1]
        return f"| {name} | {statistics.median(samples):.3f} | {p95:.3f} | {ratio:.2f} |"

    return [
        f"RLS read of one athlete's {WORKOUTS_PER_ATHLETE} workouts from {ATHLETES * WORKOUTS_PER_ATHLETE:,} rows "
        f"({ATHLETES:,} athletes), {READS} interleaved runs each (owner plan: `{plan[0][0].strip()}`):",
        "",
        "| reader | median ms | p95 ms | ratio to owner |",
        "| --- | --- | --- | --- |",
        row("owner role (migrating superuser), explicit athlete_id filter", owner),
        row("the athlete, signed in (RLS: `athlete_id = any(accessible_athlete_ids())`)", as_owner_user),
        row("an active coach of the athlete (RLS via coach_links)", as_coach),
        "",
        "Targets: signed-in user <= 1.2, coach <= 2.",
    ]


def _rpc_cost(url: str) -> list[str]:
    with connect(url) as conn:
        ids = [r[0] for r in conn.execute(
            "insert into auth.users (instance_id, id, aud, role, email, encrypted_password, raw_app_meta_data, "
            "raw_user_meta_data, created_at, updated_at) "
            "select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated', "
            "'rpc-' || n || '@khepri.test', '', '{}', '{}', now(), now() from generate_series(1, %s) as n "
            "returning id",
            (3 * RPC_USERS,),
        ).fetchall()]  # fmt: skip
        conn.commit()
    batches = [ids[:RPC_USERS], ids[RPC_USERS : 2 * RPC_USERS], ids[2 * RPC_USERS :]]
    profile = {"display_name": "Bench", "timezone": "Europe/Paris"}
    plan = {"name": "Bench plan", "starts_on": "2027-01-04", "total_weeks": 8}

    def call(conn, user_id) -> None:
        # verify=False: PostgREST does not re-check the role switch; the tests do.
        with as_user(conn, AuthUser(user_id), verify=False):
            conn.execute(
                "select public.finalize_onboarding(profile => %s, plan => %s, idempotency_key => %s)",
                (Jsonb(profile), Jsonb(plan), f"bench-{user_id}"),
            )

    def run_rpc(users: list[uuid.UUID], workers: int) -> float:
        chunks = [users[i::workers] for i in range(workers)]
        start = threading.Barrier(workers)

        def worker(chunk: list[uuid.UUID]) -> None:
            with connect(url) as conn:
                start.wait()
                for user_id in chunk:
                    call(conn, user_id)

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(worker, chunks))
        return time.perf_counter() - started

    one = run_rpc(batches[0], 1)
    eight = run_rpc(batches[1], 8)

    started = time.perf_counter()
    with connect(url) as conn, conn.cursor() as cur:
        for user_id in batches[2]:
            athlete_id = cur.execute(
                "insert into public.athletes (auth_user_id, display_name, timezone, onboarding_completed_at) "
                "values (%s, 'Bench', 'Europe/Paris', now()) returning id",
                (user_id,),
            ).fetchone()[0]
            cur.execute(
                "insert into public.training_plans (athlete_id, name, status, starts_on, total_weeks) "
                "values (%s, 'Bench plan', 'active', '2027-01-04', 8)",
                (athlete_id,),
            )
            conversation_id = cur.execute(
                "insert into public.conversations (athlete_id, title) values (%s, 'Welcome') returning id",
                (athlete_id,),
            ).fetchone()[0]
            cur.execute(
                "insert into public.conversation_messages (conversation_id, athlete_id, role, content) "
                "values (%s, %s, 'assistant', 'Welcome to Khepri, Bench!')",
                (conversation_id, athlete_id),
            )
            cur.execute(
                "insert into public.idempotency_keys (user_id, operation, key, request_hash, response) "
                "values (%s, 'finalize_onboarding', %s, repeat('a', 64), '{}')",
                (user_id, f"direct-{user_id}"),
            )
        conn.commit()
    direct = time.perf_counter() - started

    def rate(seconds: float) -> float:
        return RPC_USERS / seconds

    return [
        f"finalize_onboarding (profile + active plan + welcome conversation + idempotency key) for {RPC_USERS:,} "
        "distinct new users; each RPC call is its own request (role switch, claims; without khepri-db's "
        "test-time rights check) and transaction:",
        "",
        "| writer | calls/s | ratio to direct writes |",
        "| --- | --- | --- |",
        f"| RPC, 1 connection | {rate(one):.0f} | {rate(one) / rate(direct):.2f} |",
        f"| RPC, 8 concurrent connections | {rate(eight):.0f} | {rate(eight) / rate(direct):.2f} |",
        f"| direct inserts by the owner role, one transaction, 1 connection | {rate(direct):.0f} | 1.00 |",
    ]


def run() -> str:
    root = make_cluster_root("khepri-bench-rls-")
    settings = {"fsync": "off", "synchronous_commit": "off", "max_connections": "50"}
    engine = EmbeddedEngine(root / "pgdata", port=free_port(), settings=settings)
    try:
        url = engine.start()
        migrate(url, REPO / "supabase" / "migrations")
        lines = [*_rls_cost(url), "", *_rpc_cost(url)]
    finally:
        engine.stop()
        shutil.rmtree(root, ignore_errors=True)
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
