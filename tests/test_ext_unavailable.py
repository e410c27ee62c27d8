"""Extensions khepri-db has no stand-in for: ``migrate`` stops on them with a hint that says why and
where the real extension runs (pgroonga and timescaledb are server code). Against the session's
server, whichever engine it is: neither ships them. On PostgreSQL 15 (``--khepri-engine system``) a
stand-in's extension is missing too, and the hint says the stand-in needs PostgreSQL 18+.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_migration

from khepri_db.core.db import connect, server_version
from khepri_db.core.errors import MigrationError
from khepri_db.migrations.apply import migrate


@pytest.mark.parametrize(
    ("extension", "why"),
    [
        ("pgroonga", "index access method"),
        ("timescaledb", "server library"),
        ("khepri_no_such_extension", "no stand-in for khepri_no_such_extension"),
    ],
)
def test_missing_extension_stops_with_a_hint(empty_db_url: str, migrations_dir: Path, extension: str, why: str) -> None:
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


def test_a_stand_in_on_an_older_server_says_it_needs_postgresql_18(
    empty_db_url: str, migrations_dir: Path, khepri_server_url: str
) -> None:
    with connect(khepri_server_url) as conn:
        if int(server_version(conn).split(".")[0]) >= 18:
            pytest.skip(
                "on PostgreSQL 18+ the stand-ins load; this checks the hint on an older server (--khepri-engine system)"
            )
    write_migration(migrations_dir, "20260101000000_ext.sql", "create extension if not exists pg_hashids;\n")
    with pytest.raises(MigrationError) as caught:
        migrate(empty_db_url, migrations_dir)
    assert "stand-in for pg_hashids loads only on PostgreSQL 18+" in (caught.value.hint or "")
