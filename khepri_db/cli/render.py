"""Text renderers of the ``khepri-db`` results (doctor reports, the access matrix)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from khepri_db.cli._app import DoctorFormat, FailOn, _print_json, out
from khepri_db.core.project import Project

if TYPE_CHECKING:
    from khepri_db.doctor.report import DoctorReport

_OP_LETTERS = {"select": "s", "insert": "i", "update": "u", "delete": "d", "execute": "x"}


def _doctor_locations(report: DoctorReport, project: Project) -> list[str | None]:
    """``file:line`` where each finding's object was created in the migrations, or ``None``."""
    from khepri_db.doctor._sarif import SourceIndex

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
    from khepri_db.doctor.rules import level_rank, load_rules

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

    from khepri_db.policy.probe import matrix_rows

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


def _render_seeds(seeded: Sequence[Any], skipped: Sequence[tuple[Path, str]]) -> None:
    """Print the seed files run (name, statements, ms) and those skipped with the reason."""
    for applied in seeded:
        out.print(escape(f"Seeded {applied.name} ({applied.statements} statements, {applied.duration_ms:.0f} ms)"))
    for path, reason in skipped:
        out.print(f"[dim]{escape(f'Seed {path.name} not run: {reason}')}[/dim]")
