"""The daily Supabase CLI workflow (init, db reset, migration new|list|repair), against real Postgres."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from khepri_db.cli import app
from khepri_db.core.db import connect
from khepri_db.core.errors import MigrationError, UsageError
from khepri_db.core.sqltext import split_statements
from khepri_db.migrations.apply import migrate
from khepri_db.migrations.compat import TargetKind, detect
from khepri_db.migrations.listing import Drift, list_migrations
from khepri_db.migrations.reset import ResetRefusedError, ResetStrategy, reset_database
from khepri_db.migrations.versions import format_version_time, new_migration
from tests.support import REPO, Cli, scalar, write_migration

pytestmark = pytest.mark.pg

KHEPRI_MIGRATIONS = REPO / "supabase" / "migrations"
KHEPRI_SEED = REPO / "supabase" / "seed.sql"


def _history(url: str) -> list[tuple[str, str | None, list[str] | None]]:
    with connect(url) as conn:
        return conn.execute(
            "select version, name, statements from supabase_migrations.schema_migrations order by version"
        ).fetchall()


def _facts(url: str) -> list[str]:
    with connect(url) as conn:
        return [r[0] for r in conn.execute("select version from supabase_migrations.khepri_migration_facts order by 1")]


# -- init ----------------------------------------------------------------------------------------


def test_init_writes_the_supabase_layout_then_migrate_and_seed_work(
    tmp_path: Path, cli: Cli, empty_db_url: str
) -> None:
    project = tmp_path / "my-app"
    project.mkdir()

    result = cli("init", cwd=project)

    assert result.exit_code == 0, result.output
    config = tomllib.loads((project / "supabase" / "config.toml").read_text())
    assert config["project_id"] == "my-app"
    assert config["api"]["schemas"] == ["public", "graphql_public"]
    assert config["api"]["extra_search_path"] == ["public", "extensions"]
    assert config["db"]["port"] == 54322
    assert config["db"]["shadow_port"] == 54320
    assert config["db"]["migrations"]["enabled"] is True
    assert config["db"]["seed"] == {"enabled": True, "sql_paths": ["./seed.sql"]}
    assert list((project / "supabase" / "migrations").iterdir()) == []
    assert (project / "supabase" / "seed.sql").is_file()
    assert "make_user" in (project / "tests" / "conftest.py").read_text()

    code, created = cli.json("migration", "new", "create_notes", cwd=project)
    assert code == 0
    Path(created["path"]).write_text("create table public.notes (id bigint primary key, body text);\n")
    (project / "supabase" / "seed.sql").write_text("insert into public.notes values (1, 'hello');\n")
    code, migrated = cli.json("migrate", "--db-url", empty_db_url, "--include-seed", cwd=project)

    assert code == 0, migrated
    assert [a["name"] for a in migrated["applied"]] == ["create_notes"]
    assert [s["name"] for s in migrated["seeded"]] == ["supabase/seed.sql"]
    with connect(empty_db_url) as conn:
        assert scalar(conn, "select body from public.notes where id = 1") == "hello"


def test_init_in_an_existing_project_writes_what_is_missing_and_keeps_the_rest(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "conftest.py").write_text("# mine\n")
    (tmp_path / "supabase").mkdir()
    (tmp_path / "supabase" / "config.toml").write_text('project_id = "theirs"\n')

    kept = cli("init", str(tmp_path))

    assert kept.exit_code == 0, kept.output
    assert (tmp_path / "tests" / "conftest.py").read_text() == "# mine\n"
    assert (tmp_path / "supabase" / "config.toml").read_text() == 'project_id = "theirs"\n'
    assert (tmp_path / "supabase" / "seed.sql").is_file()
    assert (tmp_path / "supabase" / "migrations").is_dir()
    assert f"Kept {tmp_path / 'supabase' / 'config.toml'}" in " ".join(kept.output.split())

    forced = cli("init", str(tmp_path), "--force", "--project-id", "other")

    assert forced.exit_code == 0, forced.output
    assert tomllib.loads((tmp_path / "supabase" / "config.toml").read_text())["project_id"] == "other"
    assert (tmp_path / "tests" / "conftest.py").read_text() != "# mine\n"


def test_the_generated_conftest_runs_policy_tests_with_the_plugin(tmp_path: Path, cli: Cli) -> None:
    assert cli("init", str(tmp_path)).exit_code == 0
    write_migration(
        tmp_path / "supabase" / "migrations",
        "20260101000000_notes.sql",
        "create table public.notes (id bigint generated always as identity primary key,\n"
        "  owner uuid not null default auth.uid(), body text);\n"
        "alter table public.notes enable row level security;\n"
        "create policy notes_all_owner on public.notes for all to authenticated\n"
        "  using (owner = (select auth.uid())) with check (owner = (select auth.uid()));\n"
        "grant select, insert on public.notes to authenticated;\n",
    )
    (tmp_path / "tests" / "test_notes.py").write_text(
        "def test_strangers_see_nothing(db, alice, bob, as_user):\n"
        "    with as_user(alice):\n"
        "        db.execute(\"insert into public.notes (body) values ('mine')\")\n"
        "        assert db.execute('select count(*) from public.notes').fetchone() == (1,)\n"
        "    with as_user(bob):\n"
        "        assert db.execute('select count(*) from public.notes').fetchone() == (0,)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KHEPRI_", "PYTEST_"))}

    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


# -- migration new -------------------------------------------------------------------------------


def test_migration_new_names_the_file_with_a_14_digit_utc_timestamp(tmp_path: Path, cli: Cli) -> None:
    directory = tmp_path / "migrations"
    at = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)

    path = new_migration(directory, "Add-Notes table", now=at)

    assert path == directory / "20260304050607_Add-Notes table.sql"
    assert path.read_text() == ""
    with pytest.raises(UsageError, match="already exists"):
        new_migration(directory, "Add-Notes table", now=at)
    for bad in ("", "  ", "a/b", "a\\b"):
        with pytest.raises(UsageError):
            new_migration(directory, bad, now=at)

    (tmp_path / "supabase").mkdir()
    before = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    previous = Path.cwd()
    os.chdir(tmp_path)
    try:
        done = cli.runner.invoke(app, ["migration", "new", "create_notes"], input="select 1;\n")
    finally:
        os.chdir(previous)
    after = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    assert done.exit_code == 0, done.output
    created = list((tmp_path / "supabase" / "migrations").glob("*_create_notes.sql"))
    assert len(created) == 1
    version = created[0].name.split("_", 1)[0]
    assert len(version) == 14
    assert before <= version <= after
    assert f"Created new migration at {created[0]}" in done.output
    assert created[0].read_text() == "select 1;\n"


# -- migration list ------------------------------------------------------------------------------


def _mixed_history(url: str, directory: Path) -> None:
    """Applied (by khepri-db), changed since, remote-only, local-only newer and older than the newest applied."""
    write_migration(directory, "20260101000000_applied.sql", "create table public.a (id int);\n")
    changed = write_migration(directory, "20260102000000_changed.sql", "create table public.b (id int);\n")
    migrate(url, directory)
    changed.write_text("create table public.b (id bigint);\n")
    with connect(url, autocommit=True) as conn:
        conn.execute(
            "insert into supabase_migrations.schema_migrations (version, name, statements) values "
            "('20260103000000', 'remote_only', '{}'), ('20260105000000', 'remote_newest', '{}')"
        )
    write_migration(directory, "20260104000000_older_local.sql", "create table public.c (id int);\n")
    write_migration(directory, "20260106000000_new_local.sql", "create table public.d (id int);\n")


def test_migration_list_pairs_local_and_remote_with_drift(empty_db_url: str, migrations_dir: Path, cli: Cli) -> None:
    _mixed_history(empty_db_url, migrations_dir)

    with connect(empty_db_url) as conn:
        listing = list_migrations(conn, migrations_dir)

    assert [(r.local, r.remote, r.time, r.drift) for r in listing.rows] == [
        ("20260101000000", "20260101000000", "2026-01-01 00:00:00", Drift.NONE),
        ("20260102000000", "20260102000000", "2026-01-02 00:00:00", Drift.CHANGED),
        (None, "20260103000000", "2026-01-03 00:00:00", Drift.MISSING_LOCALLY),
        ("20260104000000", None, "2026-01-04 00:00:00", Drift.OUT_OF_ORDER),
        (None, "20260105000000", "2026-01-05 00:00:00", Drift.MISSING_LOCALLY),
        ("20260106000000", None, "2026-01-06 00:00:00", Drift.NONE),
    ]
    assert listing.has_drift

    code, data = cli.json("migration", "list", "--db-url", empty_db_url, "--migrations-dir", str(migrations_dir))
    assert code == 1
    assert [(m["local"], m["remote"], m["drift"]) for m in data["migrations"]] == [
        (r.local, r.remote, r.drift.value or None) for r in listing.rows
    ]
    text = cli("migration", "list", "--db-url", empty_db_url, "--migrations-dir", str(migrations_dir))
    assert text.exit_code == 1
    for header in ("LOCAL", "REMOTE", "TIME (UTC)", "DRIFT", "missing-locally", "2026-01-05 00:00:00"):
        assert header in text.output


def test_migration_list_without_history_or_directory(empty_db_url: str, tmp_path: Path, cli: Cli) -> None:
    with connect(empty_db_url) as conn:
        listing = list_migrations(conn, tmp_path / "none")
    assert listing.rows == []
    assert not listing.history_exists
    assert format_version_time("20260101093000") == "2026-01-01 09:30:00"
    assert format_version_time("1") == "1"
    assert format_version_time("20261301000000") == "20261301000000"


# -- migration repair ----------------------------------------------------------------------------


def test_repair_applied_writes_the_cli_row_and_drops_stale_facts(
    empty_db_url: str, migrations_dir: Path, cli: Cli
) -> None:
    first = write_migration(migrations_dir, "20260101000000_first.sql", "create table public.a (id int);\n")
    migrate(empty_db_url, migrations_dir)
    body = (
        "create table public.b (id int);\n-- comment\n"
        "create function public.f() returns int\nlanguage sql as $$ select 1; $$;\n"
    )
    second = write_migration(migrations_dir, "20260102000000_second.sql", body)
    first.write_text("create table public.a (id bigint);\n")
    args = ("--db-url", empty_db_url, "--migrations-dir", str(migrations_dir))

    code, data = cli.json("migration", "repair", "--status", "applied", "20260101000000", "20260102000000", *args)

    assert code == 0, data
    assert data["rows_written"] == 2
    assert _history(empty_db_url) == [
        ("20260101000000", "first", [s.text for s in split_statements(first.read_text())]),
        ("20260102000000", "second", [s.text for s in split_statements(second.read_text())]),
    ]
    assert _facts(empty_db_url) == []
    code, status = cli.json("status", *args)
    assert code == 0, status
    with connect(empty_db_url) as conn:
        assert scalar(conn, "select to_regclass('public.b')") is None  # marked applied, not run


def test_repair_applied_without_a_local_file_writes_nothing(empty_db_url: str, migrations_dir: Path, cli: Cli) -> None:
    write_migration(migrations_dir, "20260101000000_first.sql", "select 1;\n")
    args = ("--db-url", empty_db_url, "--migrations-dir", str(migrations_dir))

    result = cli("migration", "repair", "--status", "applied", "20260101000000", "20990101000000", *args)

    assert result.exit_code == 1
    assert "20990101000000_*.sql" in result.output
    with connect(empty_db_url) as conn:
        assert scalar(conn, "select to_regclass('supabase_migrations.schema_migrations')") is None
    bad = cli("migration", "repair", "--status", "applied", "v1", *args)
    assert bad.exit_code == 2
    assert "failed to parse v1: invalid version number" in bad.output
    assert cli("migration", "repair", "--status", "done", "1", *args).exit_code == 2
    assert cli("migration", "repair", "--status", "applied", *args).exit_code == 2


def test_repair_reverted_deletes_rows_and_facts(empty_db_url: str, migrations_dir: Path, cli: Cli) -> None:
    write_migration(migrations_dir, "20260101000000_first.sql", "create table public.a (id int);\n")
    write_migration(migrations_dir, "20260102000000_second.sql", "create table public.b (id int);\n")
    migrate(empty_db_url, migrations_dir)
    args = ("--db-url", empty_db_url, "--migrations-dir", str(migrations_dir))

    code, data = cli.json("migration", "repair", "--status", "reverted", "20260102000000", "20990101000000", *args)

    assert code == 0, data
    assert data["rows_deleted"] == 1
    assert [r[0] for r in _history(empty_db_url)] == ["20260101000000"]
    assert _facts(empty_db_url) == ["20260101000000"]

    code, data = cli.json("migration", "repair", "--status", "applied", "--yes", *args)
    assert code == 0
    assert data["all_local"]
    assert data["rows_written"] == 2
    assert [r[:2] for r in _history(empty_db_url)] == [("20260101000000", "first"), ("20260102000000", "second")]
    assert _facts(empty_db_url) == []


# -- db reset ------------------------------------------------------------------------------------

_APP_MIGRATION = """\
create schema app;
create type public.mood as enum ('happy', 'sad');
create table public.notes (id bigint primary key, mood public.mood, body text not null);
create table app.tags (id bigint primary key, note_id bigint references public.notes (id));
create index tags_note_id_idx on app.tags (note_id);
create view public.note_bodies as select id, body from public.notes;
create function public.note_count() returns bigint language sql stable as $$ select count(*) from public.notes $$;
alter table public.notes enable row level security;
create policy notes_select_authenticated on public.notes for select to authenticated using (true);
create function public.handle_new_user() returns trigger language plpgsql security definer set search_path = ''
as $$ begin insert into public.notes (id, body) values (100, new.email); return new; end $$;
create trigger on_auth_user_created after insert on auth.users
for each row execute function public.handle_new_user();
insert into storage.buckets (id, name) values ('avatars', 'avatars');
"""


@pytest.mark.parametrize("strategy", list(ResetStrategy))
def test_db_reset_rebuilds_from_the_migrations_and_seed(
    strategy: ResetStrategy, empty_db_url: str, migrations_dir: Path, tmp_path: Path, cli: Cli
) -> None:
    write_migration(migrations_dir, "20260101000000_app.sql", _APP_MIGRATION)
    seed = tmp_path / "supabase" / "seed.sql"
    seed.write_text("insert into public.notes values (1, 'happy', 'seeded') on conflict do nothing;\n")
    migrate(empty_db_url, migrations_dir, seed_files=[seed])
    with connect(empty_db_url, autocommit=True) as conn:
        conn.execute("insert into public.notes values (2, 'sad', 'typed by hand')")
        conn.execute("create table public.hand_made (id int)")
        conn.execute("create schema scratch")
        conn.execute("create table scratch.t (id int)")
        conn.execute("insert into auth.users (id, email) values (gen_random_uuid(), 'x@example.com')")

    result = reset_database(empty_db_url, migrations_dir, strategy=strategy, seed_files=[seed])

    assert result.strategy is strategy
    assert [a.name for a in result.migrate.applied] == ["app"]
    assert [s.path for s in result.migrate.seeded] == [seed]
    with connect(empty_db_url) as conn:
        assert conn.execute("select id, body from public.notes").fetchall() == [(1, "seeded")]
        assert scalar(conn, "select to_regclass('public.hand_made')") is None
        assert scalar(conn, "select to_regnamespace('scratch')") is None
        assert scalar(conn, "select public.note_count()") == 1
        assert scalar(conn, "select count(*) from auth.users") == 0
        assert scalar(conn, "select count(*) from pg_trigger where tgname = 'on_auth_user_created'") == 1
        assert conn.execute("select id from storage.buckets").fetchall() == [("avatars",)]
        assert scalar(conn, "select count(*) from pg_policies where tablename = 'notes'") == 1
        assert detect(conn).kind is TargetKind.COMPAT
        assert scalar(conn, "select count(*) from pg_roles where rolname in ('anon', 'authenticated')") == 2
    code, status = cli.json("status", "--db-url", empty_db_url, "--migrations-dir", str(migrations_dir))
    assert code == 0, status
    assert status["counts"]["applied"] == 1


def test_db_reset_of_the_khepri_schema_leaves_status_up_to_date(khepri_clone_url: str, cli: Cli) -> None:
    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute("create table public.hand_made (id int)")

    code, data = cli.json("db", "reset", "--db-url", khepri_clone_url, "--migrations-dir", str(KHEPRI_MIGRATIONS),
                          cwd=REPO)  # fmt: skip

    assert code == 0, data
    assert data["strategy"] == "in-place"
    assert len(data["applied"]) == len(list(KHEPRI_MIGRATIONS.glob("*.sql")))
    assert [s["name"] for s in data["seeded"]] == ["supabase/seed.sql"]
    with connect(khepri_clone_url) as conn:
        assert scalar(conn, "select to_regclass('public.hand_made')") is None
        assert scalar(conn, "select count(*) from supabase_migrations.seed_files") == 1
    code, status = cli.json("status", "--db-url", khepri_clone_url, "--migrations-dir", str(KHEPRI_MIGRATIONS))
    assert code == 0, status


def test_db_reset_refuses_a_remote_url_from_the_environment(cli: Cli, tmp_path: Path) -> None:
    env = {"KHEPRI_DB_URL": "postgresql://postgres:secret@db.example.invalid:5432/postgres"}
    (tmp_path / "supabase" / "migrations").mkdir(parents=True)  # a project, so only the URL is in question

    result = cli("db", "reset", cwd=tmp_path, env=env)
    output = " ".join(result.output.split())

    assert result.exit_code == 2
    assert "not on this machine" in output
    assert "--db-url" in output
    assert "secret" not in output


def test_db_reset_takes_a_remote_url_given_on_the_command_line(cli: Cli, tmp_path: Path) -> None:
    # A host name that is not local, reached at 127.0.0.1:1 (hostaddr: no DNS, nothing listens): past
    # the refusal, the reset gets as far as connecting.
    url = "postgresql://postgres:secret@db.example.invalid:1/postgres?hostaddr=127.0.0.1"
    (tmp_path / "supabase" / "migrations").mkdir(parents=True)

    result = cli("db", "reset", "--db-url", url, cwd=tmp_path)
    output = " ".join(result.output.split())

    assert result.exit_code == 2
    assert "not on this machine" not in output
    assert "cannot connect" in output
    assert "secret" not in output


def test_db_reset_refuses_real_supabase_without_yes(
    khepri_database_factory: Callable[..., str], migrations_dir: Path, cli: Cli
) -> None:
    url = khepri_database_factory()
    with connect(url, autocommit=True) as conn:
        conn.execute("create schema auth")
        conn.execute("create table auth.schema_migrations (version text primary key)")  # Supabase Auth's own
        conn.execute("create table public.precious (id int)")
    write_migration(migrations_dir, "20260101000000_t.sql", "create table public.t (id int);\n")

    refused = cli("db", "reset", "--db-url", url, "--migrations-dir", str(migrations_dir))

    assert refused.exit_code == 2
    assert "real Supabase database" in refused.output
    with connect(url) as conn:
        assert scalar(conn, "select to_regclass('public.precious')") is not None
    with pytest.raises(ResetRefusedError):
        reset_database(url, migrations_dir, strategy=ResetStrategy.recreate, allow_supabase=True)

    done = cli(
        "db", "reset", "--db-url", url, "--migrations-dir", str(migrations_dir), "--yes", cwd=migrations_dir.parent
    )

    assert done.exit_code == 0, done.output
    with connect(url) as conn:
        assert scalar(conn, "select to_regclass('public.precious')") is None
        assert scalar(conn, "select to_regclass('public.t')") is not None
        assert scalar(conn, "select count(*) from auth.schema_migrations") == 0


def test_db_reset_json_reports_timings(empty_db_url: str, migrations_dir: Path, cli: Cli) -> None:
    write_migration(migrations_dir, "20260101000000_t.sql", "create table public.t (id int);\n")
    migrate(empty_db_url, migrations_dir)

    code, data = cli.json("db", "reset", "--db-url", empty_db_url, "--migrations-dir", str(migrations_dir),
                          "--strategy", "recreate", "--no-seed")  # fmt: skip

    assert code == 0, data
    assert data["strategy"] == "recreate"
    assert 0 < data["drop_ms"] <= data["total_ms"]
    assert data["compat"] == "installed"
    assert json.dumps(data)


# -- differential: the real Supabase CLI ---------------------------------------------------------


def _supabase(binary: Path, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SUPABASE_TELEMETRY_DISABLED": "1", "DO_NOT_TRACK": "1"}
    return subprocess.run(
        [str(binary), *args, "--workdir", str(project)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def _supabase_list(binary: Path, project: Path, url: str) -> list[tuple[str | None, str | None]]:
    """``supabase migration list --db-url <url>?sslmode=disable``, as (LOCAL, REMOTE) pairs (None: blank)."""
    run = _supabase(
        binary, project, "migration", "list", "--db-url", f"{url}?sslmode=disable", "--output-format", "json"
    )
    assert run.returncode == 0, run.stdout + run.stderr
    document = json.loads(run.stdout[run.stdout.index("{") :])
    return [(m.get("local") or None, m.get("remote") or None) for m in document["migrations"]]


def _our_list(url: str, directory: Path) -> list[tuple[str | None, str | None]]:
    with connect(url) as conn:
        return [(r.local, r.remote) for r in list_migrations(conn, directory).rows]


_MULTI = """\
-- a comment before the first statement
create table public.kinds (id int primary key, label text);
insert into public.kinds values (1, 'a; b');
create function public.kind_label(k int) returns text language plpgsql as $$
begin
  return (select label from public.kinds where id = k);
