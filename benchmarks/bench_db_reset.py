"""Wall time of the real `khepri-db db reset` on the Khepri schema, per strategy, server stopped and running."""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from khepri_db.engines import make_cluster_root

TITLE = "db reset: the Khepri schema on the embedded engine"
REPO = Path(__file__).resolve().parents[1]
KHEPRI = str(Path(sys.executable).with_name("khepri-db"))
RUNS = 5
STRATEGIES = ("in-place", "recreate")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KHEPRI, *args], check=True, capture_output=True, text=True, cwd=REPO)


def _reset(data_dir: str, strategy: str) -> tuple[float, float]:
    """(wall seconds of the process, seconds the database took to empty) of one `db reset`."""
    started = time.perf_counter()
    done = _run("db", "reset", "--data-dir", data_dir, "--strategy", strategy, "--format", "json")
    wall = time.perf_counter() - started
    return wall, json.loads(done.stdout)["drop_ms"] / 1000


def _row(name: str, samples: list[float]) -> str:
    return f"| {name} | {statistics.median(samples):.2f} | {min(samples):.2f} | {max(samples):.2f} | {len(samples)} |"


def run() -> str:
    root = make_cluster_root("khepri-bench-reset-")
    data_dir = str(root / "pgdata")
    rows: list[str] = []
    try:
        _run("migrate", "--data-dir", data_dir, "--include-seed", "--format", "json")
        cold: dict[str, list[float]] = {s: [] for s in STRATEGIES}
        warm: dict[str, list[float]] = {s: [] for s in STRATEGIES}
        emptied: dict[str, list[float]] = {s: [] for s in STRATEGIES}
        for _ in range(RUNS):  # strategies interleaved, so load from other processes hits both alike
            for strategy in STRATEGIES:
                _run("db", "stop", "--data-dir", data_dir)
                cold[strategy].append(_reset(data_dir, strategy)[0])
                wall, drop = _reset(data_dir, strategy)
                warm[strategy].append(wall)
                emptied[strategy].append(drop)
        for strategy in STRATEGIES:
            default = " (the default)" if strategy == "in-place" else ""
            rows += [
                _row(f"`db reset --strategy {strategy}`{default}, server stopped (cold)", cold[strategy]),
                _row(f"`db reset --strategy {strategy}`{default}, server running (warm)", warm[strategy]),
                _row(f"of which emptying the database ({strategy}, warm)", emptied[strategy]),
            ]
    finally:
        subprocess.run([KHEPRI, "db", "stop", "--data-dir", data_dir], capture_output=True, check=False)
        shutil.rmtree(root, ignore_errors=True)
    return "\n".join(
        [
            "Each run is a separate `khepri-db db reset --data-dir <dir>` process on a data dir migrated and",
            "seeded once: empty the database, apply every Khepri migration, run supabase/seed.sql. Cold: the",
            "server was stopped first (the time includes starting it); warm: it was running. `recreate` drops",
            "and creates the database and installs the compatibility layer again; `in-place` drops what the",
            "migrations created (sql/workflow/drop_user_objects.sql) and keeps the layer. The two strategies",
            "alternate run by run.",
            "",
            "| measurement | median s | min s | max s | runs |",
            "| --- | --- | --- | --- | --- |",
            *rows,
        ]
    )
