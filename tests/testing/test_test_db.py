"""``khepri-db test db``: a project's pgTAP files run as ``supabase test db`` runs them.

The reference is the real thing: Debian's ``pg_prove`` (the program ``supabase test db`` runs in its
container) on the same database and files. Without pg_prove the differential tests skip, saying
why; under ``KHEPRI_STRICT`` (CI installs it) they fail instead.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET  # our own report, read back
from pathlib import Path

import pytest

from khepri_db.core.db import connect
from khepri_db.engines.pgtap import find_pgtap
from khepri_db.testing.files import collect_test_files
from khepri_db.testing.psql import psql_environment
from khepri_db.testing.results import FileResult, parse_tap
from tests.support import Cli, scalar, skip_or_fail

pytestmark = [pytest.mark.pg, pytest.mark.slow]

PASSING = """begin;
select plan(2);
select ok(true, 'first');
select is(1 + 1, 2, 'second');
select * from finish();
rollback;
"""
FAILING = """begin;
select plan(3);
select ok(true, 'fine');
select is(1, 2, 'one is two');
select ok(true);
select * from finish();
rollback;
"""
DYING = """begin;
select plan(2);
select ok(true, 'before the error');
select no_such_function();
rollback;
"""
SKIPS_AND_TODO = """begin;
select plan(3);
select ok(true, 'plain');
select skip('not on this server', 1);
select todo('known bug', 1);
select ok(false, 'expected to fail');
select * from finish();
rollback;
"""
PSQL_META = r"""\set answer 42
\i _shared/helper.sql.raw
begin;
select plan(2);
select is(:answer, 42, 'psql variables work');
select is(pg_temp.helper_value(), 7, 'a file included with \i, relative to supabase/tests');
select * from finish();
rollback;
"""
HELPER = "create or replace function pg_temp.helper_value() returns int language sql as 'select 7';\n"
NO_PLAN = "select ok(true, 'no plan');\n"
SKIP_ALL = "\\echo '1..0 # SKIP not relevant here'\n"


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    """A project with one file of every kind under supabase/tests (and a helper pg_prove skips)."""
    tests = tmp_path / "supabase" / "tests"
    (tests / "database").mkdir(parents=True)
    (tests / "_shared").mkdir()
    (tests / "_shared" / "helper.sql.raw").write_text(HELPER)
    files = {
        "database/01_passing_test.sql": PASSING,
        "database/02_failing_test.sql": FAILING,
        "database/03_dying.test.sql": DYING,
        "database/04_skips.sql": SKIPS_AND_TODO,
        "05_meta.pg": PSQL_META,
        "06_no_plan.sql": NO_PLAN,
        "07_skip_all.sql": SKIP_ALL,
        "README.md": "not a test",
    }
    for name, text in files.items():
        (tests / name).write_text(text)
    return tmp_path


@pytest.fixture
def pgtap_db(khepri_clone_url: str) -> str:
    """A migrated clone where pgTAP can be created (skipped on servers without it)."""
    if find_pgtap() is None:
        skip_or_fail("no pgTAP on this machine (apt-get install postgresql-15-pgtap, or khepri-db test pgtap --fetch)")
    with connect(khepri_clone_url) as conn:
        if scalar(conn, "select count(*) from pg_available_extensions where name = 'pgtap'") == 0:
            pytest.skip("this server was started before pgTAP was staged, or is not one khepri-db starts")
    return khepri_clone_url


def _pg_prove() -> str:
    found = shutil.which("pg_prove")
    if found is None:
        skip_or_fail("pg_prove is not installed (Debian: apt-get install libtap-parser-sourcehandler-pgtap-perl)")
    assert found is not None
    return found


def _run_pg_prove(url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    connection, env = psql_environment(url)
    assert connection == []  # all in the environment, as supabase test db passes it to pg_prove
    return subprocess.run(
        [_pg_prove(), "--ext", ".pg", "--ext", ".sql", "-r", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_files_are_collected_in_pg_provess_order(suite: Path) -> None:
    tests = suite / "supabase" / "tests"
    ours = [str(p.relative_to(suite)) for p in collect_test_files([tests])]
    dry = subprocess.run(
        [_pg_prove(), "--dry", "--ext", ".pg", "--ext", ".sql", "-r", "supabase/tests"],
        cwd=suite, capture_output=True, text=True, timeout=60, check=True,
    ).stdout.split()  # fmt: skip
    assert ours == [line for line in dry if line.startswith("supabase/")]  # then pg_prove's own options
    assert "supabase/tests/README.md" not in ours


def test_a_path_that_does_not_exist_is_a_usage_error(cli: Cli, suite: Path) -> None:
    result = cli("test", "db", "supabase/tests/nope.sql", cwd=suite)
    assert result.exit_code == 2
    assert "supabase/tests/nope.sql" in result.stderr


def test_no_tests_directory_says_how_to_write_one(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "supabase").mkdir()
    result = cli("test", "db", cwd=tmp_path)
    assert result.exit_code == 2
    assert "test new" in result.stderr


def _results_by_file(data: dict) -> dict[str, dict]:
    return {Path(r["path"]).name: r for r in data["results"]}


def test_verdicts_match_pg_prove_on_the_same_database(cli: Cli, suite: Path, pgtap_db: str) -> None:
    result = cli("test", "db", "--db-url", pgtap_db, "--format", "json", cwd=suite)
    assert result.exit_code == 1, result.stdout
    ours = _results_by_file(json.loads(result.stdout))
    with connect(pgtap_db, autocommit=True) as conn:
        conn.execute("create extension if not exists pgtap with schema extensions")
    reference = _run_pg_prove(pgtap_db, suite / "supabase" / "tests", ".")
    assert reference.returncode != 0
    report = reference.stdout
    # every file pg_prove calls ok is a pass of ours, every file in its summary report a failure
    every_file = {Path(m).name for m in re.findall(r"^(\./\S+|\S+\.(?:sql|pg)) \.+ ", report, re.MULTILINE)}
    failing_theirs = {Path(m).name for m in re.findall(r"^(\S+)\s+\(Wstat:", report, re.MULTILINE)}
    skipped_theirs = {Path(m).name for m in re.findall(r"^(\S+) \.+ skipped", report, re.MULTILINE)}
    passing_theirs = every_file - failing_theirs - skipped_theirs
    assert len(every_file) == 7
    assert {n for n, r in ours.items() if r["status"] == "pass"} == passing_theirs
    assert {n for n, r in ours.items() if r["status"] in ("fail", "error")} == failing_theirs
    assert {n for n, r in ours.items() if r["status"] == "skip"} == skipped_theirs
    total = int(re.search(r"Tests=(\d+)", report).group(1))  # type: ignore[union-attr]
    assert sum(r["run"] for r in ours.values()) == total
    for name, failed in re.findall(r"^(\S+)\s+\(Wstat: \d+.*?Tests: \d+ Failed: (\d+)\)", report, re.MULTILINE):
        assert ours[Path(name).name]["failed"] == int(failed)
    diagnostics = ours["02_failing_test.sql"]["assertions"][1]["diagnostics"]
    assert diagnostics == ['Failed test 2: "one is two"', "        have: 1", "        want: 2"]
    assert ours["03_dying.test.sql"]["exit_code"] == 3
    assert "no_such_function" in ours["03_dying.test.sql"]["error"]
    assert "No plan found in TAP output" in ours["06_no_plan.sql"]["problems"]
    assert ours["05_meta.pg"]["status"] == "pass"


def test_text_output_ends_with_pg_proves_summary(cli: Cli, suite: Path, pgtap_db: str) -> None:
    result = cli("test", "db", "--db-url", pgtap_db, "supabase/tests/database/01_passing_test.sql",
                 "supabase/tests/database/04_skips.sql", cwd=suite)  # fmt: skip
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("supabase/tests/database/01_passing_test.sql ..")
    assert lines[0].endswith(" ok")
    assert "All tests successful." in lines
    assert re.fullmatch(r"Files=2, Tests=5, \d+\.\d\d wallclock secs", lines[-2])
    assert lines[-1] == "Result: PASS"


def test_a_failure_prints_the_assertion_and_its_diagnostics(cli: Cli, suite: Path, pgtap_db: str) -> None:
    result = cli("test", "db", "--db-url", pgtap_db, "supabase/tests/database/02_failing_test.sql", cwd=suite)
    assert result.exit_code == 1
    assert "Failed 1/3 subtests" in result.stdout
    assert "not ok 2 - one is two" in result.stdout
    assert "have: 1" in result.stdout
    assert "want: 2" in result.stdout
    assert result.stdout.strip().endswith("Result: FAIL")


def test_pgtap_is_created_for_the_run_and_dropped_after(cli: Cli, suite: Path, pgtap_db: str) -> None:
    with connect(pgtap_db, autocommit=True) as conn:
        conn.execute("drop extension if exists pgtap")
    result = cli("test", "db", "--db-url", pgtap_db, "supabase/tests/database/01_passing_test.sql", cwd=suite)
    assert result.exit_code == 0, result.stdout
    with connect(pgtap_db) as conn:  # a second connection: the drop committed
        assert scalar(conn, "select count(*) from pg_extension where extname = 'pgtap'") == 0
        conn.execute("create extension pgtap with schema extensions")
        conn.commit()
    result = cli("test", "db", "--db-url", pgtap_db, "supabase/tests/database/01_passing_test.sql", cwd=suite)
    assert result.exit_code == 0
    with connect(pgtap_db) as conn:  # it was there before: kept, as supabase test db keeps it
        assert scalar(conn, "select extnamespace::regnamespace::text from pg_extension where extname = 'pgtap'") == (
            "extensions"
        )


def test_jobs_give_the_same_results_as_one_after_the_other(cli: Cli, suite: Path, pgtap_db: str) -> None:
    serial = json.loads(cli("test", "db", "--db-url", pgtap_db, "--format", "json", cwd=suite).stdout)
    parallel = json.loads(cli("test", "db", "--db-url", pgtap_db, "--format", "json", "-j", "3", cwd=suite).stdout)
    assert parallel["jobs"] == 3
    strip = ("duration_s",)
    for ours, theirs in zip(serial["results"], parallel["results"], strict=True):
        assert {k: v for k, v in ours.items() if k not in strip} == {k: v for k, v in theirs.items() if k not in strip}


def test_junit_report(cli: Cli, suite: Path, pgtap_db: str, tmp_path: Path) -> None:
    report = tmp_path / "out" / "junit.xml"
    result = cli("test", "db", "--db-url", pgtap_db, "--junit", str(report), cwd=suite)
    assert result.exit_code == 1
    root = ET.parse(report).getroot()  # noqa: S314 (a file this test wrote)
    assert root.tag == "testsuites"
    suites = {Path(s.get("name", "")).name: s for s in root.findall("testsuite")}
    assert len(suites) == 7
    failing = suites["02_failing_test.sql"]
    assert [c.get("name") for c in failing.findall("testcase")] == [
        "1 - fine",
        "2 - one is two",
        "3 - (no description)",
    ]
    failure = failing.find("testcase[@name='2 - one is two']/failure")
    assert failure is not None
    assert "have: 1" in (failure.text or "")
    assert failing.get("failures") == "1"
    assert failing.get("tests") == "3"
    skips = suites["04_skips.sql"]
    assert skips.get("skipped") == "2"
    assert skips.get("failures") == "0"
    dying = suites["03_dying.test.sql"]
    error = dying.find("testcase[@name='(file)']/error")
    assert error is not None
    assert "Bad plan" in (error.get("message") or "")
    assert "no_such_function" in (error.text or "")
    skip_all = suites["07_skip_all.sql"].find("testcase/skipped")
    assert skip_all is not None
    assert skip_all.get("message") == "not relevant here"
    assert root.get("failures") == "1"
    assert root.get("errors") == "2"


def test_test_new_writes_a_test_that_passes(cli: Cli, tmp_path: Path, pgtap_db: str) -> None:
    (tmp_path / "supabase").mkdir()
    result = cli("test", "new", "rls_notes", cwd=tmp_path)
    assert result.exit_code == 0
    written = tmp_path / "supabase" / "tests" / "rls_notes_test.sql"
    assert "Created new pgTAP test at supabase/tests/rls_notes_test.sql." in result.stdout
    again = cli("test", "new", "rls_notes", cwd=tmp_path)
    assert again.exit_code == 2
    assert "already exists" in again.stderr
    run = cli("test", "db", "--db-url", pgtap_db, cwd=tmp_path)
    assert run.exit_code == 0, run.stdout
    assert written.is_file()


@pytest.mark.pg(">=18")  # extension_control_path hides the staged pgTAP
def test_no_pgtap_on_the_server_exits_2_with_the_install_command(cli: Cli, suite: Path, pgtap_db: str) -> None:
    # The session's server has pgTAP staged; a session that looks only in the server's own
    # extension directory ($system) sees what a server without it would.
    with connect(pgtap_db, autocommit=True) as conn:
        conn.execute("drop extension if exists pgtap")
        conn.execute("set extension_control_path = '$system'")
        if scalar(conn, "select count(*) from pg_available_extensions where name = 'pgtap'"):
            pytest.skip("this server's own installation ships pgTAP")
    hidden = pgtap_db + "?options=-c%20extension_control_path%3D%24system"
    result = cli("test", "db", "--db-url", hidden, "supabase/tests/database/01_passing_test.sql", cwd=suite)
    assert result.exit_code == 2
    assert "has no pgTAP extension" in result.stderr
    assert "postgresql-15-pgtap" in result.stderr


def test_tap_judged_as_tap_harness_judges_it() -> None:
    def judge(stdout: str, code: int = 0) -> FileResult:
        return parse_tap(FileResult(Path("f.sql"), "f.sql", exit_code=code), stdout)

    assert judge("1..2\nok 1\nok 2\n").status == "pass"
    assert judge("1..2\nok 1\n").problems == ["Bad plan.  You planned 2 tests but ran 1."]
    assert judge("ok 1\nok 2\n1..2\n").status == "pass"  # a trailing plan (no_plan + finish)
    assert judge("1..2\nok 1\nok 3\n").problems == ["Tests out of sequence.  Found (3) but expected (2)"]
    assert judge("1..1\nnot ok 1 - x # TODO later\n").status == "pass"
    assert judge("1..1\nok 1\n", code=3).status == "error"
    assert judge("1..0 # SKIP nothing to do\n").status == "skip"
    # query rows a file prints are not TAP: TAP::Parser's grammar, stricter than tap.py's own patterns
    rows = judge("1..2\n11111111-1111-1111-1111-111111111111\nokay\nok 1 - a\n1..2x\nok 2\n")
    assert rows.status == "pass"
    assert rows.planned == 2
    assert [a.number for a in rows.assertions] == [1, 2]
    assert judge("1..2 # SKIP nope\nok 1\nok 2\n").problems == ["No plan found in TAP output"]
    bailed = judge("1..3\nok 1\nBail out! no database\n")
    assert bailed.status == "error"
    assert bailed.bailed == "no database"


def test_pytest_collects_pgtap_files(suite: Path, khepri_settings: object) -> None:
    """``pytest supabase/tests`` runs every pgTAP file as an item, on the plugin's engine."""
    if find_pgtap() is None:
        skip_or_fail("no pgTAP on this machine")
    migrations = suite / "supabase" / "migrations"
    migrations.mkdir()
    (suite / "supabase" / "seed.sql").write_text(
        "create table public.seeded (id int); insert into public.seeded values (1);\n"
    )
    (suite / "supabase" / "tests" / "08_seeded_test.sql").write_text(
        "begin; select plan(1); select is((select count(*)::int from public.seeded), 1, 'seed loaded');"
        " select * from finish(); rollback;\n"
    )
    engine = getattr(khepri_settings, "engine", "embedded")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "supabase/tests", "-p", "no:cacheprovider", "-q", "-rA",
         "--khepri-engine", engine if engine in ("embedded", "system") else "embedded"],
        cwd=suite, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    out = done.stdout
    assert done.returncode == 1, out
    assert re.search(r"PASSED supabase/tests/08_seeded_test.sql::08_seeded_test.sql", out), out
    assert re.search(r"PASSED supabase/tests/database/01_passing_test.sql", out)
    assert re.search(r"FAILED supabase/tests/database/02_failing_test.sql", out)
    assert "the file skipped itself: not relevant here" in out
    assert "not ok 2 - one is two" in out
    assert "want: 2" in out
    assert "README.md" not in out


