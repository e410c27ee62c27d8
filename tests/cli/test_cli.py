"""The khepri-db command line: output shapes and exit codes (0 fine, 1 findings, 2 usage/connection)."""

from __future__ import annotations

from pathlib import Path

import pytest

from khepri_db.core.db import connect
from khepri_db.doctor.rules import load_rules
from tests.support import REPO, Cli, database_state, write_migration

pytestmark = pytest.mark.pg


def test_migrate_then_status_then_drift(cli: Cli, empty_db_url: str, migrations_dir: Path) -> None:
    path = write_migration(migrations_dir, "20260101000000_notes.sql", "create table public.notes (id int);\n")

    code, data = cli.json("migrate", "--db-url", empty_db_url, "--migrations-dir", str(migrations_dir))
    assert code == 0
    assert data["compat"] == "installed"
    assert [a["version"] for a in data["applied"]] == ["20260101000000"]
    assert data["target"]["kind"] == "compat"

    code, data = cli.json("status", "--db-url", empty_db_url, "--migrations-dir", str(migrations_dir))
    assert code == 0
    assert data["drift"] is False
    assert data["counts"]["applied"] == 1

    path.write_text("create table public.notes (id bigint);\n")
    code, data = cli.json("status", "--db-url", empty_db_url, "--migrations-dir", str(migrations_dir))
    assert code == 1
    assert data["drift"] is True
    assert data["migrations"][0]["state"] == "changed"


def test_a_failed_migration_reports_file_line_and_sqlstate(cli: Cli, empty_db_url: str, migrations_dir: Path) -> None:
    bad = write_migration(migrations_dir, "20260101000000_bad.sql", "select 1;\nselect * from nowhere;\n")

    code, data = cli.json("migrate", "--db-url", empty_db_url, "--migrations-dir", str(migrations_dir))
    assert code == 1
    assert data["error"]["type"] == "MigrationError"
    assert (data["error"]["file"], data["error"]["line"], data["error"]["sqlstate"]) == (str(bad), 2, "42P01")

    text = cli("migrate", "--db-url", empty_db_url, "--migrations-dir", str(migrations_dir))
    assert text.exit_code == 1
    assert f'{bad}:2: relation "nowhere" does not exist [SQLSTATE 42P01]' in text.stderr.replace("\n", "")


def test_unreachable_database_exits_2_without_leaking_the_password(cli: Cli, migrations_dir: Path) -> None:
    url = "postgresql://postgres:s3cret-pw@127.0.0.1:1/postgres"
    code, data = cli.json("migrate", "--db-url", url, "--migrations-dir", str(migrations_dir))
    assert code == 2
    assert data["error"]["type"] == "ConnectionFailedError"
    assert "127.0.0.1:1" in data["error"]["message"]
    text = cli("doctor", "--db-url", url)
    assert text.exit_code == 2
    assert "s3cret-pw" not in text.stdout + text.stderr
    assert "s3cret-pw" not in data["error"]["message"]


def test_missing_migrations_directory_is_a_usage_error(cli: Cli, empty_db_url: str, tmp_path: Path) -> None:
    code, data = cli.json("migrate", "--db-url", empty_db_url, "--migrations-dir", str(tmp_path / "nope"))
    assert code == 2
    assert "does not exist" in data["error"]["message"]


def test_doctor_json_and_fail_on(cli: Cli, khepri_clone_url: str) -> None:
    # The CLI contract on a clean schema: without pg_graphql (preinstalled as on Supabase, it makes
    # every table a signed-in user can read "visible in GraphQL"; tests/extensions/test_platform.py covers that).
    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute("drop extension if exists pg_graphql")
    code, data = cli.json("doctor", "--db-url", khepri_clone_url, cwd=REPO)
    assert code == 0
    assert data["findings"] == []
    assert data["summary"] == {"ERROR": 0, "WARN": 0, "INFO": 0}
    assert data["target"]["kind"] == "compat"

    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute(
            "create table public.quiet (id int primary key); alter table public.quiet enable row level security"
        )
    code, data = cli.json("doctor", "--db-url", khepri_clone_url, cwd=REPO)
    assert code == 0
    assert [f["name"] for f in data["findings"]] == ["rls_enabled_no_policy"]
    assert set(data["findings"][0]) == {
        "name", "title", "level", "facing", "categories", "description", "detail", "remediation", "metadata",
        "cache_key",
    }  # fmt: skip
    code, _ = cli.json("doctor", "--db-url", khepri_clone_url, "--fail-on", "info", cwd=REPO)
    assert code == 1
    code, data = cli.json(
        "doctor",
        "--db-url",
        khepri_clone_url,
        "--exclude",
        "rls_enabled_no_policy",
        "--fail-on",
        "info",
        cwd=REPO,
    )
    assert code == 0
    assert data["findings"] == []

    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute("create table public.open_table (id int)")
    text = cli("doctor", "--db-url", khepri_clone_url, cwd=REPO)
    assert text.exit_code == 1
    assert "rls_disabled_in_public" in text.stdout
    assert "public.open_table" in text.stdout
    assert "fail-on error: fail" in text.stdout


