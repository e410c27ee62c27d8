"""Clones of the migrated template keep the template's per-database settings.

``create database ... template`` copies objects but not ``alter database ... set``: without the
copy, a test database loses Supabase's ``search_path`` (``"$user", public, extensions``) that the
compatibility layer sets, and unqualified calls to extension functions fail there only.
"""

from __future__ import annotations

import psycopg
import pytest

from khepri_db.core.db import connect, create_database, drop_database

pytestmark = pytest.mark.pg


def test_a_clone_has_the_templates_search_path(khepri_clone_url: str) -> None:
    with connect(khepri_clone_url) as conn:
        assert conn.execute("show search_path").fetchone() == ('"$user", public, extensions',)
        assert conn.execute("select encode(digest('abc', 'sha256'), 'hex')").fetchone() == (
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        )


def test_the_db_fixture_finds_extension_functions_unqualified(db: psycopg.Connection) -> None:
    assert db.execute("select uuid_generate_v5(uuid_ns_dns(), 'www.example.com')").fetchone()[0].hex == (
        "2ed6657de927568b95e12665a8aea6a2"
    )


def test_plain_and_role_settings_are_copied_as_set(khepri_server_url: str, khepri_database_factory) -> None:
    source = khepri_database_factory()
    name = source.rsplit("/", 1)[-1]
    with connect(khepri_server_url, autocommit=True) as admin:
        admin.execute(f"alter database {name} set statement_timeout = '7s'")
        admin.execute(f"alter role anon in database {name} set statement_timeout = '3s'")
        admin.execute(f"alter database {name} set search_path = 'with space', public")
        create_database(admin, name + "_copy", template=name)
        try:
            rows = admin.execute(
                """
                select coalesce(r.rolname, '-'), s.setconfig
                from pg_db_role_setting as s
                join pg_database as d on d.oid = s.setdatabase
                left join pg_roles as r on r.oid = s.setrole
                where d.datname = %s
                order by 1
                """,
                [name + "_copy"],
            ).fetchall()
        finally:
            drop_database(admin, name + "_copy")
    assert rows == [
        ("-", ["statement_timeout=7s", 'search_path="with space", public']),
        ("anon", ["statement_timeout=3s"]),
    ]
