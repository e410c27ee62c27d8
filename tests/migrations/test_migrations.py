"""The migration runner, against real Postgres databases."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from khepri_db.core.db import connect
from khepri_db.core.errors import MigrationError, MigrationOrderError, UsageError
from khepri_db.core.sqltext import split_statements
from khepri_db.migrations.apply import migrate
from khepri_db.migrations.status import MigrationState, migration_status
from tests.support import REPO, database_state, scalar, write_migration

pytestmark = pytest.mark.pg

KHEPRI_MIGRATIONS = REPO / "supabase" / "migrations"


def test_migrate_empty_database_records_history_exactly_like_the_supabase_cli(empty_db_url: str) -> None:
    result = migrate(empty_db_url, KHEPRI_MIGRATIONS)

    files = sorted(KHEPRI_MIGRATIONS.glob("*.sql"))
    assert result.compat == "installed"
    assert [a.path for a in result.applied] == files
    with connect(empty_db_url) as conn:
        columns = conn.execute(
            "select column_name, data_type, is_nullable from information_schema.columns "
            "where table_schema = 'supabase_migrations' and table_name = 'schema_migrations' order by ordinal_position"
        ).fetchall()
        assert columns == [("version", "text", "NO"), ("statements", "ARRAY", "YES"), ("name", "text", "YES")]
        rows = conn.execute(
            "select m.version, m.name, m.statements, f.sha256, f.tool_version "
            "from supabase_migrations.schema_migrations m "
            "join supabase_migrations.khepri_migration_facts f using (version) order by 1"
        ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [tuple(p.stem.split("_", 1)) for p in files]
    for row, path in zip(rows, files, strict=True):
        text = path.read_text()
        assert row[2] == [s.text for s in split_statements(text)]
        assert len(row[3]) == 64
        assert row[4]


def test_rerun_is_a_no_op(empty_db_url: str) -> None:
    migrate(empty_db_url, KHEPRI_MIGRATIONS)
    before = database_state(empty_db_url)

    again = migrate(empty_db_url, KHEPRI_MIGRATIONS)

    assert again.applied == []
    assert again.compat == "present"
    assert database_state(empty_db_url) == before


def test_status_reports_pending_then_applied_then_drift(empty_db_url: str, migrations_dir: Path) -> None:
    first = write_migration(migrations_dir, "20260101000000_create_notes.sql", "create table public.notes (id int);\n")
    write_migration(migrations_dir, "20260102000000_add_body.sql", "alter table public.notes add column body text;\n")
    with connect(empty_db_url) as conn:
        status = migration_status(conn, migrations_dir)
    assert [e.state for e in status.entries] == [MigrationState.PENDING, MigrationState.PENDING]
    assert not status.history_exists

    migrate(empty_db_url, migrations_dir)
    first.write_text("create table public.notes (id bigint);\n")
    with connect(empty_db_url, autocommit=True) as conn:
        conn.execute(
            "insert into supabase_migrations.schema_migrations (version, name, statements) "
            "values ('20251231000000', 'from_another_branch', '{}')"
        )
        status = migration_status(conn, migrations_dir)

    states = {e.version: e.state for e in status.entries}
    assert states == {
        "20251231000000": MigrationState.MISSING_LOCALLY,
        "20260101000000": MigrationState.CHANGED,
        "20260102000000": MigrationState.APPLIED,
    }
    assert status.has_drift


def test_failing_migration_leaves_the_database_exactly_as_before(empty_db_url: str, migrations_dir: Path) -> None:
    write_migration(migrations_dir, "20260101000000_ok.sql", "create table public.kept (id int);\n")
    migrate(empty_db_url, migrations_dir)
    before = database_state(empty_db_url)
    bad = write_migration(
        migrations_dir,
        "20260102000000_broken.sql",
        "create table public.half_done (id int);\n"
        "insert into public.half_done values (1);\n"
        "\n"
        "-- the next statement fails\n"
        "select * from public.no_such_table;\n",
    )

    with pytest.raises(MigrationError) as caught:
        migrate(empty_db_url, migrations_dir)

    error = caught.value
    assert error.path == bad
    assert error.line == 5
    assert error.statement_index == 2
    assert error.sql_error.sqlstate == "42P01"
    assert 'relation "public.no_such_table" does not exist' in error.message
    assert f"{bad}:5" in error.message
    assert database_state(empty_db_url) == before


def test_error_lines_point_into_function_bodies_and_do_blocks(empty_db_url: str, migrations_dir: Path) -> None:
    bad_body = write_migration(
        migrations_dir,
        "20260101000000_bad_function.sql",
        "create table public.t (id int);\n"
        "create function public.f() returns int language plpgsql as $$\n"
        "begin\n"
        "  retrun 1;\n"
        "end $$;\n",
    )
    with pytest.raises(MigrationError) as caught:
        migrate(empty_db_url, migrations_dir)
    assert caught.value.line == 4
    assert caught.value.sql_error.sqlstate == "42601"

    bad_body.unlink()
    write_migration(
        migrations_dir,
        "20260101000001_bad_do.sql",
        "do $$\nbegin\n  perform 1;\n"
        "  raise exception using errcode = '22023', message = 'boom', hint = 'fix it';\nend $$;\n",
    )
    with pytest.raises(MigrationError) as caught:
        migrate(empty_db_url, migrations_dir)
    assert caught.value.line == 4
    assert caught.value.sql_error.sqlstate == "22023"
    assert caught.value.hint == "fix it"


def test_concurrent_runs_apply_each_file_once(empty_db_url: str, migrations_dir: Path) -> None:
    write_migration(
        migrations_dir,
        "20260101000000_log.sql",
        "create table public.applied_log (file text not null);\n"
        "insert into public.applied_log values ('first');\n"
        "select pg_sleep(0.5);\n",
    )
    write_migration(migrations_dir, "20260102000000_more.sql", "insert into public.applied_log values ('second');\n")
    start = threading.Barrier(2)
    results, errors, messages = [], [], []

    def run() -> None:
        start.wait()
        try:
            results.append(migrate(empty_db_url, migrations_dir, progress=messages.append))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert sorted(len(r.applied) for r in results) == [0, 2]
    assert any(m.startswith("waiting for the migration lock, held by backend pid") for m in messages)
    with connect(empty_db_url) as conn:
        assert conn.execute("select file from public.applied_log order by file").fetchall() == [
            ("first",),
            ("second",),
        ]
        assert scalar(conn, "select count(*) from supabase_migrations.schema_migrations") == 2


def test_files_that_are_not_migrations_are_reported(empty_db_url: str, migrations_dir: Path) -> None:
    write_migration(migrations_dir, "20260101000000_ok.sql", "select 1;\n")
    write_migration(migrations_dir, "create_things.sql", "select 1;\n")
    write_migration(migrations_dir, "README.md", "notes\n")
    (migrations_dir / "old").mkdir()
    messages: list[str] = []

    result = migrate(empty_db_url, migrations_dir, progress=messages.append)

    assert [a.version for a in result.applied] == ["20260101000000"]
    with connect(empty_db_url) as conn:
        ignored = {i.path.name: i.reason for i in migration_status(conn, migrations_dir).ignored}
    assert ignored == {
        "README.md": "not a .sql file",
        "create_things.sql": "name does not match <digits>_<name>.sql",
        "old": "a directory (migrations are not searched recursively)",
    }
    assert "ignoring create_things.sql: name does not match <digits>_<name>.sql" in messages


def test_out_of_order_files_need_include_all(empty_db_url: str, migrations_dir: Path) -> None:
    write_migration(migrations_dir, "20260102000000_second.sql", "create table public.b (id int);\n")
    migrate(empty_db_url, migrations_dir)
    write_migration(migrations_dir, "20260101000000_first.sql", "create table public.a (id int);\n")

    with pytest.raises(MigrationOrderError, match=r"20260101000000_first\.sql") as caught:
        migrate(empty_db_url, migrations_dir)
    assert "--include-all" in (caught.value.hint or "")

    result = migrate(empty_db_url, migrations_dir, include_all=True)
    assert [a.version for a in result.applied] == ["20260101000000"]


def test_versions_without_local_file_stop_the_run(empty_db_url: str, migrations_dir: Path) -> None:
    write_migration(migrations_dir, "20260101000000_a.sql", "select 1;\n")
    migrate(empty_db_url, migrations_dir)
    (migrations_dir / "20260101000000_a.sql").unlink()
    write_migration(migrations_dir, "20260102000000_b.sql", "create table public.b (id int);\n")

    with pytest.raises(MigrationOrderError, match="20260101000000") as caught:
        migrate(empty_db_url, migrations_dir)
    assert "migration repair --status reverted 20260101000000" in (caught.value.hint or "")
    with connect(empty_db_url) as conn:
        assert scalar(conn, "select to_regclass('public.b')") is None


def test_duplicate_versions_are_refused(migrations_dir: Path, empty_db_url: str) -> None:
    write_migration(migrations_dir, "20260101000000_a.sql", "select 1;\n")
    write_migration(migrations_dir, "20260101000000_b.sql", "select 2;\n")
    with pytest.raises(UsageError, match=r"20260101000000_a\.sql and 20260101000000_b\.sql"):
        migrate(empty_db_url, migrations_dir)


def test_no_transaction_migration_runs_its_single_statement_outside_a_transaction(
    empty_db_url: str, migrations_dir: Path
) -> None:
    write_migration(migrations_dir, "20260101000000_table.sql", "create table public.big (id int);\n")
    write_migration(
        migrations_dir,
        "20260102000000_index.sql",
        "-- khepri:no-transaction\ncreate index concurrently big_id_idx on public.big (id);\n",
    )
    result = migrate(empty_db_url, migrations_dir)
    assert [a.version for a in result.applied] == ["20260101000000", "20260102000000"]
    with connect(empty_db_url) as conn:
        assert scalar(conn, "select to_regclass('public.big_id_idx')::text") == "big_id_idx"


def test_concurrent_index_in_a_normal_migration_explains_the_marker(empty_db_url: str, migrations_dir: Path) -> None:
    write_migration(
        migrations_dir,
        "20260101000000_index.sql",
        "create table public.big (id int);\ncreate index concurrently big_id_idx on public.big (id);\n",
    )
    with pytest.raises(MigrationError) as caught:
        migrate(empty_db_url, migrations_dir)
    assert caught.value.sql_error.sqlstate == "25001"
    assert caught.value.line == 2
    assert "file of its own" in (caught.value.hint or "")
    with connect(empty_db_url) as conn:
        assert scalar(conn, "select to_regclass('public.big')::text") is None


def test_no_transaction_migration_must_hold_one_statement(empty_db_url: str, migrations_dir: Path) -> None:
    write_migration(migrations_dir, "20260101000000_two.sql", "-- khepri:no-transaction\nselect 1;\nselect 2;\n")
    with pytest.raises(UsageError, match="exactly one statement, found 2"):
        migrate(empty_db_url, migrations_dir)


def test_history_written_by_the_supabase_cli_is_read_and_checked(empty_db_url: str, migrations_dir: Path) -> None:
    sql = "create table public.cli_made (id int);\n\ncomment on table public.cli_made is 'x; y';\n"
    path = write_migration(migrations_dir, "20260101000000_cli_made.sql", sql)
    with connect(empty_db_url, autocommit=True) as conn:
        # What `supabase db push` does: its DDL, then the statements and one history row.
        conn.execute("create schema supabase_migrations")
        conn.execute("create table supabase_migrations.schema_migrations (version text not null primary key)")
        conn.execute("alter table supabase_migrations.schema_migrations add column statements text[]")
        conn.execute("alter table supabase_migrations.schema_migrations add column name text")
        conn.execute(sql)
        conn.execute(
            "insert into supabase_migrations.schema_migrations values (%s, %s, %s)",
            ("20260101000000", ["create table public.cli_made (id int)", "comment on table public.cli_made is 'x; y'"],
             "cli_made"),
        )  # fmt: skip

    result = migrate(empty_db_url, migrations_dir)
    assert result.applied == []
    with connect(empty_db_url) as conn:
        [entry] = migration_status(conn, migrations_dir).entries
    assert entry.state is MigrationState.APPLIED
    assert entry.applied_by == "supabase-cli"

    path.write_text(sql.replace("'x; y'", "'z'"))
    with connect(empty_db_url) as conn:
        [entry] = migration_status(conn, migrations_dir).entries
    assert entry.state is MigrationState.CHANGED


def test_dry_run_writes_nothing(empty_db_url: str) -> None:
    before = database_state(empty_db_url)
    result = migrate(empty_db_url, KHEPRI_MIGRATIONS, dry_run=True)
    assert result.dry_run
    assert result.compat == "would be installed"
    assert [p.path for p in result.pending] == sorted(KHEPRI_MIGRATIONS.glob("*.sql"))
    assert database_state(empty_db_url) == before


def test_seed_runs_once_and_is_tracked_like_the_supabase_cli(empty_db_url: str, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    write_migration(migrations, "20260101000000_t.sql", "create table public.t (id int primary key);\n")
    seed = tmp_path / "seed.sql"
    seed.write_text("insert into public.t values (1);\n")

    first = migrate(empty_db_url, migrations, seed_files=[seed], seed_key=lambda _p: "supabase/seed.sql")
    second = migrate(empty_db_url, migrations, seed_files=[seed], seed_key=lambda _p: "supabase/seed.sql")
    seed.write_text("insert into public.t values (1);\ninsert into public.t values (2);\n")
    third = migrate(empty_db_url, migrations, seed_files=[seed], seed_key=lambda _p: "supabase/seed.sql")

    assert [s.name for s in first.seeded] == ["supabase/seed.sql"]
    assert second.seeded == []
    assert second.seeds_skipped[0][1] == "already applied and unchanged"
    assert third.seeded == []
    assert "recorded, not re-run" in third.seeds_skipped[0][1]
    with connect(empty_db_url) as conn:
        assert conn.execute("select id from public.t").fetchall() == [(1,)]
        [(path, digest)] = conn.execute("select path, hash from supabase_migrations.seed_files").fetchall()
    assert path == "supabase/seed.sql"
    import hashlib

    assert digest == hashlib.sha256(seed.read_bytes()).hexdigest()


def test_transaction_pooler_urls_are_refused_before_connecting(migrations_dir: Path) -> None:
    with pytest.raises(UsageError, match="transaction pooler"):
        migrate("postgresql://postgres:pw@aws-0-eu-west-1.pooler.supabase.com:6543/postgres", migrations_dir)
