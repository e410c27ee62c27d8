"""The runner's apply semantics where they follow the Supabase CLI (`supabase db push`), against
real Postgres. The differential twins of these cases, against the real CLI, are in
tests/migrations/test_cli_parity.py; these run without npm."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from khepri_db.core.db import connect
from khepri_db.core.errors import LockTimeoutError, MigrationError
from khepri_db.migrations.apply import migrate
from khepri_db.migrations.execute import LOCK_KEY
from khepri_db.migrations.result import MigrateResult
from khepri_db.migrations.status import MigrationState, migration_status
from tests.support import Cli, database_state, scalar, write_migration

pytestmark = pytest.mark.pg


def history(url: str) -> list[tuple[str, str, list[str]]]:
    with connect(url) as conn:
        return conn.execute(
            "select version, name, statements from supabase_migrations.schema_migrations order by 1"
        ).fetchall()


def invalid_indexes(url: str) -> list[tuple[str]]:
    with connect(url) as conn:
        return conn.execute("select indexrelid::regclass::text from pg_index where not indisvalid").fetchall()


# -- session state ----------------------------------------------------------------------------


def test_session_settings_of_one_file_do_not_reach_the_next(empty_db_url: str, migrations_dir: Path) -> None:
    write_migration(
        migrations_dir,
        "20260101000000_path.sql",
        # session settings that would break the next file if they reached it (no timing involved: a
        # `statement_timeout` here would also cut this file's own history row on a loaded machine)
        "create schema other;\nselect set_config('search_path', 'other', false);\n"
        "set default_transaction_read_only = on;\n",
    )
    write_migration(migrations_dir, "20260101000001_table.sql", "create table t (id int);\n")

    migrate(empty_db_url, migrations_dir, use_compat=False)

    with connect(empty_db_url) as conn:
        assert scalar(conn, "select to_regclass('public.t')::text") == "t"
        assert scalar(conn, "select to_regclass('other.t')") is None


@pytest.mark.parametrize(
    "ending",
    ["set role supabase_admin;", "set session authorization supabase_admin;"],
)
def test_a_role_one_file_switches_to_does_not_own_the_next_files_objects(
    empty_db_url: str, migrations_dir: Path, ending: str
) -> None:
    # RESET ALL keeps the role and the session authorization: they are reset before each file too.
    # (The file's own history row is written in its transaction, so the role must be able to write it:
    # supabase_admin can, as with `supabase db push`.)
    write_migration(migrations_dir, "20260101000000_switch.sql", f"create table public.first (id int);\n{ending}\n")
    write_migration(migrations_dir, "20260101000001_next.sql", "create table public.second (id int);\n")

    migrate(empty_db_url, migrations_dir)

    with connect(empty_db_url) as conn:
        owners = dict(conn.execute(
            "select relname, relowner::regrole::text from pg_class where relname in ('first', 'second')"
        ).fetchall())  # fmt: skip
    assert owners == {"first": "postgres", "second": "postgres"}


def test_a_role_a_begin_commit_block_sets_for_its_transaction_ends_with_the_block(
    empty_db_url: str, migrations_dir: Path
) -> None:
    # supabase/dbdev: `begin; select app.simulate_login(...); ...; end;` then statements as postgres.
    # `supabase db push` commits at `end`, which ends the block's transaction-local role; khepri-db
    # keeps the file in one transaction, and puts the role back where the block began.
    write_migration(
        migrations_dir,
        "20260101000000_block.sql",
        "create table public.audit (id int, who text default current_user);\n"
        "begin;\nselect set_config('role', 'service_role', true);\n"
        "insert into public.audit (id) values (1);\nend;\n"
        "insert into public.audit (id) values (2);\n"
        "create table public.after_block (id int);\n",
    )

    migrate(empty_db_url, migrations_dir)

    with connect(empty_db_url) as conn:
        assert conn.execute("select id, who from public.audit order by id").fetchall() == [
            (1, "service_role"),
            (2, "postgres"),
        ]
        assert scalar(conn, "select relowner::regrole::text from pg_class where relname = 'after_block'") == (
            "postgres"
        )


# -- statements that cannot run in a transaction --------------------------------------------


def test_one_statement_that_needs_no_transaction_runs_outside_one_without_a_marker(
    empty_db_url: str, migrations_dir: Path
) -> None:
    files = {
        "20260101000000_table.sql": "create table public.big (id int, x int);\n",
        "20260101000001_index.sql": "-- an index\ncreate index concurrently big_x on public.big (x);\n-- done\n",
        "20260101000002_reindex.sql": "reindex index concurrently public.big_x;\n",
        "20260101000003_vacuum.sql": "vacuum (analyze) public.big;\n",
        "20260101000004_drop.sql": "drop index concurrently public.big_x;\n",
        "20260101000005_unique.sql": "create unique index concurrently big_id on public.big (id);\n",
    }
    for name, sql in files.items():
        write_migration(migrations_dir, name, sql)

    result = migrate(empty_db_url, migrations_dir, use_compat=False)

    assert len(result.applied) == len(files)
    with connect(empty_db_url) as conn:
        assert scalar(conn, "select to_regclass('public.big_x')") is None
        assert scalar(conn, "select indisvalid from pg_index where indexrelid = 'public.big_id'::regclass") is True
    assert history(empty_db_url)[1][2] == ["-- an index\ncreate index concurrently big_x on public.big (x)", "-- done"]


@pytest.mark.parametrize(
    ("sql", "kind", "line"),
    [
        (
            "create table public.big (id int);\n\n-- then\ncreate index concurrently i on public.big (id);\n",
            "create index",
            4,
        ),
        ("vacuum;\ncreate table public.big (id int);\n", "vacuum", 1),
        ("create table public.big (id int);\nalter system set work_mem = '5MB';\n", "alter system", 2),
    ],
)
def test_such_a_statement_next_to_others_is_refused_before_anything_runs(
    empty_db_url: str, migrations_dir: Path, sql: str, kind: str, line: int
) -> None:
    path = write_migration(migrations_dir, "20260101000000_mixed.sql", sql)
    before = database_state(empty_db_url)

    with pytest.raises(MigrationError) as caught:
        migrate(empty_db_url, migrations_dir, use_compat=False)

    assert caught.value.path == path
    assert caught.value.line == line
    assert f"{path}:{line}" in caught.value.message
    assert kind in caught.value.message
    assert "file of its own" in (caught.value.hint or "")
    assert database_state(empty_db_url) == before


@pytest.mark.parametrize("marker", ["", "-- khepri:no-transaction\n"])
def test_a_failed_concurrent_index_build_leaves_no_invalid_index(
    empty_db_url: str, migrations_dir: Path, marker: str
) -> None:
    write_migration(
        migrations_dir,
        "20260101000000_rows.sql",
        "create table public.dup (id int);\ninsert into public.dup values (1), (1);\n",
    )
    index = write_migration(
        migrations_dir,
        "20260101000001_unique.sql",
        f"{marker}create unique index concurrently dup_id on public.dup (id);\n",
    )

    with pytest.raises(MigrationError) as caught:
        migrate(empty_db_url, migrations_dir, use_compat=False)

    assert caught.value.sql_error.sqlstate == "23505"
    assert caught.value.path == index
    assert invalid_indexes(empty_db_url) == []
    with connect(empty_db_url, autocommit=True) as conn:
        conn.execute("delete from public.dup")
    assert [a.version for a in migrate(empty_db_url, migrations_dir, use_compat=False).applied] == ["20260101000001"]


# -- transaction control in a file --------------------------------------------------------------


def test_an_outer_begin_commit_is_the_files_one_transaction_with_its_history_row(
    empty_db_url: str, migrations_dir: Path
) -> None:
    write_migration(
        migrations_dir,
        "20260101000000_wrapped.sql",
        "-- wrapped\nBEGIN;\ncreate table public.a (id int);\ninsert into public.a values (1);\nCOMMIT;\n",
    )
    migrate(empty_db_url, migrations_dir, use_compat=False)
    assert history(empty_db_url) == [
        (
            "20260101000000",
            "wrapped",
            ["-- wrapped\nBEGIN", "create table public.a (id int)", "insert into public.a values (1)", "COMMIT"],
        )
    ]

    write_migration(
        migrations_dir,
        "20260101000001_fails.sql",
        "begin;\ncreate table public.b (id int);\nselect 1 / 0;\ncommit;\n",
    )
    before = database_state(empty_db_url)
    with pytest.raises(MigrationError) as caught:
        migrate(empty_db_url, migrations_dir, use_compat=False)
    assert caught.value.line == 3
    assert database_state(empty_db_url) == before


def test_an_outer_commit_does_not_separate_a_file_from_its_history_row(empty_db_url: str, migrations_dir: Path) -> None:
    write_migration(migrations_dir, "20260101000000_first.sql", "create table public.a (id int);\n")
    migrate(empty_db_url, migrations_dir, use_compat=False)
    with connect(empty_db_url, autocommit=True) as conn:
        # the history row of the next file cannot be written: as if the run died right after the file
        conn.execute(
            "create function public.refuse_history() returns trigger language plpgsql as "
            "$$ begin raise exception 'history unavailable'; end $$"
        )
        conn.execute(
            "create trigger refuse before insert on supabase_migrations.schema_migrations "
            "for each row execute function public.refuse_history()"
        )
    write_migration(migrations_dir, "20260101000001_wrapped.sql", "begin;\ncreate table public.b (id int);\ncommit;\n")

    with pytest.raises(MigrationError, match="history unavailable"):
        migrate(empty_db_url, migrations_dir, use_compat=False)

    with connect(empty_db_url) as conn:
        assert scalar(conn, "select to_regclass('public.b')") is None, "the file was applied without its history row"


@pytest.mark.parametrize(
    "sql",
    [
        # a balanced block in the middle, with statements around it (a publication rebuilt)
        "create table public.a (id int);\nbegin;\ndrop publication if exists pub;\n"
        "create publication pub for table public.a;\ncommit;\ncreate table public.b (id int);\n",
        # a balanced block holding a query only
        "create table public.a (id int);\nBEGIN;\nselect count(*) from public.a;\nCOMMIT;\n"
        "create table public.b (id int);\n",
        # two blocks, with `start transaction` / `end`
        "begin;\ncreate table public.a (id int);\ncommit;\nstart transaction;\ncreate table public.b (id int);\nend;\n",
    ],
)
def test_balanced_blocks_inside_a_file_run_in_the_files_one_transaction(
    empty_db_url: str, migrations_dir: Path, sql: str
) -> None:
    write_migration(migrations_dir, "20260101000000_blocks.sql", sql)
    messages: list[str] = []

    result = migrate(empty_db_url, migrations_dir, use_compat=False, progress=messages.append)

    [(version, name, statements)] = history(empty_db_url)
    assert (version, name) == ("20260101000000", "blocks")
    assert statements == [s.strip() for s in sql.split(";") if s.strip()], "begin/commit are recorded"
    assert commit_warnings(result) == []
    assert any(m.startswith("✓ 20260101000000_blocks.sql (") for m in messages)
    with connect(empty_db_url) as conn:
        assert scalar(conn, "select to_regclass('public.b')::text") == "b"
    # one transaction: a failure after the block leaves nothing of the file, not even the block
    write_migration(migrations_dir, "20260101000001_fails.sql", sql.replace("public.", "public.x") + "select 1 / 0;\n")
    before = database_state(empty_db_url)
    with pytest.raises(MigrationError) as caught:
        migrate(empty_db_url, migrations_dir, use_compat=False)
    assert caught.value.committed_lines is None
    assert database_state(empty_db_url) == before


def commit_warnings(result: MigrateResult) -> list[str]:
    """The warnings about files that commit on their own (``--no-compat`` adds one of its own)."""
    return [w for w in result.warnings if "commits at" in w]


def enum_project(migrations_dir: Path, second: str) -> Path:
    """An enum type and a table using it (first file), and ``second`` as the next file."""
    write_migration(
        migrations_dir,
        "20260101000000_perm.sql",
        "create type public.perm as enum ('a');\ncreate table public.grants (id int, p public.perm);\n",
    )
    return write_migration(migrations_dir, "20260101000001_add.sql", second)


MAKERKIT = (
    "-- a new permission, committed so that the statements below may use it\n"
    "alter type public.perm add value 'b';\n"
    "commit;\n"
    "insert into public.grants values (1, 'b');\n"
    "create function public.is_b(x public.perm) returns bool language sql as $$ select x = 'b' $$;\n"
)


def test_a_commit_after_alter_type_add_value_splits_the_file_as_db_push_does(
    empty_db_url: str, migrations_dir: Path
) -> None:
    path = enum_project(migrations_dir, MAKERKIT)
    messages: list[str] = []
    dry = migrate(empty_db_url, migrations_dir, use_compat=False, dry_run=True)

    result = migrate(empty_db_url, migrations_dir, use_compat=False, progress=messages.append)

    assert [a.version for a in result.applied] == ["20260101000000", "20260101000001"]
    warning = (
        f"{path}: commits at line 3, as `supabase db push` does: the statements before it stay applied "
        "if a later one fails"
    )
    assert commit_warnings(result) == commit_warnings(dry) == [warning]
    assert any(
        m.startswith("✓ 20260101000001_add.sql (") and m.endswith(", in 2 transactions: it commits at line 3)")
        for m in messages
    )
    rows = history(empty_db_url)
    assert [r[0] for r in rows] == ["20260101000000", "20260101000001"]
    assert rows[1][2][1] == "commit"
    with connect(empty_db_url) as conn:
        assert conn.execute("select p::text from public.grants").fetchall() == [("b",)]
        assert scalar(conn, "select public.is_b('b')") is True


def test_without_the_commit_postgresql_refuses_the_new_value_and_nothing_remains(
    empty_db_url: str, migrations_dir: Path
) -> None:
    """What the `commit` is for: without it the file's one transaction cannot use the new value."""
    enum_project(migrations_dir, MAKERKIT.replace("commit;\n", ""))
    with pytest.raises(MigrationError) as caught:
        migrate(empty_db_url, migrations_dir, use_compat=False)
    assert caught.value.sql_error.sqlstate == "55P04"
    assert "`commit;` right after the `alter type ... add value`" in (caught.value.hint or "")
    with connect(empty_db_url) as conn:
        assert scalar(conn, "select count(*) from pg_enum where enumtypid = 'public.perm'::regtype") == 1


