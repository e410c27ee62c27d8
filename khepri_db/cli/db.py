"""``khepri-db db``: start, stop, status and url of the local server; ``db reset``; ``db dump``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from khepri_db.cli._app import app
from khepri_db.cli.common import (
    DataDir,
    DbUrl,
    EngineOption,
    Format,
    ImageOption,
    KhepriSchema,
    KhepriTyper,
    Linked,
    MigrationsDir,
    OutputFormat,
    ServerEngine,
    TargetEngine,
    err,
    escaped,
    given_url,
    handles_errors,
    out,
    print_json,
    progress_for,
    split_csv,
    target_url,
)
from khepri_db.core.db import redact
from khepri_db.core.errors import KhepriError, UsageError
from khepri_db.core.project import Project

db_app = KhepriTyper(
    help="Manage the embedded PostgreSQL server (start, stop, status, url); reset a database (reset); "
    "dump its schema (dump).",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")


@db_app.command("start")
@handles_errors
def db_start(
    data_dir: DataDir = None,
    port: Annotated[
        int | None,
        typer.Option("--port", help="TCP port on 127.0.0.1. Default: last one used, else 54329 or a free one."),
    ] = None,
    engine_name: EngineOption = ServerEngine.embedded,
    image: ImageOption = None,
    show_password: Annotated[
        bool,
        typer.Option("--show-password", help="Print the URL with its password (default: redacted, `***`)."),
    ] = False,
    output: Format = OutputFormat.text,
) -> None:
    """Start the embedded (or --engine system|docker) PostgreSQL, initialising it on first use. Prints the URL last.

    The URL is printed with its password redacted, so CI logs never hold it; `khepri-db db url`
    prints it whole (or pass --show-password). The server keeps running after this command
    returns, until `khepri-db db stop`. Other commands find the embedded server themselves; for
    another engine pass the same --engine to them (or set KHEPRI_ENGINE), or set
    KHEPRI_DB_URL="$(khepri-db db url --engine system)".

    --engine docker runs --image in a container that shares the host's network (no bridge network
    is created) with PostgreSQL listening on 127.0.0.1 only; the container carries the label
    dev.khepri-db=1 and `khepri-db db stop --engine docker` removes it. The image must be present
    or pullable: that is checked before anything is created.
    """
    from khepri_db.engines import resolve_engine

    engine = resolve_engine(None, data_dir, port=port, log=progress_for(output), engine=engine_name.value, image=image)
    url = engine.start()
    if output is OutputFormat.json:
        print_json(engine.status().to_dict(reveal_password=show_password))
    else:
        if not show_password:
            progress_for(output)(f"password hidden: `khepri-db db url{_engine_flag(engine_name)}` prints the full URL")
        out.print(url if show_password else redact(url))


def _engine_flag(engine_name: ServerEngine) -> str:
    return "" if engine_name is ServerEngine.embedded else f" --engine {engine_name.value}"


def _known_engines() -> list[Any]:
    """An engine for each cluster in the registry (``khepri_db.engines.registry``)."""
    from khepri_db.engines import DockerEngine, EmbeddedEngine, SystemEngine
    from khepri_db.engines.registry import known_clusters

    kinds: dict[str, Any] = {
        "embedded": EmbeddedEngine,
        "system": SystemEngine,
        "docker": lambda state_dir: DockerEngine(state_dir=state_dir),
    }
    return [kinds[c.engine](c.data_dir) for c in known_clusters() if c.engine in kinds]


@db_app.command("list")
@handles_errors
def db_list(
    running: Annotated[bool, typer.Option("--running", help="Only the servers that run.")] = False,
    output: Format = OutputFormat.text,
) -> None:
    """List the local servers khepri-db has started (every project's, --data-dir ones, test clusters).

    One line per cluster that still exists: engine, state, port, pid, data directory. Clusters
    whose directory was removed are forgotten. Stop them all with `khepri-db db stop --all`.
    """
    statuses = [(engine, engine.status()) for engine in _known_engines()]
    if running:
        statuses = [(e, s) for e, s in statuses if s.running]
    if output is OutputFormat.json:
        print_json([{**s.to_dict(), "requested_dir": str(e.requested_dir)} for e, s in statuses])
        return
    if not statuses:
        out.print("no servers" if running else "no clusters")
        return
    for engine, status in statuses:
        where = str(engine.requested_dir)
        if engine.requested_dir != engine.data_dir:
            where += f" -> {engine.data_dir}"
        state = "running" if status.running else "stopped"
        port, pid = str(status.port or "-"), str(status.pid or "-")
        out.print(f"{status.engine:<8}  {state:<7}  {port:>5}  {pid:>7}  {escaped(where)}")
    up = sum(1 for _, s in statuses if s.running)
    progress_for(output)(f"{len(statuses)} cluster(s), {up} running")


@db_app.command("stop")
@handles_errors
def db_stop(
    data_dir: DataDir = None,
    engine_name: EngineOption = ServerEngine.embedded,
    stop_all: Annotated[
        bool,
        typer.Option("--all", help="Stop every running server khepri-db started (see `khepri-db db list`)."),
    ] = False,
    output: Format = OutputFormat.text,
) -> None:
    """Stop the embedded (or --engine system) PostgreSQL (no-op if it is not running); data stays in --data-dir.

    With --engine docker the project's container is removed (its data goes with it).
    """
    from khepri_db.engines import resolve_engine

    if stop_all:
        if data_dir is not None:
            raise UsageError("--all stops every server; it takes no --data-dir")
        stopped: list[dict[str, Any]] = []
        for engine in _known_engines():
            if engine.status().running:
                engine.stop()
                stopped.append({"engine": engine.name, "data_dir": str(engine.requested_dir)})
                if output is OutputFormat.text:
                    out.print(f"stopped {engine.name} {escaped(str(engine.requested_dir))}")
        if output is OutputFormat.json:
            print_json({"stopped": stopped})
        elif not stopped:
            out.print("no server was running")
        return
    engine = resolve_engine(None, data_dir, engine=engine_name.value)
    was_running = engine.status().running
    engine.stop()
    if output is OutputFormat.json:
        print_json({"stopped": was_running, **engine.status().to_dict()})
    else:
        out.print("stopped" if was_running else "not running")


@db_app.command("status")
@handles_errors
def db_status(
    db_url: DbUrl = None,
    linked: Linked = False,
    data_dir: DataDir = None,
    engine_name: EngineOption = ServerEngine.embedded,
    output: Format = OutputFormat.text,
) -> None:
    """Show whether the server runs, where, and which version. Exit 1 when it is not running."""
    from khepri_db.engines import UrlEngine, resolve_engine

    db_url = given_url(db_url, linked, output)
    engine = UrlEngine(db_url) if db_url else resolve_engine(None, data_dir, engine=engine_name.value)
    status = engine.status()
    if output is OutputFormat.json:
        print_json(status.to_dict())
    else:
        rows = [
            ("engine", status.engine),
            ("state", status.detail),
            ("url", redact(status.url) if status.url else "-"),
            ("data dir", str(status.data_dir) if status.data_dir else "-"),
            ("pid", str(status.pid or "-")),
            ("version", status.server_version or "-"),
        ]
        for key, value in rows:
            out.print(f"{key:>9}  {value}")
    if not status.running:
        raise typer.Exit(1)


@db_app.command("url")
@handles_errors
def db_url_cmd(
    data_dir: DataDir = None, engine_name: EngineOption = ServerEngine.embedded, output: Format = OutputFormat.text
) -> None:
    """Print the embedded (or --engine system|docker) server's URL, with password. Exit 1 when it is not running."""
    from khepri_db.engines import resolve_engine

    status = resolve_engine(None, data_dir, engine=engine_name.value).status()
    if not status.running or not status.url:
        raise KhepriError(
            f"the {engine_name.value} server is not running ({status.detail})",
            hint=f"run `khepri-db db start --engine {engine_name.value}`",
        )
    if output is OutputFormat.json:
        print_json({"url": status.url})
    else:
        out.print(status.url)


@db_app.command("reset")
@handles_errors
def db_reset_cmd(
    ctx: typer.Context,
    db_url: DbUrl = None,
    linked: Linked = False,
    data_dir: DataDir = None,
    engine_name: TargetEngine = None,
    migrations_dir: MigrationsDir = None,
    strategy: Annotated[
        str | None,
        typer.Option(
            "--strategy",
            help="in-place (default): drop what the migrations created inside the database, as the Supabase CLI "
            "does on a remote database; on the embedded server it recreates the database when an object the "
            "migrations made in a kept schema survived. recreate: drop and create the database (not on real Supabase).",
            show_default=False,
        ),
    ] = None,
    no_seed: Annotated[bool, typer.Option("--no-seed", help="Do not run the \\[db.seed] files.")] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Also reset a real Supabase database (all its data is lost).")
    ] = False,
    output: Format = OutputFormat.text,
) -> None:
    """Drop what the migrations created, apply every migration and the seed again, as `supabase db reset`.

    The seed files are \\[db.seed] sql_paths of supabase/config.toml (default supabase/seed.sql).

    The Supabase compatibility layer (roles, auth, storage) is kept or reinstalled. A server that is not
    on this machine is reset only when --db-url is given on the command line (not from KHEPRI_DB_URL)
    or with --linked, and a real Supabase database only with --yes.
    """
    from khepri_db.migrations.reset import ResetRefusedError, ResetStrategy, is_local_url, reset_database

    project = Project.discover()
    directory = project.migrations_dir(migrations_dir)
    if strategy is not None and strategy not in {s.value for s in ResetStrategy}:
        raise UsageError(f"--strategy {strategy!r}: expected recreate or in-place")
    if not linked and db_url and not is_local_url(db_url) and _source_name(ctx, "db_url") != "COMMANDLINE":
        raise ResetRefusedError(
            f"KHEPRI_DB_URL points at {redact(db_url)}, a server that is not on this machine; db reset "
            "would delete its data",
            hint="pass --db-url explicitly on the command line to reset it",
        )
    chosen = ResetStrategy(strategy) if strategy else ResetStrategy.in_place
    url = target_url(db_url, data_dir, output, engine_name, linked=linked)
    seeds = [] if no_seed else project.seed_files()
    result = reset_database(
        url, directory, strategy=chosen, recreate_on_leftovers=db_url is None and not linked, seed_files=seeds,
        seed_key=project.relative, allow_supabase=yes, progress=progress_for(output),
    )  # fmt: skip
    if output is OutputFormat.json:
        print_json(result.to_dict())
        return
    for warning in result.migrate.warnings:
        err.print(f"[yellow]warning:[/yellow] {escaped(warning)}")
    out.print(f"Reset {escaped(redact(url))} ({escaped(result.target.describe())}), strategy {result.strategy.value}:")
    out.print(f"  emptied in {result.drop_ms:.0f} ms; applied {len(result.migrate.applied)} migration(s) from "
              f"{escaped(directory)}")  # fmt: skip
    for seed in result.migrate.seeded:
        out.print(f"  seeded {escaped(seed.name)} ({seed.statements} statements, {seed.duration_ms:.0f} ms)")
    out.print(f"Finished khepri-db db reset in {result.total_ms / 1000:.1f} s.")


