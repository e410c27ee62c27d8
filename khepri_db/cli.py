"""The ``khepri-db`` command line (typer + rich).

Exit codes: 0 = fine; 1 = findings, drift, pending migrations or a failed migration; 2 = usage,
configuration or connection error. Every command that talks to a database takes ``--db-url``
(env ``KHEPRI_DB_URL``); without it the embedded engine in ``--data-dir`` (env
``KHEPRI_DATA_DIR``, default ``<project>/.khepri/pgdata``) is used and started if needed. Every
command takes ``--format text|json``; progress goes to stderr, results to stdout.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import psycopg
import typer
from rich.console import Console, ConsoleDimensions
from rich.markup import escape
from rich.table import Table

from khepri_db import __version__
from khepri_db.db import redact
from khepri_db.doctor import CONFIG_FILE as DOCTOR_CONFIG_FILE
from khepri_db.doctor import DoctorConfig, DoctorReport, level_rank, load_rules, run_doctor
from khepri_db.engines import EmbeddedEngine, UrlEngine, resolve_engine
from khepri_db.errors import ConfigError, KhepriError, UsageError
from khepri_db.migrations import MigrationState, migrate, migration_status
from khepri_db.project import Project

NO_WRAP_WIDTH = 100_000
"""Width a console assumes when it does not write to a terminal: wide enough never to wrap."""


class _Console(Console):
    """A Rich console that never wraps when it does not write to a terminal (CI logs, pipes, files):
    a message or a table row stays on one line, so grep finds a path whole. On a terminal it wraps
    at the terminal's width as usual. ``soft_wrap`` is on: text lines are never cut. Whether the
    output is a terminal is asked of the file itself, so ``FORCE_COLOR`` (common in CI) adds colour
    but never wrapping."""

    @property
    def size(self) -> ConsoleDimensions:
        size = Console.size.fget(self)  # type: ignore[attr-defined]
        try:
            terminal = self.file.isatty()
        except (AttributeError, ValueError):
            terminal = False
        return size if terminal else ConsoleDimensions(NO_WRAP_WIDTH, size.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


out = _Console(highlight=False, soft_wrap=True)
err = _Console(stderr=True, highlight=False, soft_wrap=True)

app = typer.Typer(
    name="khepri-db",
    help="Supabase-native migrations, diagnostics and policy tests, on an embedded PostgreSQL by default.\n\n"
    "Exit codes: 0 fine, 1 findings/failures, 2 usage or connection error.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
db_app = typer.Typer(
    help="Manage the embedded PostgreSQL server (start, stop, status, url); reset a database (reset).",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")
cron_app = typer.Typer(help="pg_cron jobs: run one now (the stand-in never runs them itself).", no_args_is_help=True)
app.add_typer(cron_app, name="cron")


class OutputFormat(StrEnum):
    """Output formats every command supports."""

    text = "text"
    json = "json"


class FailOn(StrEnum):
    """Lowest finding level that makes ``doctor`` exit 1."""

    error = "error"
    warn = "warn"
    info = "info"


DbUrl = Annotated[
    str | None,
    typer.Option(
        "--db-url",
        envvar="KHEPRI_DB_URL",
        help="Target database URL (plain Postgres, `supabase start` at "
        "postgresql://postgres:postgres@127.0.0.1:54322/postgres, or hosted Supabase). "
        "Default: the embedded server.",
        show_default=False,
    ),
]
DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="KHEPRI_DATA_DIR",
        help="Cluster directory of the embedded server. Default: <project>/.khepri/pgdata.",
        show_default=False,
    ),
]
MigrationsDir = Annotated[
    Path | None,
    typer.Option(
        "--migrations-dir",
        help="Migrations directory. Default: supabase/migrations of the project (the nearest directory "
        "upwards holding supabase/).",
        show_default=False,
    ),
]
KhepriSchema = Annotated[
    bool,
    typer.Option(
        "--khepri-schema",
        help="Use the Khepri schema bundled with khepri-db (its migrations, seed and access matrix) "
        "instead of a project's. Never the default: outside a project, commands that need migrations stop.",
    ),
]
Format = Annotated[OutputFormat, typer.Option("--format", help="Output format: text for people, json for CI.")]

F = TypeVar("F", bound=Callable[..., Any])


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def _handles_errors(func: F) -> F:
    """Turn a :class:`KhepriError` into a clear message (or JSON ``{"error": ...}``) and its exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KhepriError as exc:
            if kwargs.get("output") is OutputFormat.json:
                _print_json({"error": exc.to_dict()})
            else:
                err.print(f"[bold red]error:[/bold red] {escape(exc.message)}", markup=True)
                if exc.hint:
                    err.print(f"[bold]hint:[/bold] {escape(exc.hint)}")
            raise typer.Exit(exc.exit_code) from None
        except psycopg.Error as exc:
            diag = exc.diag
            message = diag.message_primary or str(exc).strip()
            if kwargs.get("output") is OutputFormat.json:
                _print_json({"error": {"type": type(exc).__name__, "message": message, "sqlstate": diag.sqlstate,
                                       "detail": diag.message_detail, "hint": diag.message_hint}})  # fmt: skip
            else:
                err.print(f"[bold red]database error:[/bold red] {escape(f'{message} [SQLSTATE {diag.sqlstate}]')}")
                for label, text in (("detail", diag.message_detail), ("hint", diag.message_hint)):
                    if text:
                        err.print(f"[bold]{label}:[/bold] {escape(text)}")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _progress(output: OutputFormat) -> Callable[[str], None]:
    def say(message: str) -> None:
        err.print(f"[dim]{escape(message)}[/dim]")

    return say if output is OutputFormat.text else (lambda _m: None)