def test_a_begin_commit_block_adding_an_enum_value_commits_before_the_value_is_used(
    empty_db_url: str, migrations_dir: Path
) -> None:
    path = enum_project(
        migrations_dir,
        "select 1;\nbegin;\nalter type public.perm add value 'b';\ncommit;\n"
        "insert into public.grants values (1, 'b');\n",
    )
    result = migrate(empty_db_url, migrations_dir, use_compat=False)
    assert commit_warnings(result) == [
        f"{path}: commits at line 4, as `supabase db push` does: the statements before it stay applied "
        "if a later one fails"
    ]
    assert len(history(empty_db_url)) == 2


def test_a_later_segment_that_fails_leaves_the_committed_lines_applied_and_names_them(
    empty_db_url: str, migrations_dir: Path
) -> None:
    path = enum_project(migrations_dir, MAKERKIT + "-- and then\nselect 1 / 0;\n")
    with pytest.raises(MigrationError) as caught:
        migrate(empty_db_url, migrations_dir, use_compat=False)

    error = caught.value
    assert (error.path, error.line, error.sql_error.sqlstate) == (path, 7, "22012")
    assert error.committed_lines == (1, 3)
    assert "lines 1-3 of the file were already committed (by its `commit` at line 3) and stay applied" in error.message
    assert "not recorded as applied" in error.message
    assert "add value if not exists" in (error.hint or "")
    assert error.to_dict()["committed_lines"] == [1, 3]
    assert [r[0] for r in history(empty_db_url)] == ["20260101000000"], "the file must not be recorded"
    with connect(empty_db_url) as conn:
        labels = [r[0] for r in conn.execute("select enumlabel from pg_enum where enumtypid = 'public.perm'::regtype")]
        assert labels == ["a", "b"], "the first segment was committed"
        assert conn.execute("select * from public.grants").fetchall() == [], "the failing segment was rolled back"
        assert scalar(conn, "select to_regprocedure('public.is_b(public.perm)')") is None