def test_pgtap_fetched_from_debians_archive_is_the_packaged_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not all(shutil.which(tool) for tool in ("apt-get", "apt-cache", "dpkg-deb")):
        pytest.skip("not a Debian/Ubuntu machine: pgTAP cannot be fetched from Debian's archive here")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    from khepri_db.core.errors import EngineError
    from khepri_db.engines.pgtap import cache_dir, fetch_pgtap

    try:
        fetched = fetch_pgtap()
    except EngineError as exc:
        skip_or_fail(f"Debian's archive did not give pgTAP: {exc.message}")
        raise
    assert fetched.directory == cache_dir()
    assert cache_dir().is_relative_to(tmp_path)
    assert {p.name for p in fetched.files} >= {"pgtap.control", f"pgtap--{fetched.version}.sql"}
    script = f"pgtap--{fetched.version}.sql"
    for packaged in Path("/usr/share/postgresql").glob(f"*/extension/{script}"):  # the same package, installed
        assert (fetched.directory / script).read_bytes() == packaged.read_bytes()


def test_files_run_in_the_first_paths_directory_as_the_supabase_cli_chooses_it(tmp_path: Path) -> None:
    from khepri_db.testing.files import working_directory

    tests = tmp_path / "supabase" / "tests"
    assert working_directory(tests) == tests  # the default: \i paths relative to supabase/tests
    assert working_directory(tests / "rls" / "notes_test.sql") == tests / "rls"  # a file: its directory


