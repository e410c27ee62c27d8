"""``khepri-db access export --pgtap``: the verified access matrix as a pgTAP file for the Supabase workflow.

The file must pass under plain pg_prove (what ``supabase test db`` runs; the reference here, as
Debian packages it) and under ``khepri-db test db``, fail where a policy is weakened, and leave
nothing behind, neither the export nor the file.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from khepri_db.access.pgtap_export import DIGEST_PREFIX
from khepri_db.core.db import connect
from tests.support import REPO, Cli, scalar, skip_or_fail
from tests.support.pgtap import pg_prove

pytestmark = [pytest.mark.pg, pytest.mark.slow]


@pytest.fixture
def exported(cli: Cli, khepri_clone_url: str, tmp_path: Path) -> Path:
    """The Khepri matrix exported from a migrated clone into <tmp>/supabase/tests/access_matrix_test.sql."""
    with connect(khepri_clone_url) as conn:
        if scalar(conn, "select count(*) from pg_available_extensions where name = 'pgtap'") == 0:
            skip_or_fail("this server has no pgTAP")
        users = scalar(conn, "select count(*) from auth.users")
    target = tmp_path / "supabase" / "tests" / "access_matrix_test.sql"
    result = cli("access", "export", "--pgtap", str(target), "--db-url", khepri_clone_url,
                 "--access-file", str(REPO / "supabase" / "access.toml"), "--format", "json", cwd=REPO)  # fmt: skip
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["cells"] > 300
    with connect(khepri_clone_url) as conn:  # the export's run was rolled back
        assert scalar(conn, "select count(*) from auth.users") == users
    return target


def test_the_exported_matrix_passes_under_pg_prove_and_test_db(exported: Path, khepri_clone_url: str, cli: Cli) -> None:
    done = pg_prove(khepri_clone_url, exported.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Result: PASS" in done.stdout
    plan = re.search(r"^select plan\((\d+)\);$", exported.read_text(), re.MULTILINE)
    assert plan is not None
    assert f"Tests={plan.group(1)}" in done.stdout
    ours = cli("test", "db", "--db-url", khepri_clone_url, "--format", "json", cwd=exported.parent.parent.parent)
    assert ours.exit_code == 0, ours.stdout
    with connect(khepri_clone_url) as conn:  # the file rolls itself back
        assert scalar(conn, "select count(*) from auth.users where email like '%%@access.khepri.test'") == 0


def test_a_weakened_policy_fails_the_cells_it_opens(exported: Path, khepri_clone_url: str, cli: Cli) -> None:
    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute("drop policy athletes_select_owner on public.athletes")
        conn.execute("create policy athletes_select_anyone on public.athletes for select to authenticated using (true)")
    result = cli("test", "db", "--db-url", khepri_clone_url, "--format", "json", cwd=exported.parent.parent.parent)
    assert result.exit_code == 1
    failed = {a["description"] for r in json.loads(result.stdout)["results"] for a in r["assertions"] if a["failed"]}
    assert failed == {
        "public.athletes other select: denied",
        "public.athletes coach select: denied",
        "public.athletes admin select: denied",
    }
    assert pg_prove(khepri_clone_url, exported.parent).returncode != 0  # and pg_prove agrees


def test_a_matrix_that_does_not_hold_is_not_exported(cli: Cli, khepri_clone_url: str, tmp_path: Path) -> None:
    declaration = (REPO / "supabase" / "access.toml").read_text()
    wrong = tmp_path / "access.toml"
    # the declaration says anyone signed in may read every athlete, which the policies deny
    wrong.write_text(declaration.replace('allow.owner = "all"', 'allow.owner = "all"\nallow.other = ["select"]', 1))
    target = tmp_path / "out.sql"
    result = cli("access", "export", "--pgtap", str(target), "--db-url", khepri_clone_url, "--access-file", str(wrong),
                 cwd=REPO)  # fmt: skip
    assert result.exit_code == 1
    assert "not as declared" in result.stderr
    assert "public.athletes:other:select" in result.stderr
    assert not target.exists()


def test_the_checked_in_matrix_file_is_current() -> None:
    """supabase/tests/database/access_matrix_test.sql (run by `pytest supabase/tests` and `khepri-db
    test db`) was exported from today's access.toml: regenerate it with `khepri-db access export
    --pgtap supabase/tests/database/access_matrix_test.sql` after changing the declaration."""
    checked_in = REPO / "supabase" / "tests" / "database" / "access_matrix_test.sql"
    header = checked_in.read_text().splitlines()[1]
    digest = hashlib.sha256((REPO / "supabase" / "access.toml").read_bytes()).hexdigest()
    assert header == f"-- {DIGEST_PREFIX}{digest}", "stale: re-export the access matrix (see this test's docstring)"


def _shape(text: str) -> list[str]:
    """An export's lines with what differs from run to run masked: ids (uuids with or without dashes), the
    run's 12-hex tag, 8-hex suffixes, timestamps, JWT iat/exp/amr timestamps, and the header's date and digest."""
    masks = [
        (r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", "<uuid>"),
        (r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(\+00:00| UTC)?", "<time>"),
        (r"\d{4}-\d{2}-\d{2}", "<date>"),
        (r"(?<![0-9a-f])[0-9a-f]{12}(?![0-9a-f])", "<run>"),
        (r"(?<![0-9a-f])[0-9a-f]{8}(?![0-9a-f])", "<tag>"),
        (r"[0-9a-f]{64}", "<digest>"),
        (r'"(iat|exp|timestamp)":\d+', r'"\1":<epoch>'),
    ]
    lines = []
    for line in text.splitlines():
        for pattern, mask in masks:
            line = re.sub(pattern, mask, line)
        lines.append(line)
    return lines


def test_the_checked_in_matrix_file_is_what_the_exporter_writes_today(exported: Path) -> None:
    # the digest above says the declaration has not changed; this says the exporter has not either (an
    # export written before a change to the probes, e.g. issue 22's fresh keys, is stale too)
    checked_in = REPO / "supabase" / "tests" / "database" / "access_matrix_test.sql"
    assert _shape(checked_in.read_text()) == _shape(exported.read_text()), (
        "stale: re-export the access matrix (see test_the_checked_in_matrix_file_is_current)"
    )
