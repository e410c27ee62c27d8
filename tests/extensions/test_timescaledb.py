"""The timescaledb stand-in (sql/extensions/timescaledb/) on the embedded engine, through the plugin.

No real timescaledb runs here, so nothing is differential: ``time_bucket`` is checked against
timescaledb's documented semantics and examples (buckets start at 2000-01-03 for sub-month widths, so
weeks start on Mondays; month widths count from 2000-01-01; ``offset`` shifts boundaries, ``origin``
moves them; integers floor towards minus infinity), and ``create_hypertable`` against the checks and
messages timescaledb makes. Every test works inside the ``db`` fixture's rolled-back transaction.
The stand-in exists only where the server has the stand-ins (servers khepri-db starts): elsewhere
these tests skip.
"""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

pytestmark = pytest.mark.pg

UTC = dt.UTC


@pytest.fixture(autouse=True)
def _timescaledb(db: psycopg.Connection) -> None:
    available = db.execute("select count(*) from pg_available_extensions where name = 'timescaledb'").fetchone()
    if not available or available[0] == 0:
        pytest.skip("the timescaledb stand-in is staged only on servers khepri-db starts")
    db.execute("create schema if not exists extensions")
    db.execute("create extension timescaledb with schema extensions")
    db.execute("set local search_path = public, extensions")
    db.execute("set local timezone = 'UTC'")


def _error(db: psycopg.Connection, query: str, params: object = None) -> psycopg.Error:
    """Run ``query`` in a savepoint and return the error it raises."""
    with pytest.raises(psycopg.Error) as caught, db.transaction():
        db.execute(query, params)
    return caught.value


def _one(db: psycopg.Connection, query: str, params: object = None) -> object:
    row = db.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def test_extension_has_supabases_name_and_version(db: psycopg.Connection) -> None:
    assert _one(db, "select extversion from pg_extension where extname = 'timescaledb'") == "2.16.1"
    assert _one(db, "select extnamespace::regnamespace::text from pg_extension where extname = 'timescaledb'") == (
        "extensions"
    )


@pytest.mark.parametrize(
    ("width", "ts", "expected"),
    [
        # sub-month widths: date_bin from 2000-01-03 (a Monday)
        ("5 minutes", "2024-08-09 13:07:30", "2024-08-09 13:05:00"),
        ("1 hour", "2024-08-09 13:59:59.999999", "2024-08-09 13:00:00"),
        ("1 day", "2024-08-09 23:00", "2024-08-09 00:00"),
        ("1 week", "2024-08-11 12:00", "2024-08-05 00:00"),  # a Sunday falls in the week of Monday the 5th
        ("1 week", "2024-08-05 00:00", "2024-08-05 00:00"),
        ("2 days", "2000-01-02 12:00", "2000-01-01 00:00"),  # before the origin: floored, not truncated
        ("7 days", "1999-12-31 00:00", "1999-12-27 00:00"),
        # month widths: whole months from 2000-01-01
        ("1 month", "2021-08-15 10:00", "2021-08-01 00:00"),
        ("3 months", "2021-08-15 10:00", "2021-07-01 00:00"),  # quarters
        ("1 year", "2021-08-15 10:00", "2021-01-01 00:00"),
        ("5 months", "1999-12-31 00:00", "1999-08-01 00:00"),
        ("1 year 6 months", "2001-07-01 00:00", "2001-07-01 00:00"),
    ],
)
def test_time_bucket_timestamp(db: psycopg.Connection, width: str, ts: str, expected: str) -> None:
    got = _one(db, "select time_bucket(%s::interval, %s::timestamp)", (width, ts))
    assert got == dt.datetime.fromisoformat(expected)
    # timestamptz without a time zone argument is bucketed as its UTC wall-clock time
    got_tz = _one(db, "select time_bucket(%s::interval, (%s || '+00')::timestamptz)", (width, ts))
    assert got_tz == dt.datetime.fromisoformat(expected).replace(tzinfo=UTC)


def test_time_bucket_timestamptz_ignores_the_session_time_zone(db: psycopg.Connection) -> None:
    db.execute("set local timezone = 'America/New_York'")
    got = _one(db, "select time_bucket('1 day', '2024-08-09 01:00+00'::timestamptz)")
    assert got == dt.datetime(2024, 8, 9, tzinfo=UTC)


def test_time_bucket_date(db: psycopg.Connection) -> None:
    assert _one(db, "select time_bucket('1 week', date '2024-08-11')") == dt.date(2024, 8, 5)
    assert _one(db, "select time_bucket('1 month', date '2024-02-29')") == dt.date(2024, 2, 1)
    assert _one(db, "select pg_typeof(time_bucket('1 day', date '2024-02-29'))::text") == "date"
    assert _one(db, "select time_bucket('1 week', date '2024-08-11', date '2024-08-04')") == dt.date(2024, 8, 11)


