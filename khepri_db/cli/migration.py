"""``khepri-db migration new|list|repair``: migration files and the migration history, as
``supabase migration`` manages them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from khepri_db.cli._app import app
from khepri_db.cli.common import (
    DataDir,
    DbUrl,
    Format,
    KhepriTyper,
    Linked,
    MigrationsDir,
    OutputFormat,
    TargetEngine,
    escaped,
    handles_errors,
    out,
    print_json,
    target_url,
)
from khepri_db.core.errors import UsageError
from khepri_db.core.project import Project

migration_app = KhepriTyper(
    help="Manage migration files and the migration history, as `supabase migration` does (new, list, repair).",
    no_args_is_help=True,
)
app.add_typer(migration_app, name="migration")


@migration_app.command("new")
@handles_errors
def migration_new_cmd(
    name: Annotated[str, typer.Argument(help="Migration name, e.g. create_notes.")],
    migrations_dir: Annotated[
        Path | None,
        typer.Option("--migrations-dir", help="Migrations directory. Default: <project>/supabase/migrations."),
    ] = None,
    output: Format = OutputFormat.text,
) -> None:
    """Create an empty migration supabase/migrations/<UTC timestamp>_<name>.sql, as `supabase migration new`.

    Like the CLI, text piped on stdin becomes the file's content. Prints the path.
    """
    from khepri_db.migrations.versions import new_migration

    project = Project.discover()
    directory = migrations_dir or project.supabase_dir / "migrations"
    content = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
    path = new_migration(directory, name, content=content)
    if output is OutputFormat.json:
        print_json({"path": str(path), "version": path.name.split("_", 1)[0], "name": name})
    else:
        out.print(f"Created new migration at {escaped(path)}")


@migration_app.command("list")
@handles_errors
def migration_list_cmd(
    db_url: DbUrl = None,
    linked: Linked = False,
    data_dir: DataDir = None,
    engine_name: TargetEngine = None,
    migrations_dir: MigrationsDir = None,
    output: Format = OutputFormat.text,
) -> None:
    """List local and remote migrations side by side, as `supabase migration list`, plus drift.

    Columns: LOCAL, REMOTE, TIME (UTC) as the Supabase CLI prints them, and DRIFT: changed (applied
    file edited since), missing-locally (recorded version with no file), out-of-order.

    Exit 1 when an applied file changed or a recorded version has no local file.
    """
    from khepri_db.core.db import connect
    from khepri_db.migrations.listing import list_migrations

    project = Project.discover()
    directory = project.migrations_dir(migrations_dir)
    url = target_url(db_url, data_dir, output, engine_name, linked=linked)
    with connect(url) as conn:
        listing = list_migrations(conn, directory)
    if output is OutputFormat.json:
        print_json(listing.to_dict())
    else:
        from rich.table import Table  # only the table commands load it

        table = Table(title=f"Migrations in {escaped(directory)}", title_justify="left")
        for column in ("LOCAL", "REMOTE", "TIME (UTC)", "DRIFT"):
            table.add_column(column)
        for row in listing.rows:
            drift = f"[red]{row.drift.value}[/red]" if row.drift.value else ""
            table.add_row(escaped(row.local or ""), escaped(row.remote or ""), escaped(row.time), drift)
        out.print(table)
        for row in listing.rows:
            if row.detail:
                out.print(f"[dim]{escaped(row.local or row.remote)}: {escaped(row.detail)}[/dim]")
    if listing.has_drift:
        raise typer.Exit(1)


@migration_app.command("repair")
@handles_errors
def migration_repair_cmd(
    versions: Annotated[
        list[str] | None,
        typer.Argument(
            help="Versions to repair. None: make the whole history match the local files (needs --yes).",
            show_default=False,
        ),
    ] = None,
    status: Annotated[str, typer.Option("--status", help="applied or reverted.", show_default=False)] = "",
    db_url: DbUrl = None,
    linked: Linked = False,
    data_dir: DataDir = None,
    engine_name: TargetEngine = None,
    migrations_dir: MigrationsDir = None,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm a repair of the whole history.")] = False,
    output: Format = OutputFormat.text,
) -> None:
    """Mark versions applied or reverted in the history, writing the rows `supabase migration repair` writes.

    applied: upserts version, name and statements of the local file into
    supabase_migrations.schema_migrations; reverted: deletes the rows.

    khepri-db's facts about those versions are dropped, since it did not apply them. Exit 1 when a
    version to mark applied has no local file (nothing is written).
    """
    from khepri_db.migrations.repair import RepairStatus, repair_migrations

    if status not in {s.value for s in RepairStatus}:
        raise UsageError(
            f"--status {status!r}: expected applied or reverted", hint="e.g. --status reverted 20260101000000"
        )
    if not versions and not yes:
        raise UsageError(
            "no version given: this would repair the whole migration history to match the local files",
            hint="pass the versions to repair, or --yes to repair them all",
        )
    project = Project.discover()
    directory = project.migrations_dir(migrations_dir)
    url = target_url(db_url, data_dir, output, engine_name, linked=linked)
    result = repair_migrations(url, directory, versions or [], RepairStatus(status))
    if output is OutputFormat.json:
        print_json(result.to_dict())
    else:
        out.print(f"Repaired migration history: [{escaped(' '.join(result.versions))}] => {result.status.value}")
