"""The engine's staging of extension stand-ins onto PostgreSQL 18's ``extension_control_path``.

The stand-ins themselves are tested per extension (tests/test_ext_*.py); this file checks the
mechanism: which files are staged, that nothing is staged for servers older than 18, and that the
running test server really has the staged directory on its ``extension_control_path``, after the
server's own extension directory (so a real extension wins over a stand-in of the same name).
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from khepri_db.core.project import bundled_path
from khepri_db.engines import EXTENSIONS_DIR, stage_extension_standins

SOURCE = bundled_path("sql", "extensions")


def _shipped_files() -> set[str]:
    return {p.name for p in SOURCE.glob("*/*") if p.suffix in {".control", ".sql"}}


def test_nothing_is_staged_below_postgresql_18(tmp_path: Path) -> None:
    assert stage_extension_standins(tmp_path, 15) is None
    assert not (tmp_path / EXTENSIONS_DIR).exists()


def test_every_control_and_script_file_is_staged_flat_and_stale_files_go(tmp_path: Path) -> None:
    stale = tmp_path / EXTENSIONS_DIR / "extension" / "gone--0.1.sql"
    stale.parent.mkdir(parents=True)
    stale.write_text("select 1;")
    root = stage_extension_standins(tmp_path, 18)
    if not _shipped_files():
        pytest.skip("this build ships no extension stand-ins (sql/extensions is empty)")
    assert root == tmp_path / EXTENSIONS_DIR
    staged = {p.name for p in (root / "extension").iterdir()}
    assert staged == _shipped_files()
    assert not stale.exists()


def test_the_test_server_looks_in_its_own_extension_directory_first(khepri_server_url: str) -> None:
    with psycopg.connect(khepri_server_url, autocommit=True) as conn:
        major = int(conn.execute("select current_setting('server_version_num')::int / 10000").fetchone()[0])
        if major < 18:
            pytest.skip(f"PostgreSQL {major} has no extension_control_path: stand-ins need 18+")
        path = conn.execute("show extension_control_path").fetchone()[0]
        entries = path.split(":")
        assert entries[0] == "$system"
        assert entries[1].endswith("/" + EXTENSIONS_DIR)
        available = {r[0] for r in conn.execute("select name from pg_catalog.pg_available_extensions")}
    controls = {p.stem for p in SOURCE.glob("*/*.control")}
    assert controls <= available
