"""Engines: the embedded server's lifecycle through the real `khepri-db` executable, and the url engine."""

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

from khepri_db.engines import SERVICE_USER, STATE_FILE, UrlEngine, free_port
from khepri_db.errors import UsageError

KHEPRI = str(Path(sys.executable).with_name("khepri-db"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KHEPRI, *args], capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def data_dir() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="khepri-test-engine-"))
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
    url = started.stdout.strip().splitlines()[-1]
    assert url.startswith("postgresql://postgres:")
    assert url.endswith(f"@127.0.0.1:{port}/postgres")

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
    assert run("db", "start", "--data-dir", str(data_dir)).stdout.strip().splitlines()[-1] == url  # idempotent

    state = data_dir / STATE_FILE
    assert stat.S_IMODE(state.stat().st_mode) == 0o600  # the password file is private
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
    assert run("db", "start", "--data-dir", str(data_dir)).stdout.strip().splitlines()[-1] == url


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