def test_pgtap_kept_when_a_test_committed_something_that_needs_it(cli: Cli, tmp_path: Path, pgtap_db: str) -> None:
    tests = tmp_path / "supabase" / "tests"
    tests.mkdir(parents=True)
    (tests / "commits_test.sql").write_text(
        "select plan(1);\n"
        "create view public.needs_pgtap as select extensions.pass('kept') as line;\n"
        "select ok(true, 'committed a view over a pgTAP function');\n"
    )
    with connect(pgtap_db, autocommit=True) as conn:
        conn.execute("drop extension if exists pgtap cascade")
    result = cli("test", "db", "--db-url", pgtap_db, cwd=tmp_path)
    assert result.exit_code == 0, result.stdout  # as under the Supabase CLI: only a warning
    assert "failed to disable pgTAP" in result.stderr
    with connect(pgtap_db) as conn:
        assert scalar(conn, "select count(*) from pg_extension where extname = 'pgtap'") == 1


def _write_suite(root: Path, files: dict[str, str]) -> Path:
    tests = root / "supabase" / "tests"
    tests.mkdir(parents=True)
    for name, text in files.items():
        (tests / name).write_text(text)
    return tests


WHERE_AM_I = (
    "select plan(1);\nselect pg_sleep(0.3);\nselect diag('database ' || current_database());\nselect pass('ran');\n"
)


