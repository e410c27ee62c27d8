"""One test per doctor rule, named as the rule (issue 12), the way Supabase's linter names a lint's
SQL, its doc page and its test alike: ``sql/doctor/<rule>.sql``, ``docs/doctor/<rule>.md`` and
``tests/doctor/<rule>.sql``.

A fixture ``tests/doctor/<rule>.sql`` holds a small schema of our own with the defect, then, after
a line starting ``-- fixed:``, the SQL that repairs it (applied on top of the defect, as a later
migration would be). Header comments before that line drive the test:

* ``-- expect: <object>``: an object the rule must report, once or more. ``public.t`` means
  ``metadata.schema = 'public'`` and ``metadata.name = 't'``; ``key=value`` pairs (shell-quoted)
  name other metadata (``policy_name=t_select``, ``extension_name=hstore``). Several may follow.
* ``-- level: WARN``: the level the expected findings have (default: the rule's ``level``).
* ``-- thresholds: name=value ...``: runtime thresholds of both doctor runs.
* ``-- exposed_schemas: public, api``: doctor's ``--exposed-schemas`` for both runs.
* ``-- needs extension: <name>``: skip, saying why, when the server cannot install it.

Each test takes a fresh clone of the migrated template, applies the defect, runs doctor with only
that rule and asserts the expected objects are reported at the expected level; then applies the
fix, runs doctor again and asserts none of those objects is reported. Rules that read runtime state
(activity, locks, statistics, roles) get a Python hook in :data:`HOOKS` on top of their fixture.
"""

from __future__ import annotations

import contextlib
import re
import shlex
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from khepri_db.core.db import connect
from khepri_db.doctor.rules import Finding, Rule, load_rules
from khepri_db.doctor.run import run_doctor
from khepri_db.engines import Engine
from tests.support import REPO
from tests.support.doctor import PROJECT

pytestmark = pytest.mark.pg

FIXTURES = REPO / "tests" / "doctor"
RULES: dict[str, Rule] = {rule.name: rule for rule in load_rules()}

_HEADER = re.compile(r"^--\s*(expect|level|thresholds|exposed_schemas|needs extension):\s*(.*?)\s*$")
_FIXED = re.compile(r"^--\s*fixed:")


@dataclass(frozen=True)
class Expected:
    """One ``-- expect:`` line: metadata keys and the values (as text) a finding must carry."""

    text: str
    keys: dict[str, str]

    def matches(self, finding: Finding) -> bool:
        """True when every key of this expectation has its value in ``finding.metadata``."""
        return all(key in finding.metadata and str(finding.metadata[key]) == v for key, v in self.keys.items())


def parse_expected(text: str, where: str) -> Expected:
    """Parse the value of an ``-- expect:`` line (see the module docstring).

    Raises:
        ValueError: an empty expectation, or a token that is neither ``schema.name`` nor ``key=value``;
            the message names ``where`` (file and line).
    """
    keys: dict[str, str] = {}
    tokens = shlex.split(text)
    if not tokens:
        raise ValueError(f"{where}: empty `-- expect:`")
    for index, token in enumerate(tokens):
        if "=" in token:
            key, value = token.split("=", 1)
            keys[key] = value
        elif index == 0 and "." in token:
            keys["schema"], keys["name"] = token.split(".", 1)
        elif index == 0:
            keys["name"] = token
        else:
            raise ValueError(f"{where}: {token!r} is not key=value")
    return Expected(text, keys)


@dataclass(frozen=True)
class Case:
    """A parsed ``tests/doctor/<rule>.sql``."""

    rule: Rule
    path: Path
    defect: str
    fix: str
    expected: tuple[Expected, ...]
    level: str
    thresholds: dict[str, float] = field(default_factory=dict)
    exposed_schemas: tuple[str, ...] | None = None
    extensions: tuple[str, ...] = ()