def _target_url(db_url: str | None, data_dir: Path | None, output: OutputFormat) -> str:
    """The URL to work on: ``--db-url``, or the embedded server (started if it is not running)."""
    if db_url:
        return db_url
    engine = resolve_engine(None, data_dir, log=_progress(output))
    assert isinstance(engine, EmbeddedEngine)
    if not engine.status().running and output is OutputFormat.text:
        err.print(f"[dim]starting the embedded server in {engine.data_dir} (stop it with `khepri-db db stop`)[/dim]")
    return engine.start()


def _version_callback(value: bool) -> None:
    if value:
        out.print(f"khepri-db {__version__}")
        raise typer.Exit


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """khepri-db: Supabase-native schema, migrations, diagnostics and policy tests."""


# -- db ----------------------------------------------------------------------------------------


class ServerEngine(StrEnum):
    """Engines the ``db`` commands manage (the docker engine lives only inside one process)."""

    embedded = "embedded"
    system = "system"


EngineOption = Annotated[
    ServerEngine,
    typer.Option(
        "--engine",
        envvar="KHEPRI_ENGINE",
        help="embedded: the PostgreSQL 18 shipped with khepri-db (data in <project>/.khepri/pgdata). "
        "system: the PostgreSQL installed on this machine, found via PG_BIN, pg_config or PATH "
        "(data in <project>/.khepri/pgdata-system), e.g. Debian's PostgreSQL 15.",
    ),
]


@db_app.command("start")
@_handles_errors
def db_start(
    data_dir: DataDir = None,
    port: Annotated[
        int | None,
        typer.Option("--port", help="TCP port on 127.0.0.1. Default: last one used, else 54329 or a free one."),
    ] = None,
    engine_name: EngineOption = ServerEngine.embedded,
    show_password: Annotated[
        bool,
        typer.Option("--show-password", help="Print the URL with its password (default: redacted, `***`)."),
    ] = False,
    output: Format = OutputFormat.text,
) -> None:
    """Start the embedded (or --engine system) PostgreSQL, initialising the cluster on first use. Prints the URL last.

    The URL is printed with its password redacted, so CI logs never hold it; `khepri-db db url`
    prints it whole (or pass --show-password). The server keeps running after this command
    returns, until `khepri-db db stop`. Other commands find the embedded server themselves; for a
    system-engine server, set KHEPRI_DB_URL="$(khepri-db db url --engine system)".
    """
    engine = resolve_engine(None, data_dir, port=port, log=_progress(output), engine=engine_name.value)
    url = engine.start()
    if output is OutputFormat.json:
        _print_json(engine.status().to_dict(reveal_password=show_password))
    else:
        if not show_password:
            _progress(output)(f"password hidden: `khepri-db db url{_engine_flag(engine_name)}` prints the full URL")
        out.print(url if show_password else redact(url))


def _engine_flag(engine_name: ServerEngine) -> str:
    return "" if engine_name is ServerEngine.embedded else f" --engine {engine_name.value}"


@db_app.command("stop")
@_handles_errors
def db_stop(
    data_dir: DataDir = None, engine_name: EngineOption = ServerEngine.embedded, output: Format = OutputFormat.text
) -> None:
    """Stop the embedded (or --engine system) PostgreSQL (no-op if it is not running). Data stays in --data-dir."""
    engine = resolve_engine(None, data_dir, engine=engine_name.value)
    was_running = engine.status().running
    engine.stop()
    if output is OutputFormat.json:
        _print_json({"stopped": was_running, **engine.status().to_dict()})
    else:
        out.print("stopped" if was_running else "not running")


@db_app.command("status")
@_handles_errors
def db_status(
    db_url: DbUrl = None,
    data_dir: DataDir = None,
    engine_name: EngineOption = ServerEngine.embedded,
    output: Format = OutputFormat.text,
) -> None:
    """Show whether the server runs, where, and which version. Exit 1 when it is not running."""
    engine = UrlEngine(db_url) if db_url else resolve_engine(None, data_dir, engine=engine_name.value)
    status = engine.status()
    if output is OutputFormat.json:
        _print_json(status.to_dict())
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
@_handles_errors
def db_url_cmd(
    data_dir: DataDir = None, engine_name: EngineOption = ServerEngine.embedded, output: Format = OutputFormat.text
) -> None:
    """Print the embedded (or --engine system) server's URL, with password. Exit 1 when it is not running."""
    status = resolve_engine(None, data_dir, engine=engine_name.value).status()
    if not status.running or not status.url:
        raise KhepriError(
            f"the {engine_name.value} server is not running ({status.detail})",
            hint=f"run `khepri-db db start --engine {engine_name.value}`",
        )
    if output is OutputFormat.json:
        _print_json({"url": status.url})
    else:
        out.print(status.url)


