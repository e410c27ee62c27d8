"""Speed at real size (issue 20): doctor, verify-access, access init, gen types and status on schemas
of hundreds and thousands of tables, against their anchors, side by side in one run.

Targets, each on its own fresh embedded server (PostgreSQL 18, fsync off), built once (not timed):

* ``synthetic 300`` and ``synthetic 3000``: the Khepri migrations plus benchmarks/bench_doctor.py's
  generated tables (primary key, a tenant column referencing auth.users, an index, RLS and four
  ``auth.uid()`` policies each, a foreign key to the previous table) and one PL/pgSQL function per
  three tables (a SECURITY DEFINER one per ten);
* two public projects, fetched and never committed: the one with the most migrations and one of
  about 70, from the manifest in ``$KHEPRI_REAL_PROJECTS`` (default
  /work/projects/real/manifest.json, as benchmarks/real_projects.py reads it). Without it their
  rows are left out, saying why.

Each command is a new process (`khepri-db ... --db-url <url> --format json`, output to a file), run
``RUNS`` times after one untimed warm-up, doctor and its anchors alternating. For each: median wall
time, median CPU (the client process from wait4, plus the server's processes from /proc), the
client's peak RSS (GNU time's %M), and the time per table. Anchors: the whole ``supabase db
advisors`` command of the real Supabase CLI 2.117.0 (npm, cached as tests/conftest.py caches it),
and Supabase's linter's combined query (splinter.sql: connect, set ``pgrst.db_schemas``, fetch every
row; read from ``$KHEPRI_SPLINTER_DIR`` or the supabase/splinter mirror, never copied here).
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import bench_doctor
from bench_doctor_ratios import _fetch_all, _server_cpu, _splinter_sql, _supabase_cli

from khepri_db.core.db import connect
from khepri_db.engines import EmbeddedEngine, free_port, make_cluster_root
from khepri_db.migrations.apply import migrate

TITLE = "Speed at real size"
REPO = Path(__file__).resolve().parents[1]
KHEPRI = str(Path(sys.executable).with_name("khepri-db"))
RUNS = int(os.environ.get("KHEPRI_BENCH_RUNS", "3"))
MANIFEST = Path(os.environ.get("KHEPRI_REAL_PROJECTS", "/work/projects/real/manifest.json"))
SIZES = tuple(int(n) for n in os.environ.get("KHEPRI_BENCH_SIZES", "300,3000").split(",") if n)
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").is_file() else None
"""GNU time, for each command's own peak RSS (see :func:`_process`); without it the RSS column is
wait4's, which on Linux counts the parent's RSS at fork time (said under the table)."""
ACCESS_ONCE_ABOVE = 1000
"""Above this many tables, access init and verify-access run once (each run takes minutes)."""
ACCESS_TIMEOUT_S = 900
"""A run of access init longer than this is stopped and reported as such."""


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_mb: float


def _process(command: list[str], cwd: Path, postmaster: int, timeout: float | None = None) -> Sample:
    """Run ``command`` (stdout to /dev/null); its wall time, client+server CPU and client peak RSS.

    Raises:
        subprocess.TimeoutExpired: it ran longer than ``timeout`` seconds (it is killed).
        RuntimeError: it exited with a code other than 0 or 1.
    """
    server = _server_cpu(postmaster)
    started = time.perf_counter()
    deadline = started + timeout if timeout else None
    with (
        Path(os.devnull).open("wb") as devnull,
        tempfile.TemporaryFile() as errors,
        tempfile.NamedTemporaryFile("r") as peak,
    ):
        # The peak RSS comes from GNU time's %M, not from this wait4: on Linux a child's ru_maxrss
        # starts at its parent's RSS when it was forked (kept across execve), and this process has
        # grown by hundreds of MB once it has built the 3,000-table schema. time(1) is small, so the
        # command it forks reports its own peak. CPU still comes from wait4 (time's and its child's).
        timed = [GNU_TIME, "-f", "%M", "-o", peak.name, *command] if GNU_TIME else command
        child = subprocess.Popen(timed, cwd=cwd, stdout=devnull, stderr=errors, start_new_session=True)
        while True:  # wait4 gives the CPU time of the child and of what it waited for
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                os.killpg(child.pid, 9)
                os.wait4(child.pid, 0)
                child.returncode = -9
                raise subprocess.TimeoutExpired(command, timeout or 0)
            time.sleep(0.02)
        wall = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        child.returncode = code
        errors.seek(0)
        message = errors.read().decode(errors="replace")[-1500:]
        reported = peak.read().split()
    time.sleep(0.2)  # let the server reap the backend, so its CPU time is counted
    if code not in (0, 1):
        raise RuntimeError(f"{' '.join(command[:3])} exited {code}: {message}")
    client = usage.ru_utime + usage.ru_stime
    rss_kb = int(reported[-1]) if GNU_TIME and reported and reported[-1].isdigit() else usage.ru_maxrss
    return Sample(wall, client + _server_cpu(postmaster) - server, rss_kb / 1024)


def _in_process(fn: Callable[[], object], postmaster: int) -> Sample:
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF)
    server = _server_cpu(postmaster)
    started = time.perf_counter()
    fn()
    wall = time.perf_counter() - started
    time.sleep(0.2)
    after = resource.getrusage(resource.RUSAGE_SELF)
    client = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Sample(wall, client + _server_cpu(postmaster) - server, 0.0)


def _series(fns: dict[str, Callable[[], Sample]]) -> dict[str, list[Sample]]:
    """One untimed warm-up of each, then RUNS rounds, the order rotating round by round."""
    for fn in fns.values():
        fn()
    names = list(fns)
    samples: dict[str, list[Sample]] = {name: [] for name in names}
    for run in range(RUNS):
        order = names[run % len(names) :] + names[: run % len(names)]
        for name in order:
            samples[name].append(fns[name]())
    return samples


def _median(samples: list[Sample], field: str) -> float:
    return statistics.median(getattr(s, field) for s in samples)


@dataclass
class Target:
    name: str
    url: str
    engine: EmbeddedEngine
    root: Path
    project: Path
    tables: int
    functions: int


def _counts(url: str) -> tuple[int, int]:
    with connect(url) as conn:
        row = conn.execute(
            "select (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') "
            "and n.nspname not like 'pg\\_%%'), "
            "(select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
            "where n.nspname not in ('pg_catalog', 'information_schema'))"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _server(label: str) -> tuple[EmbeddedEngine, Path, str]:
    root = make_cluster_root(f"khepri-bench-size-{label}-")
    engine = EmbeddedEngine(root / "pgdata", port=free_port(), settings={"fsync": "off"})
    return engine, root, engine.start()


def _synthetic(size: int) -> Target:
    engine, root, url = _server(str(size))
    migrate(url, REPO / "supabase" / "migrations")
    bench_doctor.TABLES, bench_doctor.FUNCTIONS = size, size // 3
    text = bench_doctor._schema()
    chunks = text.split("\n            create table ")
    with connect(url, autocommit=True) as conn:  # a table per transaction: the lock table stays small
        conn.execute(chunks[0])
        for chunk in chunks[1:]:
            conn.execute("create table " + chunk)
    project = root / "project"
    (project / "supabase").mkdir(parents=True)
    shutil.copytree(REPO / "supabase" / "migrations", project / "supabase" / "migrations")
    return Target(f"synthetic {size}", url, engine, root, project, *_counts(url))


def _real_projects() -> tuple[list[tuple[str, Path, Path]], str]:
    """(repo, project root, migrations dir) of the largest project and of the one nearest 70 migrations."""
    if not MANIFEST.is_file():
        return [], f"no manifest of fetched public projects at {MANIFEST} (set KHEPRI_REAL_PROJECTS)"
    found = []
    for entry in json.loads(MANIFEST.read_text()):
        if entry.get("kind") != "should-pass":
            continue
        migrations = Path(entry["dir"]) / entry["migrations"]
        count = len(list(migrations.glob("*.sql")))
        found.append((count, entry["repo"], migrations.parent.parent, migrations))
    if not found:
        return [], f"no should-pass project in {MANIFEST}"
    found.sort()
    largest = found[-1]
    nearest = min(found, key=lambda f: abs(f[0] - 70))
    return [(f"{repo} ({count} migrations)", root, mig) for count, repo, root, mig in (largest, nearest)], ""


def _real(label: str, root_dir: Path, migrations: Path) -> Target:
    engine, root, url = _server(label.split("/")[-1].split(" ")[0])
    # the CLI, as a user runs it in the project (it finds the project's config.toml and seed settings)
    subprocess.run([KHEPRI, "migrate", "--db-url", url, "--migrations-dir", str(migrations)], cwd=root_dir,
                   check=True, capture_output=True)  # fmt: skip
    return Target(label, url, engine, root, root_dir, *_counts(url))


def _measure(target: Target, cli: Path | None, splinter: str | None) -> list[str]:
    postmaster = target.engine.status().pid or 0
    url = target.url
    khepri = [KHEPRI]
    doctor = {
        "khepri-db doctor": lambda: _process(
            [*khepri, "doctor", "--db-url", url, "--format", "json"], target.project, postmaster
        ),
    }
    if cli is not None:
        doctor["supabase db advisors (CLI 2.117.0)"] = lambda: _process(
            [str(cli), "db", "advisors", "--db-url", f"{url}?sslmode=disable", "--type", "all", "--level", "info",
             "--output-format", "json"], Path("/"), postmaster)  # fmt: skip
    splinter_failed = None
    if splinter is not None:
        try:
            _fetch_all(url, splinter)
        except Exception as exc:  # e.g. an XML lint on a server built without libxml
            splinter_failed = str(exc).splitlines()[0]
    if splinter is not None and splinter_failed is None:
        doctor["splinter.sql (combined lint query)"] = lambda: _in_process(lambda: _fetch_all(url, splinter),
                                                                            postmaster)  # fmt: skip
    rows: list[str] = []
    if splinter_failed is not None:
        rows.append(f"| {target.name} | splinter.sql | failed on this server: {splinter_failed} | | | | | |")
    results = _series(doctor)
    base = results["khepri-db doctor"]
    for name, samples in results.items():
        ratio = "" if name == "khepri-db doctor" else f"{_median(base, 'wall') / _median(samples, 'wall'):.2f}x"
        rows.append(_line(target, name, samples, ratio))
    other = _series({
        "khepri-db gen types": lambda: _process([*khepri, "gen", "types", "--db-url", url, "--format", "json"],
                                                target.project, postmaster),
        "khepri-db status": lambda: _process([*khepri, "status", "--db-url", url, "--format", "json"],
                                             target.project, postmaster),
    })  # fmt: skip
    for name, samples in other.items():
        rows.append(_line(target, name, samples, ""))
    for row in rows:
        print(row, flush=True)
    access = target.root / "access.toml"
    init_command = [*khepri, "access", "init", "--force", "--db-url", url, "--access-file", str(access),
                    "--format", "json"]  # fmt: skip
    if target.tables > ACCESS_ONCE_ABOVE:
        # one run, bounded: at this size a run takes minutes (measured, not estimated)
        try:
            init = [_process(init_command, target.project, postmaster, timeout=ACCESS_TIMEOUT_S)]
        except subprocess.TimeoutExpired:
            rows.append(f"| {target.name} ({target.tables} tables, {target.functions} functions) | khepri-db access "
                        f"init | > {ACCESS_TIMEOUT_S} (stopped) | | | | | |")  # fmt: skip
            print(rows[-1], flush=True)
            return rows
        verify_runs = lambda fn: [fn()]  # noqa: E731
    else:
        init = _series({"init": lambda: _process(init_command, target.project, postmaster)})["init"]
        verify_runs = lambda fn: _series({"verify": fn})["verify"]  # noqa: E731
    rows.append(_line(target, "khepri-db access init", init, ""))
    cells = _cells(url, access, target.project)
    verify = verify_runs(lambda: _process(
        [*khepri, "verify-access", "--db-url", url, "--access-file", str(access), "--format", "json"],
        target.project, postmaster))  # fmt: skip
    rows.append(_line(target, f"khepri-db verify-access ({cells} cells)", verify, "", cells=cells))
    for row in rows[-2:]:
        print(row, flush=True)
    return rows


def _cells(url: str, access: Path, project: Path) -> int:
    done = subprocess.run([KHEPRI, "verify-access", "--db-url", url, "--access-file", str(access), "--format", "json"],
                          cwd=project, capture_output=True, text=True)  # fmt: skip
    try:
        return int(json.loads(done.stdout)["summary"]["cells"])
    except (ValueError, KeyError):
        return 0


def _line(target: Target, name: str, samples: list[Sample], ratio: str, *, cells: int = 0) -> str:
    wall = _median(samples, "wall")
    per_table = wall / target.tables * 1000 if target.tables else 0.0
    per_cell = f"; {wall / cells * 1000:.2f} ms/cell" if cells else ""
    rss = f"{_median(samples, 'rss_mb'):.0f}" if _median(samples, "rss_mb") else "-"
    return (
        f"| {target.name} ({target.tables} tables, {target.functions} functions) | {name} | {wall:.2f} | "
        f"{min(s.wall for s in samples):.2f}-{max(s.wall for s in samples):.2f} | {_median(samples, 'cpu'):.2f} | "
        f"{rss} | {per_table:.2f}{per_cell} | {ratio} |"
    )


def run() -> str:
    load_before = os.getloadavg()[0]
    cli, cli_reason = _supabase_cli()
    splinter, splinter_source = _splinter_sql()
    notes = []
    if cli is None:
        notes.append(f"supabase db advisors not measured: {cli_reason}.")
    if splinter is None:
        notes.append(f"splinter.sql not measured: {splinter_source}.")
    real, real_reason = _real_projects()
    if real_reason:
        notes.append(f"public projects not measured: {real_reason}.")
    rows = []
    doctor_walls: dict[int, float] = {}
    makers: list[Callable[[], Target]] = [lambda s=s: _synthetic(s) for s in SIZES]  # type: ignore[misc]
    makers += [lambda r=r: _real(*r) for r in real]  # type: ignore[misc]
    for make in makers:
        target = make()
        try:
            print(f"  measuring {target.name}", flush=True)
            measured = _measure(target, cli, splinter)
            rows += measured
            if target.name.startswith("synthetic "):
                doctor_walls[int(target.name.split()[1])] = float(measured[0].split("|")[3])
        finally:
            target.engine.stop()
            shutil.rmtree(target.root, ignore_errors=True)
    scaling = ""
    if len(doctor_walls) == 2 and len(SIZES) == 2:
        small, large = doctor_walls[SIZES[0]], doctor_walls[SIZES[1]]
        scaling = (
            f"doctor time({SIZES[1]}) / time({SIZES[0]}) = {large / small:.1f} (target <= 12: "
            f"{'met' if large / small <= 12 else 'NOT met'})."
        )
    return "\n".join(
        [
            f"Each command a new process against a fresh embedded server per schema; {RUNS} runs after a warm-up,",
            "doctor and its anchors alternating. CPU = client (wait4) + server processes (/proc). RSS = the",
            "client's peak"
            + (" (GNU time's %M)" if GNU_TIME else " (wait4's ru_maxrss: at least this script's RSS at fork time)")
            + ". Ratio = doctor's median wall time / the anchor's.",
            "",
            "| schema | command | median s | range s | median CPU s | peak RSS MB | ms per table | ratio |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
            *rows,
            "",
            scaling,
            *notes,
            "",
            f"2 CPUs, 1-minute load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.",
        ]
    )