def load_case(rule: Rule, path: Path | None = None) -> Case:
    """Read ``tests/doctor/<rule>.sql`` (or ``path``).

    Raises:
        ValueError: no ``-- fixed:`` line, no ``-- expect:`` line, or a malformed header line; the
            message names the file and line.
    """
    path = path or FIXTURES / f"{rule.name}.sql"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    split = next((i for i, line in enumerate(lines) if _FIXED.match(line)), None)
    if split is None:
        raise ValueError(f"{path}: no `-- fixed:` line separating the defect from its fix")
    expected: list[Expected] = []
    level = rule.level
    thresholds: dict[str, float] = {}
    exposed: tuple[str, ...] | None = None
    extensions: list[str] = []
    for number, line in enumerate(lines[:split], start=1):
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match.groups()
        where = f"{path}:{number}"
        if key == "expect":
            expected.append(parse_expected(value, where))
        elif key == "level":
            if value not in rule.levels:
                raise ValueError(f"{where}: {rule.name} reports at {', '.join(rule.levels)}, not {value!r}")
            level = value
        elif key == "thresholds":
            for token in value.split():
                name, _, number_text = token.partition("=")
                try:
                    thresholds[name] = float(number_text)
                except ValueError:
                    raise ValueError(f"{where}: {token!r} is not threshold=number") from None
        elif key == "exposed_schemas":
            exposed = tuple(s.strip() for s in value.split(",") if s.strip())
        else:
            extensions.append(value)
    if not expected:
        raise ValueError(f"{path}: no `-- expect:` line saying what {rule.name} must report")
    return Case(
        rule, path, "".join(lines[:split]), "".join(lines[split:]), tuple(expected), level, thresholds, exposed,
        tuple(extensions),
    )  # fmt: skip


def _flush(conn: psycopg.Connection) -> None:
    """Make this backend's pending activity statistics visible to other sessions now (PG 15+)."""
    conn.execute("select pg_stat_force_next_flush()")
    conn.execute("select 1")


def apply(url: str, sql: str) -> None:
    """Run ``sql`` (one batch; several statements allowed) on ``url``, then flush this backend's
    activity statistics so the next doctor run sees them."""
    with connect(url, autocommit=True) as conn:
        if sql.strip():
            conn.execute(sql)
        _flush(conn)


# -- hooks for rules that read runtime state ----------------------------------------------------

Hook = Callable[[str, Engine], Generator[dict[str, Any], None, None]]
"""``hook(clone_url, engine)``: a generator called after the defect SQL. It makes the runtime state
the rule reads and yields extra :func:`run_doctor` keyword arguments for the defect run; it is
resumed after the fix SQL, clears that state and yields the arguments of the fixed run; it is then
closed, so its ``finally`` ends what it started (connections, threads, renamed roles)."""


def _swallow(conn: psycopg.Connection, query: str) -> None:
    """Run ``query``, ignoring its failure (the hook cancels it on purpose)."""
    with contextlib.suppress(psycopg.Error):
        conn.execute(query)


def _wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def _blocking_locks(url: str, engine: Engine) -> Generator[dict[str, Any], None, None]:
    """A session holds an exclusive lock on public.ledger; another waits to update it. The fix
    commits the holder. The wait is seconds old, so the info threshold is 0 s."""
    holder = psycopg.connect(url, application_name="khepri-migration")
    waiter = psycopg.connect(url, application_name="khepri-api", autocommit=True)
    update = "update public.ledger set amount = amount + 1 where id = 1"
    worker = threading.Thread(target=_swallow, args=(waiter, update))
    try:
        holder.execute("lock table public.ledger in access exclusive mode")
        worker.start()
        with connect(url, autocommit=True) as admin:
            _wait_for(
                lambda: (
                    admin.execute(
                        "select count(*) from pg_stat_activity where application_name = 'khepri-api' "
                        "and wait_event_type = 'Lock'"
                    ).fetchone()
                    == (1,)
                )
            )
        yield {"thresholds": {"blocking_lock_info_seconds": 0}}
        holder.commit()
        worker.join(timeout=10)
        yield {"thresholds": {"blocking_lock_info_seconds": 0}}
    finally:
        holder.close()
        waiter.close()
        worker.join(timeout=10)


