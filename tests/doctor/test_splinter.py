"""Supabase's own linter tests, replayed against doctor.

supabase/splinter's ``test/sql/*.sql`` files are pg_regress scripts: they build objects, then query
the linter's views (``select ... from lint."0024_rls_policy_always_true"``). This test runs each
script on a throwaway vanilla cluster set up as splinter's ``bin/installcheck`` does (its
``test/fixtures.sql`` and ``lints/*.sql``), and at every such query (a *checkpoint*) runs it twice:
as written (Supabase's linter) and with the view replaced by doctor's rule of the same number.
Every checkpoint must give the same rows, or be listed on the rule's page under "Replayed
splinter checkpoints" with the reason for the difference.

Rows are compared as the query returns them, except ``select *`` and other queries returning
``cache_key``: those compare ``(name, cache_key)`` pairs, since doctor writes its own prose
(title, description, detail) and some levels differ on purpose (see docs/doctor/README.md).

The cases are Supabase's (Apache-2.0) and are never copied here: point ``KHEPRI_SPLINTER_DIR`` at
a checkout of https://github.com/supabase/splinter (e.g. ``git clone`` it next to this repo);
without it the test is skipped.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import sqlparse

from khepri_db.core.db import connect
from khepri_db.core.errors import EngineError
from khepri_db.doctor import _facts as facts
from khepri_db.doctor.config import THRESHOLDS, DoctorConfig, ExposedSchemas
from khepri_db.doctor.rules import load_rules
from khepri_db.doctor.run import _settings
from khepri_db.engines import EmbeddedEngine, SystemEngine, free_port, make_cluster_root
from tests.support import REPO

SPLINTER_ENV = "KHEPRI_SPLINTER_DIR"
SPLINTER_DIR = Path(os.environ[SPLINTER_ENV]) if os.environ.get(SPLINTER_ENV) else None
CASES = sorted((SPLINTER_DIR / "test" / "sql").glob("0*.sql")) if SPLINTER_DIR else []

_VIEW = re.compile(r'lint\."(\d{4})_(\w+)"(\s+as\s+\w+)?', re.IGNORECASE)


@dataclass
class Checkpoint:
    """One query of a splinter test script and what each linter returned."""

    number: int
    sql: str
    rule: str
    splinter: list[tuple] | str
    doctor: list[tuple] | str
    not_replayable: str | None = None

    @property
    def equal(self) -> bool:
        return self.splinter == self.doctor


def _engine(root: Path) -> EmbeddedEngine | SystemEngine:
    """The machine's PostgreSQL when there is one (splinter's own runs use PostgreSQL 15, built
    with XML support, which 0025 needs), else the embedded engine."""
    system = SystemEngine(root / "pgdata", port=free_port(), settings={"fsync": "off"})
    try:
        system.bin_dir()
    except EngineError:
        return EmbeddedEngine(root / "pgdata", port=free_port(), settings={"fsync": "off"})
    return system


@pytest.fixture(scope="module")
def splinter_cluster():
    """A vanilla cluster, as splinter's installcheck makes one (initdb, no Supabase roles): yields
    a function returning the URL of a fresh database with splinter's fixtures and lint views."""
    root = make_cluster_root("khepri-splinter-")
    engine = _engine(root)
    url = engine.start()
    counter = iter(range(1000))

    def fresh() -> str:
        name = f"splinter_{next(counter)}"
        with connect(url, autocommit=True) as conn:
            conn.execute(f"create database {name}")
        db_url = re.sub(r"/[^/?]+(\?|$)", rf"/{name}\1", url, count=1)
        assert SPLINTER_DIR is not None
        setup = [SPLINTER_DIR / "test" / "fixtures.sql", *sorted((SPLINTER_DIR / "lints").glob("0*.sql"))]
        with connect(db_url, autocommit=True) as conn:
            for path in setup:
                for statement in sqlparse.split(path.read_text(encoding="utf-8")):
                    # roles are per cluster: the second database finds them
                    with contextlib.suppress(psycopg.errors.DuplicateObject):
                        conn.execute(statement)
        return db_url

    try:
        yield fresh
    finally:
        engine.stop()
        shutil.rmtree(root, ignore_errors=True)