def test_time_bucket_offset_and_origin(db: psycopg.Connection) -> None:
    # timescaledb's documented example: 5-minute buckets centred on the 5-minute marks
    got = _one(db, "select time_bucket('5 minutes', timestamp '2024-08-09 13:06:00', '-2.5 minutes'::interval)")
    assert got == dt.datetime(2024, 8, 9, 13, 2, 30)
    got = _one(db, "select time_bucket('1 hour', timestamptz '2024-08-09 13:10+00', '30 minutes'::interval)")
    assert got == dt.datetime(2024, 8, 9, 12, 30, tzinfo=UTC)
    # the documented origin example: weeks starting on Sunday
    got = _one(db, "select time_bucket('1 week', timestamptz '2024-08-10 12:00+00', timestamptz '2017-12-31')")
    assert got == dt.datetime(2024, 8, 4, tzinfo=UTC)
    got = _one(db, "select time_bucket('1 month', timestamp '2024-08-09', timestamp '2000-01-15')")
    assert got == dt.datetime(2024, 7, 15)


def test_time_bucket_in_a_time_zone(db: psycopg.Connection) -> None:
    # 01:00 UTC is 03:00 in Berlin (CEST): the Berlin day starts at 22:00 UTC the day before
    got = _one(db, "select time_bucket('1 day', timestamptz '2024-08-09 01:00+00', 'Europe/Berlin')")
    assert got == dt.datetime(2024, 8, 8, 22, tzinfo=UTC)
    got = _one(db, "select time_bucket('1 month', timestamptz '2024-08-01 01:00+00', 'America/New_York')")
    assert got == dt.datetime(2024, 7, 1, 4, tzinfo=UTC)  # 2024-07-01 00:00 EDT


def test_time_bucket_integers(db: psycopg.Connection) -> None:
    assert _one(db, "select time_bucket(10, 17)") == 10
    assert _one(db, "select time_bucket(10, -3)") == -10
    assert _one(db, "select time_bucket(10, -10)") == -10
    assert _one(db, "select time_bucket(10::bigint, 25::bigint, 2::bigint)") == 22
    assert _one(db, "select pg_typeof(time_bucket(5::smallint, 7::smallint))::text") == "smallint"


def test_time_bucket_infinity_and_null(db: psycopg.Connection) -> None:
    assert _one(db, "select time_bucket('1 day', 'infinity'::timestamp)::text") == "infinity"
    assert _one(db, "select time_bucket('1 day', null::timestamptz)") is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("select time_bucket('1 month 2 days', timestamp '2024-08-09')", "month intervals cannot have day or time"),
        ("select time_bucket('0 minutes', timestamp '2024-08-09')", "period must be greater than 0"),
        ("select time_bucket(0, 5)", "period must be greater than 0"),
    ],
)
def test_time_bucket_errors(db: psycopg.Connection, query: str, message: str) -> None:
    error = _error(db, query)
    assert error.sqlstate == "22023"
    assert message in str(error)


def _events(db: psycopg.Connection, columns: str = "time timestamptz, device int, value float8") -> None:
    db.execute("create schema if not exists metrics")
    db.execute(f"create table metrics.events ({columns})")


def test_create_hypertable_records_the_table(db: psycopg.Connection) -> None:
    _events(db)
    row = db.execute(
        "select * from create_hypertable('metrics.events', 'time', chunk_time_interval => interval '1 day')"
    ).fetchone()
    assert row is not None
    assert row[1:] == ("metrics", "events", True)
    hypertables = db.execute(
        "select hypertable_schema, hypertable_name from timescaledb_information.hypertables"
    ).fetchall()
    assert hypertables == [("metrics", "events")]
    dim = db.execute(
        "select column_name, column_type::text, time_interval from timescaledb_information.dimensions"
    ).fetchone()
    assert dim == ("time", "timestamp with time zone", dt.timedelta(days=1))
    # as timescaledb does: the time column becomes not null and gets an index on (time desc)
    assert (
        _one(db, "select attnotnull from pg_attribute where attrelid = 'metrics.events'::regclass and attname = 'time'")
        is True
    )
    assert '("time" DESC)' in str(_one(db, "select indexdef from pg_indexes where indexname = 'events_time_idx'"))
    # still a plain table: rows go in and come out
    db.execute("insert into metrics.events values ('2024-08-09 10:00+00', 1, 2.5)")
    assert _one(db, "select count(*) from metrics.events") == 1


