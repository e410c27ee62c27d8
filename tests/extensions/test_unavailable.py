"""Extensions khepri-db has no stand-in for: ``migrate`` stops on them with a hint that says why and
where the real extension runs (PostGIS is server code). Against the session's
server, whichever engine it is: neither ships them. A server khepri-db did not start lacks the
stand-ins too, and the hint says where they load.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from khepri_db.core.errors import MigrationError, SqlErrorInfo
from khepri_db.migrations._hints import _extension_hint
from khepri_db.migrations.apply import migrate
from tests.support import write_migration

pytestmark = pytest.mark.pg


@pytest.mark.parametrize(
    ("extension", "why"),
    [
        ("postgis", "no stand-in for it"),
        ("khepri_no_such_extension", "no stand-in for khepri_no_such_extension"),
    ],
)
def test_missing_extension_stops_with_a_hint(empty_db_url: str, migrations_dir: Path, extension: str, why: str) -> None:
    with psycopg.connect(empty_db_url) as conn:
        offered = conn.execute("select count(*) from pg_available_extensions where name = %s", (extension,)).fetchone()
    if offered != (0,):
        pytest.skip(f"this server ships {extension}: there is nothing to hint at")
    write_migration(
        migrations_dir,
        "20260101000000_ext.sql",
        f"create table public.dishes (id int);\ncreate extension if not exists {extension} with schema public;\n",
    )
    with pytest.raises(MigrationError) as caught:
        migrate(empty_db_url, migrations_dir)
    assert caught.value.sql_error.sqlstate in ("0A000", "58P01")  # PostgreSQL 18 / 15
    assert caught.value.line == 2
    hint = caught.value.hint or ""
    assert why in hint
    assert "--db-url" in hint
    assert "--khepri-engine docker" in hint


def test_a_stand_in_missing_from_the_server_says_where_it_loads() -> None:
    # Every server khepri-db starts (embedded, or system through its private install tree) has the
    # stand-ins, so this path is for a server given by --db-url: the hint is built from Postgres'
    # own message for an unavailable extension (the same text as the real-server cases above).
    info = SqlErrorInfo("0A000", 'extension "pg_hashids" is not available')
    hint = _extension_hint(info) or ""
    assert "stand-in for pg_hashids is only on servers khepri-db starts" in hint
    assert "--db-url" in hint
    timescaledb = _extension_hint(SqlErrorInfo("0A000", 'extension "timescaledb" is not available')) or ""
    assert "stand-in for timescaledb is only on servers khepri-db starts" in timescaledb
    assert _extension_hint(SqlErrorInfo("42P01", 'relation "x" does not exist')) is None


def test_a_standin_with_c_code_says_what_its_build_needs() -> None:
    hint = _extension_hint(SqlErrorInfo("0A000", 'extension "pgroonga" is not available')) or ""
    assert "stand-in for pgroonga has C code" in hint
    assert "C compiler" in hint
    assert "postgresql-server-dev" in hint
    assert "--db-url" in hint


def test_a_standin_whose_c_code_is_optional_gets_the_usual_hint() -> None:
    hint = _extension_hint(SqlErrorInfo("0A000", 'extension "pgcrypto" is not available')) or ""
    assert "stand-in for pgcrypto is only on servers khepri-db starts" in hint
    vector = _extension_hint(SqlErrorInfo("0A000", 'extension "vector" is not available')) or ""
    assert "stand-in for vector has C code" in vector