def _rows(conn: psycopg.Connection, sql: str, *, doctor: bool = False) -> list[tuple] | str:
    """The rows of ``sql`` (compared as (name, cache_key) when it returns cache_key), or the
    error. Runs in a savepoint (or a transaction) that is rolled back, so a failure does not abort
    the script; for doctor, its ``pg_temp`` helpers and policies fact are created inside it (so
    that splinter's 0011 never sees them)."""
    in_transaction = conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
    conn.execute("savepoint khepri_checkpoint" if in_transaction else "begin")
    try:
        if doctor:  # doctor's rules run with an empty search_path (so deparsed names are qualified)
            conn.execute("select set_config('search_path', '', true)")
            facts.load_helpers(conn)
            facts.load_policies(conn)  # the policies fact (pg_temp.khepri_policies) rules read
        cur = conn.execute(sql)
        columns = [c.name for c in cur.description or []]
        rows = cur.fetchall()
    except psycopg.Error as exc:
        return f"error: {exc.diag.message_primary}"
    finally:
        conn.execute("rollback to savepoint khepri_checkpoint" if in_transaction else "rollback")
    if "cache_key" in columns:
        key = columns.index("cache_key")
        name = columns.index("name") if "name" in columns else key
        return sorted((str(r[name]), str(r[key])) for r in rows)
    return (
        sorted((tuple(str(v) for v in r) for r in rows), key=repr)
        if " order by " not in sql.lower()
        else [tuple(str(v) for v in r) for r in rows]
    )


def replay(url: str, case: Path) -> list[Checkpoint]:
    """Run one splinter test script on ``url``; return its checkpoints."""
    rules = {r.splinter: r for r in load_rules() if r.splinter}
    checkpoints: list[Checkpoint] = []
    last_error = ""
    with connect(url, autocommit=True) as conn:
        for statement in sqlparse.split(case.read_text(encoding="utf-8")):
            match = _VIEW.search(statement)
            if not match or not sqlparse.format(statement, strip_comments=True).strip().lower().startswith(
                ("select", "with")
            ):
                aborted = conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
                try:
                    conn.execute(statement)
                except psycopg.Error as exc:  # pg_regress goes on after an error; so do we
                    if not aborted:
                        last_error = f"{statement.strip()[:80]!r} failed here: {exc.diag.message_primary}"
                continue
            rule = rules[match.group(1)]
            if conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
                checkpoints.append(Checkpoint(len(checkpoints) + 1, statement, rule.name, "", "", last_error))
                continue
            schemas = conn.execute("select current_setting('pgrst.db_schemas', true)").fetchone()
            exposed = [s.strip() for s in (schemas[0] if schemas and schemas[0] else "public").split(",") if s.strip()]
            for name, value in _settings(
                ExposedSchemas(schemas=exposed, source="pgrst.db_schemas"), DoctorConfig(), THRESHOLDS
            ):
                conn.execute("select set_config(%s, %s, false)", (name, value))
            sql = statement.strip().rstrip(";")
            query = rule.sql.strip().rstrip(";")

            def substitute(m: re.Match, query: str = query) -> str:
                return f"({query}) {m.group(3) or 'as ' + chr(34) + m.group(1) + '_' + m.group(2) + chr(34)}"

            theirs = _rows(conn, sql)
            # Supabase's own query failing here (0025 needs a server built with XML support) leaves
            # nothing to compare with
            skip = f"Supabase's query fails on this server ({theirs})" if isinstance(theirs, str) else None
            ours = _rows(conn, _VIEW.sub(substitute, sql), doctor=True)
            checkpoints.append(Checkpoint(len(checkpoints) + 1, sql, rule.name, theirs, ours, skip))
    return checkpoints


def documented(rule: str, case: Path, number: int) -> bool:
    """The rule's page lists ``<case file> #<n>`` as a deliberate difference."""
    page = (REPO / "docs" / "doctor" / f"{rule}.md").read_text(encoding="utf-8")
    return f"`{case.name} #{number}`" in page


@pytest.mark.skipif(
    SPLINTER_DIR is None,
    reason=f"set {SPLINTER_ENV} to a checkout of https://github.com/supabase/splinter to replay its test cases",
)
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_splinter_checkpoints_equal_or_documented(splinter_cluster, case: Path) -> None:
    checkpoints = replay(splinter_cluster(), case)
    assert checkpoints, f"{case.name}: no checkpoint found"
    undocumented = [
        f"#{c.number} {c.rule}: {c.sql[:200]!r}\n  splinter: {c.splinter}\n  doctor:   {c.doctor}"
        for c in checkpoints
        if not c.not_replayable and not c.equal and not documented(c.rule, case, c.number)
    ]
    assert not undocumented, f"{case.name}: checkpoints that differ and are not documented:\n" + "\n".join(undocumented)
    skipped = [c for c in checkpoints if c.not_replayable]
    if skipped:
        pytest.skip(
            f"{case.name}: {len(checkpoints) - len(skipped)} checkpoint(s) equal or documented; "
            f"{len(skipped)} could not run on this server ({skipped[0].not_replayable})"
        )


def test_splinter_replay_is_skipped_with_a_reason_without_a_checkout() -> None:
    if SPLINTER_DIR is None:
        pytest.skip(f"{SPLINTER_ENV} is not set: the replay of splinter's test cases did not run")
    assert CASES, f"{SPLINTER_ENV}={SPLINTER_DIR} has no test/sql/0*.sql: not a checkout of supabase/splinter"
