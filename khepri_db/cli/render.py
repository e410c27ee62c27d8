"""Text renderers of the ``khepri-db`` results (doctor reports, the access matrix)."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from khepri_db.cli.common import (
    DoctorFormat,
    FailOn,
    out,
    print_json,
)
from khepri_db.core.project import Project

if TYPE_CHECKING:
    from khepri_db.doctor.report import DoctorReport

_OP_LETTERS = {"select": "s", "insert": "i", "update": "u", "delete": "d", "execute": "x"}


def _doctor_locations(report: DoctorReport, project: Project) -> list[str | None]:
    """``file:line`` where each finding's object was created in the migrations, or ``None``."""
    from khepri_db.doctor.sarif import SourceIndex

    if report.migrations_dir is None:
        return [None] * len(report.findings)
    directory = Path(report.migrations_dir)
    index = SourceIndex.for_migrations(directory, project.root)
    places = []
    for finding in report.findings:
        where = index.locate(finding.metadata, directory)
        places.append(f"{where.path}:{where.line}" if where else None)
    return places


LOG_WIDTH = 120
"""Width of doctor's text off a terminal when ``COLUMNS`` does not say (CI logs, pipes, files)."""
MAX_LOG_WIDTH = 200
"""Widest line doctor writes off a terminal, whatever ``COLUMNS`` says; only a cache key, never cut,
may be longer."""


def _doctor_width(console: Console) -> int:
    """The width doctor wraps its text at: the terminal's (Rich's, which follows ``COLUMNS``) on a
    terminal; off one, ``COLUMNS`` if set, else :data:`LOG_WIDTH`, at most :data:`MAX_LOG_WIDTH`."""
    try:
        terminal = console.file.isatty()
    except (AttributeError, ValueError):
        terminal = False
    if terminal:
        return max(40, console.size.width)
    columns = os.environ.get("COLUMNS", "").strip()
    width = int(columns) if columns.isdigit() and int(columns) > 0 else LOG_WIDTH
    return max(40, min(width, MAX_LOG_WIDTH))


