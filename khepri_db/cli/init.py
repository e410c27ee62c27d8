"""``khepri-db init``: a Supabase project layout, as ``supabase init`` writes it, plus a conftest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from khepri_db.cli._app import app
from khepri_db.cli.common import Format, OutputFormat, escaped, handles_errors, out, print_json


@app.command("init")
@handles_errors
def init_cmd(
    directory: Annotated[
        Path | None, typer.Argument(help="Project directory. Default: the current directory.", show_default=False)
    ] = None,
    project_id: Annotated[
        str | None, typer.Option("--project-id", help="project_id in config.toml. Default: the directory name.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the files that exist (default: keep them).")
    ] = False,
    output: Format = OutputFormat.text,
) -> None:
    """Create a Supabase project layout, as `supabase init` does, plus a conftest for policy tests.

    Writes supabase/config.toml (as `supabase init` writes it), an empty supabase/migrations/,
    supabase/seed.sql and tests/conftest.py (fixtures on khepri-db's pytest plugin).

    In an existing project only the missing files are written; the others are kept as they are
    (listed), unless --force.
    """
    from khepri_db.migrations.init import init_project

    result = init_project(directory or Path.cwd(), project_id=project_id, force=force)
    if output is OutputFormat.json:
        print_json(result.to_dict())
        return
    for path in result.directories:
        out.print(f"Created {escaped(path)}/")
    for path in result.written:
        out.print(f"Wrote {escaped(path)}")
    for path in result.kept:
        out.print(f"Kept {escaped(path)} (it exists; --force overwrites it)")
    out.print("Next: `khepri-db migration new <name>`, write SQL, `khepri-db migrate`, then `pytest` for policy tests.")
