"""Policy tests: cold start to a migrated template, per-test isolation cost, and the whole access matrix.

Measured in-process with the same calls the pytest plugin makes (khepri_db.testing.plugin), on the
embedded engine and, where one is installed, the system engine (e.g. Debian's PostgreSQL 15).
"""

from __future__ import annotations

import functools
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from khepri_db.access.declaration import load_declaration
from khepri_db.access.probe import verify_access
from khepri_db.core.db import connect, create_database, drop_database, with_database
from khepri_db.core.errors import EngineError
from khepri_db.core.project import Project
from khepri_db.core.session import as_user, create_user
from khepri_db.engines import (
    ClusterEngine,
    EmbeddedEngine,
    SystemEngine,
    free_port,
    make_cluster_root,
    system_bin_dir,
)
from khepri_db.migrations.apply import migrate
from khepri_db.testing.plugin import FAST_TEST_SETTINGS

TITLE = "Policy tests: template, per-test isolation, access matrix"
REPO = Path(__file__).resolve().parents[1]
COLD_RUNS = 3
PER_TEST_RUNS = 30
MATRIX_RUNS = 5


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} | {min(samples) * 1000:.1f} | {max(samples) * 1000:.1f}"


def _clone_and_drop(admin: psycopg.Connection, name: str) -> None:
    create_database(admin, name, template="template")
    drop_database(admin, name)


def _rolled_back_test(url: str) -> None:
    """What one transactional test costs: the db fixture's connection, a user, one request, rollback."""
    conn = connect(url)
    conn.execute("select 1")
    user = create_user(conn)
    with as_user(conn, user):
        conn.execute("select count(*) from public.athletes")
    conn.rollback()
    conn.close()


def _measure(kind: type[ClusterEngine]) -> list[str]:
    migrations = REPO / "supabase" / "migrations"
    declaration = load_declaration(REPO / "supabase" / "access.toml")
    project = Project(REPO)
    cold: list[float] = []
    clone: list[float] = []
    transaction: list[float] = []
    matrix: list[float] = []
    cells = 0
    version = "?"
    for run in range(COLD_RUNS):
        root = make_cluster_root("khepri-bench-policy-")
        engine = kind(root / "pgdata", port=free_port(), settings=FAST_TEST_SETTINGS)
        try:
            started = time.perf_counter()
            server = engine.start()
            with connect(server, autocommit=True) as admin:
                create_database(admin, "template")
            template = with_database(server, "template")
            migrate(template, migrations)
            cold.append(time.perf_counter() - started)
            if run:
                continue
            with connect(server, autocommit=True) as admin:
                row = admin.execute("select current_setting('server_version')").fetchone()
                version = str(row[0]).split()[0] if row else "?"
                create_database(admin, "shared", template="template")
                for i in range(PER_TEST_RUNS):
                    clone.append(_timed(functools.partial(_clone_and_drop, admin, f"clone_{i}")))
            shared = with_database(server, "shared")
            transaction += [_timed(functools.partial(_rolled_back_test, shared)) for _ in range(PER_TEST_RUNS)]
            for _ in range(MATRIX_RUNS):
                started = time.perf_counter()
                report = verify_access(shared, declaration, project=project)
                matrix.append(time.perf_counter() - started)
                cells = len(report.cells)
        finally:
            engine.stop()
            shutil.rmtree(root, ignore_errors=True)
    label = f"{kind.name} (PostgreSQL {version})"
    return [
        f"| {label} | cold start: new data dir to migrated template (initdb, start, compat layer, "
        f"migrations) | {_ms(cold)} | {len(cold)} |",
        f"| {label} | per test, isolation `clone`: create database from the template + drop | {_ms(clone)} "
        f"| {len(clone)} |",
        f"| {label} | per test, isolation `transaction`: connect, make_user, one `as_user` query, rollback "
        f"| {_ms(transaction)} | {len(transaction)} |",
        f"| {label} | the whole access matrix of supabase/access.toml ({cells} cells, setup included) "
        f"| {_ms(matrix)} | {len(matrix)} |",
    ]


def run() -> str:
    """Measure on the embedded engine and, if installed, the system engine; return the section body."""
    rows = _measure(EmbeddedEngine)
    try:
        system_bin_dir()
    except EngineError as exc:
        rows.append(f"| system | not measured: {exc.message} | | | |")
    else:
        rows += _measure(SystemEngine)
    return "\n".join(
        [
            "In-process, with the calls the pytest plugin makes, on servers run with the plugin's throwaway",
            "settings (fsync off). The matrix runs `verify_access` on a migrated database of the Khepri schema;",
            "per-test times include opening the connection, as the `db` fixture does.",
            "",
            "| engine | measurement | median ms | min ms | max ms | runs |",
            "| --- | --- | --- | --- | --- | --- |",
            *rows,
        ]
    )


if __name__ == "__main__":
    print(run())
