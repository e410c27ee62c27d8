"""The wheel carries the SQL the toolkit runs, so an installed khepri-db works from any directory."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support import REPO

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
    assert "khepri_db = khepri_db.testing.plugin" in text


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


def test_the_readme_layout_table_matches_the_package_tree() -> None:
    """Every subpackage and public module of khepri_db/ is named in the README's layout table, and
    every module the table names exists."""
    repo = Path(__file__).resolve().parents[1]
    readme = (repo / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows = {
        line.split("|")[1].strip().strip("`"): line.split("|")[2]
        for line in layout.splitlines()
        if line.startswith("| `khepri_db/")
    }
    package = repo / "khepri_db"
    subpackages = sorted(p.name for p in package.iterdir() if (p / "__init__.py").is_file())
    assert sorted(k.strip("/").split("/")[1] for k in rows if k.endswith("/")) == subpackages
    for key, text in rows.items():
        if not key.endswith("/"):
            continue
        directory = repo / key
        named = set(re.findall(r"`(_?[a-z_]+)/?`", text))
        inner = [p for p in directory.iterdir() if (p / "__init__.py").is_file()]  # core/sqltext/
        modules = {p.stem for p in directory.glob("*.py") if p.stem != "__init__"} | {p.name for p in inner}
        modules |= {m.stem for p in inner for m in p.glob("*.py") if m.stem != "__init__"}
        assert modules <= named, f"{key}: modules missing from the README layout table: {sorted(modules - named)}"
        unknown = named - modules - {"filelock", "supabase"}  # a library and the project directory the rows name
        assert not unknown, f"{key}: the README layout table names modules that do not exist: {sorted(unknown)}"


def test_the_readme_layout_table_names_every_test_folder() -> None:
    """The README's ``tests/`` row names every folder of ``tests/`` (test folders mirror the
    package, issue 23), and every folder it names exists."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    [row] = [line for line in layout.splitlines() if line.startswith("| `tests/` |")]
    named = set(re.findall(r"`([a-z_]+)/`", row.split("|")[2]))
    folders = {p.name for p in (REPO / "tests").iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}
    assert sorted(folders - named) == [], "folders of tests/ missing from the README layout table"
    assert sorted(named - folders) == [], "the README layout table names folders tests/ does not have"


def test_every_public_name_resolves_and_import_loads_no_face() -> None:
    """``khepri_db.__all__`` names resolve on first use, and ``import khepri_db`` alone imports none
    of the faces (so ``khepri-db --version`` stays as fast as its driver)."""
    code = (
        "import sys, khepri_db\n"
        "faces = [m for m in sys.modules if m.startswith('khepri_db.')]\n"
        "assert not faces, faces\n"
        "for name in khepri_db.__all__: getattr(khepri_db, name)\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_the_readme_sample_output_counts_the_khepri_migrations() -> None:
    repo = Path(__file__).resolve().parents[1]
    readme = (repo / "README.md").read_text(encoding="utf-8")
    count = len(list((repo / "supabase" / "migrations").glob("*.sql")))
    assert f"applying {count} migration(s) from" in readme
    assert f"Applied {count} migration(s) from" in readme
