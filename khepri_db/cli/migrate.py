"""``khepri-db migrate``, ``seed``, ``status``, ``init`` and ``migration new|list|repair``: the migration face."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from khepri_db.cli._app import (
    DataDir,
    DbUrl,
    Format,
    KhepriSchema,
    Linked,
    MigrationsDir,
    OutputFormat,
    TargetEngine,
    _escape,
    _handles_errors,
    _print_json,
    _progress,
    _target_url,
    app,
    err,
    migration_app,
    out,
)
from khepri_db.cli.render import _render_seeds
from khepri_db.core.db import redact
from khepri_db.core.errors import UsageError
from khepri_db.core.project import Project

# -- migrate / status ------------------------------------------------------------------------


@app.command("migrate")
@_handles_errors
def migrate_cmd(
    db_url: DbUrl = None,
    linked: Linked = False,
    data_dir: DataDir = None,
    engine_name: TargetEngine = None,
    migrations_dir: MigrationsDir = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be applied; change nothing.")] = False,
    include_all: Annotated[
        bool,
        typer.Option("--include-all", help="Also apply pending files older than the newest applied version."),
    ] = False,
    include_seed: Annotated[
        bool,
        typer.Option("--include-seed", help="Run \\[db.seed] files (supabase/seed.sql) after the migrations."),
    ] = False,
    no_compat: Annotated[
        bool,
        typer.Option("--no-compat", help="Do not install the Supabase compatibility layer on vanilla Postgres."),
    ] = False,
    lock_timeout: Annotated[
        float,
        typer.Option("--lock-timeout", help="Seconds to wait for another migrate run on the same database."),
    ] = 300.0,
    khepri_schema: KhepriSchema = False,
    output: Format = OutputFormat.text,
) -> None:
    """Apply pending migrations, each file in one transaction with its history row.

    A file whose own `commit` closes no `begin` (e.g. after `alter type ... add value`) runs in one
    transaction per part, as `supabase db push` commits it there; a warning names the line.
    History is written to supabase_migrations.schema_migrations exactly as the Supabase CLI writes
    it, so `supabase migration list` and `supabase db push` agree with khepri-db. On vanilla
    PostgreSQL the Supabase compatibility layer (roles, auth, storage, grants) is installed first;
    on real Supabase it never is.
    """
    from khepri_db.migrations.apply import migrate  # the face, loaded by the command that needs it

    project = Project.discover()
    directory = project.migrations_dir(migrations_dir, khepri_schema=khepri_schema)
    url = _target_url(db_url, data_dir, output, engine_name, linked=linked)
    seeds = project.seed_files(khepri_schema=khepri_schema) if include_seed else []
    result = migrate(
        url,
        directory,
        dry_run=dry_run,
        include_all=include_all,
        seed_files=seeds,
        seed_key=project.relative,
        use_compat=not no_compat,
        lock_timeout_s=lock_timeout,
        progress=_progress(output),
    )
    if output is OutputFormat.json:
        _print_json(result.to_dict())
        return
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    out.print(escape(f"Target: {redact(url)} ({result.target.describe()})"))
    if result.compat not in {"present", "not needed"}:
        out.print(f"Supabase compatibility layer: {result.compat}")
    if dry_run:
        if result.pending:
            out.print(f"Would apply {len(result.pending)} migration(s):")
            for file in result.pending:
                out.print(f"  {escape(file.filename)}")
        else:
            out.print("Nothing to apply: the database is up to date.")
        return
    if result.applied:
        # the files, one line each, went to the progress output (stderr) as they ran; --format json lists them
        total = sum(a.duration_ms for a in result.applied)
        first, last = result.applied[0].path.name, result.applied[-1].path.name
        span = first if first == last else f"{first} ... {last}"
        out.print(escape(f"Applied {len(result.applied)} migration(s) from {directory} in {total:.0f} ms ({span})"))
    else:
        out.print("Nothing to apply: the database is up to date.")
    _render_seeds(result.seeded, result.seeds_skipped)


@app.command("seed")
@_handles_errors
def seed_cmd(
    db_url: DbUrl = None,
    linked: Linked = False,
    data_dir: DataDir = None,
    engine_name: TargetEngine = None,
    files: Annotated[
        list[Path] | None,
        typer.Option(
            "--file", help="Seed file to run (repeatable). Default: \\[db.seed] sql_paths, e.g. supabase/seed.sql."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Run every seed file, even unchanged ones.")] = False,
    khepri_schema: KhepriSchema = False,
    output: Format = OutputFormat.text,
) -> None:
    """Load seed data: runs new and changed seed files, each in one transaction.

    Files are tracked in supabase_migrations.seed_files (path and sha256) as the Supabase CLI does;
    unchanged files are skipped unless --force. Seed files should be idempotent.
    """
    from khepri_db.migrations.seed import seed, seed_path_key

    project = Project.discover()
    if not files and not khepri_schema and not project.found:
        raise project.missing("seed files", options="--file FILE")
    paths = list(files) if files else project.seed_files(khepri_schema=khepri_schema)
    for path in paths:
        if not path.is_file():
            raise UsageError(f"seed file {path} does not exist")
    url = _target_url(db_url, data_dir, output, engine_name, linked=linked)
    result = seed(
        url, paths, seed_key=lambda p: seed_path_key(p, project.root), force=force, progress=_progress(output)
    )
    if output is OutputFormat.json:
        _print_json(result.to_dict())
        return
    if not paths:
        out.print(escape("No seed files ([db.seed] is disabled or lists none)."))
    _render_seeds(result.seeded, result.seeds_skipped)


@app.command("status")
@_handles_errors
def status_cmd(
    db_url: DbUrl = None,
    linked: Linked = False,
    data_dir: DataDir = None,
    engine_name: TargetEngine = None,
    migrations_dir: MigrationsDir = None,
    khepri_schema: KhepriSchema = False,
    output: Format = OutputFormat.text,
) -> None:
    """Compare local migrations with the database: applied, pending, and drift.

    Drift is an applied file whose content changed since, or a version in the database with no
    local file. Exit 1 when anything is pending or drifted, 0 when up to date.
    """
    from khepri_db.core.db import connect
    from khepri_db.migrations.status import MigrationState, migration_status

    project = Project.discover()
    directory = project.migrations_dir(migrations_dir, khepri_schema=khepri_schema)
    url = _target_url(db_url, data_dir, output, engine_name, linked=linked)
    with connect(url) as conn:
        status = migration_status(conn, directory)
    not_clean = [e for e in status.entries if e.state is not MigrationState.APPLIED]
    if output is OutputFormat.json:
        _print_json(status.to_dict())
    else:
        from rich.table import Table  # only the table commands load it

        table = Table(title=escape(f"Migrations in {directory}"), title_justify="left")
        for column in ("version", "name", "state", "applied at", "by", "detail"):
            table.add_column(column)
        style = {
            MigrationState.APPLIED: "green",
            MigrationState.PENDING: "yellow",
            MigrationState.OUT_OF_ORDER: "yellow",
            MigrationState.CHANGED: "red",
            MigrationState.MISSING_LOCALLY: "red",
        }
        for e in status.entries:
            table.add_row(
                e.version,
                escape(e.name or ""),
                f"[{style[e.state]}]{e.state.value}[/{style[e.state]}]",
                e.applied_at.strftime("%Y-%m-%d %H:%M:%S") if e.applied_at else "",
                e.applied_by or "",
                escape(e.detail),
            )
        out.print(table)
        for item in status.ignored:
            out.print(f"[yellow]not a migration:[/yellow] {escape(f'{item.path.name} ({item.reason})')}")
        counts = {s: len(status.by_state(s)) for s in MigrationState}
        out.print(", ".join(f"{n} {s.value}" for s, n in counts.items() if n) or "no migrations")
    if not_clean:
        raise typer.Exit(1)


@app.command("init")
@_handles_errors
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
    from khepri_db.migrations.workflow import init_project

    result = init_project(directory or Path.cwd(), project_id=project_id, force=force)
    if output is OutputFormat.json:
        _print_json(result.to_dict())
        return
    for path in result.directories:
        out.print(f"Created {_escape(path)}/")
    for path in result.written:
        out.print(f"Wrote {_escape(path)}")
    for path in result.kept:
        out.print(f"Kept {_escape(path)} (it exists; --force overwrites it)")
    out.print("Next: `khepri-db migration new <name>`, write SQL, `khepri-db migrate`, then `pytest` for policy tests.")


@migration_app.command("new")
@_handles_errors
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
    from khepri_db.migrations.workflow import new_migration

    project = Project.discover()
    directory = migrations_dir or project.supabase_dir / "migrations"
    content = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
    path = new_migration(directory, name, content=content)
    if output is OutputFormat.json:
        _print_json({"path": str(path), "version": path.name.split("_", 1)[0], "name": name})
    else:
        out.print(f"Created new migration at {_escape(path)}")


@migration_app.command("list")
@_handles_errors
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
    from khepri_db.migrations.workflow import list_migrations

    project = Project.discover()
    directory = project.migrations_dir(migrations_dir)
    url = _target_url(db_url, data_dir, output, engine_name, linked=linked)
    with connect(url) as conn:
        listing = list_migrations(conn, directory)
    if output is OutputFormat.json:
        _print_json(listing.to_dict())
    else:
        from rich.table import Table  # only the table commands load it

        table = Table(title=f"Migrations in {_escape(directory)}", title_justify="left")
        for column in ("LOCAL", "REMOTE", "TIME (UTC)", "DRIFT"):
            table.add_column(column)
        for row in listing.rows:
            drift = f"[red]{row.drift.value}[/red]" if row.drift.value else ""
            table.add_row(_escape(row.local or ""), _escape(row.remote or ""), _escape(row.time), drift)
        out.print(table)
        for row in listing.rows:
            if row.detail:
                out.print(f"[dim]{_escape(row.local or row.remote)}: {_escape(row.detail)}[/dim]")
    if listing.has_drift:
        raise typer.Exit(1)


@migration_app.command("repair")
@_handles_errors
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
    from khepri_db.migrations.workflow import RepairStatus, repair_migrations

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
    url = _target_url(db_url, data_dir, output, engine_name, linked=linked)
    result = repair_migrations(url, directory, versions or [], RepairStatus(status))
    if output is OutputFormat.json:
        _print_json(result.to_dict())
    else:
        out.print(f"Repaired migration history: [{_escape(' '.join(result.versions))}] => {result.status.value}")