def test_create_hypertable_default_interval_is_seven_days(db: psycopg.Connection) -> None:
    _events(db)
    db.execute("select create_hypertable('metrics.events', 'time')")
    assert _one(db, "select interval_length from _timescaledb_catalog.dimension") == 7 * 86400 * 1_000_000


def test_create_hypertable_twice(db: psycopg.Connection) -> None:
    _events(db)
    db.execute("select create_hypertable('metrics.events', 'time')")
    error = _error(db, "select create_hypertable('metrics.events', 'time')")
    assert error.sqlstate == "TS110"
    assert 'table "events" is already a hypertable' in str(error)
    row = db.execute("select * from create_hypertable('metrics.events', 'time', if_not_exists => true)").fetchone()
    assert row is not None
    assert row[1:] == ("metrics", "events", False)


def test_create_hypertable_after_the_table_was_recreated(db: psycopg.Connection) -> None:
    _events(db)
    db.execute("select create_hypertable('metrics.events', 'time')")
    db.execute("drop table metrics.events")
    assert db.execute("select * from timescaledb_information.hypertables").fetchall() == []
    _events(db)
    row = db.execute("select * from create_hypertable('metrics.events', 'time')").fetchone()
    assert row is not None
    assert row[3] is True


@pytest.mark.parametrize(
    ("columns", "call", "sqlstate", "message"),
    [
        ("time timestamptz", "create_hypertable('metrics.events', 'ts')", "42703", 'column "ts" does not exist'),
        ("time text", "create_hypertable('metrics.events', 'time')", "22023", 'invalid type for dimension "time"'),
        (
            "id bigint primary key, time timestamptz",
            "create_hypertable('metrics.events', 'time')",
            "TS103",
            'cannot create a unique index without the column "time"',
        ),
        (
            "time int8",
            "create_hypertable('metrics.events', 'time')",
            "22023",
            "integer dimensions require an explicit interval",
        ),
        (
            "time int8",
            "create_hypertable('metrics.events', 'time', chunk_time_interval => interval '1 day')",
            "22023",
            "invalid interval type for bigint dimension",
        ),
        (
            "time timestamptz, device int",
            "create_hypertable('metrics.events', 'time', 'device', 4)",
            "0A000",
            "space partitioning",
        ),
    ],
)
def test_create_hypertable_refuses(
    db: psycopg.Connection, columns: str, call: str, sqlstate: str, message: str
) -> None:
    _events(db, columns)
    error = _error(db, f"select {call}")
    assert error.sqlstate == sqlstate
    assert message in str(error)
    assert _one(db, "select count(*) from _timescaledb_catalog.hypertable") == 0


def test_create_hypertable_accepts_a_key_with_the_time_column(db: psycopg.Connection) -> None:
    _events(db, "id bigint, time timestamptz, primary key (id, time)")
    assert _one(db, "select (create_hypertable('metrics.events', 'time')).created") is True


def test_create_hypertable_integer_time(db: psycopg.Connection) -> None:
    _events(db, "time int8, value float8")
    db.execute("select create_hypertable('metrics.events', 'time', chunk_time_interval => 1000)")
    row = db.execute("select time_interval, integer_interval from timescaledb_information.dimensions").fetchone()
    assert row == (None, 1000)


def test_create_hypertable_non_empty_table(db: psycopg.Connection) -> None:
    _events(db)
    db.execute("insert into metrics.events values ('2024-08-09 10:00+00', 1, 2.5)")
    error = _error(db, "select create_hypertable('metrics.events', 'time')")
    assert error.sqlstate == "0A000"  # timescaledb's ERRCODE_FEATURE_NOT_SUPPORTED
    assert 'table "events" is not empty' in str(error)
    assert "migrate_data" in (error.diag.message_hint or "")
    assert _one(db, "select (create_hypertable('metrics.events', 'time', migrate_data => true)).created") is True


def test_gridas_call_and_query(db: psycopg.Connection) -> None:
    # the shape gridaco/grida's migrations use: a named chunk interval, then time_bucket in a report
    db.execute("create schema grida_west")
    db.execute("create table grida_west.token_event (time timestamptz not null default now(), name text)")
    db.execute("select create_hypertable('grida_west.token_event', 'time', chunk_time_interval => interval '7 days')")
    db.execute(
        "insert into grida_west.token_event (time, name) values "
        "('2024-08-05 01:00+00', 'a'), ('2024-08-06 01:00+00', 'b'), ('2024-08-12 01:00+00', 'c')"
    )
    rows = db.execute(
        "select time_bucket(%s::interval, time) as bucket, count(*) from grida_west.token_event "
        "group by bucket order by bucket",
        ("1 week",),
    ).fetchall()
    assert rows == [(dt.datetime(2024, 8, 5, tzinfo=UTC), 2), (dt.datetime(2024, 8, 12, tzinfo=UTC), 1)]
