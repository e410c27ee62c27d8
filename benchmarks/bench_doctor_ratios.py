"""doctor against Supabase's own advisors, side by side in one run (issue 12's speed targets).

Two comparisons on one throwaway embedded server (PostgreSQL 18, fsync off), runs interleaved
(the order alternates run by run) so that a change of load on a shared machine hits both sides:

* (c) The whole ``khepri-db doctor --db-url <url> --format json`` command (a new process: Python
  start-up, imports, every rule, JSON written to a file) against the whole ``supabase db advisors
  --db-url <url>?sslmode=disable --type all --level info --output-format json`` command of the real
  Supabase CLI 2.117.0 (npm ``supabase@2.117.0``, cached as tests/conftest.py's ``supabase_cli``
  fixture caches it), on a database of the Khepri schema (the bundled migrations). Target: doctor
  no slower (ratio <= 1.0). Without npm (and no cached CLI) the row is skipped, saying why.
* (d) doctor on benchmarks/bench_doctor.py's 300-table schema, in process as the CLI runs it
  (``run_doctor``: connect, load facts, every rule, roll back; function bodies lexed afresh each
  time, as in a new process), against Supabase's linter's combined query (splinter.sql: every lint
  unioned) on the same database, also connecting, setting ``pgrst.db_schemas`` and fetching every
  row. Target: ratio <= 1.5. splinter.sql is read from ``$KHEPRI_SPLINTER_DIR/splinter.sql`` or from
  the mirror ``/work/.mirror/supabase+splinter`` (a checkout or a bare git directory); it is never
  copied into this repository. Without either, the row is skipped, saying why.

Each side's median, min and max wall time are reported, with the ratio of the medians and whether
the target is met; one untimed run of each side warms caches first. Each sample also counts the CPU
time it cost, client and server together (the client process or child processes, plus the
PostgreSQL server's processes, from /proc): on a shared machine the wall-time ratio moves with the
load of other work, the CPU-time ratio much less.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_doctor import FUNCTIONS, TABLES, _schema

from khepri_db.core.db import connect, create_database, with_database
from khepri_db.core.project import Project, bundled_path
from khepri_db.core.sqltext import tokens as _sqltext
from khepri_db.doctor.rules import load_rules
from khepri_db.doctor.run import run_doctor
from khepri_db.engines import EmbeddedEngine, free_port, make_cluster_root
from khepri_db.migrations.apply import migrate

TITLE = "Ratios: doctor"
REPO = Path(__file__).resolve().parents[1]
KHEPRI = str(Path(sys.executable).with_name("khepri-db"))
RUNS = 7
SUPABASE_CLI_VERSION = "2.117.0"
NPM_TIMEOUT_S = 600
SPLINTER_ENV = "KHEPRI_SPLINTER_DIR"
SPLINTER_MIRROR = Path("/work/.mirror/supabase+splinter")
TARGET_CLI = 1.0
TARGET_QUERY = 1.5


def _supabase_cli() -> tuple[Path | None, str]:
    """The Supabase CLI executable (installed with npm on first use, as tests/conftest.py does),
    or ``(None, why not)``."""
    default = Path.home() / ".cache" / "khepri-db" / f"supabase-cli-{SUPABASE_CLI_VERSION}"
    cache = Path(os.environ.get("KHEPRI_SUPABASE_CLI_DIR", default))
    binary = cache / "node_modules" / ".bin" / "supabase"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            return None, f"npm is not installed, and no Supabase CLI {SUPABASE_CLI_VERSION} is cached in {cache}"
        cache.mkdir(parents=True, exist_ok=True)
        command = [npm, "install", "--exact", "--no-audit", "--no-fund", f"supabase@{SUPABASE_CLI_VERSION}"]
        try:
            done = subprocess.run(command, cwd=cache, capture_output=True, text=True, timeout=NPM_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return None, f"`npm install supabase@{SUPABASE_CLI_VERSION}` took over {NPM_TIMEOUT_S} s"
        if done.returncode != 0 or not binary.exists():
            reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return None, f"npm could not install supabase@{SUPABASE_CLI_VERSION}: {reason}"
    version = subprocess.run([binary, "--version"], cwd=cache, capture_output=True, text=True, timeout=60)
    if version.stdout.strip() != SUPABASE_CLI_VERSION:
        return None, f"{binary} is Supabase CLI {version.stdout.strip()!r}, not {SUPABASE_CLI_VERSION}"
    return binary, ""


def _splinter_sql() -> tuple[str | None, str]:
    """Supabase's linter's combined query, or ``(None, why not)``; never written anywhere."""
    configured = os.environ.get(SPLINTER_ENV)
    if configured:
        path = Path(configured) / "splinter.sql"
        if path.is_file():
            return path.read_text(encoding="utf-8"), f"`${SPLINTER_ENV}/splinter.sql`"
        return None, f"{SPLINTER_ENV}={configured} has no splinter.sql"
    for checkout in (SPLINTER_MIRROR, SPLINTER_MIRROR / "repo"):
        if (checkout / "splinter.sql").is_file():
            return (checkout / "splinter.sql").read_text(encoding="utf-8"), f"{checkout}/splinter.sql"
    git_dir = SPLINTER_MIRROR / "repo"
    if (git_dir / "HEAD").is_file() and shutil.which("git"):
        shown = subprocess.run(
            ["git", "--git-dir", str(git_dir), "show", "HEAD:splinter.sql"], capture_output=True, text=True
        )
        if shown.returncode == 0 and shown.stdout:
            commit = subprocess.run(
                ["git", "--git-dir", str(git_dir), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
            ).stdout.strip()
            return shown.stdout, f"splinter.sql of the supabase/splinter mirror at {commit}"
    return None, f"neither ${SPLINTER_ENV} (a checkout of supabase/splinter) nor the mirror {SPLINTER_MIRROR} is here"


Sample = tuple[float, float]
"""(wall seconds, CPU seconds of client and server)."""

TICKS = os.sysconf("SC_CLK_TCK")


def _server_cpu(postmaster: int) -> float:
    """CPU seconds the server's processes used so far: the postmaster's own and those of its exited
    children (backends it reaped), plus its live children's (/proc/<pid>/stat, Linux)."""

    def fields(pid: int | str) -> list[str]:
        text = Path(f"/proc/{pid}/stat").read_text()
        return text[text.rindex(")") + 2 :].split()  # after "pid (comm) "

    try:
        own = fields(postmaster)
        ticks = sum(int(own[i]) for i in (11, 12, 13, 14))  # utime, stime, cutime, cstime
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    child = fields(entry.name)
                except OSError:
                    continue
                if int(child[1]) == postmaster:  # ppid
                    ticks += int(child[11]) + int(child[12])
    except OSError:
        return 0.0
    return ticks / TICKS


