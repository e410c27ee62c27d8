"""What the CLI prints: text with [brackets] survives Rich, and nothing wraps off a terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import Cli, write_migration

pytestmark = pytest.mark.pg

UNREACHABLE = "postgresql://nobody:secret@127.0.0.1:1/none"


def _unboxed(text: str) -> str:
    """Help text without Rich's box borders and line breaks."""
    return " ".join(text.replace("│", " ").split())


def test_help_texts_print_their_brackets(cli: Cli) -> None:
    migrate_help = _unboxed(cli("migrate", "--help").output)
    seed_help = _unboxed(cli("seed", "--help").output)
    assert "Run [db.seed] files" in migrate_help
    assert "Default: [db.seed] sql_paths" in seed_help


def test_error_messages_print_their_brackets(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "[db.seed]" / "[red]not here[/red]"
    result = cli("migrate", "--db-url", UNREACHABLE, "--migrations-dir", str(missing))
    assert result.exit_code == 2
    assert f"migrations directory {missing} does not exist" in result.output


@pytest.mark.parametrize("force_color", [False, True])
def test_errors_are_not_wrapped_when_not_writing_to_a_terminal(tmp_path: Path, force_color: bool) -> None:
    missing = tmp_path.joinpath(*(f"a-rather-long-directory-name-{i}" for i in range(6)), "migrations")
    env = {k: v for k, v in os.environ.items() if k not in {"COLUMNS", "KHEPRI_DB_URL", "FORCE_COLOR", "NO_COLOR"}}
    if force_color:
        env["FORCE_COLOR"] = "1"  # what many CI setups export: colour, still no wrapping
    done = subprocess.run(
        [sys.executable, "-m", "khepri_db", "migrate", "--db-url", UNREACHABLE, "--migrations-dir", str(missing)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 2
    plain = re.sub(r"\x1b\[[0-9;]*m", "", done.stderr)
    assert f"error: migrations directory {missing} does not exist\n" in plain, done.stderr


def test_migration_errors_stay_on_one_line_with_their_sqlstate(
    cli: Cli, empty_db_url: str, migrations_dir: Path
) -> None:
    deep = migrations_dir.parent / ("x" * 120) / "migrations"
    deep.mkdir(parents=True)
    bad = write_migration(deep, "20260101000000_bad.sql", "select * from public.no_such_table;\n")
    result = cli("migrate", "--db-url", empty_db_url, "--no-compat", "--migrations-dir", str(deep))
    assert result.exit_code == 1
    assert f'error: {bad}:1: relation "public.no_such_table" does not exist [SQLSTATE 42P01]\n' in result.output


def test_migrate_prints_one_line_per_file_and_a_summary(cli: Cli, empty_db_url: str, migrations_dir: Path) -> None:
    for number in range(30):
        write_migration(
            migrations_dir, f"202601010000{number:02d}_t{number}.sql", f"create table t{number} (id int);\n"
        )
    result = cli("migrate", "--db-url", empty_db_url, "--migrations-dir", str(migrations_dir), "--no-compat")
    assert result.exit_code == 0, result.output
    per_file = [line for line in result.stderr.splitlines() if line.startswith("✓ 20260101")]
    assert len(per_file) == 30  # one line each, after the file ran
    assert not any("applying 20260101" in line for line in result.stderr.splitlines())
    summary = [line for line in result.stdout.splitlines() if line.startswith("Applied ")]
    assert summary == [line for line in result.stdout.splitlines() if "migration" in line and "Applied" in line]
    assert "Applied 30 migration(s)" in summary[0]
    assert "20260101000000_t0.sql ... 20260101000029_t29.sql" in summary[0]
    assert len(result.stdout.splitlines()) + len(result.stderr.splitlines()) <= 30 + 6


def test_a_failed_run_says_how_many_applied_and_how_many_did_not_run(
    cli: Cli, empty_db_url: str, migrations_dir: Path
) -> None:
    for number in range(5):
        sql = "select 1 / 0;\n" if number == 2 else f"create table f{number} (id int);\n"
        write_migration(migrations_dir, f"202601020000{number:02d}_f{number}.sql", sql)
    result = cli("migrate", "--db-url", empty_db_url, "--migrations-dir", str(migrations_dir), "--no-compat")
    assert result.exit_code == 1
    assert "✗ 20260102000002_f2.sql failed: 2 applied before it, 2 not run" in result.stderr


def test_many_out_of_order_files_make_a_short_error(cli: Cli, empty_db_url: str, migrations_dir: Path) -> None:
    write_migration(migrations_dir, "20270101000000_newest.sql", "create table newest (id int);\n")
    assert (
        cli("migrate", "--db-url", empty_db_url, "--migrations-dir", str(migrations_dir), "--no-compat").exit_code == 0
    )
    for number in range(200):
        write_migration(migrations_dir, f"20260101{number:06d}_late_{number}.sql", "select 1;\n")
    result = cli("migrate", "--db-url", empty_db_url, "--migrations-dir", str(migrations_dir), "--no-compat")
    assert result.exit_code == 1
    error = next(line for line in result.stderr.splitlines() if line.startswith("error:"))
    assert len(error) < 400
    assert "200 local migration(s) older than the newest applied version" in error
    assert "195 more: `khepri-db status` lists them" in error


def _command_paths() -> list[tuple[str, ...]]:
    """Every command and group of the CLI, as argument tuples (``()`` is the root)."""
    import typer.main

    from khepri_db.cli import app

    paths: list[tuple[str, ...]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        paths.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return paths


def test_flags_show_no_value_type_in_any_help(cli: Cli) -> None:
    paths = _command_paths()
    assert ("migrate",) in paths
    assert ("db", "start") in paths
    assert ("test", "db") in paths
    for path in paths:
        text = cli(*path, "--help", env={"COLUMNS": "200"}).output
        assert "--help" in text, path
        assert "<bool>" not in text, f"khepri-db {' '.join(path)} --help shows <bool>:\n{text}"
    migrate_help = cli("migrate", "--help", env={"COLUMNS": "200"}).output
    dry_run = next(line for line in migrate_help.splitlines() if "--dry-run" in line)
    assert "Show what would be applied" in dry_run
    assert "<" not in dry_run.split("Show")[0]
    lock = next(line for line in migrate_help.splitlines() if "--lock-timeout" in line)
    assert "<float>" in lock  # options that take a value keep their type


def test_help_paragraphs_wrap_at_the_terminal_not_at_the_docstring_lines(cli: Cli) -> None:
    for width in (80, 200):
        lines = cli("migrate", "--help", env={"COLUMNS": str(width)}).output.splitlines()
        start = next(i for i, text in enumerate(lines) if "A file whose own `commit`" in text)
        end = next(i for i, text in enumerate(lines) if "it never is." in text)
        body = [text.rstrip() for text in lines[start:end]]
        # Filled: every line but the paragraph's last reaches near the width (the docstring's own
        # line breaks, at about 100 characters, would leave short lines at 200 and ragged ones at 80).
        assert body, lines
        following = [*lines[start + 1 : end + 1]]
        for text, after in zip(body, following, strict=True):
            next_word = after.split()[0]
            assert len(text) + 1 + len(next_word) > width - 4, (width, text, next_word)  # greedy fill


def test_json_output_is_written_in_pieces_as_json_dumps_writes_it(capsys: pytest.CaptureFixture[str]) -> None:
    # print_json streams the encoder's pieces instead of joining the whole text: the same bytes,
    # across several writes (more pieces than one write holds), non-JSON values through str().
    import datetime
    import json

    from khepri_db.cli import common

    data = {
        "cells": [{"id": f"public.t{i}:owner:select", "ok": i % 2 == 0, "wrote": None, "n": i} for i in range(3000)],
        "path": Path("supabase/access.toml"),
        "when": datetime.date(2026, 12, 7),
        "text": 'é\n"q"',
    }
    common.print_json(data)
    written = capsys.readouterr().out
    assert written == json.dumps(data, indent=2, default=str) + "\n"
    assert len(list(json.JSONEncoder(indent=2, default=str).iterencode(data))) > 2 * common.JSON_CHUNKS