def _long_running_queries(url: str, engine: Engine) -> Generator[dict[str, Any], None, None]:
    """A session named khepri-slow-report runs ``pg_sleep(30)``; once it has run for 1.3 s it is
    past the info threshold, lowered to 1 s. The fix cancels it."""
    busy = psycopg.connect(url, application_name="khepri-slow-report", autocommit=True)
    worker = threading.Thread(target=_swallow, args=(busy, "select pg_sleep(30)"))
    try:
        worker.start()
        with connect(url, autocommit=True) as admin:
            _wait_for(
                lambda: (
                    admin.execute(
                        "select count(*) from pg_stat_activity where application_name = 'khepri-slow-report' "
                        "and state = 'active' and clock_timestamp() - query_start > interval '1.3 seconds'"
                    ).fetchone()
                    == (1,)
                )
            )
        yield {"thresholds": {"long_running_query_info_seconds": 1}}
        with connect(url, autocommit=True) as admin:
            admin.execute("select pg_cancel_backend(%s)", (busy.info.backend_pid,))
        worker.join(timeout=10)
        yield {"thresholds": {"long_running_query_info_seconds": 1}}
    finally:
        with contextlib.suppress(psycopg.Error), connect(url, autocommit=True) as admin:
            admin.execute("select pg_cancel_backend(%s)", (busy.info.backend_pid,))
        worker.join(timeout=10)
        busy.close()


def _cache_hit_ratio(url: str, engine: Engine) -> Generator[dict[str, Any], None, None]:
    """Scans of public.archive, 1.5 x a quarter of shared_buffers written through a bulk-write
    ring, read mostly from outside shared buffers (ratio far below 95%). The fix: statistics reset,
    then only a small hot table read 30 times (judged from 50 blocks on)."""
    with connect(url, autocommit=True) as conn:
        size = conn.execute("select setting::bigint * 8192 from pg_settings where name = 'shared_buffers'").fetchone()
        assert size is not None
        rows = int(size[0] / 4 / 1000 * 1.5)
        conn.execute(
            "create table public.archive with (autovacuum_enabled = false) as "
            f"select g as id, repeat('x', 900) as body from generate_series(1, {rows}) as g"
        )
        conn.execute("select pg_stat_reset()")
        for _ in range(2):
            conn.execute("select count(*) from public.archive where body like '%y%'")
        _flush(conn)
    yield {}
    with connect(url, autocommit=True) as conn:
        conn.execute("select pg_stat_reset()")
        conn.execute("create table public.hot (id int primary key)")
        conn.execute("insert into public.hot select generate_series(1, 1000)")
        for _ in range(30):
            conn.execute("select count(*) from public.hot")
        _flush(conn)
    yield {"thresholds": {"cache_hit_min_blocks": 50}}


def _scans(url: str, times: int, reset: str = "select pg_stat_reset()") -> None:
    """Reset the statistics, analyze public.workout_log (a reset forgets its live rows too), then
    look up ``times`` athletes in it."""
    with connect(url, autocommit=True) as conn:
        conn.execute(reset)
        conn.execute("analyze public.workout_log")
        for athlete in range(times):
            conn.execute("select count(*) from public.workout_log where athlete = %s", (athlete % 20,))
        _flush(conn)


def _index_usage(url: str, engine: Engine) -> Generator[dict[str, Any], None, None]:
    """20 lookups of public.workout_log by an unindexed column (judged from 10 scans on); after the
    fix's index, 200 lookups through it."""
    _scans(url, 20)
    yield {"thresholds": {"index_usage_min_scans": 10}}
    _scans(url, 200)
    yield {"thresholds": {"index_usage_min_scans": 10}}


def _sequential_scans(url: str, engine: Engine) -> Generator[dict[str, Any], None, None]:
    """20 full scans of public.workout_log (judged from 10 scans on); after the fix's index, the
    table's counters are reset and the 20 lookups use it."""
    _scans(url, 20)
    yield {"thresholds": {"sequential_scan_min_scans": 10}}
    _scans(url, 20, "select pg_stat_reset_single_table_counters('public.workout_log'::regclass)")
    yield {"thresholds": {"sequential_scan_min_scans": 10}}


