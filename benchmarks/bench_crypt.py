"""Cost of the pgcrypto and uuid-ossp stand-ins (sql/extensions/, issue 8's `crypt` benchmark).

On a throwaway embedded server (PostgreSQL 18, fsync off) with the stand-ins installed, and, when
the machine has one, the system PostgreSQL with the real (C, OpenSSL) extensions for comparison:

* ``crypt`` per hash: bcrypt at cost 4, 6 (``gen_salt('bf')``'s default), 8 and 10 (the cost
  Supabase Auth uses, i.e. what verifying a hash made by GoTrue costs), md5-crypt, traditional and
  extended DES. Each is the median of several calls of ``crypt(password, salt)`` with a fixed salt,
  one statement per call.
* ``digest`` throughput: one call on 1 MiB per algorithm (MiB/s), and the cost per call on 64-byte
  inputs (1,000 rows in one statement, microseconds per row).
* ``hmac``, ``uuid_generate_v1/v3/v5`` per call (1,000 rows in one statement).

Timings are wall-clock round trips from Python (psycopg, 127.0.0.1). The two servers are measured
one after the other, so on a shared machine a change of load between them skews the ratio; the load
average is printed with the table.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402

from khepri_db.core.db import connect  # noqa: E402
from khepri_db.core.errors import EngineError  # noqa: E402
from khepri_db.engines import EmbeddedEngine, SystemEngine, free_port, make_cluster_root, system_bin_dir  # noqa: E402

TITLE = "Extension stand-ins: pgcrypto and uuid-ossp cost"
SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
ALGORITHMS = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
CRYPT_CASES = [
    ("bcrypt cost 4", "$2a$04$abcdefghijklmnopqrstuu", 5),
    ("bcrypt cost 6 (gen_salt('bf') default)", "$2a$06$abcdefghijklmnopqrstuu", 5),
    ("bcrypt cost 8", "$2a$08$abcdefghijklmnopqrstuu", 3),
    ("bcrypt cost 10 (Supabase Auth's cost)", "$2a$10$abcdefghijklmnopqrstuu", 1),
    ("md5-crypt (1000 rounds)", "$1$abcdefgh", 10),
    ("traditional DES (25 rounds)", "ab", 10),
    ("extended DES (725 rounds, gen_salt('xdes') default)", "_J9..abcd", 5),
]


def _median_s(conn: psycopg.Connection, query: str, params: tuple[object, ...], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        conn.execute(query, params).fetchall()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _measure(conn: psycopg.Connection) -> dict[str, float]:
    """Seconds per operation (per hash, per MiB, per row), keyed by row label."""
    conn.execute("select crypt('warm', '$2a$04$abcdefghijklmnopqrstuu'), digest('warm', 'sha1')")  # compile
    results: dict[str, float] = {}
    for label, salt, repeat in CRYPT_CASES:
        results[f"crypt: {label}"] = _median_s(conn, "select crypt('correct horse', %s)", (salt,), repeat)
    fallback = conn.execute("select to_regprocedure('_pgcrypto_crypt_bf(bytea, text)') is not null").fetchone()
    if fallback and fallback[0]:  # the stand-in: its PL/pgSQL bcrypt, what runs without a C compiler
        for label, salt, repeat in CRYPT_CASES[:2]:
            query = "select _pgcrypto_crypt_bf(convert_to('correct horse', 'UTF8'), %s)"
            results[f"crypt: {label}, PL/pgSQL (no C compiler)"] = _median_s(conn, query, (salt,), repeat)
    mib = b"\x5a" * (1 << 20)
    for algorithm in ALGORITHMS:
        results[f"digest {algorithm}: 1 MiB"] = _median_s(conn, "select digest(%s::bytea, %s)", (mib, algorithm), 3)
    rows = 1000
    batch = "select {expr} from generate_series(1, %s) as n"
    for algorithm in ALGORITHMS:
        query = batch.format(expr="digest(convert_to(repeat('x', 63) || n %% 10, 'utf8'), %s)")
        results[f"digest {algorithm}: 64-byte input"] = _median_s(conn, query, (algorithm, rows), 3) / rows
    for algorithm in ("sha1", "sha256"):
        query = batch.format(expr="hmac('payload ' || n, 'secret key', %s)")
        results[f"hmac {algorithm}: short input"] = _median_s(conn, query, (algorithm, rows), 3) / rows
    for expr in (
        "uuid_generate_v1()",
        "uuid_generate_v3(uuid_ns_dns(), 'n' || n)",
        "uuid_generate_v5(uuid_ns_dns(), 'n' || n)",
    ):
        results[expr.split("(")[0]] = _median_s(conn, batch.format(expr=expr), (rows,), 3) / rows
    return results


def _server(kind: Callable[..., object], root: Path) -> tuple[object, str]:
    engine = kind(root / "pgdata", port=free_port(), settings=SETTINGS)
    url = engine.start()  # type: ignore[attr-defined]
    with connect(url, autocommit=True) as conn:
        conn.execute("create extension if not exists pgcrypto")
        conn.execute('create extension if not exists "uuid-ossp"')
    return engine, url


def _format(label: str, seconds: float) -> str:
    if label.startswith("digest") and "MiB" in label:
        return f"{1 / seconds:,.2f} MiB/s"
    if seconds >= 0.1:
        return f"{seconds * 1000:,.0f} ms"
    if seconds >= 0.001:
        return f"{seconds * 1000:,.1f} ms"
    return f"{seconds * 1e6:,.1f} µs"


def run() -> str:
    """Measure; return the markdown section body."""
    root = make_cluster_root("khepri-bench-crypt-")
    engines: list[object] = []
    try:
        engine, url = _server(EmbeddedEngine, root / "embedded")
        engines.append(engine)
        load_before = os.getloadavg()[0]
        with connect(url, autocommit=True) as conn:
            ours = _measure(conn)
        theirs: dict[str, float] | None = None
        try:
            system_bin_dir()
        except EngineError:
            note = "No system PostgreSQL on this machine: the real extensions were not measured."
        else:
            engine, url = _server(SystemEngine, root / "system")
            engines.append(engine)
            with connect(url, autocommit=True) as conn:
                version = conn.execute("show server_version").fetchone()[0]
                theirs = _measure(conn)
            note = f"Real extensions: contrib pgcrypto/uuid-ossp (C) of the system PostgreSQL {version}."
    finally:
        for engine in engines:
            engine.stop()  # type: ignore[attr-defined]
        shutil.rmtree(root, ignore_errors=True)
    load = f"1-minute load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    lines = [
        "Stand-ins in SQL/PL/pgSQL on the embedded PostgreSQL 18 (`sql/extensions/`), against the real "
        "C extensions; bcrypt `$2a$` through crypt_r() when khepri-db built `khepri_crypt.c` (the "
        f"PL/pgSQL rows: without a C compiler). {note} {os.cpu_count()} CPUs, {load}.",
        "",
        "| operation | stand-in (embedded PG 18) | real extension | stand-in / real |",
        "|---|---:|---:|---:|",
    ]
    for label, seconds in ours.items():
        if theirs is None or label not in theirs:
            lines.append(f"| {label} | {_format(label, seconds)} | - | - |")
            continue
        ratio = seconds / theirs[label] if theirs[label] > 0 else float("nan")
        shown = f"{ratio:,.1f}x" if ratio < 10 else f"{ratio:,.0f}x"
        lines.append(f"| {label} | {_format(label, seconds)} | {_format(label, theirs[label])} | {shown} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
