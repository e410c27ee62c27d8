"""Reports of a ``test db`` run: text lines as pg_prove prints them, and JUnit XML for CI.

The text report keeps pg_prove's shape, so a CI log reads the same as under ``supabase test db``:
one line per file (``<file> .. ok``), the failing assertions with pgTAP's diagnostics, a summary of
the failed files, then ``Files=N, Tests=N, <seconds> wallclock secs`` and ``Result: PASS|FAIL``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from khepri_db.testing.results import FileResult, SuiteResult


def file_line(result: FileResult, width: int = 0) -> str:
    """The one-line verdict of a file, as pg_prove prints it (``<file> .. ok``, ``<file> .. Failed 1/3
    subtests``, ``<file> .. skipped: <reason>``); ``width`` pads the name with dots."""
    name = result.display + " " + "." * max(2, width - len(result.display) + 2)
    status = result.status
    if status == "pass":
        return f"{name} ok"
    if status == "skip":
        return f"{name} skipped: {result.skip_all}" if result.skip_all else f"{name} skipped"
    if status == "fail" and not result.problems:
        return f"{name} Failed {len(result.failed)}/{len(result.assertions)} subtests"
    if result.exit_code not in (None, 0):
        return f"{name} Dubious, test returned {result.exit_code}"
    if result.bailed is not None:
        return f"{name} Bailed out: {result.bailed}"
    return f"{name} {result.problems[0] if result.problems else 'failed'}"


def file_details(result: FileResult, *, verbose: bool = False) -> list[str]:
    """The lines to show under a file that did not pass: each failed assertion with its diagnostics,
    pgTAP's comments, and the ``ERROR`` psql printed (its whole message, with ``LINE``/``DETAIL``/``HINT``).
    With ``verbose``, the whole TAP stream and stderr of any file."""
    if verbose:
        return [*result.stdout.rstrip("\n").splitlines(), *result.stderr.rstrip("\n").splitlines()]
    if result.status in ("pass", "skip"):
        return []
    lines: list[str] = []
    for assertion in result.failed:
        lines.append(f"  not ok {assertion.name}")
        lines += [f"    # {text}" for text in assertion.diagnostics]
    lines += [f"  # {text}" for text in result.comments]
    if result.stderr.strip():
        lines += [f"  {line}" for line in result.stderr.rstrip("\n").splitlines()]
    return lines


def summary_lines(suite: SuiteResult) -> list[str]:
    """pg_prove's closing lines: ``All tests successful.`` or the Test Summary Report, then
    ``Files=N, Tests=N, S wallclock secs`` and ``Result: PASS|FAIL``."""
    lines: list[str] = []
    bad = [f for f in suite.files if f.status in ("fail", "error")]
    if not bad:
        lines.append("All tests successful.")
    else:
        lines += ["", "Test Summary Report", "-------------------"]
        width = max(len(f.display) for f in bad)
        for result in bad:
            lines.append(
                f"{result.display:<{width}} (exit {result.exit_code}, Tests: {len(result.assertions)}, "
                f"Failed: {len(result.failed)})"
            )
            if result.failed:
                numbers = ", ".join(str(a.number) for a in result.failed)
                lines.append(f"  Failed test{'s' if len(result.failed) > 1 else ''}:  {numbers}")
            for problem in result.problems:
                lines.append(f"  {problem}")
    jobs = f", {suite.jobs} jobs" if suite.jobs > 1 else ""
    lines.append(f"Files={len(suite.files)}, Tests={suite.tests}, {suite.duration_s:.2f} wallclock secs{jobs}")
    lines.append(f"Result: {'PASS' if suite.passed else 'FAIL'}")
    return lines


def junit_xml(suite: SuiteResult, *, name: str = "khepri-db test db") -> bytes:
    """The run as JUnit XML (the schema CI systems read: Jenkins, GitLab, GitHub test reporters).

    One ``<testsuite>`` per file (named by its path), one ``<testcase>`` per TAP assertion named
    ``<number> - <description>``; a failed assertion has ``<failure>`` with pgTAP's diagnostics, a
    SKIP or TODO one ``<skipped>`` (a TODO that passed is a plain pass); a file that died, broke its
    plan or bailed out gets one more test case, ``(file)``, with ``<error>`` and psql's stderr. A
    whole-file skip (``1..0 # SKIP``) is one skipped ``(file)`` case.

    Returns:
        UTF-8 XML with declaration.
    """
    root = ET.Element("testsuites", name=name)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for result in suite.files:
        element = ET.SubElement(root, "testsuite", name=result.display, file=result.display)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for assertion in result.assertions:
            case = ET.SubElement(element, "testcase", name=assertion.name, classname=result.display, time="0")
            counts["tests"] += 1
            if assertion.failed:
                failure = ET.SubElement(case, "failure", message=f"not ok {assertion.name}")
                failure.text = "\n".join(assertion.diagnostics)
                counts["failures"] += 1
            elif assertion.directive == "skip" or (assertion.directive == "todo" and not assertion.ok):
                ET.SubElement(case, "skipped", message=f"{assertion.directive.upper()} {assertion.reason}".strip())
                counts["skipped"] += 1
        if result.status == "error" or result.skip_all is not None:
            case = ET.SubElement(element, "testcase", name="(file)", classname=result.display, time="0")
            counts["tests"] += 1
            if result.status == "error":
                message = "; ".join(result.problems) or f"Bailed out: {result.bailed}"
                error = ET.SubElement(case, "error", message=message)
                error.text = result.stderr
                counts["errors"] += 1
            else:
                ET.SubElement(case, "skipped", message=result.skip_all or "skipped")
                counts["skipped"] += 1
        if result.stderr:
            ET.SubElement(element, "system-err").text = result.stderr
        for key, value in counts.items():
            element.set(key, str(value))
            totals[key] += value
        element.set("time", f"{result.duration_s:.3f}")
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{suite.duration_s:.3f}")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def write_junit(suite: SuiteResult, path: Path) -> None:
    """Write :func:`junit_xml` to ``path`` (parent directories created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(junit_xml(suite))
