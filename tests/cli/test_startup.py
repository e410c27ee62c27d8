"""What `khepri-db <command>` loads: only its own command group, no other face (issue 20).

Start-up cost is kept down by what is not imported; these tests check the modules a real command
run leaves in ``sys.modules`` (a new process each), not how long it took (that is
benchmarks/bench_ratios.py's job), and that the shortcuts taken to get there change no result.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main

from khepri_db.cli import _GROUP_MODULES, COMMAND_MODULES, app
from tests.support import REPO, write_migration

HEAVY_FOR_MIGRATE = (
    "rich.table",  # only the table-drawing commands import it
    "khepri_db.doctor",
    "khepri_db.access",
    "khepri_db.client",
    "khepri_db.engines",  # not needed with --db-url
    *(f"khepri_db.cli.{name}" for name in _GROUP_MODULES if name != "migrate"),
)
"""Modules `khepri-db migrate --db-url ...` must not import (nor any of their submodules)."""

_RUN_AND_LIST_MODULES = """
import atexit, json, sys
from khepri_db.cli import main
sys.argv = ["khepri-db", *sys.argv[1:]]
atexit.register(lambda: sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n"))
main()
"""
"""Runs the entry point as the ``khepri-db`` script does; the modules are listed by an exit handler
(main() ends the process itself, after running the exit handlers)."""


def _run_listing_modules(*args: str) -> tuple[int, set[str], str]:
    """Run the ``khepri-db`` entry point with ``args`` in a new interpreter; its exit code, the
    modules it had imported when it ended, and its stdout."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", _RUN_AND_LIST_MODULES, *args], capture_output=True, text=True, env=env, cwd=REPO
    )
    line = next(ln for ln in done.stderr.splitlines() if ln.startswith("MODULES "))
    return done.returncode, set(json.loads(line.removeprefix("MODULES "))), done.stdout


def _loaded(modules: set[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


def test_migrate_imports_only_what_it_needs(empty_db_url: str, migrations_dir: Path) -> None:
    write_migration(migrations_dir, "20260101000000_notes.sql", "create table public.notes (id int);\n")
    write_migration(migrations_dir, "20260101000100_more.sql", "alter table public.notes add column t text;\n")

    code, modules, stdout = _run_listing_modules(
        "migrate", "--db-url", empty_db_url, "--migrations-dir", str(migrations_dir), "--format", "text"
    )

    assert code == 0, stdout
    assert "Applied 2 migration(s)" in stdout
    assert "khepri_db.migrations.apply" in modules  # it did run the migrations
    assert [name for name in HEAVY_FOR_MIGRATE if _loaded(modules, name)] == []


def test_status_as_json_loads_no_other_face_either(empty_db_url: str, migrations_dir: Path) -> None:
    write_migration(migrations_dir, "20260101000000_notes.sql", "create table public.notes (id int);\n")

    code, modules, stdout = _run_listing_modules(
        "status", "--db-url", empty_db_url, "--migrations-dir", str(migrations_dir), "--format", "json"
    )

    assert code == 1, stdout  # a pending migration
    assert json.loads(stdout)["counts"]["pending"] == 1
    assert not _loaded(modules, "khepri_db.cli.doctor")
    assert not _loaded(modules, "khepri_db.doctor")


def test_init_loads_its_own_module_and_no_other_command_module(tmp_path: Path) -> None:
    code, modules, stdout = _run_listing_modules("init", str(tmp_path / "project"), "--format", "json")

    assert code == 0, stdout
    assert (tmp_path / "project" / "supabase" / "config.toml").is_file()
    assert "khepri_db.cli.init" in modules
    assert [name for name in _GROUP_MODULES if name != "init" and _loaded(modules, f"khepri_db.cli.{name}")] == []


def _top_level(typer_app: typer.Typer) -> dict[str, Any]:
    group = typer.main.get_command(typer_app)
    return dict(group.commands)  # type: ignore[attr-defined]


_LIST_FROM_ONE_MODULE = """
import json, sys
import typer.main
from khepri_db.cli import _registered_app
group = typer.main.get_command(_registered_app(sys.argv[1]))
print(json.dumps({name: sorted(getattr(cmd, "commands", {})) for name, cmd in group.commands.items()}))
"""


@pytest.mark.parametrize("module", sorted(set(COMMAND_MODULES.values())))
def test_each_command_comes_whole_from_its_own_module(module: str) -> None:
    """Loading one command's module alone gives that command exactly as the full app has it (with
    all its subcommands), and the map names every top-level command of the full app."""
    full = {name: sorted(getattr(cmd, "commands", {})) for name, cmd in _top_level(app).items()}
    assert set(COMMAND_MODULES) == set(full)
    names = [name for name, owner in COMMAND_MODULES.items() if owner == module]
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    done = subprocess.run(
        [sys.executable, "-c", _LIST_FROM_ONE_MODULE, names[0]], capture_output=True, text=True, env=env, check=True
    )

    alone = json.loads(done.stdout)
    for name in names:
        assert alone[name] == full[name], name
    assert not [name for name in alone if alone[name] and COMMAND_MODULES[name] != module]  # no other group filled