def _client_cpu() -> float:
    """CPU seconds of this process and of the child processes it waited for."""
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def _timed(fn: Callable[[], object], postmaster: int) -> Sample:
    cpu = _client_cpu() + _server_cpu(postmaster)
    started = time.perf_counter()
    fn()
    wall = time.perf_counter() - started
    time.sleep(0.2)  # let the server reap the backend, so that its CPU time is counted
    return wall, _client_cpu() + _server_cpu(postmaster) - cpu


def _interleaved(
    a: Callable[[], object], b: Callable[[], object], postmaster: int
) -> tuple[list[Sample], list[Sample]]:
    """``RUNS`` samples of each after one untimed warm-up of each, alternating which goes first."""
    a()
    b()
    first, second = [], []
    for run in range(RUNS):
        if run % 2:
            second.append(_timed(b, postmaster))
            first.append(_timed(a, postmaster))
        else:
            first.append(_timed(a, postmaster))
            second.append(_timed(b, postmaster))
    return first, second


def _run(command: list[str], output: Path, cwd: Path, ok: tuple[int, ...]) -> None:
    with output.open("wb") as out:
        done = subprocess.run(command, cwd=cwd, stdout=out, stderr=subprocess.PIPE)
    if done.returncode not in ok:
        raise RuntimeError(f"{command[0]} exited {done.returncode}: {done.stderr.decode(errors='replace')[-2000:]}")


HEADER = [
    "| measurement | median s | min s | max s | median CPU s (client + server) | runs |",
    "| --- | --- | --- | --- | --- | --- |",
]


def _row(name: str, samples: list[Sample]) -> str:
    wall = [s[0] for s in samples]
    cpu = statistics.median(s[1] for s in samples)
    return (
        f"| {name} | {statistics.median(wall):.2f} | {min(wall):.2f} | {max(wall):.2f} | {cpu:.2f} | {len(samples)} |"
    )


def _verdict(ours: list[Sample], theirs: list[Sample], target: float) -> str:
    ratio = statistics.median(s[0] for s in ours) / statistics.median(s[0] for s in theirs)
    theirs_cpu = statistics.median(s[1] for s in theirs)
    cpu = f"{statistics.median(s[1] for s in ours) / theirs_cpu:.2f}" if theirs_cpu else "n/a"
    met = "met" if ratio <= target else "NOT met"
    return f"wall-time ratio of the medians {ratio:.2f} (target <= {target:.1f}: {met}); CPU-time ratio {cpu}"


