"""What a pgTAP file reported: its TAP stream parsed (by the ``tap.py`` library) and judged as
``prove``/``pg_prove`` judge it (TAP::Harness's rules: a plan, every planned test run, no failure
but TODO ones, exit status 0).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Status = Literal["pass", "fail", "error", "skip"]
"""A file's verdict: ``pass``; ``fail`` (an assertion failed); ``error`` (the file died, broke its
plan, bailed out or printed no TAP); ``skip`` (``1..0 # SKIP``: the whole file skipped itself)."""


@dataclass(frozen=True)
class Assertion:
    """One TAP test line (``ok 3 - description``) of a pgTAP file.

    Attributes:
        number: the test number TAP printed (``None`` when the line had none).
        ok: ``ok`` (True) or ``not ok`` (False) as printed.
        description: the description without TAP's leading ``- ``.
        directive: ``"skip"``, ``"todo"`` or ``""``.
        reason: the directive's text (``# SKIP <reason>``).
        diagnostics: the ``#`` lines that follow a failed assertion (pgTAP's ``have``/``want``),
            without the leading ``# ``.
    """

    number: int | None
    ok: bool
    description: str
    directive: Literal["skip", "todo", ""] = ""
    reason: str = ""
    diagnostics: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        """A failure that counts: ``not ok`` without a TODO directive."""
        return not self.ok and self.directive != "todo"

    @property
    def name(self) -> str:
        """``"<number> - <description>"`` (the description alone when unnumbered): a JUnit test case name."""
        label = self.description or "(no description)"
        return f"{self.number} - {label}" if self.number is not None else label

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every attribute, plus ``failed``."""
        return {
            "number": self.number,
            "ok": self.ok,
            "description": self.description,
            "directive": self.directive or None,
            "reason": self.reason or None,
            "diagnostics": list(self.diagnostics),
            "failed": self.failed,
        }


@dataclass
class FileResult:
    """The outcome of one pgTAP file.

    Attributes:
        path: the file.
        display: how reports name it (relative to the current directory when below it).
        assertions: its TAP test lines, in order.
        planned: the plan's count (``1..N``), ``None`` without a plan.
        skip_all: the reason of ``1..0 # SKIP <reason>``, ``None`` otherwise.
        bailed: the reason of ``Bail out!``, ``None`` otherwise.
        exit_code: psql's exit status (0 fine, 1 fatal, 2 connection lost, 3 a statement failed
            under ``ON_ERROR_STOP``); ``None`` when it was not run.
        stdout: what the file printed (the TAP stream).
        stderr: psql's messages: notices, warnings and the error that stopped the file.
        comments: ``#`` lines not attached to a failed assertion (pgTAP's ``diag()``, ``Looks like...``).
        duration_s: wall-clock seconds the file took.
        problems: why the file is an error beyond failed assertions (pg_prove's "parse errors":
            no plan, a plan the tests did not match, numbers out of sequence, a non-zero exit status).
    """

    path: Path
    display: str
    assertions: list[Assertion] = field(default_factory=list)
    planned: int | None = None
    skip_all: str | None = None
    bailed: str | None = None
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    comments: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Assertion]:
        """The assertions that failed (``not ok`` without TODO)."""
        return [a for a in self.assertions if a.failed]

    @property
    def status(self) -> Status:
        """The file's verdict (see :data:`Status`)."""
        if self.problems or self.bailed is not None:
            return "error"
        if self.failed:
            return "fail"
        if self.skip_all is not None:
            return "skip"
        return "pass"

    @property
    def error_line(self) -> str | None:
        """The first ``ERROR:`` line psql printed (``psql:<file>:<line>: ERROR:  ...``), if any."""
        return next((line.strip() for line in self.stderr.splitlines() if "ERROR:" in line), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: path, status, counts, the assertions, psql's stderr and the problems."""
        return {
            "path": self.display,
            "status": self.status,
            "planned": self.planned,
            "run": len(self.assertions),
            "failed": len(self.failed),
            "skipped": sum(1 for a in self.assertions if a.directive == "skip"),
            "todo": sum(1 for a in self.assertions if a.directive == "todo"),
            "skip_all": self.skip_all,
            "bailed": self.bailed,
            "exit_code": self.exit_code,
            "duration_s": round(self.duration_s, 4),
            "problems": self.problems,
            "error": self.error_line,
            "comments": self.comments,
            "stderr": self.stderr,
            "assertions": [a.to_dict() for a in self.assertions],
        }


@dataclass
class SuiteResult:
    """The outcome of a ``test db`` run.

    Attributes:
        files: one :class:`FileResult` per file, in the order the files were collected.
        duration_s: wall-clock seconds of the whole run.
        jobs: how many files ran at once.
    """

    files: list[FileResult]
    duration_s: float = 0.0
    jobs: int = 1

    @property
    def tests(self) -> int:
        """Assertions run, over all files (pg_prove's ``Tests=``)."""
        return sum(len(f.assertions) for f in self.files)

    @property
    def passed(self) -> bool:
        """Whether every file passed or skipped itself (pg_prove's ``Result: PASS``)."""
        return all(f.status in ("pass", "skip") for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``result``, counts, timing, and every file's :meth:`FileResult.to_dict`."""
        return {
            "result": "PASS" if self.passed else "FAIL",
            "files": len(self.files),
            "tests": self.tests,
            "failed_files": sum(1 for f in self.files if f.status in ("fail", "error")),
            "failed_tests": sum(len(f.failed) for f in self.files),
            "duration_s": round(self.duration_s, 4),
            "jobs": self.jobs,
            "results": [f.to_dict() for f in self.files],
        }


def parse_tap(result: FileResult, stdout: str) -> FileResult:
    """Fill ``result`` from the TAP stream ``stdout``, judged by TAP::Harness's rules.

    Lines are parsed by ``tap.py``; ``#`` lines after a failed assertion become its diagnostics,
    other ``#`` lines are the file's comments. Problems recorded (each makes the file an error):
    no plan, more than one plan, a plan that does not match the tests run ("Bad plan. You planned
    N tests but ran M."), test numbers out of sequence, a non-zero ``exit_code`` (set it first).

    Args:
        result: the file's result, with ``exit_code`` and ``stderr`` already set.
        stdout: what psql printed.

    Returns:
        ``result`` itself.
    """
    result.stdout = stdout
    plans = 0
    for line in _parser().parse_text(stdout):
        category = line.category
        if category == "plan":
            if line.skip and line.expected_tests:
                continue  # "1..N # SKIP" with N > 0: an unknown line to TAP::Parser
            plans += 1
            result.planned = line.expected_tests
            if line.skip:
                result.skip_all = line.directive.reason or ""
        elif category == "test":
            directive: Literal["skip", "todo", ""] = "skip" if line.skip else "todo" if line.todo else ""
            result.assertions.append(
                Assertion(
                    number=line.number,
                    ok=bool(line.ok),
                    description=_strip_dash(line.description),
                    directive=directive,
                    reason=(line.directive.reason or "") if directive else "",
                )
            )
        elif category == "diagnostic":
            text = re.sub(r"^#\s?", "", line.text)
            last = result.assertions[-1] if result.assertions else None
            if last is not None and last.failed and not _is_summary(text):
                result.assertions[-1] = _with_diagnostic(last, text)
            else:
                result.comments.append(text)
        elif category == "bail":
            result.bailed = line.reason or ""
    _judge(result, plans)
    return result


@functools.cache
def _parser_class() -> type:
    """tap.py's ``Parser`` with the three line patterns of TAP::Parser's grammar (what pg_prove uses).

    tap.py's own patterns are looser: a plan's dots match any character and trailing text is
    allowed, and ``ok`` needs no word boundary. A pgTAP file prints the rows of its other queries
    too (a uuid ``11111111-1111-...`` would be read as the plan ``1..11111``, a row ``okay`` as a
    passing test); TAP::Parser reads both as unknown lines, and so does this parser.
    """
    from tap.parser import Parser

    class TapParserGrammar(Parser):  # type: ignore[misc]
        ok = re.compile(r"^ok\b" + Parser.result_base, re.VERBOSE)
        not_ok = re.compile(r"^not\ ok\b" + Parser.result_base, re.VERBOSE)
        # a tail other than "# SKIP ..." makes tap.py's _parse_plan return an unknown line, as TAP::Parser does
        plan = re.compile(r"^1\.\.(?P<expected>\d+)\s*(?:\#\s*)?(?P<directive>.*)$")

    return TapParserGrammar


def _parser() -> Any:
    return _parser_class()()


def _strip_dash(description: str) -> str:
    return re.sub(r"^-\s*", "", description.strip())


def _is_summary(text: str) -> bool:
    return text.startswith("Looks like ")


def _with_diagnostic(assertion: Assertion, text: str) -> Assertion:
    return Assertion(
        assertion.number,
        assertion.ok,
        assertion.description,
        assertion.directive,
        assertion.reason,
        (*assertion.diagnostics, text),
    )


def _judge(result: FileResult, plans: int) -> None:
    run = len(result.assertions)
    if result.exit_code not in (None, 0):
        result.problems.append(f"Non-zero exit status: {result.exit_code}")
    if result.bailed is not None:
        return
    if plans == 0:
        result.problems.append("No plan found in TAP output")
    elif plans > 1:
        result.problems.append("More than one plan found in TAP output")
    elif result.planned is not None and result.planned != run and not (result.skip_all is not None and run == 0):
        result.problems.append(f"Bad plan.  You planned {result.planned} tests but ran {run}.")
    numbers = [a.number for a in result.assertions]
    expected = list(range(1, run + 1))
    if all(n is not None for n in numbers) and numbers != expected:
        first = next(i for i, (n, e) in enumerate(zip(numbers, expected, strict=True)) if n != e)
        result.problems.append(f"Tests out of sequence.  Found ({numbers[first]}) but expected ({first + 1})")


def summarise_counts(files: Sequence[FileResult]) -> dict[Status, int]:
    """How many files ended in each :data:`Status`."""
    counts: dict[Status, int] = {"pass": 0, "fail": 0, "error": 0, "skip": 0}
    for file in files:
        counts[file.status] += 1
    return counts