def _wrapped(text: str, width: int, indent: str = "", first: str = "") -> list[str]:
    """``text`` wrapped at ``width``: its first line starts with ``first``, the others with ``indent``;
    paragraphs are kept and words never broken (a path or a name longer than the line stays whole)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(
            textwrap.wrap(
                paragraph, width, initial_indent=indent if lines else first, subsequent_indent=indent,
                break_long_words=False, break_on_hyphens=False,
            ) or [indent]
        )  # fmt: skip
    return lines


def _key_lines(key: str, width: int) -> list[str]:
    """A cache key on a line of its own, whole: after ``cache_key:`` when that fits ``width``, else
    alone on the next line (a key longer than ``width`` is the one line that exceeds it)."""
    line = f"  cache_key: {key}"
    return [line] if len(line) <= width else ["  cache_key:", key]


def _split_also_reported(finding: Any) -> tuple[str, str]:
    """The detail without the sentence :func:`khepri_db.doctor.report.deduplicate` adds (other rules'
    cache keys, long words a log line cannot wrap), and those rules as ``rule (LEVEL), ...``."""
    also = finding.metadata.get("also_reported_as") or []
    if not also:
        return finding.detail, ""
    listed = ", ".join(f"{a['rule']} `{a['cache_key']}`" for a in also)
    detail = finding.detail.removesuffix(f" (One defect: also reported as {listed}.)")
    return detail, ", ".join(f"{a['rule']} ({a['level']})" for a in also)


def _finding_object(finding: Any) -> str:
    """What a finding is about, from its metadata: ``public.notes``, ``public.notes policy notes_select``."""
    meta = finding.metadata
    name = ".".join(str(meta[k]) for k in ("schema", "name") if meta.get(k) not in (None, ""))
    for key, label in (("policy_name", "policy"), ("index", "index"), ("argument", "argument"),
                       ("column", "column"), ("line", "line")):  # fmt: skip
        if meta.get(key) not in (None, ""):
            name += f" {label} {meta[key]}"
    return name or str(meta.get("type", ""))


def render_report(
    report: DoctorReport,
    fail_on: FailOn,
    project: Project | None = None,
    *,
    level: str = "info",
    advisor_type: str = "all",
    console: Console = out,
) -> None:
    """Print ``report`` for people and CI logs: target, exposure, then each finding shown (``level``,
    ``advisor_type``; see :meth:`DoctorReport.shown`) as a short block, by level: level, rule and
    object; the detail wrapped; where the object was created when the migrations say; its cache key
    whole on its own line (copy it into a suppression). Then the number of findings by rule,
    suppressions that matched nothing, and the verdict for ``fail_on``, which judges every finding.

    Lines are wrapped at :func:`_doctor_width`; a cache key is never wrapped or cut."""
    from khepri_db.doctor.rules import level_rank

    width = _doctor_width(console)

    def say(lines: list[str], style: str | None = None) -> None:
        for line in lines:
            console.print(f"[{style}]{escape(line)}[/{style}]" if style else escape(line), soft_wrap=True)

    target = report.target
    say(_wrapped(f"Target: {target['description']}", width, "  "))
    say(_wrapped(
        f"Exposed schemas: {', '.join(report.exposed_schemas.schemas)} (from {report.exposed_schemas.source})",
        width, "  ",
    ))  # fmt: skip
    if report.plpgsql_check is not None:
        checker = "plpgsql_check (SQL functions: planned by doctor)" if report.plpgsql_check else "planned by doctor"
        say([f"Function bodies: {checker}"])
    if report.config_file:
        say(_wrapped(f"Config: {report.config_file}", width, "  "))
    if report.not_run:
        reasons: dict[str, list[str]] = {}
        for name, why in report.not_run.items():
            reasons.setdefault(why, []).append(name)
        for why, names in reasons.items():
            say(_wrapped(f"{len(names)} rule(s) {why}: {', '.join(sorted(names))}", width, "  "), "yellow")
    shown = report.shown(level, advisor_type)
    kept = {id(f) for f in shown}
    everywhere = _doctor_locations(report, project) if project is not None else [None] * len(report.findings)
    places = {id(f): p for f, p in zip(report.findings, everywhere, strict=True)}
    colours = {"ERROR": "red", "WARN": "yellow", "INFO": "blue"}
    for severity in ("ERROR", "WARN", "INFO"):
        rows = [f for f in report.findings if f.level == severity and id(f) in kept]
        if not rows:
            continue
        console.print()
        say([f"{severity} ({len(rows)})"], f"bold {colours[severity]}")
        for finding in rows:
            console.print()
            head = _wrapped(f"{severity} {finding.name}: {_finding_object(finding)}", width, "  ")
            say(head[:1], f"bold {colours[severity]}")
            say(head[1:])
            detail, also = _split_also_reported(finding)
            say(_wrapped(detail, width, "  ", "  "))
            if also:
                say(_wrapped(f"Also reported as {also}.", width, "  ", "  "))
            if places[id(finding)]:
                say(_wrapped(f"at {places[id(finding)]}", width, "  ", "  "), "dim")
            say(_key_lines(finding.cache_key, width))
    if shown:
        console.print()
        say(["Findings by rule:"], "bold")
        counts: dict[str, int] = {}
        top: dict[str, str] = {}
        for finding in shown:
            counts[finding.name] = counts.get(finding.name, 0) + 1
            if finding.name not in top or level_rank(finding.level) > level_rank(top[finding.name]):
                top[finding.name] = finding.level
        for name in sorted(counts, key=lambda n: (-level_rank(top[n]), -counts[n], n)):
            say([f"  {counts[name]:>5}  {name} ({top[name]})"])
    for key in report.unused_suppressions:
        source = report.config_file or "the suppressions"
        say(_wrapped(f"Suppression matched nothing (remove it from {source}):", width, "  "), "yellow")
        say(_key_lines(key, width))
    summary = report.summary()
    verdict = "[red]fail[/red]" if report.fails(fail_on.value) else "[green]pass[/green]"
    suppressed = f", {report.suppressed} suppressed" if report.suppressed else ""
    hidden = len(report.findings) - len(shown)
    if hidden:
        filters = " ".join(
            f"--{flag} {value}" for flag, value, default in (("level", level, "info"), ("type", advisor_type, "all"))
            if value != default
        )  # fmt: skip
        say(_wrapped(f"{hidden} finding(s) not shown ({filters}); --fail-on judges them too.", width, "  "), "dim")
    if not report.findings:
        say([f"No findings from {len(report.rules)} rules{suppressed}."])
    console.print(
        f"{summary['ERROR']} error(s), {summary['WARN']} warning(s), {summary['INFO']} info{suppressed} "
        f"- fail-on {fail_on.value}: {verdict}",
        soft_wrap=True,
    )


def print_rule_list(output: DoctorFormat) -> None:
    """``doctor --list-rules``: every rule (name, title, level, facing, categories), as a table for
    ``text`` or a JSON list otherwise."""
    from khepri_db.doctor.rules import level_rank, load_rules

    rules = load_rules()
    if output is not DoctorFormat.text:
        print_json(
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
    if cell.undecided is not None:
        return "[yellow]?[/yellow]"
    if cell.actual == "error":
        return "[bold red]E[/bold red]"
    if cell.leak:
        return "[bold red]L[/bold red]"
    if cell.actual == "skipped":
        return "[dim]~[/dim]" if cell.ok else "[bold red]~[/bold red]"
    if cell.ok:
        return f"[green]{letter}[/green]" if cell.actual == "allowed" else "[dim]·[/dim]"
    return f"[bold red]{letter.upper()}[/bold red]" if cell.actual == "allowed" else "[bold red]-[/bold red]"


def render_access(report: Any) -> None:
    """Print a ``verify-access`` report (a :class:`~khepri_db.access.report.AccessReport`) for people:
    target and declaration, the matrix (one mark per cell, :func:`_access_mark`), then notes,
    mismatches, undecided cells, risks and the summary."""
    from khepri_db.access.probe import matrix_rows

    out.print(f"[bold]Target:[/bold] {report.target['description']}")
    out.print(f"[bold]Declaration:[/bold] {escape(report.access_file)}")
    out.print(
        f"[bold]Exposed schemas:[/bold] {', '.join(report.exposed_schemas.schemas)} "
        f"(from {report.exposed_schemas.source})"
    )
    from rich.table import Table  # loaded by the one renderer that draws a table

    table = Table(title="Access matrix (columns: actor; s i u d = select insert update delete, x = execute)",
                  title_justify="left")  # fmt: skip
    table.add_column("table / function / bucket", overflow="fold")
    for actor in report.actors:
        table.add_column(actor, min_width=4, justify="center")
    for name, _kind, by_actor in matrix_rows(report):
        table.add_row(escape(name), *("".join(_access_mark(c) for c in by_actor[a]) for a in report.actors))
    out.print(table)
    out.print(
        "[dim]letter: allowed as declared; ·: denied as declared; [/dim][bold red]S I U D X[/bold red][dim]: allowed "
        "but declared denied; [/dim][bold red]-[/bold red][dim]: denied but declared allowed; [/dim]"
        "[bold red]E[/bold red][dim]: error; [/dim][bold red]L[/bold red][dim]: update leaks the row to another "
        "owner; ~: nothing to probe; [/dim][yellow]?[/yellow][dim]: undecided (not proven either way)[/dim]"
    )
    for note in getattr(report, "notes", []):
        out.print(f"[yellow]NOTE[/yellow] {escape(note)}")
    for cell in report.mismatches:
        out.print(f"[bold red]MISMATCH[/bold red] {escape(cell.describe())}")
    for cell in report.undecided:
        out.print(f"[yellow]UNDECIDED[/yellow] {escape(cell.describe())}")
    for cell in report.risks:
        declared = "declared allowed" if cell.expected == "allowed" else "declared denied"
        out.print(f"[bold red]RISK[/bold red] {escape(cell.id)}: {escape(cell.risk or '')} ({declared})")
    for cell in report.exposures:
        out.print(f"[yellow]EXPOSED[/yellow] {escape(cell.id)}: {escape(cell.exposure or '')}")
    for cell in report.accepted_risks:
        why = escape(cell.risk_accepted or "")
        out.print(f"[dim]ACCEPTED RISK {escape(cell.id)}: {escape(cell.risk or '')} (accepted: {why})[/dim]")
    for item in report.undeclared:
        out.print(
            f"[bold red]UNDECLARED[/bold red] {item.kind} {escape(item.name)}: exposed by the Data API, "
            "not in the declaration"
        )
    summary = report.summary()
    verdict = "[green]pass[/green]" if report.passed else "[red]fail[/red]"
    out.print(
        f"{summary['cells']} cells: {summary['held']} hold, {summary['undecided']} undecided, "
        f"{summary['mismatches']} mismatch(es) ({summary['errors']} error(s), {summary['leaks']} leak(s)), "
        f"{summary['risks']} risk(s), {summary['exposures']} exposure(s); "
        f"{summary['undeclared']} undeclared object(s) in {report.duration_ms:.0f} ms: {verdict}"
    )
    if summary["undecided"]:
        out.print(
            f"[yellow]{summary['undecided']} cell(s) undecided[/yellow]: the declaration says nobody could decide them "
            "(the reason is on each line above); they prove nothing, so write what decides them (a row, a call) "
            "and remove them from `undecided` (--strict fails on them)"
        )
    if summary["unreviewed"]:
        out.print(
            f"[yellow]{summary['unreviewed']} cell(s) marked unreviewed[/yellow] (written by `khepri-db access init`: "
            "they record what the database allowed, review each one)"
        )


def render_seeds(seeded: Sequence[Any], skipped: Sequence[tuple[Path, str]]) -> None:
    """Print the seed files run (name, statements, ms) and those skipped with the reason."""
    for applied in seeded:
        out.print(escape(f"Seeded {applied.name} ({applied.statements} statements, {applied.duration_ms:.0f} ms)"))
    for path, reason in skipped:
        out.print(f"[dim]{escape(f'Seed {path.name} not run: {reason}')}[/dim]")
