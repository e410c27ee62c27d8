"""Benchmarks for khepri-db (`make bench`). Prints a table and rewrites BENCHMARKS.md's results.

Measured: the wall time of the real `khepri-db migrate` executable on a brand-new data directory
(initdb + server start + Supabase compatibility layer + the Khepri migrations), and of a migrate
that finds nothing to do. Each is run several times; median, min and max are reported.
"""

from __future__ import annotations

import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KHEPRI = str(Path(sys.executable).with_name("khepri-db"))
RUNS = 5


def timed(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([KHEPRI, *args], check=True, capture_output=True, cwd=REPO)
    return time.perf_counter() - started


def cold_and_warm() -> tuple[list[float], list[float]]:
    cold, warm = [], []
    for _ in range(RUNS):
        root = Path(tempfile.mkdtemp(prefix="khepri-bench-"))
        data_dir = str(root / "pgdata")
        try:
            cold.append(timed("migrate", "--data-dir", data_dir, "--format", "json"))
            warm.append(timed("migrate", "--data-dir", data_dir, "--format", "json"))
        finally:
            subprocess.run([KHEPRI, "db", "stop", "--data-dir", data_dir], capture_output=True, check=False)
            shutil.rmtree(root, ignore_errors=True)
    return cold, warm


def row(name: str, samples: list[float]) -> str:
    return f"| {name} | {statistics.median(samples):.2f} | {min(samples):.2f} | {max(samples):.2f} | {len(samples)} |"


def main() -> None:
    cold, warm = cold_and_warm()
    table = "\n".join(
        [
            "| measurement | median s | min s | max s | runs |",
            "| --- | --- | --- | --- | --- |",
            row("`khepri-db migrate` on a brand-new data dir (initdb, start, compat, 4 migrations)", cold),
            row("`khepri-db migrate` again (server running, nothing to apply)", warm),
        ]
    )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
    section = f"## Cold start\n\nMeasured {stamp} on {machine} with `make bench`.\n\n{table}\n"
    print(section)
    path = REPO / "BENCHMARKS.md"
    header = "# Benchmarks\n\nResults of `make bench` (benchmarks/bench.py). Re-run it to refresh this file.\n\n"
    path.write_text(header + section, encoding="utf-8")


if __name__ == "__main__":
    main()