# -- migrate / status ------------------------------------------------------------------------


@app.command("migrate")
@_handles_errors
def migrate_cmd(
    db_url: DbUrl = None,
    data_dir: DataDir = None,
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
    project = Project.discover()
    directory = project.migrations_dir(migrations_dir, khepri_schema=khepri_schema)
    url = _target_url(db_url, data_dir, output)
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
        total = sum(a.duration_ms for a in result.applied)
        out.print(escape(f"Applied {len(result.applied)} migration(s) from {directory} in {total:.0f} ms:"))
        for applied in result.applied:
            out.print(f"  [green]✓[/green] {escape(applied.path.name)}  {applied.duration_ms:.0f} ms")
    else:
        out.print("Nothing to apply: the database is up to date.")
    for seed in result.seeded:
        out.print(escape(f"Seeded {seed.name} ({seed.statements} statements, {seed.duration_ms:.0f} ms)"))
    for path, reason in result.seeds_skipped:
        out.print(f"[dim]{escape(f'Seed {path.name} not run: {reason}')}[/dim]")


@app.command("seed")
@_handles_errors
def seed_cmd(
    db_url: DbUrl = None,
    data_dir: DataDir = None,
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
    from khepri_db.migrations import seed, seed_path_key

    project = Project.discover()
    if not files and not khepri_schema and not project.found:
        raise project.missing("seed files", options="--file FILE")
    paths = list(files) if files else project.seed_files(khepri_schema=khepri_schema)
    for path in paths:
        if not path.is_file():
            raise UsageError(f"seed file {path} does not exist")
    url = _target_url(db_url, data_dir, output)
    result = seed(
        url, paths, seed_key=lambda p: seed_path_key(p, project.root), force=force, progress=_progress(output)
    )
    if output is OutputFormat.json:
        _print_json(result.to_dict())
        return
    if not paths:
        out.print(escape("No seed files ([db.seed] is disabled or lists none)."))
    for applied in result.seeded:
        out.print(escape(f"Seeded {applied.name} ({applied.statements} statements, {applied.duration_ms:.0f} ms)"))
    for path, reason in result.seeds_skipped:
        out.print(f"[dim]{escape(f'Seed {path.name} not run: {reason}')}[/dim]")


@app.command("status")
@_handles_errors
def status_cmd(
    db_url: DbUrl = None,
    data_dir: DataDir = None,
    migrations_dir: MigrationsDir = None,
    khepri_schema: KhepriSchema = False,
    output: Format = OutputFormat.text,
) -> None:
    """Compare local migrations with the database: applied, pending, and drift.

    Drift is an applied file whose content changed since, or a version in the database with no
    local file. Exit 1 when anything is pending or drifted, 0 when up to date.
    """
    from khepri_db.db import connect

    project = Project.discover()
    directory = project.migrations_dir(migrations_dir, khepri_schema=khepri_schema)
    url = _target_url(db_url, data_dir, output)
    with connect(url) as conn:
        status = migration_status(conn, directory)
    not_clean = [e for e in status.entries if e.state is not MigrationState.APPLIED]
    if output is OutputFormat.json:
        _print_json(status.to_dict())
    else:
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


# -- doctor ------------------------------------------------------------------------------------


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


class DoctorFormat(StrEnum):
    """Output formats of ``doctor``: the two every command has, plus SARIF 2.1.0 for GitHub code scanning."""

    text = "text"
    json = "json"
    sarif = "sarif"


def _doctor_locations(report: DoctorReport, project: Project) -> list[str | None]:
    """``file:line`` where each finding's object was created in the migrations, or ``None``."""
    from khepri_db._sarif import SourceIndex

    if report.migrations_dir is None:
        return [None] * len(report.findings)
    directory = Path(report.migrations_dir)
    index = SourceIndex.for_migrations(directory, project.root)
    places = []
    for finding in report.findings:
        where = index.locate(finding.metadata, directory)
        places.append(f"{where.path}:{where.line}" if where else None)
    return places


def _render_report(report: DoctorReport, fail_on: FailOn, project: Project | None = None) -> None:
    """Print ``report`` for people: target, exposure, findings by level (with where each object was
    created when the migrations say), suppressions and the verdict for ``fail_on``."""
    target = report.target
    out.print(f"[bold]Target:[/bold] {target['description']}")
    out.print(
        f"[bold]Exposed schemas:[/bold] {', '.join(report.exposed_schemas.schemas)} "
        f"(from {report.exposed_schemas.source})"
    )
    if report.plpgsql_check is not None:
        checker = "plpgsql_check (SQL functions: planned by doctor)" if report.plpgsql_check else "planned by doctor"
        out.print(f"[bold]Function bodies:[/bold] {checker}")
    if report.config_file:
        out.print(f"[bold]Config:[/bold] {report.config_file}")
    places = _doctor_locations(report, project) if project is not None else [None] * len(report.findings)
    colours = {"ERROR": "red", "WARN": "yellow", "INFO": "blue"}
    for level in ("ERROR", "WARN", "INFO"):
        rows = [(f, p) for f, p in zip(report.findings, places, strict=True) if f.level == level]
        if not rows:
            continue
        table = Table(title=f"{level} ({len(rows)})", title_style=f"bold {colours[level]}", title_justify="left")
        table.add_column("rule", style="bold", no_wrap=True, min_width=max(len(f.name) for f, _ in rows))
        table.add_column("detail")
        for finding, place in rows:
            detail = finding.detail + (f"\n[dim]at {place}[/dim]" if place else "")
            table.add_row(finding.name, detail)
        out.print(table)
    for key in report.unused_suppressions:
        source = report.config_file or "the suppressions"
        out.print(f"[yellow]suppression matched nothing:[/yellow] {key} (remove it from {source})")
    summary = report.summary()
    verdict = "[red]fail[/red]" if report.fails(fail_on.value) else "[green]pass[/green]"
    suppressed = f", {report.suppressed} suppressed" if report.suppressed else ""
    if not report.findings:
        out.print(f"No findings from {len(report.rules)} rules{suppressed}.")
    out.print(
        f"{summary['ERROR']} error(s), {summary['WARN']} warning(s), {summary['INFO']} info{suppressed} "
        f"- fail-on {fail_on.value}: {verdict}"
    )


def _list_rules(output: DoctorFormat) -> None:
    rules = load_rules()
    if output is not DoctorFormat.text:
        _print_json(
            [
                {"name": r.name, "title": r.title, "level": r.level, "levels": list(r.levels), "facing": r.facing,
                 "categories": list(r.categories), "splinter": r.splinter, "requires": list(r.requires),
                 "docs": r.docs}
                for r in rules
            ]
        )  # fmt: skip
        return
    out.print(f"[bold]{len(rules)} doctor rules[/bold] (docs/doctor/<rule>.md; splinter = Supabase's linter number)")
    for r in sorted(rules, key=lambda r: (-level_rank(r.level), r.name)):
        level = r.level if r.max_level is None else f"{r.level}-{r.max_level}"
        splinter = f" [dim]splinter {r.splinter}[/dim]" if r.splinter else ""
        out.print(f"{level:<9} [bold]{r.name}[/bold]{splinter}: {r.title} [dim]({', '.join(r.categories)})[/dim]")


@app.command("doctor")
@_handles_errors
def doctor_cmd(
    db_url: DbUrl = None,
    data_dir: DataDir = None,
    migrations_dir: MigrationsDir = None,
    exposed_schemas: Annotated[
        list[str] | None,
        typer.Option(
            "--exposed-schemas",
            help="Schemas the Data API exposes (comma-separated or repeated). Default: supabase/config.toml "
            "\\[api] schemas, else the pgrst.db_schemas setting, else public.",
        ),
    ] = None,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 when a finding is at or above this level.")
    ] = FailOn.error,
    only: Annotated[list[str] | None, typer.Option("--only", help="Run only these rules (comma-separated).")] = None,
    exclude: Annotated[list[str] | None, typer.Option("--exclude", help="Skip these rules (comma-separated).")] = None,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="doctor's settings: \\[doctor] suppress (by cache_key, with a reason), exclude, thresholds, "
            "tenant_columns. Default: supabase/khepri.toml.",
            show_default=False,
        ),
    ] = None,
    plpgsql_check: Annotated[
        bool | None,
        typer.Option(
            "--plpgsql-check/--no-plpgsql-check",
            help="Check PL/pgSQL bodies with the plpgsql_check extension when the server has it (default), "
            "or always with doctor's own planner check.",
            show_default=False,
        ),
    ] = None,
    khepri_schema: KhepriSchema = False,
    list_rules: Annotated[bool, typer.Option("--list-rules", help="List the rules and exit.")] = False,
    output: Annotated[
        DoctorFormat,
        typer.Option("--format", help="text for people, json for CI, sarif for GitHub code scanning (SARIF 2.1.0)."),
    ] = DoctorFormat.text,
) -> None:
    """Diagnose a database: what Supabase's database linter checks, and bugs it cannot see.

    Each rule is one SQL query in sql/doctor/ returning the linter's columns (name, title, level,
    facing, categories, description, detail, remediation, metadata, cache_key): every rule of
    Supabase's linter under the same name, plus function bodies that name missing tables or
    columns, upserts without an arbiter, SECURITY DEFINER functions trusting a caller-supplied id,
    role-only policies, and runtime health. `--list-rules` lists them; docs/doctor has a page each.
    """
    try:
        if list_rules:
            _list_rules(output)
            return
        project = Project.discover()
        config = DoctorConfig.load(config_file if config_file is not None else project.root / DOCTOR_CONFIG_FILE)
        if config_file is not None and not config_file.is_file():
            raise ConfigError(f"{config_file}: no such file", hint="--config names doctor's TOML settings file")
        url = _target_url(db_url, data_dir, OutputFormat.text if output is DoctorFormat.text else OutputFormat.json)
        report = run_doctor(
            url,
            project=project,
            migrations_dir=migrations_dir,
            khepri_schema=khepri_schema,
            exposed_schemas=_split(exposed_schemas) or None,
            only=_split(only),
            exclude=_split(exclude),
            config=config,
            plpgsql_check=plpgsql_check,
        )
    except KhepriError as exc:
        if output is DoctorFormat.text:
            raise
        _print_json({"error": exc.to_dict()})
        raise typer.Exit(exc.exit_code) from None
    if output is DoctorFormat.json:
        _print_json({"findings": [f.model_dump() for f in report.findings], **report.model_dump(exclude={"findings"}),
                     "summary": report.summary()})  # fmt: skip
    elif output is DoctorFormat.sarif:
        from khepri_db._sarif import to_sarif

        rules = [r for r in load_rules() if r.name in report.rules]
        _print_json(
            to_sarif(report.findings, rules, root=project.root,
                     migrations_dir=Path(report.migrations_dir or project.supabase_dir / "migrations"),
                     tool_version=__version__)
        )  # fmt: skip
    else:
        _render_report(report, fail_on, project)
    if report.fails(fail_on.value):
        raise typer.Exit(1)


