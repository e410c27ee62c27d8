"""benchmarks/real_projects.py: the harness that measures `khepri-db migrate` on real Supabase projects.

One end-to-end run on a small project of our own (a fresh embedded cluster, the real CLI), and the
cause categories for the messages real projects produce.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from tests.support import REPO, write_migration

_SPEC = importlib.util.spec_from_file_location("real_projects", REPO / "benchmarks" / "real_projects.py")
assert _SPEC is not None
assert _SPEC.loader is not None
harness = importlib.util.module_from_spec(_SPEC)
sys.modules["real_projects"] = harness
_SPEC.loader.exec_module(harness)

KHEPRI = str(Path(sys.executable).with_name("khepri-db"))


def test_a_project_failing_in_its_second_file_reports_file_line_sqlstate_and_applied(tmp_path: Path) -> None:
    project = tmp_path / "acme__shop"
    migrations = project / "supabase" / "migrations"
    migrations.mkdir(parents=True)
    write_migration(migrations, "20260101000000_items.sql", "create table public.items (id bigint primary key);\n")
    write_migration(
        migrations,
        "20260102000000_ext.sql",
        "-- needs an extension no engine has\nselect 1;\ncreate extension khepri_no_such_extension;\n",
    )
    write_migration(migrations, "20260103000000_more.sql", "create table public.more (id bigint primary key);\n")
    (migrations / "README.md").write_text("not a migration\n")

    result = harness.run_project(harness.Project(project, migrations), KHEPRI, "embedded", 300, keep=False)

    assert result.files == 3
    assert result.outcome == "fail"
    assert result.applied == 1
    assert (result.failing_file, result.line, result.sqlstate) == ("20260102000000_ext.sql", 3, "0A000")
    assert result.category == "missing extension khepri_no_such_extension"
    assert "/" not in result.message.split(":")[0]  # the file path prefix is stripped


def test_main_writes_json_and_markdown_with_pass_rates(tmp_path: Path) -> None:
    project = tmp_path / "acme__ok"
    migrations = project / "supabase" / "migrations"
    migrations.mkdir(parents=True)
    write_migration(migrations, "20260101000000_items.sql", "create table public.items (id bigint primary key);\n")
    out = tmp_path / "report"

    assert harness.main([str(project), "--khepri", KHEPRI, "--out", str(out), "--judgements", "/nonexistent"]) == 0

    data = json.loads(out.with_suffix(".json").read_text())
    assert data["summary"]["passed"] == data["summary"]["projects"] == 1
    assert data["results"][0]["applied"] == 1
    assert "**1/1** (100%)" in out.with_suffix(".md").read_text()


@pytest.mark.parametrize(
    ("sqlstate", "message", "category"),
    [
        ("0A000", 'extension "pg_cron" is not available', "missing extension pg_cron"),
        ("0A000", 'extension "postgis" is not available', "PostGIS"),
        ("42883", "function gen_random_bytes(integer) does not exist", "missing extension pgcrypto"),
        ("42883", "function extensions.uuid_generate_v4() does not exist", "missing extension uuid-ossp"),
        ("42704", 'type "vector" does not exist', "missing extension vector"),
        ("3F000", 'schema "supabase_functions" does not exist', "missing Supabase object supabase_functions (schema)"),
        ("42P01", 'relation "auth.sessions" does not exist', "missing Supabase object auth.sessions"),
        ("42704", 'role "supabase_admin" does not exist', "missing Supabase object role supabase_admin"),
        ("25001", "CREATE INDEX CONCURRENTLY cannot run inside a transaction block", "runner semantics"),
        ("42P01", 'relation "public.orders" does not exist', "other: 42P01"),
    ],
)
def test_causes_are_categorized_from_sqlstate_and_message(sqlstate: str, message: str, category: str) -> None:
    result = harness.Result("p", "", "", "", "supabase/migrations", 1, sqlstate=sqlstate, message=message)
    assert harness.categorize(result) == category


def test_compare_names_fixed_moved_on_regressed_and_different_failures() -> None:
    def result(name: str, outcome: str, applied: int, file: str | None = None, category: str = "") -> object:
        return harness.Result(name, "", "", "", "supabase/migrations", 9, applied=applied, outcome=outcome,
                              failing_file=file, category=category)  # fmt: skip

    before = [result("a", "fail", 0, "1_x.sql", "missing extension pgcrypto"), result("b", "fail", 2, "3_y.sql"),
              result("c", "pass", 9), result("d", "fail", 4, "5_z.sql", "x"), result("e", "fail", 1, "2_q.sql", "y"),
              result("f", "pass", 9)]  # fmt: skip
    after = [result("a", "pass", 9), result("b", "fail", 5, "6_w.sql"), result("c", "fail", 0, "1_v.sql", "z"),
             result("d", "fail", 1, "2_z.sql", "x"), result("e", "fail", 1, "2_q.sql", "other"),
             result("f", "pass", 9)]  # fmt: skip

    text = harness.compare(before, after)

    assert text.startswith(
        "Compared with the earlier run: 1 different failure, 1 fixed, 1 moved on, 2 regressed, 1 same."
    )
    rows = {line.split(" | ")[0].strip("| "): line.rsplit(" | ", 1)[1].strip(" |") for line in text.splitlines()[4:]}
    assert rows == {"a": "fixed", "b": "moved on", "c": "regressed", "d": "regressed", "e": "different failure"}


def test_a_refusal_without_sqlstate_is_runner_semantics() -> None:
    result = harness.Result("p", "", "", "", "m", 1, error_type="MigrationError", message="`commit` inside a file")
    assert harness.categorize(result) == "runner semantics (refused before running)"
