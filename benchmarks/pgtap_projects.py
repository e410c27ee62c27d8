"""Run real Supabase projects' own pgTAP suites and count what passes, as ``supabase test db`` would run them.

For every project of a manifest (checkouts of public repositories, fetched for measuring, never
committed) and the chosen engine, this starts a brand-new server (``khepri-db db start --engine E
--data-dir D --port P``), applies the project's migrations and seed files from its root
(``khepri-db migrate`` and ``khepri-db seed`` with ``--db-url``), runs the project's own set-up
files if its CI runs any before its tests (``psql -v ON_ERROR_STOP=1 -f``), then runs the suite:

* ``--runner khepri`` (after): ``khepri-db test db --db-url URL --format json [paths]``;
* ``--runner pg_prove`` (before ``test db`` existed: what a user could do by hand): pgTAP created
  in ``extensions`` with psql (on the embedded engine of a khepri-db that does not stage pgTAP, its
  files are copied into the server's staged extension directory first, as by hand), then Debian's
  ``pg_prove --verbose --ext .pg --ext .sql -r <paths>`` in the tests directory, its per-file TAP
  judged by :mod:`khepri_db.testing.results` (TAP::Harness's rules; the differential tests check
  they agree with pg_prove's own verdicts).

Per project: files passing of files, assertions passing of assertions planned (a file's plan, or
what it ran when that is more), the seconds the suite took, and every file that did not pass with
its first problem. ``--khepri`` picks the khepri-db to measure (e.g. a worktree of an earlier
commit, for *before*). Results go to ``<out>.json`` and ``<out>.md``.

Manifest (``--manifest``, JSON list): ``{"name", "repo", "commit", "dir": "<project root holding
supabase/>", "paths": ["supabase/tests", ...] (optional), "setup": ["<sql file run before the
tests, relative to dir>", ...] (optional), "expect": "<what the project's own CI expects>"}``.

Usage::

    .venv/bin/python benchmarks/pgtap_projects.py --manifest /work/projects/pgtap.json --engine embedded \\
        --out /work/projects/pgtap-after-embedded
    .venv/bin/python benchmarks/pgtap_projects.py --manifest /work/projects/pgtap.json --engine system \\
        --khepri /work/wt/base/.venv/bin/khepri-db --runner pg_prove --out /work/projects/pgtap-before-system
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from khepri_db.testing.psql import psql_environment  # noqa: E402
from khepri_db.testing.results import FileResult, parse_tap  # noqa: E402

DEFAULT_KHEPRI = REPO / ".venv" / "bin" / "khepri-db"
STEP_TIMEOUT_S = 3600


@dataclass
class Outcome:
    """One project's run."""

    name: str
    engine: str
    runner: str
    migrated: str = ""
    files: int = 0
    files_passing: int = 0
    assertions: int = 0
    assertions_passing: int = 0
    seconds: float = 0.0
    not_passing: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(command: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT_S, check=False
    )


def _count(results: list[FileResult]) -> tuple[int, int, int, int, list[dict[str, Any]]]:
    files = len(results)
    passing = [r for r in results if r.status in ("pass", "skip")]
    planned = sum(max(r.planned or 0, len(r.assertions)) for r in results)
    ok = sum(1 for r in results for a in r.assertions if not a.failed)
    bad = [
        {"file": r.display, "status": r.status, "why": (r.problems or [""])[0], "error": r.error_line,
         "failed": [a.name for a in r.failed][:3]}
        for r in results if r.status not in ("pass", "skip")
    ]  # fmt: skip
    return files, len(passing), planned, ok, bad


_VERDICT = re.compile(r"^(ok|skipped: .*|Failed \d+/\d+ subtests|No subtests run|All \d+ subtests passed)\s*$")


def _pg_prove(url: str, tests_root: Path, paths: list[str]) -> list[FileResult]:
    _, env = psql_environment(url)
    done = _run(["pg_prove", "--verbose", "--ext", ".pg", "--ext", ".sql", "-r", *paths], cwd=tests_root, env=env)
    results: list[FileResult] = []
    current: list[str] = []
    name: str | None = None

    def flush() -> None:
        if name is not None:
            result = FileResult(Path(name), name, exit_code=0)
            # pg_prove's own verdict lines after a file's TAP (an "ok" alone: pgTAP numbers its tests)
            text = "\n".join(line for line in current if not _VERDICT.match(line))
            if "Dubious, test returned" in text:
                result.exit_code = int(text.split("Dubious, test returned", 1)[1].split()[0])
            results.append(parse_tap(result, text))

    for line in done.stdout.splitlines():
        header = re.match(r"^(\S+\.(?:sql|pg)) \.{2,}(?: (.*))?$", line.rstrip())
        if header:
            flush()
            name, current = header.group(1), []
            rest = header.group(2) or ""
            if rest.startswith(("1..", "ok", "not ok")):
                current.append(rest)
            elif rest.startswith("skipped"):  # pg_prove's verdict for a file whose plan is 1..0
                current.append("1..0 # SKIP " + rest.split(":", 1)[-1].strip())
        elif line.startswith(("All tests successful", "Test Summary Report", "Files=")):
            flush()
            name = None
        elif name is not None:
            current.append(line)
    flush()
    return results