def test_status_says_which_lines_a_failed_split_file_left_applied(
    cli: Cli, empty_db_url: str, migrations_dir: Path
) -> None:
    path = enum_project(migrations_dir, MAKERKIT + "-- and then\nselect 1 / 0;\n")
    failed = cli("migrate", "--db-url", empty_db_url, "--no-compat", "--migrations-dir", str(migrations_dir))
    assert failed.exit_code == 1

    status = migration_status_of(cli, empty_db_url, migrations_dir)
    entry = next(m for m in status["migrations"] if m["version"] == "20260101000001")
    assert entry["state"] == "pending"
    assert entry["committed_lines"] == [1, 3]
    assert entry["detail"].startswith("lines 1-3 stay applied: its own commit kept them when a run failed after it")
    assert "the file changed since" not in entry["detail"]
    text = cli("status", "--db-url", empty_db_url, "--migrations-dir", str(migrations_dir))
    assert "lines 1-3 stay applied" in " ".join(text.output.replace("│", " ").split())

    # Fixed (the committed statement made idempotent, the error removed): applied, and the note is gone.
    path.write_text(MAKERKIT.replace("add value 'b'", "add value if not exists 'b'"))
    status = migration_status_of(cli, empty_db_url, migrations_dir)
    entry = next(m for m in status["migrations"] if m["version"] == "20260101000001")
    assert "the file changed since" in entry["detail"]
    applied = cli("migrate", "--db-url", empty_db_url, "--no-compat", "--migrations-dir", str(migrations_dir))
    assert applied.exit_code == 0, applied.output
    status = migration_status_of(cli, empty_db_url, migrations_dir)
    assert all(m["committed_lines"] is None and m["state"] == "applied" for m in status["migrations"])
    with connect(empty_db_url) as conn:
        assert scalar(conn, "select count(*) from supabase_migrations.khepri_partial_migrations") == 0