@db_app.command("dump")
@handles_errors
def db_dump_cmd(
    schema_only: Annotated[
        bool, typer.Option("--schema-only", help="Dump the schema (required: the only kind of dump supported).")
    ] = False,
    data_only: Annotated[bool, typer.Option("--data-only", help="Not supported (exit 2).", hidden=True)] = False,
    role_only: Annotated[bool, typer.Option("--role-only", help="Not supported (exit 2).", hidden=True)] = False,
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", help="Write the dump to this file (default: stdout).", show_default=False),
    ] = None,
    schemas: Annotated[
        list[str] | None,
        typer.Option(
            "--schema",
            "-s",
            help="Dump only these schemas (repeatable or comma-separated). Default: every user schema, without "
            "Supabase's, the compatibility layer's and supabase_migrations, as `supabase db dump` selects them.",
            show_default=False,
        ),
    ] = None,
    from_migrations: Annotated[
        bool,
        typer.Option(
            "--from-migrations",
            help="Dump what the migrations alone build: migrate a throwaway database on the server from "
            "--migrations-dir (default supabase/migrations), dump it, drop it. The target database is not touched.",
        ),
    ] = False,
    migrations_dir: MigrationsDir = None,
    khepri_schema: KhepriSchema = False,
    db_url: DbUrl = None,
    linked: Linked = False,
    data_dir: DataDir = None,
    engine_name: TargetEngine = None,
    output: Format = OutputFormat.text,
) -> None:
    """Dump the schema with the real pg_dump --schema-only, as `supabase db dump` (user schemas only).

    Policies, grants, comments and ownership by roles other than the connected one are kept; pg_dump's
    version lines and random \\restrict keys are dropped, so a checked-in supabase/schema.sql changes only
    when the schema does. With --from-migrations the dump is of a throwaway database built from the
    migrations (regenerate supabase/schema.sql with `khepri-db db dump --schema-only --from-migrations
    -f supabase/schema.sql`). The pg_dump is the embedded engine's (PostgreSQL 18); a newer server is refused.
    """
    if data_only or role_only or not schema_only:
        what = "--data-only is not supported: " if data_only else "--role-only is not supported: " if role_only else ""
        raise UsageError(
            f"{what}khepri-db db dump needs --schema-only: it writes schema dumps only (no data, no roles)",
            hint="pass --schema-only; for data or roles use `supabase db dump --data-only` / `--role-only`, "
            "or pg_dump --data-only / pg_dumpall --roles-only",
        )
    if (migrations_dir is not None or khepri_schema) and not from_migrations:
        raise UsageError("--migrations-dir and --khepri-schema choose the migrations of --from-migrations: add it")
    from khepri_db.migrations.dump import dump_migrations_schema, run_schema_dump

    chosen = split_csv(schemas) or None
    url = target_url(db_url, data_dir, output, engine_name, linked=linked)
    if from_migrations:
        directory = Project.discover().migrations_dir(migrations_dir, khepri_schema=khepri_schema)
        if not directory.is_dir():
            raise UsageError(f"migrations directory {directory} does not exist")
        dump = dump_migrations_schema(url, directory, schemas=chosen, progress=progress_for(output))
    else:
        progress_for(output)(f"dumping the schema of {redact(url)}")
        dump = run_schema_dump(url, schemas=chosen)
    if file is not None:
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(dump.sql, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write the dump to {file}: {exc.strerror or exc}") from exc
    if output is OutputFormat.json:
        print_json({"file": str(file) if file else None, **dump.to_dict(include_sql=file is None)})
    elif file is None:
        sys.stdout.write(dump.sql)
    else:
        err.print(f"Dumped schema to {escaped(file)} ({dump.sql.count(chr(10))} lines, pg_dump {dump.pg_dump_version}, "
                  f"PostgreSQL {dump.server_version}).")  # fmt: skip


def _source_name(ctx: typer.Context, parameter: str) -> str | None:
    """Where ``parameter``'s value came from (``"COMMANDLINE"``, ``"ENVIRONMENT"``, ``"DEFAULT"``...).

    Compared by name: typer 0.29 runs on its own copy of click (``typer._click``), whose
    ``ParameterSource`` members are not those of an imported ``click``.
    """
    source = ctx.get_parameter_source(parameter)
    return source.name if source is not None else None
