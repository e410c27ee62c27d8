"""`khepri-db test db` against Debian's `pg_prove` (what `supabase test db` runs) on the same database and files.

Goal (issue 17): test db <= 0.8x pg_prove serial, and `--jobs 2` <= 0.5x pg_prove serial.

One embedded server (PostgreSQL 18 from the wheel, default settings: fsync on) serves every run.
For each suite a template database is built once (migrations, seed files and the project's own
set-up files, as its CI runs them; pgTAP created in `extensions`), and every timed run gets a fresh
copy of it (`create database ... template`, not timed), so files that commit cannot make later runs
slower. The three commands alternate run by run (pg_prove, test db, test db --jobs 2), so load from
other processes hits them alike; each row gives the median, min and max wall-clock seconds of the
whole command, and the ratios are of medians. pg_prove runs as `supabase test db` runs it:
`pg_prove --ext .pg --ext .sql -r <tests dir>` in the tests directory with libpq's environment
variables; test db as a user runs it: `khepri-db test db --db-url URL` from the project's root.

Suites: Khepri's own (`supabase/tests`, a few files: Python's start-up, about 0.3 s, decides), and
the public projects of a manifest of checkouts (`KHEPRI_PGTAP_MANIFEST`, default
`/work/projects/pgtap.json`, see benchmarks/pgtap_projects.py; fetched for measuring, never
committed): pgflow (277 files) and basejump (13) when present; without them those rows are
skipped, saying why. The template is analyzed once, so every copy starts with the same planner
statistics. Last, `db reset` + `test db` end to end for Khepri's suite on the embedded
engine, as a user runs them one after the other.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from khepri_db.core.db import connect, create_database, drop_database, with_database
from khepri_db.engines import EmbeddedEngine, free_port, make_cluster_root
from khepri_db.testing.psql import psql_environment

TITLE = "test db: pgTAP suites against pg_prove"
REPO = Path(__file__).resolve().parents[1]
KHEPRI = str(Path(sys.executable).with_name("khepri-db"))
MANIFEST = Path(os.environ.get("KHEPRI_PGTAP_MANIFEST", "/work/projects/pgtap.json"))
PROJECTS = {"pgflow": 5, "basejump": 7}
"""Projects of the manifest measured, and how many runs each. kubb-app (76 files) is left out: one of
its files (a tournament matrix) runs 1 to 14 minutes depending on the planner's statistics, so timing
it measures the planner, not the runner."""
OWN_RUNS = 7
SERIAL_TARGET = 0.8
JOBS_TARGET = 0.5


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=3600, check=False)


def _timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    _run(command, cwd, env)
    return time.perf_counter() - started


def _template(server: str, name: str, root: Path, setup: list[str]) -> str:
    """Build database ``name``: migrations and seeds with the CLI from ``root``, set-up files, pgTAP."""
    with connect(server, autocommit=True) as conn:
        drop_database(conn, name)
        create_database(conn, name)
    url = with_database(server, name)
    for step in (["migrate"], ["seed"]):
        done = _run([KHEPRI, *step, "--db-url", url], cwd=root)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(step)} failed in {root}: {done.stderr.strip()[-300:]}")
    _, env = psql_environment(url)
    for path in setup:
        _run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(root / path)], cwd=root, env=env)
    with connect(url, autocommit=True) as conn:
        conn.execute("create extension if not exists pgtap with schema extensions")
        conn.execute("analyze")  # every copy starts with the same planner statistics
    return url


def _measure(server: str, template: str, root: Path, runs: int) -> dict[str, list[float]]:
    tests = root / "supabase" / "tests"
    times: dict[str, list[float]] = {"pg_prove": [], "test db": [], "test db --jobs 2": []}
    name = template.rsplit("/", 1)[1]
    for index in range(runs):
        for label in times:
            copy = f"{name}_run_{index}_{label.replace(' ', '_').replace('-', '')}"
            with connect(server, autocommit=True) as conn:
                create_database(conn, copy, template=name)
            url = with_database(server, copy)
            try:
                if label == "pg_prove":
                    _, env = psql_environment(url)
                    command = ["pg_prove", "--ext", ".pg", "--ext", ".sql", "-r", "."]
                    times[label].append(_timed(command, tests, env))
                else:
                    jobs = ["--jobs", "2"] if "jobs" in label else []
                    times[label].append(_timed([KHEPRI, "test", "db", "--db-url", url, *jobs], root))
            finally:
                with connect(server, autocommit=True) as conn:
                    drop_database(conn, copy)
    return times


def _rows(suite: str, files: int, times: dict[str, list[float]]) -> list[str]:
    rows = []
    for label, samples in times.items():
        rows.append(
            f"| {suite} ({files} files) | {label} | {statistics.median(samples):.2f} | {min(samples):.2f} "
            f"| {max(samples):.2f} | {len(samples)} |"
        )
    return rows


def _verdicts(suite: str, times: dict[str, list[float]]) -> list[str]:
    base = statistics.median(times["pg_prove"])
    serial = statistics.median(times["test db"]) / base
    jobs = statistics.median(times["test db --jobs 2"]) / base
    return [
        f"- {suite}: test db / pg_prove = **{serial:.2f}x** (goal <= {SERIAL_TARGET}: "
        f"{'met' if serial <= SERIAL_TARGET else 'not met'}); test db --jobs 2 / pg_prove = **{jobs:.2f}x** "
        f"(goal <= {JOBS_TARGET}: {'met' if jobs <= JOBS_TARGET else 'not met'})"
    ]


def _suites() -> tuple[list[tuple[str, Path, list[str], int]], list[str]]:
    suites: list[tuple[str, Path, list[str], int]] = [("Khepri", REPO, [], OWN_RUNS)]
    notes: list[str] = []
    if not MANIFEST.is_file():
        notes.append(f"- public projects skipped: no manifest of checkouts at {MANIFEST} (KHEPRI_PGTAP_MANIFEST)")
        return suites, notes
    manifest: list[dict[str, Any]] = json.loads(MANIFEST.read_text())
    for name, runs in PROJECTS.items():
        entry = next((p for p in manifest if p["name"] == name), None)
        if entry is None or not (Path(entry["dir"]) / "supabase" / "tests").is_dir():
            notes.append(f"- {name} skipped: no checkout in {MANIFEST}")
            continue
        suites.append((f"{name} ({entry['repo']} {entry['commit']})", Path(entry["dir"]), entry.get("setup", []), runs))
    return suites, notes


def _end_to_end(server: str) -> list[str]:
    """`db reset` then `test db` on a copy of this repository's project layout, on the embedded engine."""
    work = Path(tempfile.mkdtemp(prefix="khepri-bench-e2e-"))
    try:
        shutil.copytree(REPO / "supabase", work / "supabase")
        url = with_database(server, "e2e_khepri")
        with connect(server, autocommit=True) as conn:
            drop_database(conn, "e2e_khepri")
            create_database(conn, "e2e_khepri")
        _run([KHEPRI, "migrate", "--db-url", url], work)
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            reset = _run([KHEPRI, "db", "reset", "--db-url", url, "--yes"], work)
            tested = _run([KHEPRI, "test", "db", "--db-url", url], work)
            samples.append(time.perf_counter() - started)
            if reset.returncode != 0 or tested.returncode != 0:
                return [f"- db reset + test db failed: {(reset.stderr or tested.stdout).strip()[-300:]}"]
        return [
            f"- `khepri-db db reset --yes` then `khepri-db test db` (Khepri's {_migrations()} migrations, its seed, "
            f"its pgTAP suite): median {statistics.median(samples):.2f} s "
            f"(min {min(samples):.2f}, max {max(samples):.2f}, 5 runs)"
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _migrations() -> int:
    return len(list((REPO / "supabase" / "migrations").glob("*.sql")))


def run() -> str:
    """Measure every suite; return the markdown section."""
    if shutil.which("pg_prove") is None:
        return (
            "Skipped: `pg_prove` is not installed (Debian: `apt-get install libtap-parser-sourcehandler-pgtap-perl`)."
        )
    load = os.getloadavg()
    root = make_cluster_root("khepri-bench-testdb-")
    engine = EmbeddedEngine(root / "pgdata", port=free_port())
    rows = ["| suite | command | median s | min s | max s | runs |", "| --- | --- | --- | --- | --- | --- |"]
    verdicts: list[str] = []
    suites, notes = _suites()
    try:
        server = engine.start()
        for index, (suite, project, setup, runs) in enumerate(suites):
            try:
                template = _template(server, f"bench_suite_{index}", project, setup)
            except RuntimeError as exc:
                notes.append(f"- {suite} skipped: {exc}")
                continue
            files = sum(1 for p in (project / "supabase" / "tests").rglob("*") if p.suffix in (".sql", ".pg"))
            times = _measure(server, template, project, runs)
            rows += _rows(suite, files, times)
            verdicts += _verdicts(suite, times)
        end_to_end = _end_to_end(server)
    finally:
        engine.stop()
        shutil.rmtree(root, ignore_errors=True)
    return "\n".join(
        [
            __doc__.split("\n\n", 1)[1].strip(),
            "",
            f"Machine load before the run (1/5/15 min): {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}; "
            f"{os.cpu_count()} cores.",
            "",
            *rows,
            "",
            *verdicts,
            *notes,
            *end_to_end,
        ]
    )
