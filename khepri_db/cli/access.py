"""``khepri-db verify-access``, ``khepri-db access init`` and ``access export``: the access matrix face."""

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
    KhepriTyper,
    Linked,
    OutputFormat,
    TargetEngine,
    access_file_option,
    exposed_schemas_option,
    handles_errors,
    out,
    print_json,
    progress_for,
    split_csv,
    target_url,
)
from khepri_db.cli.render import render_access
from khepri_db.core.errors import UsageError
from khepri_db.core.project import Project

DryRun = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Say what the run would write and call (users, rows, function calls: all in one transaction that is "
        "rolled back) and what the target changes about it, reading only the catalog. Exit 0.",
    ),
]


def _print_plan(plan: object, output: OutputFormat) -> None:
    from khepri_db.access.dry_run import AccessPlan, render_plan

    assert isinstance(plan, AccessPlan)
    if output is OutputFormat.json:
        print_json({"dry_run": True, **plan.model_dump()})
    else:
        for line in render_plan(plan):
            out.print(escape(line), soft_wrap=True)


# -- verify-access -----------------------------------------------------------------------------


@app.command("verify-access")
@handles_errors
def verify_access_cmd(
    db_url: DbUrl = None,
    linked: Linked = False,
    data_dir: DataDir = None,
    engine_name: TargetEngine = None,
    access_file: access_file_option("The access declaration") = None,
    exposed_schemas: exposed_schemas_option("Schemas whose tables, views and functions must all be declared") = None,
    khepri_schema: KhepriSchema = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Also fail (exit 1) on cells the declaration leaves undecided (`undecided`, `unbuildable`).",
        ),
    ] = False,
    fail_on: Annotated[
        str,
        typer.Option(
            "--fail-on",
            help="mismatch: fail (exit 1) when a cell differs from the declaration (the default); risk: also "
            "when the run observed a risk, whatever was declared (anon or a user who does not own the row "
            "writing it, anon's SECURITY DEFINER call returning data); exposure: also when anon reaches a "
            "SECURITY DEFINER body that returned and wrote nothing in the probe. CI examples use --fail-on risk.",
        ),
    ] = "mismatch",
    dry_run: DryRun = False,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help="Also write the matrix as one HTML page (no script, no server): a table per object, actors "
            "across, operations down, declared vs observed, mismatches, leaks and risks marked.",
            show_default=False,
        ),
    ] = None,
    output: Format = OutputFormat.text,
) -> None:
    """Check the declared access matrix against the database, for real.

    For two owners it builds one row per declared table (the declaration's factories), then tries
    every actor (anon, owner, other, custom actors such as coach, service_role) x operation (select,
    insert, update, delete; execute for functions) as PostgREST would run it, each in its own
    rolled-back savepoint, checking every time that the role switch dropped superuser, BYPASSRLS
    and table ownership. Prints the matrix and every difference; nothing is left in the database.

    Cells the declaration leaves undecided (`undecided = {...}`, or a table marked `unbuildable`, as
    `access init` writes what it could not decide) are probed all the same and listed as UNDECIDED
    with their reason: never counted as passed, never as a mismatch.

    Exit 0 when every decided cell matches; 1 on any mismatch, error, leaking update, or exposed
    table, view or function with no declaration (with --strict, also on an undecided cell); 2 for an
    invalid declaration or a connection problem.
    """
    from khepri_db.access.declaration import default_access_file
    from khepri_db.access.probe import verify_access

    project = Project.discover()
    if access_file is None and not khepri_schema and not project.found:
        raise project.missing("access declaration", options="--access-file FILE")
    path = access_file or default_access_file(project, khepri_schema=khepri_schema)
    url = target_url(db_url, data_dir, output, engine_name, linked=linked)
    if dry_run:
        from khepri_db.access.dry_run import plan_verify_access

        _print_plan(
            plan_verify_access(url, path, project=project, exposed_schemas=split_csv(exposed_schemas) or None), output
        )
        return
    report = verify_access(
        url, path, project=project, exposed_schemas=split_csv(exposed_schemas) or None, progress=progress_for(output)
    )
    if fail_on not in ("mismatch", "risk", "exposure"):
        raise UsageError(f"--fail-on {fail_on!r}: expected mismatch, risk or exposure")
    risky = fail_on in ("risk", "exposure") and bool(report.risks)
    exposed = fail_on == "exposure" and bool(report.exposures)
    passed = report.passed and not (strict and report.undecided) and not risky and not exposed
    if html is not None:
        from khepri_db.access.html import render_html

        html.write_text(render_html(report), encoding="utf-8")
    if output is OutputFormat.json:
        print_json(
            {"passed": passed, "summary": report.summary(), **report.model_dump(),
             "mismatches": [c.model_dump() for c in report.mismatches],
             "undecided": [c.model_dump() for c in report.undecided],
             "risks": [c.model_dump() for c in report.risks],
             "exposures": [c.model_dump() for c in report.exposures]}
        )  # fmt: skip
    else:
        render_access(report)
        if strict and report.undecided:
            out.print(f"[red]fail[/red] (--strict): {len(report.undecided)} undecided cell(s)")
        if risky:
            out.print(f"[red]fail[/red] (--fail-on {fail_on}): {len(report.risks)} risk(s)")
        if exposed:
            out.print(f"[red]fail[/red] (--fail-on exposure): {len(report.exposures)} exposure(s)")
    if not passed:
        raise typer.Exit(1)


