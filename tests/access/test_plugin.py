"""The pytest plugin as a user's project sees it: options, isolation modes, the access-matrix hook.

Each test runs pytest on a small throwaway project (pytester), pointed at this session's server
with the url engine, so no extra server is started.
"""

from __future__ import annotations

import pytest

from khepri_db.core.db import connect
from khepri_db.engines import ClusterEngine, Engine, binaries_major_version
from khepri_db.testing.plugin import KhepriTestSettings

pytestmark = [pytest.mark.pg, pytest.mark.docker_rerun]

pytest_plugins = ["pytester"]

MIGRATION = """
create table public.items (
    id bigint generated always as identity primary key,
    owner_id uuid not null default auth.uid() references auth.users (id),
    name text not null
);
alter table public.items enable row level security;
create policy items_select on public.items for select to authenticated using (owner_id = (select auth.uid()));
create policy items_insert on public.items for insert to authenticated with check (owner_id = (select auth.uid()));
revoke all on public.items from anon;
"""

ACCESS = """
[tables.items]
row = { owner_id = "{user.id}", name = "matrix item" }
allow.owner = ["select", "insert"]
allow.service_role = "all"
"""


@pytest.fixture
def project(pytester: pytest.Pytester, khepri_server_url: str, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A Supabase-layout project with one migration, using this session's server as a throwaway url."""
    for name in ("KHEPRI_TEST_ENGINE", "KHEPRI_TEST_ISOLATION", "KHEPRI_MIGRATIONS_DIR", "KHEPRI_ACCESS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KHEPRI_TEST_DB_URL", khepri_server_url)
    migrations = pytester.path / "supabase" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "20260101000000_items.sql").write_text(MIGRATION, encoding="utf-8")
    (pytester.path / "supabase" / "access.toml").write_text(ACCESS, encoding="utf-8")
    return pytester


ISOLATION_TESTS = """
import pytest

def test_a_commits(db, make_user, as_user, khepri_isolation):
    alice = make_user()
    with as_user(alice):
        db.execute("insert into public.items (name) values ('first')")
    db.commit()  # only a clone keeps this away from the other test
    assert db.execute("select count(*) from public.items").fetchone() == (1,)

def test_b_sees_its_own_database(db, khepri_isolation):
    count = db.execute("select count(*) from public.items").fetchone()[0]
    print(f"ISOLATION={khepri_isolation} COUNT={count}")
    assert count == (0 if khepri_isolation == "clone" else 1)
"""


def test_clone_isolation_gives_each_test_its_own_database(project: pytest.Pytester) -> None:
    project.makepyfile(test_isolation=ISOLATION_TESTS)
    result = project.runpytest_inprocess("-p", "no:cacheprovider", "--khepri-isolation", "clone", "-s")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*ISOLATION=clone COUNT=0*"])


def test_transaction_isolation_shares_one_database_so_a_commit_shows(project: pytest.Pytester) -> None:
    # The default mode is cheap because tests share a database and roll back: a test that commits
    # breaks that contract, which this run demonstrates (use clone isolation for such tests).
    project.makepyfile(test_isolation=ISOLATION_TESTS)
    result = project.runpytest_inprocess("-p", "no:cacheprovider", "-s")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*ISOLATION=transaction COUNT=1*"])


def test_the_access_matrix_hook_parametrizes_one_test_per_cell(project: pytest.Pytester) -> None:
    project.makepyfile(test_matrix="def test_access(khepri_access_cell):\n    khepri_access_cell.check()\n")
    result = project.runpytest_inprocess("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=4 * 4 + 1)  # 4 actors x 4 operations, plus coverage
    result.stdout.fnmatch_lines(["*test_access?public.items:owner:insert? PASSED*", "*test_access?coverage? PASSED*"])


def test_the_access_matrix_hook_fails_the_cells_a_bug_breaks(project: pytest.Pytester) -> None:
    (project.path / "supabase" / "access.toml").write_text(
        ACCESS.replace('allow.owner = ["select", "insert"]', 'allow.owner = ["select", "insert", "update"]'),
        encoding="utf-8",
    )
    project.makepyfile(test_matrix="def test_access(khepri_access_cell):\n    khepri_access_cell.check()\n")
    result = project.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=16, failed=1)
    result.stdout.fnmatch_lines(
        ["*public.items:owner:update: declared allowed, actual denied (0 rows: filtered out by RLS)*"]
    )