@pytest.mark.parametrize("repair", ["applied", "reverted"])
def test_repairing_a_version_clears_its_note_of_committed_lines(
    cli: Cli, empty_db_url: str, migrations_dir: Path, repair: str
) -> None:
    enum_project(migrations_dir, MAKERKIT + "select 1 / 0;\n")
    args = ("--db-url", empty_db_url, "--migrations-dir", str(migrations_dir))
    assert cli("migrate", "--no-compat", *args).exit_code == 1
    with connect(empty_db_url) as conn:
        assert scalar(conn, "select count(*) from supabase_migrations.khepri_partial_migrations") == 1
    assert cli("migration", "repair", "--status", repair, "20260101000001", *args).exit_code == 0
    with connect(empty_db_url) as conn:
        assert scalar(conn, "select count(*) from supabase_migrations.khepri_partial_migrations") == 0


def migration_status_of(cli: Cli, url: str, migrations_dir: Path) -> dict[str, Any]:
    """``khepri-db status --format json`` of ``url``."""
    result = cli("status", "--db-url", url, "--migrations-dir", str(migrations_dir), "--format", "json")
    return dict(json.loads(result.stdout))


def test_a_failure_in_the_first_segment_leaves_nothing(empty_db_url: str, migrations_dir: Path) -> None:
    enum_project(migrations_dir, "alter type public.perm add value 'b';\nselect 1 / 0;\ncommit;\nselect 1;\n")
    with pytest.raises(MigrationError) as caught:
        migrate(empty_db_url, migrations_dir, use_compat=False)
    assert (caught.value.line, caught.value.committed_lines) == (2, None)
    assert "committed" not in caught.value.message
    with connect(empty_db_url) as conn:
        assert scalar(conn, "select count(*) from pg_enum where enumtypid = 'public.perm'::regtype") == 1