def run_project(project: dict[str, Any], khepri: str, engine: str, runner: str, keep: bool) -> Outcome:
    """Migrate, seed and test one project on a fresh server; never raises."""
    outcome = Outcome(project["name"], engine, runner)
    root = Path(project["dir"])
    tmp = Path(tempfile.mkdtemp(prefix=f"khepri-pgtap-{project['name']}-"))
    if os.geteuid() == 0:
        tmp.chmod(0o701)
    data = tmp / "pgdata"
    port = _free_port()
    engine_args = ["--engine", engine, "--data-dir", str(data)]
    try:
        started = _run([khepri, "db", "start", *engine_args, "--port", str(port)], cwd=root)
        if started.returncode != 0:
            outcome.error = f"db start: {started.stderr.strip()[-300:]}"
            return outcome
        url = _run([khepri, "db", "url", *engine_args], cwd=root).stdout.strip()
        if runner == "pg_prove" and not (data / "khepri_extensions" / "extension" / "pgtap.control").exists():
            staged = data / "khepri_extensions" / "extension"
            if staged.is_dir():  # an older khepri-db: pgTAP added by hand, as a user would
                for source in Path("/usr/share/postgresql").glob("*/extension/pgtap*"):
                    shutil.copy(source, staged / source.name)
                    if os.geteuid() == 0:
                        shutil.chown(staged / source.name, "khepri_pg", "khepri_pg")
        migrated = _run([khepri, "migrate", "--db-url", url, "--format", "json"], cwd=root)
        try:
            report = json.loads(migrated.stdout)
            applied = len(report.get("applied", []))
            failed = report.get("failed") or report.get("error")
            outcome.migrated = f"{applied} applied" + (f"; stopped: {json.dumps(failed)[:200]}" if failed else "")
        except ValueError:
            outcome.migrated = f"exit {migrated.returncode}: {migrated.stderr.strip()[-200:]}"
        _run([khepri, "seed", "--db-url", url], cwd=root)
        _, env = psql_environment(url)
        for setup in project.get("setup", []):
            done = _run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(root / setup)], cwd=root, env=env)
            if done.returncode != 0:
                outcome.migrated += f"; set-up {setup} failed: {done.stderr.strip()[-200:]}"
        paths = project.get("paths") or ["supabase/tests"]
        began = time.perf_counter()
        if runner == "khepri":
            done = _run([khepri, "test", "db", "--db-url", url, "--format", "json", *paths], cwd=root)
            data_json = json.loads(done.stdout)
            if "error" in data_json:
                outcome.error = data_json["error"]["message"]
                return outcome
            results = [_from_json(r) for r in data_json["results"]]
        else:
            _run(["psql", "-X", "-q", "-c", "create extension if not exists pgtap with schema extensions"],
                 cwd=root, env=env)  # fmt: skip
            tests_root = root / paths[0] if not Path(paths[0]).suffix else (root / paths[0]).parent
            results = _pg_prove(url, tests_root, [str((root / p).relative_to(tests_root)) or "." for p in paths])
        outcome.seconds = round(time.perf_counter() - began, 2)
        (outcome.files, outcome.files_passing, outcome.assertions, outcome.assertions_passing,
         outcome.not_passing) = _count(results)  # fmt: skip
    except (subprocess.SubprocessError, OSError, ValueError, KeyError) as exc:
        outcome.error = f"{type(exc).__name__}: {exc}"
    finally:
        _run([khepri, "db", "stop", *engine_args], cwd=root)
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return outcome


def _from_json(data: dict[str, Any]) -> FileResult:
    from khepri_db.testing.results import Assertion

    result = FileResult(Path(data["path"]), data["path"], exit_code=data["exit_code"], stderr=data["stderr"])
    result.planned = data["planned"]
    result.skip_all = data["skip_all"]
    result.bailed = data["bailed"]
    result.problems = data["problems"]
    result.assertions = [
        Assertion(a["number"], a["ok"], a["description"], a["directive"] or "", a["reason"] or "",
                  tuple(a["diagnostics"]))
        for a in data["assertions"]
    ]  # fmt: skip
    return result


def markdown(outcomes: list[Outcome], meta: dict[str, Any]) -> str:
    """A table per run, and the files that did not pass."""
    lines = [
        f"# pgTAP suites of real projects: {meta['runner']} on the {meta['engine']} engine",
        "",
        f"khepri-db: `{meta['khepri']}`; {meta['when']}",
        "",
        "| project | migrate | files passing | assertions passing | seconds |",
        "| --- | --- | --- | --- | --- |",
    ]
    for o in outcomes:
        if o.error:
            lines.append(f"| {o.name} | {o.migrated} | error: {o.error} | | |")
        else:
            lines.append(
                f"| {o.name} | {o.migrated} | {o.files_passing}/{o.files} | {o.assertions_passing}/{o.assertions} "
                f"| {o.seconds} |"
            )
    for o in outcomes:
        if o.not_passing:
            lines += ["", f"## {o.name}: files that did not pass", ""]
            lines += [
                f"- `{b['file']}`: {b['status']}, {b['why']} {b['error'] or ''} {b['failed']}" for b in o.not_passing
            ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--engine", choices=("embedded", "system"), default="embedded")
    parser.add_argument("--runner", choices=("khepri", "pg_prove"), default="khepri")
    parser.add_argument("--khepri", default=str(DEFAULT_KHEPRI))
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--keep", action="store_true", help="keep each project's data directory")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    projects = [p for p in json.loads(args.manifest.read_text()) if not args.only or p["name"] in args.only]
    outcomes = []
    for project in projects:
        outcome = run_project(project, args.khepri, args.engine, args.runner, args.keep)
        counts = f"{outcome.files_passing}/{outcome.files} files, {outcome.assertions_passing}/{outcome.assertions}"
        print(f"{outcome.name}: {counts} assertions {outcome.error or ''}", flush=True)
        outcomes.append(outcome)
    meta = {"engine": args.engine, "runner": args.runner, "khepri": args.khepri,
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}  # fmt: skip
    args.out.with_suffix(".json").write_text(json.dumps({"meta": meta, "outcomes": [asdict(o) for o in outcomes]},
                                                        indent=2))  # fmt: skip
    args.out.with_suffix(".md").write_text(markdown(outcomes, meta))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
