"""Databases for tests that bring a schema of their own: one migrated template per test module, and a
clone of it per test (the access tests of fresh keys, preconditions, owner's-data calls, undecided cells);
the CHECK constraints of a schema as the server prints them (the CHECK reader's and gen types' tests)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from khepri_db.core.db import connect
from khepri_db.migrations.apply import migrate
from khepri_db.testing.plugin import DatabaseFactory, database_name
from tests.support import write_migration


def migrated_template(factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory, name: str, sql: str) -> str:
    """A new database with ``sql`` applied as one migration (``20260101000000_<name>.sql``, run by
    khepri-db's migrate); returns its URL. Made once per module by a ``scope="module"`` fixture."""
    url = factory()
    migrations = tmp_path_factory.mktemp(name) / "supabase" / "migrations"
    migrations.mkdir(parents=True)
    write_migration(migrations, f"20260101000000_{name}.sql", sql)
    migrate(url, migrations)
    return url


def clone_of(template: str, factory: DatabaseFactory) -> Iterator[str]:
    """A clone of the database at URL ``template`` for one test (yields its URL), dropped after it."""
    url = factory(template=database_name(template))
    yield url
    factory.drop(url)


def printed_checks(factory: DatabaseFactory, sql: str) -> dict[str, str]:
    """Constraint name -> ``pg_get_constraintdef`` of every CHECK constraint in a new database where ``sql``
    ran: the text the CHECK reader gets from a real server, never written by hand."""
    with connect(factory(), autocommit=True) as conn:
        conn.execute(sql)
        rows = conn.execute("select conname::text, pg_get_constraintdef(oid) from pg_constraint where contype = 'c'")
        return dict(rows.fetchall())