def test_the_history_row_of_a_split_file_is_written_in_its_last_transaction(
    empty_db_url: str, migrations_dir: Path
) -> None:
    enum_project(migrations_dir, MAKERKIT)
    (migrations_dir / "20260101000001_add.sql").rename(migrations_dir.parent / "held.sql")
    migrate(empty_db_url, migrations_dir, use_compat=False)
    with connect(empty_db_url, autocommit=True) as conn:
        conn.execute(
            "create function public.refuse_history() returns trigger language plpgsql as "
            "$$ begin raise exception 'history unavailable'; end $$"
        )
        conn.execute(
            "create trigger refuse before insert on supabase_migrations.schema_migrations "
            "for each row execute function public.refuse_history()"
        )
    (migrations_dir.parent / "held.sql").rename(migrations_dir / "20260101000001_add.sql")

    with pytest.raises(MigrationError, match="history unavailable") as caught:
        migrate(empty_db_url, migrations_dir, use_compat=False)

    assert caught.value.committed_lines == (1, 3)
    with connect(empty_db_url) as conn:
        assert conn.execute("select * from public.grants").fetchall() == [], "the last segment went without its row"


def test_a_begin_inside_an_open_block_does_nothing_as_in_postgresql(empty_db_url: str, migrations_dir: Path) -> None:
    """SuuperSaees' shape: `begin; ... begin; ... commit;`, the first `commit` ends the block."""
    path = write_migration(
        migrations_dir,
        "20260101000000_nested.sql",
        "begin;\ncreate table public.a (id int);\nbegin;\ninsert into public.a values (1);\ncommit;\n"
        "insert into public.a values (2);\ncommit;\ncreate table public.b (id int);\n",
    )
    result = migrate(empty_db_url, migrations_dir, use_compat=False)

    assert [w for w in result.warnings if "does nothing" in w] == [
        f"{path}:3: a `begin` inside the transaction opened at line 1 does nothing (PostgreSQL ignores it, "
        "under `supabase db push` too): the next `commit` ends that transaction"
    ]
    # the second `commit` closes no `begin`: it splits the file
    assert commit_warnings(result) == [
        f"{path}: commits at line 7, as `supabase db push` does: the statements before it stay applied "
        "if a later one fails"
    ]
    assert len(history(empty_db_url)) == 1
    with connect(empty_db_url) as conn:
        assert conn.execute("select id from public.a order by 1").fetchall() == [(1,), (2,)]
        assert scalar(conn, "select to_regclass('public.b')::text") == "b"


def test_a_seed_file_that_commits_on_its_own_runs_in_its_segments(empty_db_url: str, migrations_dir: Path) -> None:
    enum_project(migrations_dir, "select 1;\n")
    seed = migrations_dir.parent / "seed.sql"
    seed.write_text("alter type public.perm add value 'b';\ncommit;\ninsert into public.grants values (1, 'b');\n")

    result = migrate(empty_db_url, migrations_dir, use_compat=False, seed_files=[seed], seed_key=lambda _p: "seed.sql")

    assert commit_warnings(result) == [
        f"{seed}: commits at line 2, as `supabase db push` does: the statements before it stay applied "
        "if a later one fails"
    ]
    with connect(empty_db_url) as conn:
        assert conn.execute("select p::text from public.grants").fetchall() == [("b",)]
        assert scalar(conn, "select path from supabase_migrations.seed_files") == "seed.sql"


