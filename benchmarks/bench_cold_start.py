"""Wall time of the real `khepri-db migrate` on a brand-new data directory, and of a no-op re-run."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from khepri_db.engines import make_cluster_root

TITLE = "Cold start: khepri-db migrate"
REPO = Path(__file__).resolve().parents[1]
KHEPRI = str(Path(sys.executable).with_name("khepri-db"))
RUNS = 5


def _timed(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([KHEPRI, *args], check=True, capture_output=True, cwd=REPO)
    return time.perf_counter() - started


def _row(name: str, samples: list[float]) -> str:
    return f"| {name} | {statistics.median(samples):.2f} | {min(samples):.2f} | {max(samples):.2f} | {len(samples)} |"


def run() -> str:
    cold, warm = [], []
    for _ in range(RUNS):
        root = make_cluster_root("khepri-bench-")
        data_dir = str(root / "pgdata")
        try:
            cold.append(_timed("migrate", "--data-dir", data_dir, "--format", "json"))
            warm.append(_timed("migrate", "--data-dir", data_dir, "--format", "json"))
        finally:
            subprocess.run([KHEPRI, "db", "stop", "--data-dir", data_dir], capture_output=True, check=False)
            shutil.rmtree(root, ignore_errors=True)
    return "\n".join(
        [
            "Each run is a separate `khepri-db migrate --data-dir <new dir>` process: initdb, server start, the",
            "Supabase compatibility layer and every Khepri migration; then the same command again.",
            "",
            "| measurement | median s | min s | max s | runs |",
            "| --- | --- | --- | --- | --- |",
            _row("`khepri-db migrate` on a brand-new data dir", cold),
            _row("`khepri-db migrate` again (server running, nothing to apply)", warm),
        ]
    )
