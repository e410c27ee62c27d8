"""Start-up and migrate overhead of khepri-db, as ratios to the tools it stands beside (issue 12).

(a) `khepri-db --version` against `python -c "import psycopg"` (the same interpreter, the .venv):
    the CLI should start no slower than importing the driver it needs anyway.
(b) `khepri-db migrate --db-url` of supabase/migrations onto a database that already has the
    compatibility layer, against `psql -X -q -v ON_ERROR_STOP=1 -1 -f <file>` run once per file
    (one transaction each) on an identical fresh database: within 1.5x.
(c) The same as (b) through a local proxy that delays every packet by 1 ms each way, as a database
    across a network is (round trips, not CPU, then decide), for information.

One embedded server (default settings, fsync on) serves every run; a template database holds the
compatibility layer and each run gets a fresh clone of it (`create database ... template`, not
timed). The measured commands alternate run by run, so load from other processes hits them alike.
"""

from __future__ import annotations

import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from khepri_db.core.db import connect, create_database, drop_database, with_database
from khepri_db.engines import EmbeddedEngine, embedded_bin_dir, free_port, make_cluster_root
from khepri_db.migrations.compat import install

TITLE = "Ratios: start-up and migrate overhead"
REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
KHEPRI = str(Path(sys.executable).with_name("khepri-db"))
MIGRATIONS = REPO / "supabase" / "migrations"
STARTUP_RUNS = 15
MIGRATE_RUNS = 9
LINK_RUNS = 5
LINK_DELAY_S = 0.001
STARTUP_TARGET = 1.0
MIGRATE_TARGET = 1.5
TEMPLATE = "ratios_template"
FLOOR_NAME = "`python -c` + psycopg: one connection, each file whole in one transaction (the floor)"
STARTUP_RATIO = '`khepri-db --version` / `python -c "import psycopg"`'
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""Installed packages come with their bytecode compiled; khepri-db's own modules (an editable
install) get theirs on the first, untimed run, so each timed run loads .pyc files as a user's does."""


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(args: list[str]) -> None:
    subprocess.run(args, check=True, capture_output=True, cwd=REPO, env=ENV)


def _row(name: str, samples: list[float], scale: float = 1.0) -> str:
    values = [s * scale for s in samples]
    return f"| {name} | {statistics.median(values):.3f} | {min(values):.3f} | {max(values):.3f} | {len(values)} |"


def _verdict(what: str, samples: list[list[float]], target: float | None) -> str:
    """The ratio of the medians of ``samples[0]`` and ``samples[1]``, against ``target`` if there is
    one (and, for the reader, the ratio of their minimums: the least disturbed runs on a shared
    machine)."""
    ratio = statistics.median(samples[0]) / statistics.median(samples[1])
    least = min(samples[0]) / min(samples[1])
    goal = "" if target is None else f"target <= {target:g}x: {'met' if ratio <= target else 'NOT met'}; "
    return f"{what}: **{ratio:.2f}x** (medians; {goal}minimums: {least:.2f}x)."


def _timings(samples: dict[str, list[float]], cpu: dict[str, list[float]]) -> list[str]:
    """A markdown table of wall times (seconds) with the median client CPU of each command."""
    return [
        "| command | median s | min s | max s | runs | client CPU median s |",
        "| --- | --- | --- | --- | --- | --- |",
        *(f"{_row(name, values)} {statistics.median(cpu[name]):.3f} |" for name, values in samples.items()),
    ]