def _api_roles_missing(url: str, engine: Engine) -> Generator[dict[str, Any], None, None]:
    """Roles belong to the whole server, not to the clone: rename service_role away on the
    session's own throwaway server, and back for the fix (and in any case at the end)."""
    if engine.name in ("url", "docker"):
        pytest.skip(f"renaming service_role would change the shared {engine.name} server; needs a throwaway cluster")
    rename = "alter role {} rename to {}"
    with connect(url, autocommit=True) as conn:
        conn.execute(rename.format("service_role", "khepri_service_role_away"))
    try:
        yield {}
        with connect(url, autocommit=True) as conn:
            conn.execute(rename.format("khepri_service_role_away", "service_role"))
        yield {}
    finally:
        with connect(url, autocommit=True) as conn:
            if conn.execute("select 1 from pg_roles where rolname = 'khepri_service_role_away'").fetchone():
                conn.execute(rename.format("khepri_service_role_away", "service_role"))


HOOKS: dict[str, Hook] = {
    "api_roles_missing": _api_roles_missing,
    "blocking_locks": _blocking_locks,
    "cache_hit_ratio": _cache_hit_ratio,
    "index_usage": _index_usage,
    "long_running_queries": _long_running_queries,
    "sequential_scans": _sequential_scans,
}
"""Rules whose defect is runtime state a schema cannot hold. Each still has its
``tests/doctor/<rule>.sql`` (the tables the hook uses, or comments saying what the hook does)."""


@contextlib.contextmanager
def _hooked(rule: str, url: str, engine: Engine) -> Iterator[Callable[[], dict[str, Any]]]:
    """``next_arguments()`` for the two doctor runs: the hook's, or none without a hook."""
    hook = HOOKS.get(rule)
    if hook is None:
        yield dict
        return
    generator = hook(url, engine)
    try:
        yield lambda: next(generator)
    finally:
        generator.close()


# -- the tests ----------------------------------------------------------------------------------


def _report(url: str, case: Case, extra: dict[str, Any]) -> list[Finding]:
    thresholds = {**case.thresholds, **extra.pop("thresholds", {})}
    report = run_doctor(
        url, project=PROJECT, only=[case.rule.name], thresholds=thresholds or None,
        exposed_schemas=list(case.exposed_schemas) if case.exposed_schemas else None, **extra,
    )  # fmt: skip
    assert report.rules == [case.rule.name]
    failed = [f.detail for f in report.findings if f.title.endswith("(rule failed)")]
    assert failed == [], f"{case.path.name}: the rule's query failed"
    return list(report.findings)


def _skip_without_extensions(url: str, case: Case) -> None:
    with connect(url) as conn:
        for name in case.extensions:
            if conn.execute("select 1 from pg_available_extensions where name = %s", (name,)).fetchone() is None:
                pytest.skip(f"{case.path.name} needs the {name} extension, which this server does not ship")


@pytest.mark.parametrize("rule", sorted(RULES))
def test_rule(rule: str, khepri_clone_url: str, khepri_engine: Engine) -> None:
    """tests/doctor/<rule>.sql: the defect is reported at the rule's level; the fix clears it."""
    case = load_case(RULES[rule])
    _skip_without_extensions(khepri_clone_url, case)
    apply(khepri_clone_url, case.defect)
    with _hooked(rule, khepri_clone_url, khepri_engine) as next_arguments:
        found = _report(khepri_clone_url, case, next_arguments())
        seen = [(f.level, f.metadata) for f in found]
        for expected in case.expected:
            hits = [f for f in found if expected.matches(f)]
            assert hits, f"{case.path.name}: {rule} did not report `{expected.text}`; it reported {seen}"
            levels = {f.level for f in hits}
            assert levels == {case.level}, f"{case.path.name}: `{expected.text}` at {levels}, not {case.level}"

        apply(khepri_clone_url, case.fix)
        found = _report(khepri_clone_url, case, next_arguments())
        for expected in case.expected:
            left = [f.detail for f in found if expected.matches(f)]
            assert left == [], f"{case.path.name}: after the fix {rule} still reports `{expected.text}`"


def test_every_rule_has_its_sql_docs_and_test_under_one_name() -> None:
    """sql/doctor/<rule>.sql, docs/doctor/<rule>.md and tests/doctor/<rule>.sql, for every rule, and
    no fixture without a rule."""
    sql = {p.stem for p in (REPO / "sql" / "doctor").glob("*.sql")}
    docs = {p.stem for p in (REPO / "docs" / "doctor").glob("*.md")} - {"README"}
    tests = {p.stem for p in FIXTURES.glob("*.sql")}
    assert sql == set(RULES)
    assert sorted(sql - docs) == [], "rules without docs/doctor/<rule>.md"
    assert sorted(sql - tests) == [], "rules without tests/doctor/<rule>.sql"
    assert sorted(docs - sql) == [], "docs pages without a rule"
    assert sorted(tests - sql) == [], "tests/doctor fixtures without a rule"