# -- verify-access -----------------------------------------------------------------------------

_OP_LETTERS = {"select": "s", "insert": "i", "update": "u", "delete": "d", "execute": "x"}


def _access_mark(cell: Any) -> str:
    """One character of the matrix: the op letter when allowed, · when denied; red when it differs."""
    letter = _OP_LETTERS[cell.operation]
    if cell.actual == "error":
        return "[bold red]E[/bold red]"
    if cell.leak:
        return "[bold red]L[/bold red]"
    if cell.actual == "skipped":
        return "[dim]~[/dim]" if cell.ok else "[bold red]~[/bold red]"
    if cell.ok:
        return f"[green]{letter}[/green]" if cell.actual == "allowed" else "[dim]·[/dim]"
    return f"[bold red]{letter.upper()}[/bold red]" if cell.actual == "allowed" else "[bold red]-[/bold red]"


def _render_access(report: Any) -> None:
    from rich.markup import escape

    from khepri_db.access import matrix_rows

    out.print(f"[bold]Target:[/bold] {report.target['description']}")
    out.print(f"[bold]Declaration:[/bold] {escape(report.access_file)}")
    out.print(
        f"[bold]Exposed schemas:[/bold] {', '.join(report.exposed_schemas.schemas)} "
        f"(from {report.exposed_schemas.source})"
    )
    table = Table(title="Access matrix (columns: actor; s i u d = select insert update delete, x = execute)",
                  title_justify="left")  # fmt: skip
    table.add_column("table / function", overflow="fold")
    for actor in report.actors:
        table.add_column(actor, min_width=4, justify="center")
    for name, _kind, by_actor in matrix_rows(report):
        table.add_row(escape(name), *("".join(_access_mark(c) for c in by_actor[a]) for a in report.actors))
    out.print(table)
    out.print(
        "[dim]letter: allowed as declared; ·: denied as declared; [/dim][bold red]S I U D X[/bold red][dim]: allowed "
        "but declared denied; [/dim][bold red]-[/bold red][dim]: denied but declared allowed; [/dim]"
        "[bold red]E[/bold red][dim]: error; [/dim][bold red]L[/bold red][dim]: update leaks the row to another "
        "owner; ~: nothing to probe[/dim]"
    )
    for cell in report.mismatches:
        out.print(f"[bold red]MISMATCH[/bold red] {escape(cell.describe())}")
    for item in report.undeclared:
        out.print(
            f"[bold red]UNDECLARED[/bold red] {item.kind} {escape(item.name)}: exposed by the Data API, "
            "not in the declaration"
        )
    summary = report.summary()
    verdict = "[green]pass[/green]" if report.passed else "[red]fail[/red]"
    out.print(
        f"{summary['cells']} cells, {summary['mismatches']} mismatch(es) ({summary['errors']} error(s), "
        f"{summary['leaks']} leak(s)), {summary['undeclared']} undeclared object(s) in {report.duration_ms:.0f} ms: "
        f"{verdict}"
    )
    if summary["unreviewed"]:
        out.print(
            f"[yellow]{summary['unreviewed']} cell(s) marked unreviewed[/yellow] (written by `khepri-db access init`: "
            "they record what the database allowed, review each one)"
        )


