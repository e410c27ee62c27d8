"""doctor's runtime-health rules (as `supabase inspect db` reports them): each with real activity
made by the test (second connections for long-running queries and blocking locks), the negative
case at the documented defaults, and the fix clearing it. Thresholds are lowered through the same
setting users have ([doctor.thresholds]) where the documented default needs hours or gigabytes."""

from __future__ import annotations

import contextlib
import threading
import time

import psycopg
import pytest

from khepri_db.core.db import connect
from tests.support.doctor import findings, plant

pytestmark = pytest.mark.pg


def flush_stats(conn: psycopg.Connection) -> None:
    """Make this backend's pending activity statistics visible to other sessions now."""
    conn.execute("select pg_stat_force_next_flush()")
    conn.execute("select 1")


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_cache_hit_ratio(khepri_clone_url: str) -> None:
    with connect(khepri_clone_url, autocommit=True) as conn:
        shared_buffers = conn.execute("select setting::bigint * 8192 from pg_settings where name = 'shared_buffers'")
        size = shared_buffers.fetchone()[0]
        # Written through a bulk-write ring (create table as), so most of it is not in shared buffers,
        # and larger than a quarter of shared_buffers, so sequential scans go through a small ring of
        # buffers too: every scan reads most of the table from outside shared buffers.
        rows = int(size / 4 / 1000 * 1.5)
        conn.execute(
            "create table public.archive with (autovacuum_enabled = false) as "
            f"select g as id, repeat('x', 900) as body from generate_series(1, {rows}) as g"
        )
        conn.execute("select pg_stat_reset()")
        for _ in range(2):
            conn.execute("select count(*) from public.archive where body like '%y%'")
        flush_stats(conn)
    [finding] = findings(khepri_clone_url, "cache_hit_ratio")
    assert finding.metadata["kind"] == "table"
    assert finding.metadata["ratio"] < 0.95
    assert finding.level == "WARN"
    assert finding.cache_key == "cache_hit_ratio_table"

    # Fewer blocks than the documented minimum: not judged.
    assert findings(khepri_clone_url, "cache_hit_ratio", thresholds={"cache_hit_min_blocks": 10**9}) == []

    # Once the working set is served from memory the ratio recovers.
    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute("select pg_stat_reset()")
        conn.execute("create table public.hot (id int primary key)")
        conn.execute("insert into public.hot select generate_series(1, 1000)")
        for _ in range(30):
            conn.execute("select count(*) from public.hot")
        flush_stats(conn)
    assert findings(khepri_clone_url, "cache_hit_ratio", thresholds={"cache_hit_min_blocks": 50}) == []


def _scanned_table(url: str) -> None:
    with connect(url, autocommit=True) as conn:
        conn.execute(
            "create table public.workout_log (id int primary key, athlete int, note text); "
            "insert into public.workout_log select g, g % 500, 'n' from generate_series(1, 20000) as g; "
            "analyze public.workout_log"
        )
        conn.execute("select pg_stat_reset()")
        for athlete in range(20):
            conn.execute("select count(*) from public.workout_log where athlete = %s", (athlete,))
        flush_stats(conn)


def test_index_usage(khepri_clone_url: str) -> None:
    _scanned_table(khepri_clone_url)
    # 20 scans: fewer than the documented 100 needed to judge
    assert findings(khepri_clone_url, "index_usage") == []
    [finding] = findings(khepri_clone_url, "index_usage", thresholds={"index_usage_min_scans": 10})
    assert (finding.metadata["name"], finding.metadata["index_usage"], finding.level) == ("workout_log", 0, "WARN")

    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute("create index workout_log_athlete_idx on public.workout_log (athlete)")
        conn.execute("select pg_stat_reset()")
        # 200 index scans: one stray sequential scan (the planner, before statistics) stays above 99%
        for athlete in range(200):
            conn.execute("select count(*) from public.workout_log where athlete = %s", (athlete % 20,))
        flush_stats(conn)
    assert findings(khepri_clone_url, "index_usage", thresholds={"index_usage_min_scans": 10}) == []


def test_sequential_scans(khepri_clone_url: str) -> None:
    _scanned_table(khepri_clone_url)
    assert findings(khepri_clone_url, "sequential_scans") == []  # fewer than 100 scans
    [finding] = findings(khepri_clone_url, "sequential_scans", thresholds={"sequential_scan_min_scans": 10})
    assert finding.metadata["seq_scan"] >= 20
    assert finding.metadata["rows_per_scan"] >= 15000
    assert finding.level == "INFO"
    [escalated] = findings(
        khepri_clone_url, "sequential_scans",
        thresholds={"sequential_scan_min_scans": 10, "sequential_scan_warn_rows": 15000},
    )  # fmt: skip
    assert escalated.level == "WARN"

    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute("create index on public.workout_log (athlete)")
        conn.execute("select pg_stat_reset_single_table_counters('public.workout_log'::regclass)")
        for athlete in range(20):
            conn.execute("select count(*) from public.workout_log where athlete = %s", (athlete,))
        flush_stats(conn)
    assert findings(khepri_clone_url, "sequential_scans", thresholds={"sequential_scan_min_scans": 10}) == []


