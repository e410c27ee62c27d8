"""``khepri-db test``: a project's own pgTAP suite (``test db``, as ``supabase test db``), a new test
file (``test new``, as ``supabase test new``), and where pgTAP comes from (``test pgtap``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from khepri_db.cli._app import app
from khepri_db.cli.common import (
    DataDir,
    DbUrl,
    EngineOption,
    Format,
    KhepriTyper,
    Linked,
    OutputFormat,
    ServerEngine,
    err,
    escaped,
    given_url,
    handles_errors,
    out,
    print_json,
    progress_for,
    target_url,
)
from khepri_db.core.errors import UsageError
from khepri_db.core.project import Project

test_app = KhepriTyper(
    help="pgTAP tests: run a project's suite (db), as `supabase test db` does but without Docker; "
    "write a new test file (new); show or fetch pgTAP (pgtap).",
    no_args_is_help=True,
)
app.add_typer(test_app, name="test")

TESTS_DIR = "tests"
"""The tests directory inside ``supabase/``, as the Supabase CLI has it (``supabase/tests``)."""


@test_app.command("db")
@handles_errors
def db_cmd(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Test files or directories (searched recursively for *.sql and *.pg). Default: supabase/tests.",
            show_default=False,
        ),
    ] = None,
    db_url: DbUrl = None,
    linked: Linked = False,
    data_dir: DataDir = None,
    engine_name: EngineOption = ServerEngine.embedded,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Run this many files at once: each job on its own copy of the database (made for the run, "
            "dropped after it), or on the database itself when no copy can be made. Use 1 for suites whose "
            "files depend on each other's commits.",
        ),
    ] = 1,
    junit: Annotated[
        Path | None,
        typer.Option(
            "--junit", help="Also write a JUnit XML report here (one <testsuite> per file).", show_default=False
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print every file's TAP and psql messages.")] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="List the files in run order and say how each would run and whether what it does stays "
            "(a file that does not roll back commits on the target); run nothing. Exit 0.",
        ),
    ] = False,
    output: Format = OutputFormat.text,
) -> None:
    """Run pgTAP test files against a database, as `supabase test db` runs them.

    pgTAP is created in schema extensions first (and dropped afterwards if this run created it);
    each file runs with psql exactly as pg_prove runs it (psql meta-commands work; `\\i` paths are
    relative to the first path: supabase/tests by default, a file's own directory) and its TAP is
    judged as pg_prove judges it.
    Prints one line per file, the failing assertions with pgTAP's diagnostics, and pg_prove's
    summary (`Files=N, Tests=N`, `Result: PASS|FAIL`).

    Without --db-url the embedded server is used (started if needed), or --engine system.
    Exit codes: 0 every file passed, 1 a file failed, 2 usage or connection error (or no pgTAP).
    """
    from khepri_db.testing.files import collect_test_files, working_directory
    from khepri_db.testing.psql import psql_executable
    from khepri_db.testing.report import file_details, file_line, summary_lines, write_junit
    from khepri_db.testing.runner import job_databases, pgtap_enabled, run_suite

    project = Project.discover()
    given = list(paths or [])
    if not given:
        default = project.supabase_dir / TESTS_DIR
        if not default.is_dir():
            raise UsageError(
                f"no tests directory {default}",
                hint="write one with `khepri-db test new NAME`, or name test files or directories",
            )
        given = [default]
    files = collect_test_files(given)
    if not files:
        raise UsageError(
            f"no test files (*.sql, *.pg) in {', '.join(str(p) for p in given)}",
            hint="write one with `khepri-db test new NAME`",
        )
    cwd = working_directory(given[0])
    url, bin_dir = _server(given_url(db_url, linked, output), data_dir, engine_name, output)
    if dry_run:
        _dry_run(url, files, output)
        return
    psql = psql_executable(bin_dir)
    width = max(len(_display(p)) for p in files)

    def show(result) -> None:  # type: ignore[no-untyped-def]
        if output is not OutputFormat.text:
            return
        out.print(escaped(file_line(result, width)))
        for line in file_details(result, verbose=verbose):
            out.print(escaped(line))

    def warn(message: str) -> None:
        err.print(f"[yellow]warning:[/yellow] {escaped(message)}")

    with (
        pgtap_enabled(url, log=progress_for(output) if verbose else None, warn=warn),
        job_databases(url, jobs, log=progress_for(output), warn=warn) as lane_urls,
    ):
        suite = run_suite(
            url, files, cwd=cwd, jobs=jobs, lane_urls=lane_urls, psql=psql, display=_display, on_file=show
        )
    if junit is not None:
        write_junit(suite, junit)
    if output is OutputFormat.json:
        print_json(suite.to_dict())
    else:
        for line in summary_lines(suite):
            out.print(escaped(line))
        if junit is not None:
            err.print(f"[dim]JUnit report written to {escaped(junit)}[/dim]")
    if not suite.passed:
        raise typer.Exit(1)


def _dry_run(url: str, files: list[Path], output: OutputFormat) -> None:
    """``test db --dry-run``: the target's traits and how each file would run."""
    from khepri_db.core.db import connect, read_only_reason, redact, transaction_pooler_evidence
    from khepri_db.testing.runner import plan_file

    pooler = transaction_pooler_evidence(url)
    with connect(url, autocommit=True) as conn:
        read_only = read_only_reason(conn)
        has_pgtap = conn.execute("select 1 from pg_catalog.pg_extension where extname = 'pgtap'").fetchone()
    planned = [(path, *plan_file(path, pooled=pooler is not None)) for path in files]
    if output is OutputFormat.json:
        print_json({
            "dry_run": True, "url": redact(url), "read_only": read_only, "transaction_pooler": pooler,
            "pgtap": "present" if has_pgtap else "created in schema extensions, dropped after the run",
            "files": [{"file": _display(p), "how": how, "leaves_nothing": clean} for p, how, clean in planned],
        })  # fmt: skip
        return
    out.print(escaped(f"Dry run: test db on {redact(url)}: {len(files)} file(s), in this order"))
    if read_only is not None:
        out.print(escaped(f"  refused: the target {read_only} (pgTAP keeps its plan in temporary tables)"))
    if pooler is not None:
        out.print(escaped(f"  through a transaction-mode pooler: {pooler}"))
    out.print("  pgTAP: " + ("present" if has_pgtap else "created in schema extensions, dropped after the run"))
    for path, how, clean in planned:
        out.print(escaped(f"  {'  ' if clean else '! '}{_display(path)}: {how}"))


def _display(path: Path) -> str:
    """A file as reports name it: relative to the current directory when below it."""
    try:
        return os.path.relpath(path.absolute(), Path.cwd()) if path.absolute().is_relative_to(Path.cwd()) else str(path)
    except ValueError:
        return str(path)


def _server(
    db_url: str | None, data_dir: Path | None, engine_name: ServerEngine, output: OutputFormat
) -> tuple[str, Path | None]:
    """The URL to test against and, for khepri-db's own servers, their binaries (whose psql to use)."""
    if db_url:
        return db_url, None
    from khepri_db.engines import ClusterEngine, resolve_engine

    engine = resolve_engine(None, data_dir, log=progress_for(output), engine=engine_name.value)
    if not isinstance(engine, ClusterEngine):  # docker: its server is reached by URL, as --db-url
        return target_url(None, data_dir, output, engine_name), None
    if not engine.status().running and output is OutputFormat.text:
        err.print(
            f"[dim]starting the {engine.name} server in {engine.data_dir} (stop it with `khepri-db db stop`)[/dim]"
        )
    url = engine.start()
    return url, engine.bin_dir()


@test_app.command("new")
@handles_errors
def new_cmd(
    name: Annotated[str, typer.Argument(help="The test's name: writes supabase/tests/<NAME>_test.sql.")],
    output: Format = OutputFormat.text,
) -> None:
    """Write a new pgTAP test file, supabase/tests/<NAME>_test.sql, as `supabase test new` does.

    The file holds one assertion inside a transaction that is rolled back. An existing file is never
    overwritten (exit 2).
    """
    from khepri_db.testing.new import new_test

    project = Project.discover()
    path = new_test(project.supabase_dir / TESTS_DIR, name)
    if output is OutputFormat.json:
        print_json({"created": str(path)})
    else:
        out.print(f"Created new pgTAP test at {escaped(project.relative(path))}.")


@test_app.command("pgtap")
@handles_errors
def pgtap_cmd(
    fetch: Annotated[
        bool,
        typer.Option(
            "--fetch",
            help="When this machine has no pgTAP, download Debian's postgresql-<major>-pgtap package "
            "(apt-get download; nothing is installed) into khepri-db's cache.",
        ),
    ] = False,
    output: Format = OutputFormat.text,
) -> None:
    """Show which pgTAP khepri-db's servers get (exit 1 when none), or fetch it with --fetch.

    khepri-db never ships pgTAP: it stages the one a package manager installed (any PostgreSQL share
    directory, e.g. Debian's postgresql-15-pgtap) for the embedded and system servers, like its
    extension stand-ins. Set KHEPRI_PGTAP_DIR to use another.
    """
    from khepri_db.engines.pgtap import INSTALL_HINT, fetch_pgtap, find_pgtap

    found = find_pgtap()
    if found is None and fetch:
        found = fetch_pgtap(progress_for(output))
    if output is OutputFormat.json:
        print_json(
            {"found": found is not None, "version": found.version if found else None,
             "directory": str(found.directory) if found else None, "hint": None if found else INSTALL_HINT}
        )  # fmt: skip
    elif found is not None:
        out.print(f"pgTAP {found.version} in {escaped(found.directory)}")
    else:
        out.print("no pgTAP on this machine")
        err.print(f"[bold]hint:[/bold] {escaped(INSTALL_HINT)}")
    if found is None:
        raise typer.Exit(1)
