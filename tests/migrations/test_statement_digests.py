"""Kept statement digests (StatementDigests): comparing unchanged migration files with their history
without splitting them again, and never hiding a change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from khepri_db.core.db import connect
from khepri_db.migrations import files as files_module
from khepri_db.migrations.apply import migrate
from khepri_db.migrations.files import StatementDigests, discover
from khepri_db.migrations.history import read_history
from khepri_db.migrations.status import MigrationState, compare, migration_status
from tests.support import write_migration

pytestmark = pytest.mark.pg


def _states(url: str, directory: Path, digests: StatementDigests | None) -> dict[str, MigrationState]:
    with connect(url) as conn:
        history = read_history(conn)
    files, ignored = discover(directory)
    status = compare(files, ignored, history, directory, digests=digests)
    return {e.version: e.state for e in status.entries}


@pytest.fixture
def applied(empty_db_url: str, migrations_dir: Path) -> list[Path]:
    paths = [
        write_migration(migrations_dir, "20260101000000_notes.sql", "create table public.notes (id int);\n"),
        write_migration(
            migrations_dir,
            "20260101000100_more.sql",
            "alter table public.notes add column t text;\n\ncomment on table public.notes is 'a note';\n",
        ),
    ]
    migrate(empty_db_url, migrations_dir)
    return paths


def test_unchanged_files_are_applied_and_remembered_without_splitting_again(
    empty_db_url: str, migrations_dir: Path, applied: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache" / "statements.json"
    first = StatementDigests(cache)
    assert _states(empty_db_url, migrations_dir, first) == dict.fromkeys(
        ["20260101000000", "20260101000100"], MigrationState.APPLIED
    )
    first.save()
    assert len(json.loads(cache.read_text())["files"]) == 2

    def no_split(_sql: str) -> list[object]:
        raise AssertionError("an unchanged file was split again")

    monkeypatch.setattr(files_module, "split_statements", no_split)
    assert set(_states(empty_db_url, migrations_dir, StatementDigests(cache)).values()) == {MigrationState.APPLIED}


def test_a_changed_file_is_changed_whatever_the_cache_holds(
    empty_db_url: str, migrations_dir: Path, applied: list[Path], tmp_path: Path
) -> None:
    cache = tmp_path / "statements.json"
    warm = StatementDigests(cache)
    _states(empty_db_url, migrations_dir, warm)
    warm.save()

    applied[0].write_text("create table public.notes (id bigint);\n")
    # blank lines between statements change nothing the CLI records: still applied, by splitting
    applied[1].write_text(applied[1].read_text().replace("\n\n", "\n\n\n\n"))

    states = _states(empty_db_url, migrations_dir, StatementDigests(cache))
    assert states == {"20260101000000": MigrationState.CHANGED, "20260101000100": MigrationState.APPLIED}
    assert states == _states(empty_db_url, migrations_dir, None)


def test_a_cache_of_another_splitter_or_unreadable_is_ignored(
    empty_db_url: str, migrations_dir: Path, applied: list[Path], tmp_path: Path
) -> None:
    cache = tmp_path / "statements.json"
    warm = StatementDigests(cache)
    _states(empty_db_url, migrations_dir, warm)
    warm.save()
    data = json.loads(cache.read_text())
    data["splitter"] = "another"
    cache.write_text(json.dumps(data))
    assert StatementDigests(cache)._old == {}

    cache.write_text("not json")
    assert set(_states(empty_db_url, migrations_dir, StatementDigests(cache)).values()) == {MigrationState.APPLIED}


def test_off_keeps_no_digests(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(files_module.STATEMENT_DIGESTS_ENV, "off")
    assert StatementDigests.default() is None
    monkeypatch.setenv(files_module.STATEMENT_DIGESTS_ENV, str(tmp_path))
    digests = StatementDigests.default()
    assert digests is not None
    assert digests.path == tmp_path / "statements.json"


def test_status_keeps_the_digests_and_still_sees_an_edit(
    empty_db_url: str, migrations_dir: Path, applied: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(files_module.STATEMENT_DIGESTS_ENV, str(tmp_path))
    with connect(empty_db_url) as conn:
        assert not migration_status(conn, migrations_dir).has_drift
        kept = json.loads((tmp_path / "statements.json").read_text())["files"]
        assert sorted(kept) == sorted(files_module.sha256_hex(p.read_bytes()) for p in applied)

        applied[1].write_text("alter table public.notes add column t varchar;\n")
        status = migration_status(conn, migrations_dir)
    assert [e.version for e in status.entries if e.state is MigrationState.CHANGED] == ["20260101000100"]