def test_an_undeclared_table_fails_the_coverage_case(project: pytest.Pytester) -> None:
    (project.path / "supabase" / "migrations" / "20260102000000_more.sql").write_text(
        "create table public.extra (id int primary key);", encoding="utf-8"
    )
    project.makepyfile(test_matrix="def test_access(khepri_access_cell):\n    khepri_access_cell.check()\n")
    result = project.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=16, failed=1)
    result.stdout.fnmatch_lines(["*declared nowhere: table public.extra*"])


def test_an_invalid_declaration_is_reported_at_collection(project: pytest.Pytester) -> None:
    (project.path / "supabase" / "access.toml").write_text(ACCESS.replace("select", "selcet", 1), encoding="utf-8")
    project.makepyfile(test_matrix="def test_access(khepri_access_cell):\n    khepri_access_cell.check()\n")
    result = project.runpytest_inprocess("-p", "no:cacheprovider")
    assert result.ret != 0
    assert "'selcet' not an operation" in result.stderr.str() + result.stdout.str()


SETTINGS_PROBE = """
def test_settings(khepri_settings):
    s = khepri_settings
    print(f"ENGINE={s.engine} ISOLATION={s.isolation} MIGRATIONS={s.migrations_dir} ACCESS={s.access_file.name}")
"""


def test_options_come_from_the_command_line_then_environment_then_ini(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.makeini(
        "[pytest]\nkhepri_isolation = clone\nkhepri_migrations_dir = db/migrations\nkhepri_access_file = rules.toml\n"
    )
    project.makepyfile(test_probe=SETTINGS_PROBE)
    result = project.runpytest_inprocess("-p", "no:cacheprovider", "-s")
    result.stdout.fnmatch_lines(
        [f"*ENGINE=url ISOLATION=clone MIGRATIONS={project.path}/db/migrations ACCESS=rules.toml*"]
    )
    monkeypatch.setenv("KHEPRI_TEST_ISOLATION", "transaction")
    result = project.runpytest_inprocess("-p", "no:cacheprovider", "-s")
    result.stdout.fnmatch_lines(["*ISOLATION=transaction*"])
    result = project.runpytest_inprocess("-p", "no:cacheprovider", "-s", "--khepri-isolation", "clone")
    result.stdout.fnmatch_lines(["*ISOLATION=clone*"])


def test_bad_settings_are_usage_errors(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    project.makepyfile(test_probe=SETTINGS_PROBE)
    monkeypatch.setenv("KHEPRI_TEST_ENGINE", "cloud")
    result = project.runpytest_inprocess("-p", "no:cacheprovider")
    assert "unknown engine 'cloud'" in result.stdout.str() + result.stderr.str()
    monkeypatch.setenv("KHEPRI_TEST_ENGINE", "docker")
    monkeypatch.delenv("KHEPRI_DOCKER_IMAGE", raising=False)  # the default: Supabase's image
    result = project.runpytest_inprocess("-p", "no:cacheprovider", "--khepri-isolation", "clone")
    assert "the docker engine offers no clones on Supabase's image" in result.stdout.str() + result.stderr.str()


def test_this_session_runs_on_the_configured_engine(
    khepri_settings: KhepriTestSettings, khepri_engine: Engine, khepri_server_url: str
) -> None:
    assert khepri_engine.name == khepri_settings.engine
    with connect(khepri_server_url) as conn:
        major = conn.execute("select current_setting('server_version_num')::int / 10000").fetchone()[0]
    print(f"khepri-db test session: {khepri_engine.name} engine, PostgreSQL {major}")
    if isinstance(khepri_engine, ClusterEngine):  # embedded or system: the binaries it was started with
        assert major == binaries_major_version(khepri_engine.bin_dir())