def test_jobs_run_on_copies_of_the_database_dropped_after(cli: Cli, tmp_path: Path, pgtap_db: str) -> None:
    _write_suite(tmp_path, {f"{i}_test.sql": WHERE_AM_I for i in range(4)})
    result = cli("test", "db", "--db-url", pgtap_db, "-j", "2", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.stdout
    seen = {c.removeprefix("database ") for r in json.loads(result.stdout)["results"] for c in r["comments"]}
    target = pgtap_db.rsplit("/", 1)[1]
    assert target in seen
    copies = seen - {target}
    assert len(copies) == 1
    assert next(iter(copies)).startswith("khepri_test_")
    with connect(pgtap_db) as conn:  # dropped after the run
        assert scalar(conn, "select count(*) from pg_database where datname = any(%s)", [list(copies)]) == 0


def test_jobs_share_the_database_when_no_copy_can_be_made(cli: Cli, tmp_path: Path, pgtap_db: str) -> None:
    _write_suite(tmp_path, {f"{i}_test.sql": WHERE_AM_I for i in range(3)})
    with connect(pgtap_db) as other:  # another session on the database: PostgreSQL refuses to copy it
        other.execute("select 1")
        result = cli("test", "db", "--db-url", pgtap_db, "-j", "2", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.stdout
    assert "share database" in result.stderr
    seen = {c.removeprefix("database ") for r in json.loads(result.stdout)["results"] for c in r["comments"]}
    assert seen == {pgtap_db.rsplit("/", 1)[1]}


def test_each_file_starts_a_new_session_that_sees_committed_settings(cli: Cli, tmp_path: Path, pgtap_db: str) -> None:
    database = pgtap_db.rsplit("/", 1)[1]
    _write_suite(
        tmp_path,
        {
            "1_sets_test.sql": f"select plan(1);\nalter database {database} set khepri.marker = 'set by file 1';\n"
            "select pass('committed a database setting');\n",
            "2_reads_test.sql": "select plan(2);\n"
            "select is(current_setting('khepri.marker', true), 'set by file 1', 'a new session sees it');\n"
            "select is(current_setting('request.jwt.claims', true), null, 'no setting left by another file');\n",
            "3_claims_test.sql": "select plan(1);\n"
            "select set_config('request.jwt.claims', '{\"sub\": \"x\"}', false);\nselect pass('set claims');\n",
            "4_reads_test.sql": "select plan(1);\n"
            "select is(current_setting('request.jwt.claims', true), null, 'a fresh session: null, not empty');\n",
        },
    )
    try:
        result = cli("test", "db", "--db-url", pgtap_db, cwd=tmp_path)
        assert result.exit_code == 0, result.stdout
    finally:
        with connect(pgtap_db, autocommit=True) as conn:
            conn.execute(f"alter database {database} reset khepri.marker")