def _fetch_all(url: str, query: str) -> int:
    """Run splinter.sql as Supabase's tooling does (a transaction, ``pgrst.db_schemas`` set) and
    fetch the rows of every statement; returns how many."""
    rows = 0
    with connect(url) as conn:
        conn.execute("set local pgrst.db_schemas = 'public'")
        with conn.cursor() as cur:
            cur.execute(query)
            while True:
                if cur.description is not None:
                    rows += len(cur.fetchall())
                if not cur.nextset():
                    break
        conn.rollback()
    return rows


def run() -> str:
    load_before = os.getloadavg()[0]
    root = make_cluster_root("khepri-bench-ratios-")
    scratch = Path(tempfile.mkdtemp(prefix="khepri-bench-ratios-out-"))
    engine = EmbeddedEngine(root / "pgdata", port=free_port(), settings={"fsync": "off", "synchronous_commit": "off"})
    lines: list[str] = []
    try:
        server = engine.start()
        try:
            postmaster = int((root / "pgdata" / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            postmaster = 0  # CPU time of the server then counts as 0 (see the table's note)
        with connect(server, autocommit=True) as admin:
            create_database(admin, "khepri")
            create_database(admin, "bench300")
        khepri_url, bench_url = with_database(server, "khepri"), with_database(server, "bench300")
        for url in (khepri_url, bench_url):
            migrate(url, bundled_path("migrations"))
        with connect(bench_url, autocommit=True) as conn:
            conn.execute(_schema())
        for url in (khepri_url, bench_url):
            with connect(url, autocommit=True) as conn:
                conn.execute("analyze")
        rules = len(load_rules())

        # (c) the whole commands on the Khepri schema
        lines += [
            "(c) The whole commands, each a new process writing JSON to a file, on a database of the Khepri",
            f"schema (the bundled migrations): `khepri-db doctor --db-url <url> --format json` (all {rules} rules,",
            "run in this repository, so the migration-history rules compare supabase/migrations) and the real",
            f"Supabase CLI {SUPABASE_CLI_VERSION}'s `supabase db advisors --db-url <url>?sslmode=disable --type all",
            "--level info --output-format json` (run outside any project).",
            "",
        ]
        cli, why_not = _supabase_cli()
        if cli is None:
            lines.append(f"Skipped: {why_not}.")
        else:
            doctor_out, advisors_out = scratch / "doctor.json", scratch / "advisors.json"

            def doctor_cli() -> None:
                _run([KHEPRI, "doctor", "--db-url", khepri_url, "--format", "json"], doctor_out, REPO, (0, 1))

            def advisors_cli() -> None:
                _run(
                    [str(cli), "db", "advisors", "--db-url", f"{khepri_url}?sslmode=disable", "--type", "all",
                     "--level", "info", "--output-format", "json"],
                    advisors_out, scratch, (0,),
                )  # fmt: skip

            ours, theirs = _interleaved(doctor_cli, advisors_cli, postmaster)
            lines += [
                *HEADER,
                _row("`khepri-db doctor --format json`", ours),
                _row(f"`supabase db advisors --type all --level info` (CLI {SUPABASE_CLI_VERSION})", theirs),
                "",
                f"doctor / advisors: {_verdict(ours, theirs, TARGET_CLI)}.",
            ]

        # (d) doctor in process against splinter's combined query on 300 tables
        lines += [
            "",
            f"(d) On benchmarks/bench_doctor.py's schema ({TABLES} generated tables with RLS and four policies",
            f"each, {FUNCTIONS} PL/pgSQL functions, on top of the Khepri schema): one `run_doctor` call (connect,",
            "load facts, every rule, roll back; bodies lexed afresh) against Supabase's linter's combined query",
            "(splinter.sql: connect, `set local pgrst.db_schemas = 'public'`, run, fetch every row).",
            "",
        ]
        query, source = _splinter_sql()
        if query is None:
            lines.append(f"Skipped: {source}.")
        else:
            project = Project(REPO)
            counts: dict[str, int] = {}

            def doctor_in_process() -> None:
                _sqltext._tokens.cache_clear()  # a new process lexes every body afresh
                counts["doctor"] = len(run_doctor(bench_url, project=project).findings)

            def splinter() -> None:
                counts["splinter"] = _fetch_all(bench_url, query)

            ours, theirs = _interleaved(doctor_in_process, splinter, postmaster)
            lines += [
                *HEADER,
                _row(f"`run_doctor`, all {rules} rules ({counts['doctor']} findings)", ours),
                _row(f"splinter.sql ({counts['splinter']} rows; {source})", theirs),
                "",
                f"doctor / splinter.sql: {_verdict(ours, theirs, TARGET_QUERY)}.",
            ]
    finally:
        engine.stop()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)
    lines += [
        "",
        f"{os.cpu_count()} CPUs, 1-minute load average {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end.",
    ]
    return "\n".join(lines)
