"""Through a transaction pooler (issue 21): each read-only command direct and through PgBouncer, side by
side in one run, with the verdicts compared.

Targets, each on its own fresh embedded server (PostgreSQL 18, fsync off), built once (not timed):
the Khepri schema (its migrations and ``supabase/access.toml``) and the synthetic 300-table
schema of benchmarks/bench_real_size.py. In front of each server, PgBouncer 1.18 in transaction mode
with a pool of two server connections (Supavisor's stand-in, started by tests/support/hosted.py as the
tests start it). Each command is a new process (``khepri-db ... --db-url <url> --format json``), run
``RUNS`` times after one untimed warm-up, direct and pooled alternating; the table gives the median
wall time of each and their ratio, and whether the two JSON outputs agree (the same findings (rule, cache
key, level), the same cells (id, outcome, pass), else the same output without durations).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_real_size import KHEPRI, REPO, RUNS, _server, _synthetic

sys.path.insert(0, str(REPO))  # tests.support
from khepri_db.migrations.apply import migrate
from tests.support.hosted import find_pgbouncer, start_pgbouncer

TITLE = "Through a transaction pooler"

_VOLATILE = {"duration_ms", "duration_s", "elapsed_ms", "generated_at", "target", "url", "db_url"}


def _stable(data: Any) -> Any:
    """``data`` without what differs from run to run (durations) or names the URL."""
    if isinstance(data, dict):
        return {k: _stable(v) for k, v in data.items() if k not in _VOLATILE}
    if isinstance(data, list):
        return [_stable(v) for v in data]
    return data


def _verdict(args: list[str], data: Any) -> Any:
    """What must agree between two runs: doctor's findings (rule, cache key, level; their details
    carry run-time statistics) and verify-access's cells (id, observed outcome, pass; details carry
    the run's random keys); any other command's whole output."""
    if args[0] == "doctor":
        return sorted((f["name"], f["cache_key"], f["level"]) for f in data["findings"])
    if args[0] == "verify-access":
        return sorted((c["id"], c["actual"], c["ok"]) for c in data["cells"])
    return data


def _run(args: list[str], url: str, cwd: Path) -> tuple[float, Any]:
    started = time.perf_counter()
    command = [KHEPRI, *args, "--db-url", url, "--format", "json"]
    done = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(args)} exited {done.returncode}: {done.stdout[-800:]!r} {done.stderr[-800:]!r}")
    return wall, _verdict(args, _stable(json.loads(done.stdout)))


def _compare(name: str, args: list[str], direct: str, pooled: str, cwd: Path) -> str:
    _run(args, direct, cwd)
    _run(args, pooled, cwd)
    walls: dict[str, list[float]] = {"direct": [], "pooled": []}
    outputs: dict[str, Any] = {}
    for run in range(RUNS):
        order = [("direct", direct), ("pooled", pooled)]
        for label, url in order if run % 2 == 0 else order[::-1]:
            wall, output = _run(args, url, cwd)
            walls[label].append(wall)
            outputs[label] = output
    d, p = statistics.median(walls["direct"]), statistics.median(walls["pooled"])
    same = "same" if outputs["direct"] == outputs["pooled"] else "DIFFERENT"
    return f"| {name} | `{' '.join(args)}` | {d:.2f} s | {p:.2f} s | {p / d:.2f}x | {same} |"


def run() -> str:
    executable = find_pgbouncer()
    if executable is None:
        return "PgBouncer is not installed (Debian: apt-get install pgbouncer): nothing measured."
    lines = [
        f"Median of {RUNS} runs each (one warm-up), direct and through PgBouncer 1.18 (transaction mode,",
        'pool of 2) alternating; each command a new `khepri-db` process. "verdict": doctor\'s findings',
        "(rule, cache key, level), verify-access's cells (id, outcome, pass), other outputs without durations.",
        f"Load average at the start: {os.getloadavg()[0]:.2f} (2 cores).",
        "",
        "| target | command | direct | pooled | ratio | verdict |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    engine, _root, url = _server("hosted-khepri")
    try:
        migrate(url, REPO / "supabase" / "migrations")
        pooler = start_pgbouncer(url, executable=executable)
        try:
            for args in (["doctor"], ["status"], ["migration", "list"], ["verify-access"]):
                lines.append(_compare("Khepri (18 migrations)", args, url, pooler.url, REPO))
        finally:
            pooler.stop()
    finally:
        engine.stop()
    target = _synthetic(300)
    try:
        pooler = start_pgbouncer(target.url, executable=executable)
        try:
            for args in (["doctor"], ["status"], ["gen", "types", "--lang", "python"]):
                name = f"synthetic {target.tables} tables"
                lines.append(_compare(name, args, target.url, pooler.url, target.project))
        finally:
            pooler.stop()
    finally:
        target.engine.stop()
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