def test_long_running_queries(khepri_clone_url: str) -> None:
    fast = {"long_running_query_info_seconds": 1}
    idle = psycopg.connect(khepri_clone_url, application_name="forgotten-transaction")
    busy = psycopg.connect(khepri_clone_url, application_name="slow-report", autocommit=True)
    worker = threading.Thread(target=lambda: _swallow(busy, "select pg_sleep(30)"))
    try:
        idle.execute("select 1")  # opens a transaction and leaves it open
        opened = time.monotonic()
        worker.start()
        with connect(khepri_clone_url, autocommit=True) as watcher:  # both past the 1 s threshold below

            def both_older_than_1s() -> bool:
                ages = watcher.execute(
                    "select extract(epoch from clock_timestamp() - query_start), "
                    "extract(epoch from clock_timestamp() - xact_start) from pg_stat_activity "
                    "where pid = %s and query = 'select pg_sleep(30)'",
                    (busy.info.backend_pid,),
                ).fetchone()
                return ages is not None and min(ages) > 1.2 and time.monotonic() - opened > 1.2

            wait_for(both_older_than_1s)
        assert findings(khepri_clone_url, "long_running_queries") == []  # the documented 5 minutes
        found = {
            f.metadata["application_name"]: f
            for f in findings(khepri_clone_url, "long_running_queries", thresholds=fast)
        }
        assert set(found) == {"forgotten-transaction", "slow-report"}
        assert found["forgotten-transaction"].metadata["state"] == "idle in transaction"
        assert found["slow-report"].metadata["query"] == "select pg_sleep(30)"
        assert {f.level for f in found.values()} == {"INFO"}
        escalated = findings(
            khepri_clone_url, "long_running_queries", thresholds={**fast, "long_running_query_warn_seconds": 1}
        )
        assert {f.level for f in escalated} == {"WARN"}

        idle.commit()
        with connect(khepri_clone_url, autocommit=True) as admin:
            admin.execute("select pg_cancel_backend(%s)", (busy.info.backend_pid,))
        worker.join(timeout=10)
        assert findings(khepri_clone_url, "long_running_queries", thresholds=fast) == []
    finally:
        idle.close()
        busy.close()


def _swallow(conn: psycopg.Connection, query: str) -> None:
    """Run ``query``, ignoring its failure (the test cancels it or it was blocked on purpose)."""
    with contextlib.suppress(psycopg.Error):
        conn.execute(query)


def test_blocking_locks(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        "create table public.ledger (id int primary key, amount int); insert into public.ledger values (1, 0)",
    )
    holder = psycopg.connect(khepri_clone_url, application_name="migration")
    waiter = psycopg.connect(khepri_clone_url, application_name="api", autocommit=True)
    worker = threading.Thread(
        target=lambda: _swallow(waiter, "update public.ledger set amount = amount + 1 where id = 1")
    )
    try:
        holder.execute("lock table public.ledger in access exclusive mode")
        worker.start()
        with connect(khepri_clone_url, autocommit=True) as admin:
            wait_for(
                lambda: (
                    admin.execute(
                        "select count(*) from pg_stat_activity "
                        "where application_name = 'api' and wait_event_type = 'Lock'"
                    ).fetchone()
                    == (1,)
                )
            )
        assert findings(khepri_clone_url, "blocking_locks") == []  # waiting less than the documented 10 s
        [finding] = findings(khepri_clone_url, "blocking_locks", thresholds={"blocking_lock_info_seconds": 0})
        assert finding.metadata["blocking_pids"] == [holder.info.backend_pid]
        assert finding.metadata["blocking_query"] == "lock table public.ledger in access exclusive mode"
        assert finding.level == "INFO"

        holder.commit()
        worker.join(timeout=10)
        assert findings(khepri_clone_url, "blocking_locks", thresholds={"blocking_lock_info_seconds": 0}) == []
    finally:
        holder.close()
        waiter.close()


def test_vacuum_stats(khepri_clone_url: str) -> None:
    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute(
            "create table public.inbox_items (id int primary key, body text) with (autovacuum_enabled = false); "
            "create table public.busy (id int primary key); "
            "insert into public.inbox_items select g, 'x' from generate_series(1, 5000) as g; "
            "insert into public.busy select generate_series(1, 5000)"
        )
        conn.execute("delete from public.inbox_items where id > 1000")
        conn.execute("delete from public.busy where id <= 10")  # below the documented 1000 dead rows
        flush_stats(conn)
    [finding] = findings(khepri_clone_url, "vacuum_stats")
    assert finding.metadata["name"] == "inbox_items"
    assert finding.metadata["dead_tuples"] == 4000
    assert finding.metadata["autovacuum_enabled"] is False
    assert finding.level == "WARN"  # autovacuum is off for it

    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute("vacuum public.inbox_items")
        flush_stats(conn)
    assert findings(khepri_clone_url, "vacuum_stats") == []


def test_table_sizes(khepri_clone_url: str) -> None:
    plant(
        khepri_clone_url,
        "create table public.blobs (id int primary key, body text); "
        "insert into public.blobs select g, repeat(md5(g::text), 20) from generate_series(1, 5000) as g",
    )
    assert findings(khepri_clone_url, "table_sizes") == []  # far below the documented 1 GiB
    small = {"table_size_info_bytes": 1024 * 1024}
    [finding] = findings(khepri_clone_url, "table_sizes", thresholds=small)
    assert finding.metadata["name"] == "blobs"
    assert finding.metadata["total_bytes"] > 1024 * 1024
    assert finding.level == "INFO"
    [big] = findings(khepri_clone_url, "table_sizes", thresholds={**small, "table_size_warn_bytes": 1024 * 1024})
    assert big.level == "WARN"

    plant(khepri_clone_url, "truncate public.blobs")
    assert findings(khepri_clone_url, "table_sizes", thresholds=small) == []