def startup() -> dict[str, list[float]]:
    """Interleaved wall times (seconds) of the start-up commands, `khepri-db --version` first."""
    commands = {
        "`khepri-db --version`": [KHEPRI, "--version"],
        '`python -c "import psycopg"`': [PYTHON, "-c", "import psycopg"],
        '`python -c "pass"` (the interpreter alone)': [PYTHON, "-c", "pass"],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for args in commands.values():  # warm the page cache and .pyc files once, untimed
        _run(args)
    for _ in range(STARTUP_RUNS):
        for name, args in commands.items():
            samples[name].append(_timed(lambda a=args: _run(a)))
    return samples


def _psql_files(psql: str, url: str, files: list[Path]) -> None:
    for path in files:
        _run([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f", str(path), "-d", url])


_PSYCOPG_SESSION = """
import sys
from pathlib import Path

import psycopg

with psycopg.connect(sys.argv[1], autocommit=True, cursor_factory=psycopg.ClientCursor) as conn:
    for name in sys.argv[2:]:
        with conn.transaction():
            conn.execute(Path(name).read_text())  # no parameters: one simple-protocol query, all statements
"""
"""The floor for a Python tool: the interpreter, ``import psycopg``, one connection and each file
sent whole in a transaction of its own (no splitting, no history, no checks, no output)."""


def _psycopg_session(url: str, files: list[Path]) -> None:
    _run([PYTHON, "-c", _PSYCOPG_SESSION, url, *map(str, files)])


def _psql_session(psql: str, url: str, files: list[Path]) -> None:
    """One psql session running every file, each in a transaction of its own (issue 20's anchor)."""
    script = "".join(f"begin;\n\\i '{path}'\ncommit;\n" for path in files)
    subprocess.run(
        [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url], input=script.encode(), check=True,
        capture_output=True, cwd=REPO, env=ENV,
    )  # fmt: skip


class DelayProxy:
    """A TCP proxy on 127.0.0.1 that forwards to ``port`` and holds every chunk it reads for
    ``delay_s`` seconds before passing it on, in order, in each direction: a round trip through it
    takes ``2 * delay_s`` longer, as across a network. Threads only; nothing outside this process
    is touched. ``url(url)`` rewrites a URL to go through it."""

    def __init__(self, port: int, delay_s: float) -> None:
        self.target, self.delay_s = port, delay_s
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, url: str) -> str:
        """``url`` with the proxy's port in place of the server's."""
        parts = urlsplit(url)
        user, at, _ = parts.netloc.rpartition("@")
        return urlunsplit(parts._replace(netloc=f"{user}{at}{parts.hostname}:{self.port}"))

    def close(self) -> None:
        """Stop accepting connections (open ones end with their clients)."""
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._pump(client, server)
            self._pump(server, client)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        queue: deque[tuple[float, bytes]] = deque()
        ready = threading.Condition()

        def read() -> None:
            while True:
                try:
                    data = source.recv(65536)
                except OSError:
                    data = b""
                with ready:
                    queue.append((time.monotonic() + self.delay_s, data))
                    ready.notify()
                if not data:
                    return

        def write() -> None:
            while True:
                with ready:
                    ready.wait_for(lambda: bool(queue))
                    due, data = queue.popleft()
                time.sleep(max(0.0, due - time.monotonic()))
                try:
                    if not data:
                        sink.shutdown(socket.SHUT_WR)
                        return
                    sink.sendall(data)
                except OSError:
                    return

        threading.Thread(target=read, daemon=True).start()
        threading.Thread(target=write, daemon=True).start()


def migrate_overhead(
    server: str, runs: int = MIGRATE_RUNS, via: Callable[[str], str] = lambda url: url
) -> tuple[dict[str, list[float]], dict[str, list[float]], int]:
    """Interleaved wall times (seconds) of `khepri-db migrate` and of psql per file, each on a
    fresh clone of the template (khepri-db first), ``runs`` each, connecting to ``via(url)``; the
    CPU seconds their processes used (the server's not included); the number of files."""
    psql = str(embedded_bin_dir() / "psql")
    files = sorted(MIGRATIONS.glob("*.sql"))
    khepri_name = "`khepri-db migrate --db-url <clone>` (text output)"
    psql_name = f"`psql -X -q -v ON_ERROR_STOP=1 -1 -f <file>`, once per file ({len(files)} processes)"
    session_name = "one `psql -X -q -v ON_ERROR_STOP=1` session, `begin; \\i <file>; commit;` per file"
    names = [khepri_name, psql_name, session_name, FLOOR_NAME]
    samples: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    with connect(server, autocommit=True) as admin:
        for run in range(runs + 1):  # run 0 warms caches and is not reported
            order = names[run % len(names) :] + names[: run % len(names)]
            for name in order:
                database = f"ratios_{run}_{names.index(name)}"
                create_database(admin, database, template=TEMPLATE)
                url = via(with_database(server, database))
                cpu_before = _children_cpu()
                if name == khepri_name:
                    args = [KHEPRI, "migrate", "--db-url", url, "--migrations-dir", str(MIGRATIONS)]
                    elapsed = _timed(lambda a=args: _run(a))
                elif name == psql_name:
                    elapsed = _timed(lambda u=url: _psql_files(psql, u, files))
                elif name == FLOOR_NAME:
                    elapsed = _timed(lambda u=url: _psycopg_session(u, files))
                else:
                    elapsed = _timed(lambda u=url: _psql_session(psql, u, files))
                used = _children_cpu() - cpu_before
                drop_database(admin, database)
                if run:
                    samples[name].append(elapsed)
                    cpu[name].append(used)
    return samples, cpu, len(files)


def run() -> str:
    """The section's markdown: the tables, each ratio, its target and whether it is met."""
    load_before = os.getloadavg()[0]
    root = make_cluster_root("khepri-bench-ratios-")
    engine = EmbeddedEngine(root / "pgdata", port=free_port())
    try:
        server = engine.start()
        with connect(server, autocommit=True) as admin:
            create_database(admin, TEMPLATE)
        with connect(with_database(server, TEMPLATE), autocommit=True) as conn:
            install(conn)
        start_samples = startup()
        migrate_samples, migrate_cpu, count = migrate_overhead(server)
        proxy = DelayProxy(urlsplit(server).port or 5432, LINK_DELAY_S)
        try:
            link_samples, link_cpu, _ = migrate_overhead(server, LINK_RUNS, proxy.url)
        finally:
            proxy.close()
    finally:
        engine.stop()
        shutil.rmtree(root, ignore_errors=True)
    load_after, cpus = os.getloadavg()[0], os.cpu_count()
    load = f"1-minute load average {load_before:.1f} before the runs and {load_after:.1f} after ({cpus} CPUs)."
    return "\n".join(
        [
            f"Wall times on a shared machine: {load}",
            "",
            "(a) Start-up: each sample is one new process of the .venv's interpreter; the three commands",
            f"alternate, {STARTUP_RUNS} runs each after one untimed warm-up.",
            "",
            "| command | median ms | min ms | max ms | runs |",
            "| --- | --- | --- | --- | --- |",
            *(_row(name, values, 1000) for name, values in start_samples.items()),
            "",
            _verdict(STARTUP_RATIO, list(start_samples.values()), STARTUP_TARGET),
            "",
            f"(b) Migrate: the {count} files of supabase/migrations onto a fresh clone of a database that already",
            "has the Supabase compatibility layer, on one embedded PostgreSQL 18 server (default settings). The",
            "khepri-db sample is the whole process (start-up, connect, detection, lock, history rows, output);",
            "the psql samples are one psql process per file, one transaction each, no history, and one psql",
            "session running every file, each between begin and commit (issue 20's anchor); the floor is the",
            "least a Python tool on psycopg can do: the interpreter, `import psycopg`, one connection, each file",
            "sent whole (one simple-protocol query) in a transaction of its own. The four rotate",
            f"run by run, {MIGRATE_RUNS} runs each after one untimed warm-up. Client CPU: user + system seconds",
            "of the measured processes (khepri-db's one, or the psql ones), not the server's.",
            "",
            *_timings(migrate_samples, migrate_cpu),
            "",
            _verdict("`khepri-db migrate` / psql per file", list(migrate_samples.values())[:2], MIGRATE_TARGET),
            "",
            _verdict(
                "`khepri-db migrate` / one psql session (issue 20's anchor)",
                [migrate_samples[k] for k in list(migrate_samples)[::2]],
                MIGRATE_TARGET,
            ),
            "",
            _verdict(
                "The floor / one psql session (what no Python tool on psycopg can go below)",
                [migrate_samples[FLOOR_NAME], list(migrate_samples.values())[2]],
                None,
            ),
            _verdict(
                "`khepri-db migrate` / the floor",
                [next(iter(migrate_samples.values())), migrate_samples[FLOOR_NAME]],
                None,
            ),
            "",
            "The floor is the interpreter, `import psycopg` (table (a)) and the server's own time for the",
            "files (what the psql session spends beyond its start and connection): where the floor's own ratio",
            f"to the psql session exceeds {MIGRATE_TARGET:g}x, no change to khepri-db meets the anchor's target on",
            "this machine, and khepri-db's own cost is its ratio to the floor.",
            "",
            f"(c) The same as (b), {LINK_RUNS} runs each, through a local proxy that holds every packet for "
            f"{LINK_DELAY_S * 1000:g} ms",
            f"each way (a round trip {2 * LINK_DELAY_S * 1000:g} ms longer, as to a database across a network). "
            "For information: no target.",
            "",
            *_timings(link_samples, link_cpu),
            "",
            _verdict(
                "`khepri-db migrate` / psql per file, across the slower link", list(link_samples.values())[:2], None
            ),
            _verdict(
                "`khepri-db migrate` / one psql session, across the slower link",
                [link_samples[k] for k in list(link_samples)[::2]],
                None,
            ),
        ]
    )