@pytest.mark.parametrize(
    ("sql", "line", "word"),
    [
        ("create table public.a (id int);\nrollback;\ncreate table public.b (id int);\n", 2, "rollback"),
        ("begin;\ncreate table public.a (id int);\nrollback;\n", 3, "rollback"),
        ("create table public.a (id int);\ncommit;\nabort;\n", 3, "abort"),
        ("begin;\ncreate table public.a (id int);\n", 1, "begin"),
        ("create table public.a (id int);\ncommit;\nstart transaction;\nselect 1;\n", 3, "start transaction"),
        ("begin;\ncreate table public.a (id int);\ncommit and chain;\nselect 1;\ncommit;\n", 3, "commit and chain"),
        ("create table public.a (id int);\nprepare transaction 'x';\n", 2, "prepare transaction"),
    ],
)
def test_transaction_control_that_would_record_wrong_work_is_refused_before_anything_runs(
    empty_db_url: str, migrations_dir: Path, sql: str, line: int, word: str
) -> None:
    write_migration(migrations_dir, "20260101000000_ok.sql", "create table public.ok (id int);\n")
    path = write_migration(migrations_dir, "20260101000001_tx.sql", sql)
    before = database_state(empty_db_url)

    with pytest.raises(MigrationError) as caught:
        migrate(empty_db_url, migrations_dir, use_compat=False)

    assert caught.value.line == line
    assert caught.value.message.startswith(f"{path}:{line}: `{word}` inside a migration file")
    assert database_state(empty_db_url) == before, "nothing of the run was applied, not even the file before it"


def test_savepoints_are_fine_inside_a_file(empty_db_url: str, migrations_dir: Path) -> None:
    write_migration(
        migrations_dir,
        "20260101000000_savepoint.sql",
        "create table public.a (id int);\nsavepoint s;\ninsert into public.a values (1);\n"
        "rollback to savepoint s;\ninsert into public.a values (2);\nrelease savepoint s;\n",
    )
    migrate(empty_db_url, migrations_dir, use_compat=False)
    with connect(empty_db_url) as conn:
        assert conn.execute("select id from public.a").fetchall() == [(2,)]


# -- error lines -------------------------------------------------------------------------------


def test_the_error_line_is_the_failing_token_or_the_first_line_that_is_not_a_comment(
    empty_db_url: str, migrations_dir: Path
) -> None:
    path = write_migration(
        migrations_dir, "20260101000000_runtime.sql", "select 1;\n-- why\n/* and\n   how */\nselect 1 / 0;\n"
    )
    with pytest.raises(MigrationError) as caught:
        migrate(empty_db_url, migrations_dir, use_compat=False)
    assert caught.value.line == 5

    path.write_text("select 1; -- fine\n-- the next one names a missing column\nselect\n  1,\n  nope\nfrom pg_class;\n")
    with pytest.raises(MigrationError) as caught:
        migrate(empty_db_url, migrations_dir, use_compat=False)
    assert caught.value.line == 5
    assert caught.value.sql_error.sqlstate == "42703"


# -- bytes as the CLI reads them ----------------------------------------------------------------


def test_crlf_and_a_byte_order_mark_are_read_as_the_supabase_cli_reads_them(
    empty_db_url: str, migrations_dir: Path
) -> None:
    data = b"\xef\xbb\xbf-- made on Windows\r\ncreate table public.a (\r\n  id int\r\n);\r\n"
    (migrations_dir / "20260101000000_windows.sql").write_bytes(data)

    migrate(empty_db_url, migrations_dir, use_compat=False)

    assert history(empty_db_url)[0][2] == ["-- made on Windows\r\ncreate table public.a (\r\n  id int\r\n)"]
    with connect(empty_db_url) as conn:
        assert (
            scalar(conn, "select sha256 from supabase_migrations.khepri_migration_facts")
            == hashlib.sha256(data).hexdigest()
        )
        [entry] = migration_status(conn, migrations_dir).entries
    assert entry.state is MigrationState.APPLIED


def test_a_crlf_seed_is_hashed_as_bytes(empty_db_url: str, migrations_dir: Path) -> None:
    write_migration(migrations_dir, "20260101000000_t.sql", "create table public.t (id int);\n")
    seed = migrations_dir.parent / "seed.sql"
    seed.write_bytes(b"insert into public.t values (1);\r\n")
    migrate(empty_db_url, migrations_dir, use_compat=False, seed_files=[seed], seed_key=lambda _p: "supabase/seed.sql")
    with connect(empty_db_url) as conn:
        assert conn.execute("select path, hash from supabase_migrations.seed_files").fetchall() == [
            ("supabase/seed.sql", hashlib.sha256(seed.read_bytes()).hexdigest())
        ]


# -- which files --------------------------------------------------------------------------------


def test_the_legacy_init_file_is_skipped_as_the_cli_skips_it(empty_db_url: str, migrations_dir: Path) -> None:
    write_migration(migrations_dir, "20211208000000_init.sql", "create table public.legacy (id int);\n")
    write_migration(migrations_dir, "20220101000000_a.sql", "create table public.a (id int);\n")
    messages: list[str] = []

    result = migrate(empty_db_url, migrations_dir, use_compat=False, progress=messages.append)

    assert [a.version for a in result.applied] == ["20220101000000"]
    assert any(m.startswith("ignoring 20211208000000_init.sql: the Supabase CLI's deprecated init") for m in messages)
    with connect(empty_db_url) as conn:
        assert scalar(conn, "select to_regclass('public.legacy')") is None