access_app = KhepriTyper(
    help="The declared access matrix (supabase/access.toml): generate it from the database (init); write it "
    "as a pgTAP file for supabase test db (export --pgtap).",
    no_args_is_help=True,
)
app.add_typer(access_app, name="access")


@access_app.command("init")
@handles_errors
def access_init_cmd(
    db_url: DbUrl = None,
    linked: Linked = False,
    data_dir: DataDir = None,
    engine_name: TargetEngine = None,
    access_file: access_file_option("The declaration to write") = None,
    exposed_schemas: exposed_schemas_option("Schemas whose tables, views and functions to declare") = None,
    update: Annotated[
        bool, typer.Option("--update", help="Keep the existing file as it is and add the objects it does not declare.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    dry_run: DryRun = False,
    output: Format = OutputFormat.text,
) -> None:
    """Write an access declaration from what the database allows now, every cell marked unreviewed.

    For every exposed table, view and function it infers a row factory from the catalog (required
    columns, enum labels, simple CHECK constraints, foreign keys built parents first, the owner
    column from policies using auth.uid() and references to auth.users), probes every actor x
    operation exactly as verify-access does, and declares what succeeded. What it cannot decide is
    written as such, with the reason: cells whose probe failed for a reason that is not access (a
    foreign key, a trigger's exception, a stand-in), calls that fail for every actor, cells whose
    outcome changed between its probe and the verification (`undecided`), and tables whose row
    cannot be built (`unbuildable`). Then runs verify-access on the file, which accepts it unless
    it finds a leaking update.

    Exit 0 when the file was written, every table got a row, nothing is undecided and verify-access
    passes on it; 1 when it was written but needs work (a table without a row, an undecided cell, a
    leaking update); 2 when the file exists (without --update or --force), the existing file is
    invalid, or the database cannot be reached.
    """

    from khepri_db.access.access_init import init_access
    from khepri_db.access.declaration import default_access_file

    project = Project.discover()
    if access_file is None and not project.found:
        raise project.missing("access declaration", options="--access-file FILE")
    path = access_file or default_access_file(project)
    url = target_url(db_url, data_dir, output, engine_name, linked=linked)
    if dry_run:
        from khepri_db.access.dry_run import plan_access_init

        _print_plan(plan_access_init(url, project=project, exposed_schemas=split_csv(exposed_schemas) or None), output)
        return
    result = init_access(
        url,
        path,
        project=project,
        exposed_schemas=split_csv(exposed_schemas) or None,
        update=update,
        force=force,
        progress=progress_for(output),
    )
    passed = bool(result.verify.get("passed"))
    if output is OutputFormat.json:
        print_json({"passed": passed, "complete": result.complete, "summary": result.summary(), **result.model_dump()})
    else:
        summary = result.summary()
        verb = "Updated" if result.mode == "update" else "Wrote"
        out.print(f"{verb} {escape(result.access_file)} (every cell marked unreviewed: review each one)")
        out.print(
            f"{summary['tables']} table(s), {summary['rows_built']} with a generated row, {summary['views']} view(s), "
            f"{summary['functions']} function(s), {summary['buckets']} Storage bucket(s), {summary['cells']} cell(s)"
            + (f"; kept {len(result.kept)} existing declaration(s)" if result.kept else "")
        )
        for table in result.unbuildable:
            out.print(f"[bold yellow]NO ROW[/bold yellow] {escape(table.name)}: {escape(table.reason or '')}")
        for text in result.undecided:
            out.print(f"[bold yellow]UNDECIDED[/bold yellow] {escape(text)}")
        for text in result.leaks:
            out.print(f"[bold red]LEAK[/bold red] {escape(text)}")
        verify = result.verify
        verdict = "[green]pass[/green]" if passed else "[red]fail[/red]"
        out.print(
            f"verify-access on it: {verify['cells']} cells: {verify['held']} hold, {verify['undecided']} undecided, "
            f"{verify['mismatches']} mismatch(es) ({verify['leaks']} leak(s)), {verify['undeclared']} undeclared: "
            f"{verdict}"
        )
    if not result.complete:
        raise typer.Exit(1)


@access_app.command("export")
@handles_errors
def access_export_cmd(
    pgtap: Annotated[
        Path,
        typer.Option(
            "--pgtap",
            help="Write the access matrix as this pgTAP file (e.g. supabase/tests/access_matrix_test.sql).",
            show_default=False,
        ),
    ],
    db_url: DbUrl = None,
    linked: Linked = False,
    data_dir: DataDir = None,
    engine_name: TargetEngine = None,
    access_file: access_file_option("The access declaration to export") = None,
    khepri_schema: KhepriSchema = False,
    output: Format = OutputFormat.text,
) -> None:
    """Write the declared, verified access matrix as a pgTAP file that runs under supabase test db.

    The file comes from a real run on the database (rolled back): the same users and rows as
    verify-access makes (their ids as the run got them), then, per cell, the request as PostgREST
    makes it and the same statement, undone after it, and one pgTAP assertion on what happened. It
    passes under plain `supabase test db`, pg_prove and `khepri-db test db`, and fails where a policy
    lets through what the matrix denies (or denies what it allows). The leak probes of allowed
    updates stay with verify-access. Regenerate the file after changing the declaration: its header
    records the declaration's sha256.

    Exit 0 when written; 1 when the matrix does not hold on the database (nothing is written: run
    verify-access); 2 for an invalid declaration or a connection problem.
    """
    from khepri_db.access.declaration import default_access_file
    from khepri_db.access.pgtap_export import export_pgtap

    project = Project.discover()
    if access_file is None and not khepri_schema and not project.found:
        raise project.missing("access declaration", options="--access-file FILE")
    path = access_file or default_access_file(project, khepri_schema=khepri_schema)
    url = target_url(db_url, data_dir, output, engine_name, linked=linked)
    text = export_pgtap(url, path, project=project)
    pgtap.parent.mkdir(parents=True, exist_ok=True)
    pgtap.write_text(text, encoding="utf-8")
    plan = next((line for line in text.splitlines() if line.startswith("select plan(")), "")
    cells = int(plan.removeprefix("select plan(").rstrip(");") or 0)
    if output is OutputFormat.json:
        print_json({"written": str(pgtap), "cells": cells, "access_file": str(path)})
    else:
        out.print(f"Wrote {escape(str(pgtap))}: {cells} cell(s) of {escape(str(path))} as pgTAP assertions")