def test_every_fixture_parses_and_every_hook_names_a_rule() -> None:
    for rule in RULES.values():
        case = load_case(rule)
        assert case.expected, rule.name
    assert set(HOOKS) <= set(RULES)


def test_fixture_parser_rejects_what_it_cannot_check(tmp_path: Path) -> None:
    rule = RULES["no_primary_key"]
    path = tmp_path / "no_primary_key.sql"
    path.write_text("-- expect: public.t\ncreate table public.t (a int);\n")
    with pytest.raises(ValueError, match="no `-- fixed:` line"):
        load_case(rule, path)
    path.write_text("create table public.t (a int);\n-- fixed: a key\nalter table public.t add primary key (a);\n")
    with pytest.raises(ValueError, match="no `-- expect:` line"):
        load_case(rule, path)
    path.write_text("-- expect: public.t\n-- level: ERROR\n-- fixed: x\nselect 1;\n")
    with pytest.raises(ValueError, match=r"no_primary_key.sql:2: no_primary_key reports at INFO, not 'ERROR'"):
        load_case(rule, path)
    path.write_text("-- expect: public.t policy_name=p 'x y'\n-- fixed: x\nselect 1;\n")
    with pytest.raises(ValueError, match="is not key=value"):
        load_case(rule, path)
    path.write_text("-- expect: public.t\n-- thresholds: table_size_info_bytes\n-- fixed: x\nselect 1;\n")
    with pytest.raises(ValueError, match="is not threshold=number"):
        load_case(rule, path)
    expected = parse_expected('public.t query="select 1 from x"', "here")
    assert expected.keys == {"schema": "public", "name": "t", "query": "select 1 from x"}


def test_rules_with_includes_lint_clean_expanded() -> None:
    """The fragments of sql/doctor/include/ are linted where they run: inside the expanded rules, with
    the repository's .sqlfluff (the same settings `make lint` uses on the unexpanded files)."""
    from sqlfluff.core import FluffConfig, Linter

    including = [rule for rule in load_rules() if "-- khepri-db include: " in rule.path.read_text(encoding="utf-8")]
    assert {r.name for r in including} >= {"foreign_table_in_api", "security_definer_view", "materialized_view_in_api"}
    linter = Linter(config=FluffConfig.from_path(str(REPO)))
    for rule in including:
        assert "-- khepri-db include: " not in rule.sql, rule.name
        violations = [
            f"L{v.line_no}: {v.rule_code()} {v.desc()}"
            for v in linter.lint_string(rule.sql, fname=str(rule.path)).get_violations()
        ]
        assert violations == [], f"{rule.path.name} expanded:\n" + "\n".join(violations)


def test_a_rule_including_a_missing_file_names_the_rule_and_line(tmp_path: Path) -> None:
    from khepri_db.core.errors import DoctorError

    (tmp_path / "include").mkdir()
    (tmp_path / "include" / "reach.sql").write_text("-- a fragment\nand true\nand 1 = 1\n", encoding="utf-8")
    rule = tmp_path / "broken_rule.sql"
    header = "-- name: broken_rule\n-- title: t\n-- level: WARN\n-- facing: EXTERNAL\n-- categories: SECURITY\n"
    body = "select 1\nwhere\n    true\n    and true  -- khepri-db include: reach.sql\n"
    rule.write_text(header + body, encoding="utf-8")
    (loaded,) = load_rules(tmp_path)
    assert loaded.sql.endswith("where\n    true\n    -- a fragment\n    and true\n    and 1 = 1\n")
    rule.write_text(header + "select 1\nwhere true\n    -- khepri-db include: nowhere.sql\n", encoding="utf-8")
    (loaded,) = load_rules(tmp_path)
    with pytest.raises(DoctorError, match=r"broken_rule\.sql:8: includes nowhere\.sql, which .*include does not have"):
        _ = loaded.sql