@app.command("verify-access")
@_handles_errors
def verify_access_cmd(
    db_url: DbUrl = None,
    data_dir: DataDir = None,
    access_file: Annotated[
        Path | None,
        typer.Option(
            "--access-file",
            help="The access declaration. Default: supabase/access.toml of the project (see docs/access.md).",
            show_default=False,
        ),
    ] = None,
    exposed_schemas: Annotated[
        list[str] | None,
        typer.Option(
            "--exposed-schemas",
            help="Schemas whose tables, views and functions must all be declared (comma-separated or repeated). "
            "Default: supabase/config.toml \\[api] schemas, else pgrst.db_schemas, else public.",
        ),
    ] = None,
    khepri_schema: KhepriSchema = False,
    output: Format = OutputFormat.text,
) -> None:
    """Check the declared access matrix against the database, for real.

    For two owners it builds one row per declared table (the declaration's factories), then tries
    every actor (anon, owner, other, custom actors such as coach, service_role) x operation (select,
    insert, update, delete; execute for functions) as PostgREST would run it, each in its own
    rolled-back savepoint, checking every time that the role switch dropped superuser, BYPASSRLS
    and table ownership. Prints the matrix and every difference; nothing is left in the database.

    Exit 0 when everything matches; 1 on any mismatch, error, leaking update, or exposed table,
    view or function with no declaration; 2 for an invalid declaration or a connection problem.
    """
    from khepri_db.access import default_access_file, verify_access

    project = Project.discover()
    if access_file is None and not khepri_schema and not project.found:
        raise project.missing("access declaration", options="--access-file FILE")
    path = access_file or default_access_file(project, khepri_schema=khepri_schema)
    url = _target_url(db_url, data_dir, output)
    report = verify_access(url, path, project=project, exposed_schemas=_split(exposed_schemas) or None)
    if output is OutputFormat.json:
        _print_json(
            {"passed": report.passed, "summary": report.summary(), **report.model_dump(),
             "mismatches": [c.model_dump() for c in report.mismatches]}
        )  # fmt: skip
    else:
        _render_access(report)
    if not report.passed:
        raise typer.Exit(1)