def test_an_init_file_that_is_not_the_first_entry_is_applied_as_the_cli_applies_it(
    empty_db_url: str, migrations_dir: Path
) -> None:
    (migrations_dir / ".gitkeep").write_text("")
    write_migration(migrations_dir, "20211208000000_init.sql", "create table public.legacy (id int);\n")
    result = migrate(empty_db_url, migrations_dir, use_compat=False)
    assert [a.version for a in result.applied] == ["20211208000000"]


# -- drift ----------------------------------------------------------------------------------------


def test_a_history_row_rewritten_by_repair_makes_our_facts_give_way(empty_db_url: str, migrations_dir: Path) -> None:
    path = write_migration(migrations_dir, "20260101000000_a.sql", "create table public.a (id int);\n")
    migrate(empty_db_url, migrations_dir, use_compat=False)
    path.write_text("create table public.a (id bigint);\n")
    with connect(empty_db_url, autocommit=True) as conn:
        assert migration_status(conn, migrations_dir).entries[0].state is MigrationState.CHANGED
        # what `supabase migration repair --status applied 20260101000000` writes (pkg/migration/history.go)
        conn.execute(
            "insert into supabase_migrations.schema_migrations(version, name, statements) values (%s, %s, %s) "
            "on conflict (version) do update set name = excluded.name, statements = excluded.statements",
            ("20260101000000", "a", ["create table public.a (id bigint)"]),
        )
        [entry] = migration_status(conn, migrations_dir).entries
    assert (entry.state, entry.applied_by, entry.applied_at) == (MigrationState.APPLIED, "supabase-cli", None)


def test_edits_between_statements_are_no_drift_and_edits_inside_one_are(
    empty_db_url: str, migrations_dir: Path
) -> None:
    original = "create table public.a (id int);\ncreate index on public.a (id);\n"
    path = write_migration(migrations_dir, "20260101000000_a.sql", original)
    migrate(empty_db_url, migrations_dir, use_compat=False)

    path.write_text("\n" + original.replace(";\n", ";  \n\n") + "\n")
    with connect(empty_db_url) as conn:
        assert migration_status(conn, migrations_dir).entries[0].state is MigrationState.APPLIED
    path.write_text(original.replace("(id int)", "(id  int)"))
    with connect(empty_db_url) as conn:
        assert migration_status(conn, migrations_dir).entries[0].state is MigrationState.CHANGED


