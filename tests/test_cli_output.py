"""What the CLI prints: text with [brackets] survives Rich, and nothing wraps off a terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Cli, write_migration

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
