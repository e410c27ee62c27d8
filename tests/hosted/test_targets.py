"""Issue 21: the same commands against what hosted Supabase puts in front of its databases.

Every target is a real component started by the fixtures of ``tests/conftest.py`` (see
``tests/support/hosted.py``): PgBouncer 1.18 in transaction mode with a pool of two server
connections (Supavisor's stand-in on port 6543), PgBouncer in session mode, a streaming hot standby
made with ``pg_basebackup -R`` (a read replica), and a role shaped like hosted ``postgres`` (no
superuser). Each read-only face must give the same verdict through the pooler as direct; each
writing face must refuse at once (exit 2) and write nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest

from khepri_db.core.db import connect, transaction_pooler_evidence
from khepri_db.core.errors import TransactionPoolerError
from khepri_db.migrations.apply import migrate
from tests.support import REPO, Cli, database_state
from tests.support.hosted import through, wait_for_replay

pytestmark = pytest.mark.pg

MIGRATIONS = REPO / "supabase" / "migrations"


def _json(cli: Cli, *args: str) -> tuple[int, Any]:
    result = cli(*args, "--format", "json", cwd=REPO)
    try:
        return result.exit_code, json.loads(result.stdout)
    except json.JSONDecodeError:
        raise AssertionError(
            f"{args}: exit {result.exit_code}, not JSON: {result.stdout!r} {result.stderr!r}"
        ) from None


def _doctor(cli: Cli, url: str) -> tuple[int, list[str], dict[str, str]]:
    code, report = _json(cli, "doctor", "--db-url", url)
    assert code in (0, 1), report
    return code, sorted((f["name"], f["cache_key"]) for f in report["findings"]), report.get("not_run", {})


def _cells(report: dict[str, Any]) -> dict[str, tuple[str, bool]]:
    return {c["id"]: (c["actual"], c["ok"]) for c in report["cells"]}


def _backend_pids(url: str) -> set[int]:
    with connect(url) as conn:
        rows = conn.execute(
            "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"
        ).fetchall()
    return {int(r[0]) for r in rows}


# -- detecting a transaction-mode pooler -------------------------------------------------------------


def test_a_transaction_mode_pooler_is_recognised_by_behaviour_and_a_direct_or_session_one_is_not(
    khepri_clone_url: str, pgbouncer: Callable[..., str]
) -> None:
    pooled = pgbouncer(khepri_clone_url)
    session = pgbouncer(khepri_clone_url, pool_mode="session")
    evidence = transaction_pooler_evidence(pooled)
    assert evidence is not None
    assert "transaction-mode pooler" in evidence
    assert transaction_pooler_evidence(khepri_clone_url) is None
    assert transaction_pooler_evidence(session) is None
    # Supabase's transaction pooler port is enough, before any connection is made.
    assert "port 6543" in (transaction_pooler_evidence("postgresql://u:p@aws-0-x.pooler.supabase.com:6543/db") or "")


# -- writing faces refuse a transaction-mode pooler at once ------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("migrate",),
        ("migrate", "--dry-run"),
        ("seed",),
        ("migration", "repair", "20990101000000", "--status", "reverted"),
        ("db", "reset", "--no-seed"),
    ],
    ids=["migrate", "migrate-dry-run", "seed", "migration-repair", "db-reset"],
)
def test_writing_commands_refuse_a_transaction_pooler_with_exit_2_and_write_nothing(
    cli: Cli, khepri_clone_url: str, pgbouncer: Callable[..., str], args: tuple[str, ...]
) -> None:
    pooled = pgbouncer(khepri_clone_url)
    before = database_state(khepri_clone_url)
    code, output = _json(cli, *args, "--db-url", pooled)
    assert code == 2, output
    error = output["error"]
    assert error["type"] == "TransactionPoolerError", error
    assert "transaction-mode pooler" in error["message"]
    assert "server process" in error["message"]
    assert "session pooler or the direct connection" in error["hint"]
    assert database_state(khepri_clone_url) == before


def test_four_concurrent_migrate_runs_through_a_transaction_pooler_all_refuse(
    khepri_database_factory: Callable[..., str], pgbouncer: Callable[..., str]
) -> None:
    empty = khepri_database_factory()
    pooled = pgbouncer(empty)
    before = database_state(empty)

    def run(_: int) -> BaseException | None:
        try:
            migrate(pooled, MIGRATIONS)
        except BaseException as exc:
            return exc
        return None

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(run, range(4)))
    assert all(isinstance(o, TransactionPoolerError) for o in outcomes), outcomes
    assert database_state(empty) == before


# -- read-only faces give the same verdict through the pooler ------------------------------------------


def test_doctor_finds_the_same_through_a_transaction_pooler_as_direct(
    cli: Cli, khepri_clone_url: str, pgbouncer: Callable[..., str]
) -> None:
    pooled = pgbouncer(khepri_clone_url)
    direct = _doctor(cli, khepri_clone_url)
    assert _doctor(cli, pooled) == direct
    assert direct[2] == {}


def test_status_migration_list_and_gen_types_are_the_same_through_a_transaction_pooler(
    cli: Cli, khepri_clone_url: str, pgbouncer: Callable[..., str]
) -> None:
    pooled = pgbouncer(khepri_clone_url)
    for args in (("status",), ("migration", "list")):
        direct = _json(cli, *args, "--db-url", khepri_clone_url)
        assert _json(cli, *args, "--db-url", pooled) == direct
        assert direct[0] == 0
    direct_types = cli("gen", "types", "--lang", "python", "--db-url", khepri_clone_url, cwd=REPO)
    pooled_types = cli("gen", "types", "--lang", "python", "--db-url", pooled, cwd=REPO)
    assert direct_types.exit_code == pooled_types.exit_code == 0, pooled_types.stderr
    assert pooled_types.stdout == direct_types.stdout
    assert "class " in direct_types.stdout


def test_verify_access_has_the_same_cells_through_a_transaction_pooler_and_leaves_nothing(
    cli: Cli, khepri_clone_url: str, pgbouncer: Callable[..., str]
) -> None:
    pooled = pgbouncer(khepri_clone_url)
    direct_code, direct = _json(cli, "verify-access", "--db-url", khepri_clone_url)
    before = database_state(khepri_clone_url)
    code, report = _json(cli, "verify-access", "--db-url", pooled)
    assert (code, direct_code) == (0, 0), report.get("summary")
    assert _cells(report) == _cells(direct)
    assert len(report["cells"]) > 100
    assert database_state(khepri_clone_url) == before
    with connect(khepri_clone_url) as conn:
        users = conn.execute("select count(*) from auth.users").fetchone()
    with connect(khepri_clone_url) as conn:
        assert conn.execute("select count(*) from auth.users").fetchone() == users


def test_test_db_runs_the_projects_suite_and_a_file_without_its_own_transaction_through_the_pooler(
    cli: Cli, khepri_clone_url: str, pgbouncer: Callable[..., str], tmp_path: Path
) -> None:
    pooled = pgbouncer(khepri_clone_url)
    code, report = _json(cli, "test", "db", "--db-url", pooled)
    assert code == 0, report
    # pgTAP's plan() keeps its state in a temporary table of the session: without a transaction of
    # its own this file needs every statement on one server connection.
    loose = tmp_path / "loose_test.sql"
    loose.write_text(
        "select plan(3);\n"
        "select ok(true, 'first');\n"
        "create temporary table t (x int);\n"
        "insert into t values (1);\n"
        "select is((select count(*)::int from t), 1, 'the temporary table is still there');\n"
        "select ok(true, 'last');\n"
        "select * from finish();\n",
        encoding="utf-8",
    )
    before = database_state(khepri_clone_url)
    code, report = _json(cli, "test", "db", str(loose), "--db-url", pooled)
    assert code == 0, report
    assert database_state(khepri_clone_url) == before


# -- a hot standby: read-only faces run, writing faces refuse --------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("migrate",),
        ("seed",),
        ("migration", "repair", "20990101000000", "--status", "reverted"),
        ("db", "reset", "--no-seed"),
        ("access", "init", "--access-file", "{tmp}/access.toml"),
        ("test", "db"),
    ],
    ids=["migrate", "seed", "migration-repair", "db-reset", "access-init", "test-db"],
)
def test_writing_commands_refuse_a_hot_standby_with_exit_2(
    cli: Cli, migrated_hot_standby: tuple[str, str], args: tuple[str, ...], tmp_path: Path
) -> None:
    _, standby = migrated_hot_standby
    args = tuple(a.replace("{tmp}", str(tmp_path)) for a in args)
    code, output = _json(cli, *args, "--db-url", standby)
    assert code == 2, output
    error = output["error"]
    assert error["type"] == "ReadOnlyTargetError", error
    assert "read-only hot standby" in error["message"]
    assert "primary" in error["hint"]


def test_doctor_on_a_standby_runs_every_rule_it_can_and_finds_what_they_find_on_the_primary(
    cli: Cli, migrated_hot_standby: tuple[str, str]
) -> None:
    primary, standby = migrated_hot_standby
    with connect(primary, autocommit=True) as conn:  # something for the rules to find, on both
        conn.execute("create table public.hosted_no_rls (id int primary key)")
    try:
        wait_for_replay(primary, standby)
        _, on_standby, not_run = _doctor(cli, standby)
        _, on_primary, primary_not_run = _doctor(cli, primary)
    finally:
        with connect(primary, autocommit=True) as conn:
            conn.execute("drop table public.hosted_no_rls")
        wait_for_replay(primary, standby)
    assert primary_not_run == {}
    assert not_run
    assert all("read-only hot standby" in why for why in not_run.values())
    # What the rules that ran find on the standby is what the same rules find on the primary.
    assert on_standby == [(name, key) for name, key in on_primary if name not in not_run]
    assert ("rls_disabled_in_public", "rls_disabled_in_public_public_hosted_no_rls") in on_standby
    result = cli("doctor", "--db-url", standby, cwd=REPO)
    assert "not run: the target is a read-only hot standby" in result.stdout


def test_status_and_gen_types_are_the_same_on_a_standby(cli: Cli, migrated_hot_standby: tuple[str, str]) -> None:
    primary, standby = migrated_hot_standby
    wait_for_replay(primary, standby)
    assert _json(cli, "status", "--db-url", standby) == _json(cli, "status", "--db-url", primary)
    on_standby = cli("gen", "types", "--lang", "python", "--db-url", standby, cwd=REPO)
    on_primary = cli("gen", "types", "--lang", "python", "--db-url", primary, cwd=REPO)
    assert on_standby.exit_code == on_primary.exit_code == 0
    assert on_standby.stdout == on_primary.stdout


def test_verify_access_on_a_standby_checks_the_declaration_and_reports_every_cell_not_checked(
    cli: Cli, migrated_hot_standby: tuple[str, str]
) -> None:
    _, standby = migrated_hot_standby
    code, report = _json(cli, "verify-access", "--db-url", standby)
    assert code == 0, report
    assert report["cells"]
    assert all(c["undecided"] and "read-only hot standby" in c["undecided"] for c in report["cells"])
    assert not any(c["ok"] for c in report["cells"])
    assert report["summary"]["undecided"] == len(report["cells"])
    code, _ = _json(cli, "verify-access", "--strict", "--db-url", standby)
    assert code == 1


# -- a role shaped like hosted postgres (no superuser) -----------------------------------------------------


def test_verify_access_as_a_hosted_shaped_postgres_has_the_same_cells_directly_and_through_the_pooler(
    cli: Cli, khepri_clone_url: str, hosted_role: Callable[[str], str], pgbouncer: Callable[..., str]
) -> None:
    role_url = hosted_role(khepri_clone_url)
    with connect(role_url) as conn:
        assert conn.execute("select rolsuper from pg_roles where rolname = current_user").fetchone() == (False,)
    _, as_superuser = _json(cli, "verify-access", "--db-url", khepri_clone_url)
    before = database_state(khepri_clone_url)
    code, report = _json(cli, "verify-access", "--db-url", role_url)
    assert code == 0, report["summary"]
    assert _cells(report) == _cells(as_superuser)
    pooled = through(pgbouncer(khepri_clone_url), role_url)
    code, report = _json(cli, "verify-access", "--db-url", pooled)
    assert code == 0, report["summary"]
    assert _cells(report) == _cells(as_superuser)
    assert database_state(khepri_clone_url) == before


def test_doctor_as_a_hosted_shaped_postgres_finds_what_the_superuser_finds(
    cli: Cli, khepri_clone_url: str, hosted_role: Callable[[str], str]
) -> None:
    role_url = hosted_role(khepri_clone_url)
    assert _doctor(cli, role_url)[:2] == _doctor(cli, khepri_clone_url)[:2]


# -- read-only mode (what Supabase sets when a project's disk is full) --------------------------------------


def test_read_only_mode_refuses_migrate_but_doctor_and_verify_access_still_run(cli: Cli, khepri_clone_url: str) -> None:
    name = khepri_clone_url.rsplit("/", 1)[1]
    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute(f'alter database "{name}" set default_transaction_read_only = on')
    code, output = _json(cli, "migrate", "--db-url", khepri_clone_url)
    error = output["error"]
    assert code == 2
    assert error["type"] == "ReadOnlyTargetError"
    assert "default_transaction_read_only" in error["message"]
    assert _doctor(cli, khepri_clone_url)[0] in (0, 1)
    code, report = _json(cli, "verify-access", "--db-url", khepri_clone_url)
    assert code == 0, report["summary"]
    with connect(khepri_clone_url) as conn, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        conn.execute("create table public.should_not_exist (x int)")


# -- --dry-run: what a run would write and call, reading only the catalog --------------------------------


def test_verify_access_dry_run_lists_users_rows_and_calls_and_writes_nothing(cli: Cli, khepri_clone_url: str) -> None:
    before = database_state(khepri_clone_url)
    with connect(khepri_clone_url) as conn:
        users = conn.execute("select count(*) from auth.users").fetchone()
    code, plan = _json(cli, "verify-access", "--dry-run", "--db-url", khepri_clone_url)
    assert code == 0, plan
    assert plan["dry_run"] is True
    assert plan["read_only"] is None
    assert plan["transaction_pooler"] is None
    assert plan["users"][:2] == ["owner", "other"]
    assert {"public.athletes", "public.workouts"} <= {t["name"] for t in plan["tables"]}
    calls = {f["name"].split("(")[0]: f["call"] for f in plan["functions"]}
    assert calls["public.finalize_onboarding"].startswith("select public.finalize_onboarding(")
    _, real = _json(cli, "verify-access", "--db-url", khepri_clone_url)
    assert plan["cells"] == len(real["cells"])
    assert database_state(khepri_clone_url) == before
    with connect(khepri_clone_url) as conn:
        assert conn.execute("select count(*) from auth.users").fetchone() == users
    text = cli("verify-access", "--dry-run", "--db-url", khepri_clone_url, cwd=REPO).stdout
    assert "rolled back" in text
    assert "users made in auth.users: owner, other" in text


def test_dry_runs_say_what_a_standby_and_a_pooler_change(
    cli: Cli, migrated_hot_standby: tuple[str, str], pgbouncer: Callable[..., str], tmp_path: Path
) -> None:
    primary, standby = migrated_hot_standby
    code, plan = _json(cli, "verify-access", "--dry-run", "--db-url", standby)
    assert code == 0
    assert "read-only hot standby" in plan["read_only"]
    assert plan["tables"] == []
    assert "nothing would be probed" in plan["outcome"]
    code, plan = _json(cli, "verify-access", "--dry-run", "--db-url", pgbouncer(primary))
    assert code == 0
    assert "transaction-mode pooler" in plan["transaction_pooler"]
    assert plan["tables"]
    target = tmp_path / "access.toml"
    code, plan = _json(cli, "access", "init", "--dry-run", "--access-file", str(target), "--db-url", standby)
    assert code == 0
    assert plan["outcome"].startswith("refused")
    assert not target.exists()
    code, plan = _json(cli, "access", "init", "--dry-run", "--access-file", str(target), "--db-url", primary)
    assert code == 0
    assert "public.athletes" in {t["name"] for t in plan["tables"]}
    assert not target.exists()


def test_test_db_dry_run_says_which_files_would_leave_something_and_runs_nothing(
    cli: Cli, khepri_clone_url: str, pgbouncer: Callable[..., str], tmp_path: Path
) -> None:
    (tmp_path / "a_rolls_back_test.sql").write_text("begin;\nselect plan(1);\nselect ok(true);\nrollback;\n")
    (tmp_path / "b_commits_test.sql").write_text("begin;\nselect plan(1);\nselect ok(true);\ncommit;\n")
    (tmp_path / "c_loose_test.sql").write_text("select plan(1);\nselect ok(true);\n")
    before = database_state(khepri_clone_url)
    code, plan = _json(cli, "test", "db", str(tmp_path), "--dry-run", "--db-url", khepri_clone_url)
    assert code == 0, plan
    assert [(Path(f["file"]).name, f["leaves_nothing"]) for f in plan["files"]] == [
        ("a_rolls_back_test.sql", True),
        ("b_commits_test.sql", False),
        ("c_loose_test.sql", False),
    ]
    assert plan["pgtap"].startswith("created")
    code, plan = _json(cli, "test", "db", str(tmp_path), "--dry-run", "--db-url", pgbouncer(khepri_clone_url))
    assert code == 0, plan
    assert plan["transaction_pooler"] is not None
    assert [f["leaves_nothing"] for f in plan["files"]] == [True, False, True]
    assert "wrapped in begin" in plan["files"][2]["how"]
    assert database_state(khepri_clone_url) == before
    with connect(khepri_clone_url) as conn:
        assert conn.execute("select count(*) from pg_extension where extname = 'pgtap'").fetchone() == (0,)


def test_verify_access_applies_the_roles_own_statement_timeout_as_postgrest_does(
    khepri_clone_url: str, tmp_path: Path
) -> None:
    # Hosted Supabase sets statement_timeout per API role (anon 3 s, authenticated 8 s); PostgREST
    # applies the role's settings to every request, so a probe that runs longer fails as the request would.
    from khepri_db.access.probe import verify_access

    name = khepri_clone_url.rsplit("/", 1)[1]
    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute(f"alter role anon in database \"{name}\" set statement_timeout = '200ms'")
        conn.execute("create function public.slow_report() returns int language sql as 'select 1 from pg_sleep(1)'")
        conn.execute("grant execute on function public.slow_report() to anon, authenticated")
    access = tmp_path / "access.toml"
    access.write_text('version = 1\n[functions."public.slow_report"]\nallow = ["anon", "owner", "other"]\n')
    report = verify_access(khepri_clone_url, access, exposed_schemas=["khepri_nothing_exposed"])
    by_actor = {c.actor: c for c in report.cells}
    assert by_actor["anon"].actual == "error"
    assert by_actor["anon"].sqlstate == "57014"  # query_canceled: the statement timeout
    assert by_actor["owner"].actual == "allowed"  # authenticated keeps its own 8 s


def test_access_init_and_test_db_work_as_a_hosted_shaped_postgres(
    cli: Cli, khepri_clone_url: str, hosted_role: Callable[[str], str], tmp_path: Path
) -> None:
    role_url = hosted_role(khepri_clone_url)
    before = database_state(khepri_clone_url)
    target = tmp_path / "access.toml"
    code, result = _json(cli, "access", "init", "--access-file", str(target), "--db-url", role_url)
    assert code in (0, 1), result
    _json(cli, "access", "init", "--access-file", str(tmp_path / "su.toml"), "--db-url", khepri_clone_url)

    def body(path: Path) -> list[str]:
        # the header names the URL it was generated from and the minute it was generated in (two runs a
        # second apart can straddle a minute: CI saw the lines differ once, stop 28)
        return [
            line
            for line in path.read_text().splitlines()
            if "postgresql://" not in line and not line.startswith("# Generated by `khepri-db access init` on ")
        ]

    assert body(target) == body(tmp_path / "su.toml")
    code, report = _json(cli, "test", "db", "--db-url", role_url)
    assert code == 0, report
    assert database_state(khepri_clone_url) == before


def test_a_rule_the_hosted_shaped_postgres_lacks_a_privilege_for_is_listed_as_not_checked(
    khepri_clone_url: str, hosted_role: Callable[[str], str], tmp_path: Path
) -> None:
    from khepri_db.core.project import Project
    from khepri_db.doctor.run import run_doctor

    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "reads_a_private_table.sql").write_text(
        "-- name: reads_a_private_table\n-- title: Reads a table only its owner may read\n-- level: WARN\n"
        "-- facing: EXTERNAL\n-- categories: SECURITY\n"
        "select 'reads_a_private_table' as name, 'x' as title, 'WARN' as level, 'EXTERNAL' as facing,\n"
        "    array['SECURITY'] as categories, 'x' as description, 'x' as detail, 'x' as remediation,\n"
        "    '{}'::jsonb as metadata, 'reads_a_private_table_' || count(*) as cache_key\n"
        "from private_audit.entries\n"
    )
    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute("create schema private_audit; create table private_audit.entries (id int)")
        conn.execute("grant usage on schema private_audit to public")  # the table itself: no grant
    role_url = hosted_role(khepri_clone_url)
    with connect(khepri_clone_url, autocommit=True) as conn:  # pg_read_all_data would let it read the table
        role = role_url.split("://", 1)[1].split(":", 1)[0]
        conn.execute(f'revoke pg_read_all_data from "{role}"')
    report = run_doctor(role_url, project=Project(tmp_path), rules_dir=rules)
    assert report.findings == []
    assert report.not_run["reads_a_private_table"].startswith("not checked: the connecting role lacks a privilege")
    assert "permission denied" in report.not_run["reads_a_private_table"]
    as_superuser = run_doctor(khepri_clone_url, project=Project(tmp_path), rules_dir=rules)
    assert as_superuser.not_run == {}
    assert [f.cache_key for f in as_superuser.findings] == ["reads_a_private_table_0"]