access_app = typer.Typer(
    help="The declared access matrix (supabase/access.toml): generate it from the database (init).",
    no_args_is_help=True,
)
app.add_typer(access_app, name="access")


@access_app.command("init")
@_handles_errors
def access_init_cmd(
    db_url: DbUrl = None,
    data_dir: DataDir = None,
    access_file: Annotated[
        Path | None,
        typer.Option(
            "--access-file",
            help="The declaration to write. Default: supabase/access.toml of the project (see docs/access.md).",
            show_default=False,
        ),
    ] = None,
    exposed_schemas: Annotated[
        list[str] | None,
        typer.Option(
            "--exposed-schemas",
            help="Schemas whose tables, views and functions to declare (comma-separated or repeated). "
            "Default: supabase/config.toml \\[api] schemas, else pgrst.db_schemas, else public.",
        ),
    ] = None,
    update: Annotated[
        bool, typer.Option("--update", help="Keep the existing file as it is and add the objects it does not declare.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    output: Format = OutputFormat.text,
) -> None:
    """Write an access declaration from what the database allows now, every cell marked unreviewed.

    For every exposed table, view and function it infers a row factory from the catalog (required
    columns, enum labels, simple CHECK constraints, foreign keys built parents first, the owner
    column from policies using auth.uid() and references to auth.users), probes every actor x
    operation exactly as verify-access does, and declares what succeeded. Tables whose row cannot
    be built are listed, with the reason, in the file and here. Then runs verify-access on the file.

    Exit 0 when the file was written, every table got a row, every call ran and verify-access passes
    on it; 1 when it was written but needs work (a table without a row, a probe error, a call that
    failed for every actor, a leaking update); 2 when the file exists (without --update or --force),
    the existing file is invalid, or the database cannot be reached.
    """
    from rich.markup import escape

    from khepri_db.access import default_access_file, init_access

    project = Project.discover()
    if access_file is None and not project.found:
        raise project.missing("access declaration", options="--access-file FILE")
    path = access_file or default_access_file(project)
    url = _target_url(db_url, data_dir, output)
    result = init_access(
        url, path, project=project, exposed_schemas=_split(exposed_schemas) or None, update=update, force=force
    )
    passed = bool(result.verify.get("passed"))
    if output is OutputFormat.json:
        _print_json({"passed": passed, "complete": result.complete, "summary": result.summary(), **result.model_dump()})
    else:
        summary = result.summary()
        verb = "Updated" if result.mode == "update" else "Wrote"
        out.print(f"{verb} {escape(result.access_file)} (every cell marked unreviewed: review each one)")
        out.print(
            f"{summary['tables']} table(s), {summary['rows_built']} with a generated row, {summary['views']} view(s), "
            f"{summary['functions']} function(s), {summary['cells']} cell(s)"
            + (f"; kept {len(result.kept)} existing declaration(s)" if result.kept else "")
        )
        for table in result.unbuildable:
            out.print(f"[bold yellow]NO ROW[/bold yellow] {escape(table.name)}: {escape(table.reason or '')}")
        for text in result.errors:
            out.print(f"[bold red]ERROR[/bold red] {escape(text)}")
        for text in result.undecided:
            out.print(f"[bold yellow]UNDECIDED[/bold yellow] {escape(text)}")
        for text in result.leaks:
            out.print(f"[bold red]LEAK[/bold red] {escape(text)}")
        verify = result.verify
        verdict = "[green]pass[/green]" if passed else "[red]fail[/red]"
        out.print(
            f"verify-access on it: {verify['cells']} cells, {verify['mismatches']} mismatch(es), "
            f"{verify['undeclared']} undeclared: {verdict}"
        )
    if not result.complete:
        raise typer.Exit(1)


# -- gen types ---------------------------------------------------------------------------------

gen_app = typer.Typer(help="Generate code from the live database (types for app code).", no_args_is_help=True)
app.add_typer(gen_app, name="gen")


class GenLang(StrEnum):
    """Languages ``gen types`` writes."""

    python = "python"


@gen_app.command("types")
@_handles_errors
def gen_types_cmd(
    lang: Annotated[GenLang, typer.Option("--lang", help="Language of the generated module.")] = GenLang.python,
    db_url: DbUrl = None,
    data_dir: DataDir = None,
    schemas: Annotated[
        list[str] | None,
        typer.Option(
            "--schema",
            help="Schema to generate (repeatable or comma-separated). Default: the exposed schemas, as doctor "
            "decides them (supabase/config.toml \\[api] schemas, else pgrst.db_schemas, else public).",
        ),
    ] = None,
    roles: Annotated[
        list[str] | None,
        typer.Option("--role", help="Also expose what this role may reach (repeatable), e.g. service_role."),
    ] = None,
    include_all: Annotated[
        bool, typer.Option("--all", help="Every table, view and function of the schemas, whatever the grants.")
    ] = False,
    output_file: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the module here. Default: stdout.", show_default=False)
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 with a diff when --output differs from the database."),
    ] = False,
    output: Format = OutputFormat.text,
) -> None:
    """Generate pydantic v2 models (Row/Insert/Update per table and view, enums, composites, domains) and
    one typed function per RPC, from the live database (docs/gen-types.md).

    Only the objects anon or authenticated (plus --role) can reach are generated. The output is
    deterministic: --check exits 0 when the file is current, 1 with a diff when it is not.
    """
    from khepri_db.db import connect
    from khepri_db.gen_types import DEFAULT_ROLES, generate_types, unified_diff

    if check and output_file is None:
        raise UsageError("--check compares with a file: give it with --output")
    project = Project.discover()
    url = _target_url(db_url, data_dir, output)
    with connect(url) as conn:
        generated = generate_types(
            conn, project=project, schemas=_split(schemas) or None,
            roles=[*DEFAULT_ROLES, *(r for r in _split(roles) if r not in DEFAULT_ROLES)], include_all=include_all,
        )  # fmt: skip
    summary = {"lang": lang.value, "output": str(output_file) if output_file else None, **generated.to_dict()}
    if check:
        assert output_file is not None
        current = output_file.read_text(encoding="utf-8") if output_file.is_file() else ""
        diff = unified_diff(current, generated.text, str(output_file))
        if output is OutputFormat.json:
            _print_json({**summary, "up_to_date": not diff, "diff": diff})
        elif diff:
            sys.stdout.write(diff)
            err.print(f"[red]{output_file} differs from the database[/red]: regenerate it with --output and no --check")
        else:
            out.print(f"{output_file} is up to date")
        if diff:
            raise typer.Exit(1)
        return
    if output_file is None:
        if output is OutputFormat.json:
            _print_json({**summary, "module": generated.text})
        else:
            sys.stdout.write(generated.text)
        return
    output_file.parent.mkdir(parents=True, exist_ok=True)
    output_file.write_text(generated.text, encoding="utf-8")
    if output is OutputFormat.json:
        _print_json(summary)
    else:
        out.print(
            f"Wrote {output_file}: {generated.tables} table(s), {generated.views} view(s), {generated.functions} "
            f"function(s), {generated.enums} enum(s), {generated.composites} composite(s), {generated.domains} "
            f"domain(s) from {', '.join(generated.schemas)}"
        )
        for item in generated.skipped:
            err.print(f"[yellow]not generated:[/yellow] {item}")


# -- the daily Supabase CLI workflow: init, db reset, migration new|list|repair (khepri_db/workflow.py) --

migration_app = typer.Typer(
    help="Manage migration files and the migration history, as `supabase migration` does (new, list, repair).",
    no_args_is_help=True,
)
app.add_typer(migration_app, name="migration")


def _escape(text: object) -> str:
    from rich.markup import escape

    return escape(str(text))


@app.command("init")
@_handles_errors
def init_cmd(
    directory: Annotated[
        Path | None, typer.Argument(help="Project directory. Default: the current directory.", show_default=False)
    ] = None,
    project_id: Annotated[
        str | None, typer.Option("--project-id", help="project_id in config.toml. Default: the directory name.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
    output: Format = OutputFormat.text,
) -> None:
    """Create a Supabase project layout, as `supabase init` does, plus a conftest for policy tests.

    Writes supabase/config.toml (as `supabase init` writes it), an empty supabase/migrations/,
    supabase/seed.sql and tests/conftest.py (fixtures on khepri-db's pytest plugin).

    Exit 1, writing nothing, when one of those files exists (named in the message), unless --force.
    """
    from khepri_db.workflow import init_project

    result = init_project(directory or Path.cwd(), project_id=project_id, force=force)
    if output is OutputFormat.json:
        _print_json(result.to_dict())
        return
    for path in result.directories:
        out.print(f"Created {_escape(path)}/")
    for path in result.written:
        out.print(f"Wrote {_escape(path)}")
    out.print("Next: `khepri-db migration new <name>`, write SQL, `khepri-db migrate`, then `pytest` for policy tests.")


@db_app.command("reset")
@_handles_errors
def db_reset_cmd(
    ctx: typer.Context,
    db_url: DbUrl = None,
    data_dir: DataDir = None,
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
    on this machine is reset only when --db-url is given on the command line (not from KHEPRI_DB_URL),
    and a real Supabase database only with --yes.
    """
    from click.core import ParameterSource

    from khepri_db.workflow import ResetRefusedError, ResetStrategy, is_local_url, reset_database

    project = Project.discover()
    directory = project.migrations_dir(migrations_dir)
    if strategy is not None and strategy not in {s.value for s in ResetStrategy}:
        raise UsageError(f"--strategy {strategy!r}: expected recreate or in-place")
    if db_url and not is_local_url(db_url) and ctx.get_parameter_source("db_url") is not ParameterSource.COMMANDLINE:
        raise ResetRefusedError(
            f"KHEPRI_DB_URL points at {redact(db_url)}, a server that is not on this machine; db reset "
            "would delete its data",
            hint="pass --db-url explicitly on the command line to reset it",
        )
    chosen = ResetStrategy(strategy) if strategy else ResetStrategy.in_place
    url = _target_url(db_url, data_dir, output)
    seeds = [] if no_seed else project.seed_files()
    result = reset_database(
        url, directory, strategy=chosen, recreate_on_leftovers=db_url is None, seed_files=seeds,
        seed_key=project.relative, allow_supabase=yes, progress=_progress(output),
    )  # fmt: skip
    if output is OutputFormat.json:
        _print_json(result.to_dict())
        return
    for warning in result.migrate.warnings:
        err.print(f"[yellow]warning:[/yellow] {_escape(warning)}")
    out.print(f"Reset {_escape(redact(url))} ({_escape(result.target.describe())}), strategy {result.strategy.value}:")
    out.print(f"  emptied in {result.drop_ms:.0f} ms; applied {len(result.migrate.applied)} migration(s) from "
              f"{_escape(directory)}")  # fmt: skip
    for seed in result.migrate.seeded:
        out.print(f"  seeded {_escape(seed.name)} ({seed.statements} statements, {seed.duration_ms:.0f} ms)")
    out.print(f"Finished khepri-db db reset in {result.total_ms / 1000:.1f} s.")


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
    from khepri_db.workflow import new_migration

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
    data_dir: DataDir = None,
    migrations_dir: MigrationsDir = None,
    output: Format = OutputFormat.text,
) -> None:
    """List local and remote migrations side by side, as `supabase migration list`, plus drift.

    Columns: LOCAL, REMOTE, TIME (UTC) as the Supabase CLI prints them, and DRIFT: changed (applied
    file edited since), missing-locally (recorded version with no file), out-of-order.

    Exit 1 when an applied file changed or a recorded version has no local file.
    """
    from khepri_db.db import connect
    from khepri_db.workflow import list_migrations

    project = Project.discover()
    directory = project.migrations_dir(migrations_dir)
    url = _target_url(db_url, data_dir, output)
    with connect(url) as conn:
        listing = list_migrations(conn, directory)
    if output is OutputFormat.json:
        _print_json(listing.to_dict())
    else:
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
    data_dir: DataDir = None,
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
    from khepri_db.workflow import RepairStatus, repair_migrations

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
    url = _target_url(db_url, data_dir, output)
    result = repair_migrations(url, directory, versions or [], RepairStatus(status))
    if output is OutputFormat.json:
        _print_json(result.to_dict())
    else:
        out.print(f"Repaired migration history: [{_escape(' '.join(result.versions))}] => {result.status.value}")


# -- demo --------------------------------------------------------------------------------------


@app.command("demo")
@_handles_errors
def demo_cmd(db_url: DbUrl = None, data_dir: DataDir = None, output: Format = OutputFormat.text) -> None:
    """Walk through finalize_onboarding as PostgREST would call it (needs the Khepri schema).

    Signs up two users, onboards one twice with the same idempotency key, and shows that the other
    user, a replay of the key by the other user, and an anonymous visitor get nothing of hers.
    Exit 1 if any check fails.
    """
    from khepri_db.demo import run_demo

    url = _target_url(db_url, data_dir, output)
    result = run_demo(url, Console(quiet=True) if output is OutputFormat.json else out)
    if output is OutputFormat.json:
        _print_json({"passed": result.passed, "checks": [{"check": c, "passed": ok} for c, ok in result.checks]})
    if not result.passed:
        raise typer.Exit(1)


@cron_app.command("run")
@_handles_errors
def cron_run_cmd(
    job: Annotated[str, typer.Argument(help="The job's name (cron.job.jobname) or id (cron.job.jobid).")],
    db_url: DbUrl = None,
    data_dir: DataDir = None,
    output: Format = OutputFormat.text,
) -> None:
    """Run one pg_cron job's command now, as the job's user in the job's database.

    Records the run in cron.job_run_details like pg_cron (status succeeded or failed, with the
    command tag or the error as return_message). The database is the one where pg_cron is
    installed. Exit 1 if the command failed, 2 if there is no such job.
    """
    from khepri_db.db import connect
    from khepri_db.platform import run_cron_job

    url = _target_url(db_url, data_dir, output)
    with connect(url, autocommit=True) as conn:
        run = run_cron_job(conn, job)
    if output is OutputFormat.json:
        _print_json(run.to_dict())
    else:
        name = f" ({run.jobname})" if run.jobname else ""
        color = "green" if run.status == "succeeded" else "red"
        out.print(f"job {run.jobid}{name} as {run.username} in {run.database}: ", end="", markup=False)
        out.print(f"[{color}]{run.status}[/{color}]", end="")
        out.print(f": {run.return_message} (run {run.runid})", markup=False)
    if run.status != "succeeded":
        raise typer.Exit(1)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