def test_seed_file_is_recorded_relative_to_its_project_from_any_directory(
    khepri_clone_url: str, tmp_path: Path, cli: Cli
) -> None:
    project = tmp_path / "project"
    (project / "supabase").mkdir(parents=True)
    seed = project / "supabase" / "seed.sql"
    seed.write_text("select 1;\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    result = cli("seed", "--db-url", khepri_clone_url, "--file", str(seed), cwd=elsewhere)

    assert result.exit_code == 0, result.output
    with connect(khepri_clone_url) as conn:
        paths = [r[0] for r in conn.execute("select path from supabase_migrations.seed_files")]
    assert "supabase/seed.sql" in paths
    assert not [p for p in paths if p.endswith("project/supabase/seed.sql")]


# -- the migration lock ---------------------------------------------------------------------------


def test_a_waiting_run_reports_the_lock_holders_pid_and_query(empty_db_url: str, migrations_dir: Path) -> None:
    write_migration(migrations_dir, "20260101000000_a.sql", "create table public.a (id int);\n")
    holder = connect(empty_db_url, autocommit=True)
    holder.execute("select pg_advisory_lock(%s)", (LOCK_KEY,))
    pid = holder.info.backend_pid

    def hold() -> None:
        holder.execute("select pg_sleep(1.5) /* busy holder */")
        holder.execute("select pg_advisory_unlock(%s)", (LOCK_KEY,))

    worker = threading.Thread(target=hold)
    worker.start()
    messages: list[str] = []
    try:
        with connect(empty_db_url, autocommit=True) as watcher:  # the holder is busy before the run starts
            deadline = time.monotonic() + 10
            while watcher.execute(
                "select query from pg_stat_activity where pid = %s and state = 'active'", (pid,)
            ).fetchone() != ("select pg_sleep(1.5) /* busy holder */",):
                assert time.monotonic() < deadline, "the holder never started its query"
                time.sleep(0.02)
        result = migrate(empty_db_url, migrations_dir, use_compat=False, progress=messages.append)
    finally:
        worker.join(timeout=10)
        holder.close()

    assert [a.version for a in result.applied] == ["20260101000000"]
    waits = [m for m in messages if m.startswith("waiting for the migration lock")]
    assert waits, messages
    assert f"backend pid {pid}" in waits[0]
    assert "pg_sleep(1.5) /* busy holder */" in waits[0]


def test_the_lock_times_out_naming_the_holder(empty_db_url: str, migrations_dir: Path) -> None:
    write_migration(migrations_dir, "20260101000000_a.sql", "select 1;\n")
    with connect(empty_db_url, autocommit=True) as holder:
        holder.execute("select pg_advisory_lock(%s)", (LOCK_KEY,))
        with pytest.raises(LockTimeoutError, match=f"backend pid {holder.info.backend_pid}"):
            migrate(empty_db_url, migrations_dir, use_compat=False, lock_timeout_s=0.5)


def test_a_killed_migrator_does_not_keep_the_lock(empty_db_url: str, tmp_path: Path) -> None:
    slow = tmp_path / "slow" / "supabase" / "migrations"
    slow.mkdir(parents=True)
    write_migration(slow, "20260101000000_slow.sql", "create table public.slow (id int);\nselect pg_sleep(60);\n")
    quick = tmp_path / "quick" / "supabase" / "migrations"
    quick.mkdir(parents=True)
    write_migration(quick, "20260101000001_quick.sql", "create table public.quick (id int);\n")
    env = {k: v for k, v in os.environ.items() if k != "KHEPRI_DB_URL"}
    migrator = subprocess.Popen(
        [sys.executable, "-m", "khepri_db", "migrate", "--db-url", empty_db_url, "--no-compat",
         "--migrations-dir", str(slow)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    try:
        with connect(empty_db_url, autocommit=True) as conn:
            deadline = time.monotonic() + 60
            while not conn.execute(
                "select 1 from pg_stat_activity where query like '%%pg_sleep(60)%%' and pid <> pg_backend_pid()"
            ).fetchone():
                assert migrator.poll() is None, "the migrator ended before its pg_sleep"
                assert time.monotonic() < deadline, "the migrator never reached its pg_sleep"
                time.sleep(0.1)
        os.kill(migrator.pid, signal.SIGKILL)
        migrator.wait(timeout=10)
        killed_at = time.monotonic()

        result = migrate(empty_db_url, quick, use_compat=False, lock_timeout_s=15)

        waited = time.monotonic() - killed_at
    finally:
        if migrator.poll() is None:
            migrator.kill()
    assert [a.version for a in result.applied] == ["20260101000001"]
    assert waited < 5, f"the lock outlived its killed client by {waited:.1f} s"
    with connect(empty_db_url) as conn:
        assert scalar(conn, "select to_regclass('public.slow')") is None


@pytest.mark.parametrize("output", ["text", "json"])
def test_a_run_whose_connection_is_ended_while_waiting_exits_2(
    empty_db_url: str, migrations_dir: Path, output: str
) -> None:
    """A migrate waiting for the lock whose session is ended (`db reset --strategy recreate` drops the
    database with FORCE, which terminates it: SQLSTATE 57P01) lost its connection: exit 2, as every
    connection error, never 1 (a failed migration)."""
    write_migration(migrations_dir, "20260101000000_a.sql", "create table public.a (id int);\n")
    env = {k: v for k, v in os.environ.items() if k != "KHEPRI_DB_URL"}
    with connect(empty_db_url, autocommit=True) as holder:
        holder.execute("select pg_advisory_lock(%s)", (LOCK_KEY,))
        migrator = subprocess.Popen(
            [sys.executable, "-m", "khepri_db", "migrate", "--db-url", empty_db_url, "--no-compat",
             "--migrations-dir", str(migrations_dir), "--format", output],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                waiting = holder.execute(
                    # between its tries the waiting run's last query is the lock-holder lookup
                    "select pid from pg_stat_activity where query like '%%advisory%%' "
                    "and pid <> pg_backend_pid() and datname = current_database()"
                ).fetchone()
                if waiting:
                    break
                assert migrator.poll() is None, migrator.communicate()
                assert time.monotonic() < deadline, "the migrator never waited for the lock"
                time.sleep(0.1)
            holder.execute("select pg_terminate_backend(%s)", waiting)
            stdout, stderr = migrator.communicate(timeout=60)
        finally:
            if migrator.poll() is None:
                migrator.kill()
    assert migrator.returncode == 2, (stdout, stderr)
    if output == "json":
        error = json.loads(stdout)["error"]
        assert error["sqlstate"] == "57P01"
        assert "terminating connection" in error["message"]
    else:
        assert "connection to the database was lost" in stderr
        assert "SQLSTATE 57P01" in stderr
    with connect(empty_db_url) as conn:
        assert scalar(conn, "select to_regclass('public.a')") is None
