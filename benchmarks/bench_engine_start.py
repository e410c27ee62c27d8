"""Start-to-ready time of the docker engine (image present) against the embedded engine's (issue 19).

Side by side in one run, alternating, medians of several: each sample is a `khepri-db db start`
process on a brand-new state (embedded: a new data directory, initdb included; docker: a new
container of KHEPRI_DOCKER_IMAGE, its initdb included, stand-ins staged), until the command has
printed the URL of a server that accepts connections; then `db stop` (not timed). Needs a Docker
engine and KHEPRI_DOCKER_IMAGE (e.g. `tests/docker/build_image.sh`); otherwise the section says so.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from khepri_db.engines import docker_unavailable_reason, make_cluster_root

TITLE = "Engine start: docker against embedded"
KHEPRI = str(Path(sys.executable).with_name("khepri-db"))
RUNS = 5


def _timed(cwd: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([KHEPRI, "db", "start", *args], check=True, capture_output=True, cwd=cwd)
    return time.perf_counter() - started


def _row(name: str, samples: list[float]) -> str:
    return f"| {name} | {statistics.median(samples):.2f} | {min(samples):.2f} | {max(samples):.2f} | {len(samples)} |"


def run() -> str:
    image = os.environ.get("KHEPRI_DOCKER_IMAGE")
    reason = "KHEPRI_DOCKER_IMAGE is not set" if not image else docker_unavailable_reason(image)
    if reason is not None:
        return f"Not measured: {reason} (start Docker and build an image with tests/docker/build_image.sh)."
    assert image is not None
    embedded, docker = [], []
    for _ in range(RUNS):
        root = make_cluster_root("khepri-bench-start-")
        project = Path(tempfile.mkdtemp(prefix="khepri-bench-docker-"))
        (project / "supabase").mkdir()
        try:
            data_dir = str(root / "pgdata")
            embedded.append(_timed(project, "--data-dir", data_dir))
            subprocess.run([KHEPRI, "db", "stop", "--data-dir", data_dir], capture_output=True, check=False)
            docker.append(_timed(project, "--engine", "docker", "--image", image))
            subprocess.run([KHEPRI, "db", "stop", "--engine", "docker"], capture_output=True, check=False, cwd=project)
        finally:
            shutil.rmtree(root, ignore_errors=True)
            shutil.rmtree(project, ignore_errors=True)
    ratio = statistics.median(docker) / statistics.median(embedded)
    return "\n".join(
        [
            f"`khepri-db db start` from nothing to a server accepting connections; image `{image}`",
            "(present locally; built from the machine's PostgreSQL 15 by tests/docker/build_image.sh). Alternating",
            f"runs, {RUNS} each; the process's wall time, Python start-up included.",
            "",
            "| engine | median s | min s | max s | runs |",
            "| --- | --- | --- | --- | --- |",
            _row("embedded (new data directory: initdb, start)", embedded),
            _row("docker (new container: initdb inside, start, stand-ins staged)", docker),
            "",
            f"docker / embedded (medians): **{ratio:.2f}x**.",
        ]
    )
