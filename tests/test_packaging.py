"""The wheel carries the SQL the toolkit runs, so an installed khepri-db works from any directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

BUNDLED = [
    "khepri_db/_bundled/sql/compat/detect.sql",
    "khepri_db/_bundled/sql/compat/install/030_auth.sql",
    "khepri_db/_bundled/sql/migrations/history.sql",
    "khepri_db/_bundled/sql/doctor/on_conflict_without_unique_index.sql",
    "khepri_db/_bundled/seed.sql",
]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "--target", "wheel", "--directory", str(out)],
        cwd=REPO, check=True, capture_output=True, text=True,
    )  # fmt: skip
    [built] = out.glob("khepri_db-*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_contains_the_bundled_sql(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [n for n in BUNDLED if n not in names]
    assert missing == []
    migrations = sorted(n for n in names if n.startswith("khepri_db/_bundled/migrations/"))
    assert [Path(n).name for n in migrations] == sorted(
        p.name for p in (REPO / "supabase" / "migrations").glob("*.sql")
    )
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "khepri-db = khepri_db.cli:main" in text
    assert "khepri_db = khepri_db.policy.pytest_plugin" in text


@pytest.mark.slow
def test_the_installed_package_migrates_from_any_directory(wheel: Path, tmp_path: Path, empty_db_url: str) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "not-a-project"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-m", "khepri_db", "migrate", "--dry-run", "--khepri-schema", "--db-url", empty_db_url,
         "--format", "json"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    pending = json.loads(result.stdout)["pending"]
    assert len(pending) == len(list((REPO / "supabase" / "migrations").glob("*.sql")))
    assert all(p["file"].startswith(str(site / "khepri_db" / "_bundled" / "migrations")) for p in pending)
    # Without the flag, a directory with no project has no migrations: a clear stop, nothing applied.
    refused = subprocess.run(
        [sys.executable, "-m", "khepri_db", "migrate", "--dry-run", "--db-url", empty_db_url, "--format", "json"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert refused.returncode == 2, refused.stdout
    assert "no Supabase project here" in json.loads(refused.stdout)["error"]["message"]
