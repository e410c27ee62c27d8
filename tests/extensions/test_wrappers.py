"""The supabase/wrappers stand-in (sql/extensions/wrappers/) on the embedded engine, through the plugin.

Catalog objects as wrappers 0.4.3 creates them; a foreign table of one of its FDWs can be declared as
Supabase's docs show, and every use of it fails with 0A000 before anything runs. Every test works
inside the ``db`` fixture's rolled-back transaction. The stand-in exists only where the server has
``extension_control_path`` (PostgreSQL 18+): on older servers these tests skip.
"""

from __future__ import annotations

import psycopg
import pytest

FDWS = {
    "airtable_fdw": ("AirtableFdw", "0.1.4", "Ankur Goyal"),
    "auth0_fdw": ("Auth0Fdw", "0.1.2", "Joel"),
    "big_query_fdw": ("BigQueryFdw", "0.1.5", "Supabase"),
    "click_house_fdw": ("ClickHouseFdw", "0.1.5", "Supabase"),
    "cognito_fdw": ("CognitoFdw", "0.1.2", "Joel"),
    "firebase_fdw": ("FirebaseFdw", "0.1.3", "Supabase"),
    "hello_world_fdw": ("HelloWorldFdw", "0.1.1", "Supabase"),
    "logflare_fdw": ("LogflareFdw", "0.1.1", "Supabase"),
    "mssql_fdw": ("MssqlFdw", "0.1.2", "Supabase"),
    "redis_fdw": ("RedisFdw", "0.1.0", "Supabase"),
    "s3_fdw": ("S3Fdw", "0.1.4", "Supabase"),
    "stripe_fdw": ("StripeFdw", "0.1.11", "Supabase"),
    "wasm_fdw": ("WasmFdw", "0.1.3", "Supabase"),
}


@pytest.fixture(autouse=True)
def _wrappers(db: psycopg.Connection) -> None:
    available = db.execute("select count(*) from pg_available_extensions where name = 'wrappers'").fetchone()
    if not available or available[0] == 0:
        pytest.skip("the wrappers stand-in needs extension_control_path (PostgreSQL 18+, the embedded engine)")
    db.execute("create schema if not exists extensions")
    db.execute('create extension if not exists "wrappers" with schema "extensions"')  # as a db pull dump has it


def _error(db: psycopg.Connection, query: str) -> psycopg.Error:
    with pytest.raises(psycopg.Error) as caught, db.transaction():
        db.execute(query)
    return caught.value


def test_catalog_as_wrappers_0_4_3(db: psycopg.Connection) -> None:
    row = db.execute(
        "select e.extversion, e.extrelocatable, e.extnamespace::regnamespace::text, a.comment "
        "from pg_extension e join pg_available_extensions a on a.name = e.extname where e.extname = 'wrappers'"
    ).fetchone()
    assert row == ("0.4.3", False, "extensions", "Foreign data wrappers developed by Supabase")
    functions = db.execute(
        "select p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid), p.proisstrict "
        "from pg_proc p join pg_depend d on d.objid = p.oid and d.classid = 'pg_proc'::regclass "
        "join pg_extension e on e.oid = d.refobjid where e.extname = 'wrappers' "
        "and p.pronamespace = 'extensions'::regnamespace"
    ).fetchall()
    expected = set()
    for prefix in FDWS:
        expected.add((f"{prefix}_handler", "", "fdw_handler", True))
        expected.add((f"{prefix}_validator", "options text[], catalog oid", "void", False))
        expected.add((f"{prefix}_meta", "", "TABLE(name text, version text, author text, website text)", True))
    assert set(functions) == expected
    columns = db.execute(
        "select column_name, data_type, is_nullable from information_schema.columns "
        "where table_schema = 'extensions' and table_name = 'wrappers_fdw_stats' order by ordinal_position"
    ).fetchall()
    assert columns == [
        ("fdw_name", "text", "NO"),
        ("create_times", "bigint", "YES"),
        ("rows_in", "bigint", "YES"),
        ("rows_out", "bigint", "YES"),
        ("bytes_in", "bigint", "YES"),
        ("bytes_out", "bigint", "YES"),
        ("metadata", "jsonb", "YES"),
        ("created_at", "timestamp with time zone", "NO"),
        ("updated_at", "timestamp with time zone", "NO"),
    ]


@pytest.mark.parametrize("prefix", sorted(FDWS))
def test_meta_names_each_wrapper(db: psycopg.Connection, prefix: str) -> None:
    struct, version, author = FDWS[prefix]
    row = db.execute(f"select * from extensions.{prefix}_meta()").fetchone()
    assert row is not None
    assert row[:3] == (struct, version, author)
    assert row[3].startswith("https://github.com/supabase/wrappers/tree/main/wrappers/src/fdw/")


def test_foreign_tables_are_declared_and_every_use_raises_0a000(db: psycopg.Connection) -> None:
    notices: list[str] = []
    db.add_notice_handler(lambda diag: notices.append(diag.message_primary or ""))
    # As Supabase's Stripe wrapper docs set it up.
    db.execute(
        "create foreign data wrapper stripe_wrapper "
        "handler extensions.stripe_fdw_handler validator extensions.stripe_fdw_validator"
    )
    db.execute(
        "create server stripe_server foreign data wrapper stripe_wrapper "
        "options (api_key_id '00000000-0000-0000-0000-000000000000', api_url 'https://api.stripe.com/v1')"
    )
    db.execute("create schema stripe")
    db.execute(
        "create foreign table stripe.customers (id text, email text, attrs jsonb) "
        "server stripe_server options (object 'customers', rowid_column 'id')"
    )
    assert any("wrappers stand-in: StripeFdw" in notice and "0A000" in notice for notice in notices)
    assert db.execute(
        "select ftoptions from pg_foreign_table where ftrelid = 'stripe.customers'::regclass"
    ).fetchone() == (["object=customers", "rowid_column=id"],)
    for statement in (
        "select * from stripe.customers",
        "explain select email from stripe.customers",
        "insert into stripe.customers (id) values ('cus_1')",
        "import foreign schema stripe from server stripe_server into stripe",
    ):
        error = _error(db, statement)
        assert (error.sqlstate, error.diag.message_primary) == ("0A000", "cannot accept a value of type fdw_handler")