end $$;
"""


def test_the_real_supabase_cli_reads_what_khepri_repair_wrote(
    supabase_cli: Path, empty_db_url: str, tmp_path: Path, cli: Cli
) -> None:
    assert cli("init", str(tmp_path)).exit_code == 0  # the real CLI must accept our config.toml too
    directory = tmp_path / "supabase" / "migrations"
    write_migration(directory, "20260101000000_migrated.sql", "create table public.a (id int);\n")
    migrate(empty_db_url, directory)
    write_migration(directory, "20260102000000_repaired.sql", _MULTI)
    gone = write_migration(directory, "20260103000000_remote_only.sql", "select 1;\n")
    write_migration(directory, "20260104000000_local_only.sql", "select 2;\n")
    write_migration(directory, "20260105000000_reverted.sql", "select 3;\n")
    args = ("--db-url", empty_db_url, "--migrations-dir", str(directory))
    applied = ("20260102000000", "20260103000000", "20260105000000")
    assert cli("migration", "repair", "--status", "applied", *applied, *args).exit_code == 0
    assert cli("migration", "repair", "--status", "reverted", "20260105000000", *args).exit_code == 0
    gone.unlink()

    ours = _our_list(empty_db_url, directory)

    assert ours == [
        ("20260101000000", "20260101000000"),
        ("20260102000000", "20260102000000"),
        (None, "20260103000000"),
        ("20260104000000", None),
        ("20260105000000", None),
    ]
    assert _supabase_list(supabase_cli, tmp_path, empty_db_url) == ours


def test_khepri_reads_what_the_real_supabase_repair_wrote(
    supabase_cli: Path, khepri_database_factory: Callable[..., str], tmp_path: Path, cli: Cli
) -> None:
    assert cli("init", str(tmp_path)).exit_code == 0
    directory = tmp_path / "supabase" / "migrations"
    write_migration(directory, "20260101000000_first.sql", "create table public.a (id int);\n")
    write_migration(directory, "20260102000000_multi.sql", _MULTI)
    write_migration(directory, "20260103000000_third.sql", "select 3;\n")
    theirs_url, ours_url = khepri_database_factory(), khepri_database_factory()
    for url in (theirs_url, ours_url):
        migrate(url, directory)  # all three applied by khepri-db, with facts
    versions = ("20260101000000", "20260102000000")

    db_url = f"{theirs_url}?sslmode=disable"
    repaired = _supabase(
        supabase_cli, tmp_path, "migration", "repair", *versions, "--status", "applied", "--db-url", db_url
    )
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    reverted = _supabase(supabase_cli, tmp_path, "migration", "repair", "20260103000000", "--status", "reverted",
                         "--db-url", db_url)  # fmt: skip
    assert reverted.returncode == 0, reverted.stdout + reverted.stderr
    args = ("--migrations-dir", str(directory))
    assert cli("migration", "repair", "--status", "applied", *versions, "--db-url", ours_url, *args).exit_code == 0
    assert (
        cli("migration", "repair", "--status", "reverted", "20260103000000", "--db-url", ours_url, *args).exit_code == 0
    )

    assert _history(theirs_url) == _history(ours_url)
    assert _history(theirs_url)[1] == ("20260102000000", "multi", [s.text for s in split_statements(_MULTI)])
    code, listing = cli.json("migration", "list", "--db-url", theirs_url, *args)
    assert code == 0, listing
    assert [(m["local"], m["remote"], m["drift"]) for m in listing["migrations"]] == [
        ("20260101000000", "20260101000000", None),
        ("20260102000000", "20260102000000", None),
        ("20260103000000", None, None),
    ]
    assert _supabase_list(supabase_cli, tmp_path, theirs_url) == [
        (m["local"], m["remote"]) for m in listing["migrations"]
    ]
    code, status = cli.json("status", "--db-url", theirs_url, *args)
    assert [m["state"] for m in status["migrations"]] == ["applied", "applied", "pending"]


def test_db_reset_in_place_recreates_when_a_kept_schema_holds_a_leftover(
    empty_db_url: str, migrations_dir: Path
) -> None:
    write_migration(migrations_dir, "20260101000000_nick.sql", "alter table auth.users add column nickname text;\n")
    migrate(empty_db_url, migrations_dir)

    with pytest.raises(MigrationError) as caught:
        reset_database(empty_db_url, migrations_dir, strategy=ResetStrategy.in_place)
    assert caught.value.sql_error.sqlstate == "42701"

    result = reset_database(empty_db_url, migrations_dir, strategy=ResetStrategy.in_place, recreate_on_leftovers=True)

    assert result.strategy is ResetStrategy.recreate
    assert "recreated" in result.migrate.warnings[0]
    assert [a.name for a in result.migrate.applied] == ["nick"]
    with connect(empty_db_url) as conn:
        assert scalar(conn, "select count(*) from information_schema.columns where column_name = 'nickname'") == 1
