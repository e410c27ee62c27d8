"""The access matrix as one HTML page people keep (``verify-access --html FILE``).

One self-contained file (its style inline, no script, no server, nothing fetched): the run's target,
declaration and verdict at the top, then one table per object (table, view, function or Storage bucket) with the
actors across and the operations down. Each cell shows what was declared and what was observed, and
is marked: held, mismatch (declared one way, observed the other, or an error), leak (an allowed
update could hand the row to another owner), risk (what the run observed is dangerous whatever was
declared, e.g. anon writing rows) or undecided (not proven either way, with why).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from khepri_db.access.report import AccessReport, CellResult

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #1d1d1f; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 2em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #d0d0d7; padding: .3em .6em; text-align: center; vertical-align: top; }
th { background: #f4f4f6; } td.op { text-align: left; font-weight: 600; background: #f9f9fb; }
td small { display: block; color: #555; max-width: 22em; text-align: left; }
.held { background: #e8f6ec; } .mismatch { background: #fde4e4; } .leak, .risk { background: #ffd5cc; }
.undecided { background: #fff6d6; } .skipped { background: #f0f0f0; color: #777; }
.badge { font-weight: 700; } .verdict-pass { color: #1a7f37; } .verdict-fail { color: #c62828; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; } dt { font-weight: 600; }
"""

_LEGEND = (
    ("held", "observed as declared"),
    ("mismatch", "observed otherwise than declared, or an error"),
    ("leak", "an allowed update can hand the row to another owner"),
    ("risk", "dangerous whatever was declared (e.g. anon or another user writing rows)"),
    ("undecided", "not proven either way (the reason is in the cell)"),
    ("skipped", "nothing to probe"),
)


def _state(cell: CellResult) -> str:
    """The CSS class (and label) of ``cell``: risk and leak first, then undecided, skipped, held, mismatch."""
    if getattr(cell, "risk", None) and not getattr(cell, "risk_accepted", None):
        return "risk"
    if cell.leak:
        return "leak"
    if cell.undecided is not None:
        return "undecided"
    if cell.actual == "skipped" and cell.ok:
        return "skipped"
    return "held" if cell.ok else "mismatch"


def _cell_html(cell: CellResult) -> str:
    state = _state(cell)
    accepted = getattr(cell, "risk_accepted", None)
    risk = getattr(cell, "risk", None)
    exposure = getattr(cell, "exposure", None)
    notes = [
        n
        for n in (risk, f"accepted: {accepted}" if risk and accepted else None, exposure, cell.leak, cell.undecided)
        if n
    ]
    if state == "mismatch" and cell.detail:
        notes.append(cell.detail)
    small = "".join(f"<small>{escape(n)}</small>" for n in notes)
    return (
        f'<td class="{state}" title="{escape(cell.id)}"><span class="badge">{escape(state)}</span><br>'
        f"declared {escape(cell.expected)}, observed {escape(cell.actual)}{small}</td>"
    )


def _objects(report: AccessReport) -> Iterable[tuple[str, str, dict[tuple[str, str], CellResult], list[str]]]:
    """Per object, in the report's order: (name, kind, {(operation, actor): cell}, operations)."""
    seen: dict[str, tuple[str, dict[tuple[str, str], CellResult], list[str]]] = {}
    for cell in report.cells:
        kind, cells, operations = seen.setdefault(cell.object, (cell.kind, {}, []))
        cells[(cell.operation, cell.actor)] = cell
        if cell.operation not in operations:
            operations.append(cell.operation)
    for name, (kind, cells, operations) in seen.items():
        yield name, kind, cells, operations


def render_html(report: AccessReport, *, title: str = "Access matrix") -> str:
    """``report`` as one self-contained HTML page.

    Args:
        report: a :func:`khepri_db.access.probe.verify_access` report.
        title: the page's title.

    Returns:
        The page (UTF-8 text): no script, no external resource.
    """
    summary = report.summary()
    verdict = "pass" if report.passed else "fail"
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        "<dl>",
        f"<dt>Target</dt><dd>{escape(str(report.target.get('description', '')))}</dd>",
        f"<dt>Declaration</dt><dd>{escape(report.access_file)}</dd>",
        f"<dt>Exposed schemas</dt><dd>{escape(', '.join(report.exposed_schemas.schemas))}</dd>",
        f'<dt>Verdict</dt><dd class="verdict-{verdict}">{verdict}: '
        + escape(", ".join(f"{count} {name}" for name, count in summary.items()))
        + "</dd>",
        "</dl>",
        "<table><tr>" + "".join(f'<td class="{state}">{escape(state)}: {escape(text)}</td>' for state, text in _LEGEND),
        "</tr></table>",
    ]
    if report.notes:
        parts.append("<h2>Notes</h2><ul>")
        parts.extend(f"<li>{escape(note)}</li>" for note in report.notes)
        parts.append("</ul>")
    if report.undeclared:
        parts.append("<h2>Exposed but not declared</h2><ul>")
        parts.extend(f"<li>{escape(u.kind)} {escape(u.name)}</li>" for u in report.undeclared)
        parts.append("</ul>")
    for name, kind, cells, operations in _objects(report):
        heading = "bucket" if kind == "storage" else kind  # storage.objects[<bucket>]: a bucket's objects
        parts.append(f"<h2>{escape(heading)} {escape(name)}</h2><table><tr><th>operation</th>")
        parts.extend(f"<th>{escape(actor)}</th>" for actor in report.actors)
        parts.append("</tr>")
        for operation in operations:
            parts.append(f'<tr><td class="op">{escape(operation)}</td>')
            for actor in report.actors:
                cell = cells.get((operation, actor))
                parts.append(_cell_html(cell) if cell is not None else "<td></td>")
            parts.append("</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