def test_doctor_rejects_unknown_rules_and_lists_them(cli: Cli, khepri_clone_url: str) -> None:
    code, data = cli.json("doctor", "--db-url", khepri_clone_url, "--only", "no_such_rule")
    assert code == 2
    assert "no_such_rule" in data["error"]["message"]
    code, data = cli.json("doctor", "--list-rules")
    assert code == 0
    assert {r["name"] for r in data} == {r.name for r in load_rules()}


@pytest.mark.parametrize("command", [["migrate"], ["status"], ["doctor"], ["demo"], ["db", "start"], ["db", "status"]])
def test_every_command_explains_itself(cli: Cli, command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.exit_code == 0
    assert "--format" in result.stdout
    if command != ["db", "start"]:
        assert "--db-url" in result.stdout


# -- a generic tool: outside a project, never our own app's schema --------------------------------


@pytest.fixture
def no_project(tmp_path: Path) -> Path:
    """A directory with no supabase/ in it or above it."""
    here = tmp_path / "elsewhere"
    here.mkdir()
    assert not any((d / "supabase").is_dir() for d in (here, *here.parents))
    return here


@pytest.mark.parametrize("command", [["migrate"], ["migrate", "--dry-run"], ["status"], ["seed"], ["verify-access"]])
def test_outside_a_project_commands_that_need_migrations_stop(
    cli: Cli, empty_db_url: str, no_project: Path, command: list[str]
) -> None:
    before = database_state(empty_db_url)
    code, data = cli.json(*command, "--db-url", empty_db_url, cwd=no_project)
    assert code == 2, data
    assert data["error"]["message"].startswith(f"no Supabase project here: no supabase/ directory in {no_project}")
    assert "--khepri-schema" in data["error"]["hint"]
    assert cli(*command, "--db-url", empty_db_url, cwd=no_project).exit_code == 2  # text output: the same stop
    assert database_state(empty_db_url) == before  # nothing applied, not even the compatibility layer


def test_outside_a_project_the_khepri_schema_is_applied_only_when_asked(
    cli: Cli, empty_db_url: str, no_project: Path
) -> None:
    code, data = cli.json("migrate", "--khepri-schema", "--db-url", empty_db_url, cwd=no_project)
    assert code == 0, data
    assert len(data["applied"]) == len(list((REPO / "supabase" / "migrations").glob("*.sql")))
    code, data = cli.json("status", "--khepri-schema", "--db-url", empty_db_url, cwd=no_project)
    assert code == 0
    code, data = cli.json("migrate", "--khepri-schema", "--migrations-dir", str(no_project), "--db-url", empty_db_url,
                          cwd=no_project)  # fmt: skip
    assert code == 2
    assert "exclude each other" in data["error"]["message"]


@pytest.mark.parametrize(
    "command",
    [["doctor"], ["migrate", "--khepri-schema"], ["db", "start"], ["db", "status"],
     ["gen", "types"], ["db", "start", "--engine", "system"]],
)  # fmt: skip
def test_outside_a_project_no_server_is_made_where_the_command_ran(
    cli: Cli, no_project: Path, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KHEPRI_DB_URL", raising=False)
    monkeypatch.delenv("KHEPRI_DATA_DIR", raising=False)
    monkeypatch.setenv("KHEPRI_REGISTRY_DIR", str(no_project.parent / "registry"))
    code, data = cli.json(*command, cwd=no_project)
    assert code == 2, data
    assert data["error"]["message"].startswith(f"no Supabase project here: no supabase/ directory in {no_project}")
    assert "nothing was created or started" in data["error"]["message"]
    assert "--db-url" in data["error"]["hint"]
    assert "--data-dir" in data["error"]["hint"]
    assert list(no_project.iterdir()) == []  # no .khepri/, no cluster
    assert not (no_project.parent / "registry").exists()  # and no server was started anywhere


def test_outside_a_project_doctor_runs_without_calling_a_foreign_history_pending(
    cli: Cli, empty_db_url: str, no_project: Path
) -> None:
    with connect(empty_db_url, autocommit=True) as conn:  # a foreign project's database, with its own history
        conn.execute("create schema supabase_migrations")
        conn.execute("create table supabase_migrations.schema_migrations (version text primary key, "
                     "statements text[], name text)")  # fmt: skip
        conn.execute("insert into supabase_migrations.schema_migrations values ('20250101000000', '{}', 'theirs')")
    code, data = cli.json("doctor", "--db-url", empty_db_url, cwd=no_project)
    assert data["migrations_dir"] is None
    assert not {"pending_migration", "migration_missing_locally", "migration_changed_after_apply"} & set(data["rules"])
    assert not [f for f in data["findings"] if "migration" in f["name"]]
    code, data = cli.json("doctor", "--db-url", empty_db_url, "--only", "pending_migration", cwd=no_project)
    assert code == 2
    assert "no Supabase project here" in data["error"]["message"]
