"""Extensions khepri-db has no stand-in for: ``migrate`` stops on them with a hint that says why and
where the real extension runs (pgroonga and timescaledb need server code; supabase/wrappers needs a
C-level fdw_handler). Against the session's server, whichever engine it is: neither ships them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_migration

from khepri_db.errors import MigrationError
from khepri_db.migrations import migrate


@pytest.mark.parametrize(
    ("extension", "why"),
    [
        ("pgroonga", "index access method"),
        ("timescaledb", "server library"),
        ("wrappers", "fdw_handler"),
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
