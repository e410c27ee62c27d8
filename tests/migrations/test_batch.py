"""A migration file's statements go to the server in one round trip (issue 12: migrate overhead),
and a file fails exactly as when its statements ran one by one: the same statement, line, SQLSTATE
and message, nothing of it kept. Against real Postgres; each case is run both ways."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from khepri_db.core.db import connect
from khepri_db.core.errors import MigrationError
from khepri_db.core.sqltext import postgres_reads_as_one, split_statements
from khepri_db.migrations import execute as migrations
from khepri_db.migrations.apply import migrate
from khepri_db.migrations.files import MigrationFile, statements_fingerprint
from tests.support import scalar, write_migration

pytestmark = pytest.mark.pg

BODY = "$$\nbegin\n  retrun 1;\nend\n$$"
"""A PL/pgSQL body with a syntax error on its third line (``retrun``)."""

# (file text, (line, statement index, SQLSTATE, message start)) of the error migrate reports
FAILURES = {
    "runtime error, no position, third statement": (
        "create table public.a (id int);\ninsert into public.a values (1);\ncreate table public.a (id int);\n"
        "insert into public.a values (2);\n",
        (3, 2, "42P07", 'relation "a" already exists'),
    ),
    "error position inside a later statement": (
        "create table public.b (id int);\n\nselect\n  nope\nfrom public.b;\n",
        (4, 1, "42703", 'column "nope" does not exist'),
    ),
    "an earlier runtime error wins over a later syntax error": (
        "create table public.c (id int);\ncreate table public.c (id int);\nselect from from public.c;\n",
        (2, 1, "42P07", 'relation "c" already exists'),
    ),
    "syntax error in the last statement": (
        "create table public.d (id int);\ninsert into public.d values (1);\n-- a comment\nselect * frm public.d;\n",
        (4, 2, "42601", 'syntax error at or near "frm"'),
    ),
    "error in the first of two identical function bodies": (
        "create table public.e (id int);\n"
        f"create function public.e1() returns int language plpgsql as {BODY};\n"
        f"create function public.e2() returns int language plpgsql as {BODY};\n",
        (4, 1, "42601", 'syntax error at or near "retrun"'),
    ),
    "the server ends the session": (
        "create table public.k (id int);\nselect pg_terminate_backend(pg_backend_pid());\n"
        "create table public.k2 (id int);\n",
        (2, 1, "57P01", "terminating connection due to administrator command"),
    ),
    "runtime error in a DO block": (
        "create table public.f (id int);\ndo $$\nbegin\n  perform 1;\n  raise exception 'boom';\nend $$;\n",
        (5, 1, "P0001", "boom"),
    ),
}


def _failure(url: str, directory: Path) -> MigrationError:
    with pytest.raises(MigrationError) as caught:
        migrate(url, directory, use_compat=False)
    return caught.value


@pytest.mark.parametrize("case", list(FAILURES))
def test_a_failing_file_reports_the_same_error_in_one_round_trip_as_one_by_one(
    case: str,
    khepri_database_factory: Callable[..., str],
    migrations_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text, (line, index, sqlstate, message) = FAILURES[case]
    path = write_migration(migrations_dir, "20260101000000_case.sql", text)
    file = MigrationFile.load(path)
    batched_url, one_by_one_url = khepri_database_factory(), khepri_database_factory()
    with connect(batched_url) as conn:
        assert migrations.batchable(conn, file.plan.run), "the case must take the one-round-trip path"

    batched = _failure(batched_url, migrations_dir)
    with monkeypatch.context() as patch:
        patch.setattr(migrations, "batchable", lambda _conn, _run: False)
        one_by_one = _failure(one_by_one_url, migrations_dir)

    assert (batched.line, batched.statement_index, batched.sql_error.sqlstate) == (line, index, sqlstate)
    assert batched.sql_error.message.startswith(message), batched.sql_error.message
    for error in (batched, one_by_one):
        assert (error.path, error.line, error.statement_index) == (path, line, index)
        assert error.sql_error == batched.sql_error
        assert error.hint == batched.hint
    for url in (batched_url, one_by_one_url):  # the file's transaction was rolled back whole
        with connect(url) as conn:
            assert (
                scalar(conn, "select count(*) from pg_catalog.pg_class where relnamespace = 'public'::regnamespace")
                == 0
            )
            assert scalar(conn, "select count(*) from supabase_migrations.schema_migrations") == 0


def test_a_chunk_postgres_reads_as_several_statements_runs_as_before(empty_db_url: str, migrations_dir: Path) -> None:
    # The Supabase CLI's splitter reads E'\'' as a quote still open, so the rest of the file is one
    # chunk (one recorded statement); PostgreSQL reads three inserts in it. Sent with others in one
    # query string, the results would no longer match the statements: so the file runs one by one.
    text = (
        "create table public.h (x text);\n"
        "insert into public.h values (E'\\''); insert into public.h values ('x'); insert into public.h values ('y');\n"
    )
    path = write_migration(migrations_dir, "20260101000000_escapes.sql", text)
    file = MigrationFile.load(path)
    assert len(file.statements) == 2
    with connect(empty_db_url) as conn:
        assert not migrations.batchable(conn, file.plan.run)

    migrate(empty_db_url, migrations_dir, use_compat=False)

    with connect(empty_db_url) as conn:
        assert [r[0] for r in conn.execute("select x from public.h order by x")] == ["'", "x", "y"]
        recorded = scalar(conn, "select statements from supabase_migrations.schema_migrations")
    assert recorded == [s.text for s in file.statements]


def test_a_file_applied_in_one_round_trip_records_what_the_supabase_cli_records(
    empty_db_url: str, migrations_dir: Path
) -> None:
    text = (
        "-- leading comment\ncreate table public.g (id int primary key, note text);\n"
        "insert into public.g values (1, 'semi;colon'), (2, $q$dollar;$q$); -- trailing comment\n"
        "create function public.g_count() returns bigint language sql as $$ select count(*) from public.g $$;\n"
        "/* block */ comment on table public.g is 'one row per thing';\n"
    )
    path = write_migration(migrations_dir, "20260101000000_ok.sql", text)
    file = MigrationFile.load(path)
    with connect(empty_db_url) as conn:
        assert migrations.batchable(conn, file.plan.run)

    result = migrate(empty_db_url, migrations_dir, use_compat=False)

    assert [a.statements for a in result.applied] == [len(file.statements)]
    with connect(empty_db_url) as conn:
        assert scalar(conn, "select public.g_count()") == 2
        assert scalar(conn, "select note from public.g where id = 2") == "dollar;"
        assert scalar(conn, "select obj_description('public.g'::regclass)") == "one row per thing"
        row = conn.execute(
            "select m.statements, f.sha256, f.statements_sha256, f.duration_ms > 0 from "
            "supabase_migrations.schema_migrations m join supabase_migrations.khepri_migration_facts f using (version)"
        ).fetchone()
    statements = [s.text for s in file.statements]
    assert row == (statements, file.sha256, statements_fingerprint(statements), True)


# Texts PostgreSQL's lexer reads as exactly one statement that closes everything it opens, or not.
ONE_STATEMENT = [
    "select 1",
    'select \'a;b\', "c;""d" from (select 1 as "c;""d") as t',
    "select E'it\\'s; fine'",
    "select /* a /* nested; */ still; */ 1",
    "select /*/ a slash star slash opens; */ 1",
    "select $$ ; $$, $a$ $b$ ; $a$",
    "select 1 -- a comment; to the end",
    "select 1 -- ends at a newline\n",
    "select U&'d\\0061t;'",
]
NOT_ONE_STATEMENT = [
    "select 1; select 2",
    "select 'it\\'s; two'",  # a backslash escapes nothing in a standard string: the quote closes
    "select 1 -- a carriage return ends the comment\rselect 2; select 3",
    "select 'open",
    "select /* open",
    "select $x$ open",
]


def _results(conn: psycopg.Connection, text: str) -> int:
    with conn.transaction(force_rollback=True), conn.cursor() as cur:
        cur.execute(text)
        count = 1
        while cur.nextset():
            count += 1
    return count


@pytest.mark.parametrize("text", ONE_STATEMENT)
def test_what_reads_as_one_statement_postgres_runs_as_one(empty_db_url: str, text: str) -> None:
    assert postgres_reads_as_one(text)
    with connect(empty_db_url, autocommit=True) as conn:
        assert _results(conn, text) == 1
        assert _results(conn, f"select\n;\n{text}\n;\nselect") == 3  # and closes what it opens


@pytest.mark.parametrize("text", NOT_ONE_STATEMENT)
def test_what_does_not_read_as_one_statement_is_not_one_to_postgres(empty_db_url: str, text: str) -> None:
    assert not postgres_reads_as_one(text)
    with connect(empty_db_url, autocommit=True) as conn:
        try:
            count = _results(conn, f"select\n;\n{text}\n;\nselect")
        except psycopg.errors.SyntaxError:
            return  # left open: PostgreSQL refuses the whole query string
        assert count != 3


def test_begin_atomic_bodies_and_identifiers_with_dollars_are_left_to_one_by_one() -> None:
    assert not postgres_reads_as_one("create function f() returns int begin atomic select 1; end")
    assert not postgres_reads_as_one("select 1 as a$b$")
    statements = split_statements("select 1;\nselect 2;\n")
    assert all(postgres_reads_as_one(s.text) for s in statements)
