"""``khepri-db migrate``, ``seed`` and ``status``: apply migrations and seed files, compare them with the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from khepri_db.cli._app import app
from khepri_db.cli.common import (
    DataDir,
    DbUrl,
    Format,
    KhepriSchema,
    Linked,
    MigrationsDir,
    OutputFormat,
    TargetEngine,
    err,
    handles_errors,
    out,
    print_json,
    progress_for,
    target_url,
)
from khepri_db.cli.render import render_seeds
from khepri_db.core.db import redact
from khepri_db.core.errors import UsageError
from khepri_db.core.project import Project


@app.command("migrate")
@handles_errors
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
    url = target_url(db_url, data_dir, output, engine_name, linked=linked)
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
        progress=progress_for(output),
    )
    if output is OutputFormat.json:
        print_json(result.to_dict())
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
    render_seeds(result.seeded, result.seeds_skipped)


@app.command("seed")
@handles_errors
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
    url = target_url(db_url, data_dir, output, engine_name, linked=linked)
    result = seed(
        url, paths, seed_key=lambda p: seed_path_key(p, project.root), force=force, progress=progress_for(output)
    )
    if output is OutputFormat.json:
        print_json(result.to_dict())
        return
    if not paths:
        out.print(escape("No seed files ([db.seed] is disabled or lists none)."))
    render_seeds(result.seeded, result.seeds_skipped)


@app.command("status")
@handles_errors
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
    url = target_url(db_url, data_dir, output, engine_name, linked=linked)
    with connect(url) as conn:
        status = migration_status(conn, directory)
    not_clean = [e for e in status.entries if e.state is not MigrationState.APPLIED]
    if output is OutputFormat.json:
        print_json(status.to_dict())
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
