"""The docker engine (issue 19): PostgreSQL in a container on loopback, from the CLI and the plugin.

The image is ``KHEPRI_DOCKER_IMAGE`` (CI builds one from the machine's PostgreSQL 15 with
``tests/docker/build_image.sh``, since no registry is reachable); without a Docker engine or the
image these tests skip, saying why, and fail under ``KHEPRI_STRICT`` (CI starts dockerd for them).
No test starts a Docker daemon.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from khepri_db.core.db import connect
from khepri_db.core.errors import EngineError
from khepri_db.engines import DockerEngine, default_image, docker_unavailable_reason, resolve_engine
from khepri_db.engines.docker import LABEL, LABEL_KEY, LABEL_PID, is_supabase_image
from tests.support import Cli, skip_or_fail

REPO = Path(__file__).resolve().parents[2]

pytest_plugins = ["pytester"]


def test_without_a_docker_engine_it_says_why_and_creates_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/khepri-db-test.sock")
    reason = docker_unavailable_reason()
    assert reason is not None
    assert "no Docker engine answers" in reason
    with pytest.raises(EngineError, match="no Docker engine answers") as caught:
        DockerEngine("postgres:15").start()
    assert caught.value.hint is not None
    assert "embedded or system engine" in caught.value.hint
    assert DockerEngine("postgres:15").status().running is False


def test_image_defaults_follow_the_project_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KHEPRI_DOCKER_IMAGE", raising=False)
    assert default_image(15) == "supabase/postgres:15.8.1.085"
    assert default_image(17).startswith("supabase/postgres:17.")
    assert is_supabase_image("supabase/postgres:15.8.1.085")
    assert is_supabase_image("public.ecr.aws/supabase/postgres:17.6.1.104")
    assert not is_supabase_image("postgres:15")
    assert not is_supabase_image("khepri-pg15:local")
    monkeypatch.setenv("KHEPRI_DOCKER_IMAGE", "khepri-pg15:local")
    assert default_image(17) == "khepri-pg15:local"


# -- with a Docker engine ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def image() -> str:
    """The image under test: ``KHEPRI_DOCKER_IMAGE``, present or pullable."""
    name = os.environ.get("KHEPRI_DOCKER_IMAGE")
    if not name:
        skip_or_fail(
            "KHEPRI_DOCKER_IMAGE is not set: the docker engine's tests need an image (build one with "
            "tests/docker/build_image.sh, with a Docker engine running)"
        )
    reason = docker_unavailable_reason(name)
    if reason is not None:
        skip_or_fail(f"the docker engine cannot run here: {reason}")
    assert name is not None
    return name


@pytest.fixture
def client(image: str) -> Iterator[object]:
    import docker

    c = docker.from_env()
    yield c
    c.close()


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    """A project with the Khepri schema's migrations, seed, access matrix and pgTAP tests; its
    container, if a test left one (a failed assertion before `db stop`), is removed afterwards."""
    root = tmp_path / "project"
    (root / "supabase").mkdir(parents=True)
    for name in ("migrations", "tests"):
        shutil.copytree(REPO / "supabase" / name, root / "supabase" / name)
    for name in ("config.toml", "seed.sql", "access.toml"):
        shutil.copy(REPO / "supabase" / name, root / "supabase" / name)
    yield root
    DockerEngine(state_dir=root / ".khepri" / "docker").stop()


def _ours(client: object) -> list[object]:
    return client.containers.list(all=True, filters={"label": f"{LABEL}=1"})  # type: ignore[attr-defined]


def test_the_cli_runs_the_project_in_a_container_on_loopback_and_db_stop_removes_it(
    image: str, client: object, project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(project)
    monkeypatch.setenv("KHEPRI_REGISTRY_DIR", str(tmp_path / "registry"))
    networks_before = {n.id for n in client.networks.list()}  # type: ignore[attr-defined]
    engine = ("--engine", "docker")
    result = cli("db", "start", *engine, "--image", image, cwd=project)
    assert result.exit_code == 0, result.output
    status = resolve_engine(None, None, engine="docker").status()
    assert status.running
    assert status.url is not None
    assert status.url.startswith("postgresql://postgres:")
    # the container: our label, the host's network, PostgreSQL on 127.0.0.1 only
    key = DockerEngine(image, state_dir=project / ".khepri" / "docker").key
    [container] = [c for c in _ours(client) if c.labels.get(LABEL_KEY) == key]
    assert container.attrs["HostConfig"]["NetworkMode"] == "host"
    assert LABEL_PID not in container.labels  # a project's container outlives the command
    with connect(status.url) as conn:
        assert conn.execute("show listen_addresses").fetchone() == ("127.0.0.1",)
    assert {n.id for n in client.networks.list()} == networks_before  # type: ignore[attr-defined]
    # the Khepri schema, its seed, the demo, doctor, the access matrix and the pgTAP suite, in it
    for command in (("migrate",), ("seed",), ("demo",), ("doctor",), ("verify-access",), ("test", "db")):
        result = cli(*command, *engine, cwd=project)
        assert result.exit_code == 0, (command, result.output)
    assert "Demo: all checks passed" in cli("demo", *engine, cwd=project).output
    code, data = cli.json("verify-access", *engine, cwd=project)
    assert code == 0
    assert data["summary"]["mismatches"] == 0
    assert data["summary"]["held"] > 300
    url = cli("db", "url", *engine, cwd=project).output.strip()
    assert url == status.url
    # db list shows it; db stop --all stops it with the rest (the registry is this test's own)
    code, listed = cli.json("db", "list", cwd=project)
    assert code == 0
    [entry] = [e for e in listed if e["engine"] == "docker"]
    assert entry["running"] is True
    assert entry["requested_dir"] == str(project / ".khepri" / "docker")
    code, data = cli.json("db", "stop", "--all", cwd=project)
    assert code == 0
    assert {"engine": "docker", "data_dir": str(project / ".khepri" / "docker")} in data["stopped"]
    assert cli("db", "start", *engine, "--image", image, cwd=project).exit_code == 0  # again, for db stop
    # db stop removes the container and its record
    assert cli("db", "stop", *engine, cwd=project).exit_code == 0
    assert [c for c in _ours(client) if c.id == container.id] == []
    assert not (project / ".khepri" / "docker" / "engine.json").exists()
    assert cli("db", "status", *engine, cwd=project).exit_code == 1


def test_a_missing_image_is_refused_before_anything_is_created(image: str, client: object, tmp_path: Path) -> None:
    before = {c.id for c in _ours(client)}
    engine = DockerEngine("khepri-db-test/no-such-image:1", state_dir=tmp_path / "docker")
    with pytest.raises(EngineError, match="is not present and cannot be pulled") as caught:
        engine.start()
    assert caught.value.hint is not None
    assert "build_image.sh" in caught.value.hint
    assert {c.id for c in _ours(client)} == before
    assert not (tmp_path / "docker" / "engine.json").exists()


def test_a_container_killed_from_outside_is_reported_and_replaced(image: str, client: object, tmp_path: Path) -> None:
    messages: list[str] = []
    engine = DockerEngine(image, state_dir=tmp_path / "docker", log=messages.append)
    url = engine.start()
    try:
        [container] = [c for c in _ours(client) if c.labels.get(LABEL_KEY) == engine.key]
        container.kill()
        status = DockerEngine(image, state_dir=tmp_path / "docker").status()
        assert not status.running
        assert "killed outside khepri-db" in status.detail or "exited" in status.detail
        # the next start says so and makes a new one (the killed container's data is gone with it)
        again = DockerEngine(image, state_dir=tmp_path / "docker", log=messages.append)
        new_url = again.start()
        assert new_url != url
        assert any("was stopped or killed outside khepri-db" in m for m in messages)
        with connect(new_url) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
    finally:
        DockerEngine(image, state_dir=tmp_path / "docker").stop()
    assert [c for c in _ours(client) if c.name == f"khepri-db-{engine.key}"] == []


def test_a_test_sessions_leftover_is_removed_by_the_next_start(image: str, client: object) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()  # a pid that no longer runs
    leftover = client.containers.run(  # type: ignore[attr-defined]
        image, command=["postgres", "-c", "listen_addresses=127.0.0.1", "-c", "port=1"], detach=True,
        network_mode="host", environment={"POSTGRES_PASSWORD": "x"},
        labels={LABEL: "1", LABEL_KEY: "session-test", LABEL_PID: str(dead.pid)},
    )  # fmt: skip
    session = DockerEngine(image)  # a test session's engine: no state directory
    try:
        session.start()
        assert leftover.id not in {c.id for c in _ours(client)}
        [mine] = [c for c in _ours(client) if c.labels.get(LABEL_PID) == str(os.getpid())]
        assert mine.attrs["HostConfig"]["NetworkMode"] == "host"
    finally:
        session.stop()
        for c in _ours(client):
            if c.id == leftover.id:
                c.remove(force=True)
    assert [c for c in _ours(client) if c.labels.get(LABEL_PID) == str(os.getpid())] == []


RLS_TEST = """
import psycopg, pytest

def test_rls_holds_in_the_container(db, make_user, as_user, khepri_engine):
    assert khepri_engine.name == "docker"
    alice, bob = make_user(), make_user()
    with as_user(alice):
        db.execute("select public.finalize_onboarding(profile => '{\\"display_name\\": \\"Alice\\"}'::jsonb)")
        assert db.execute("select count(*) from public.athletes").fetchone() == (1,)
    with as_user(bob):
        assert db.execute("select count(*) from public.athletes").fetchone() == (0,)

def test_the_matrix(khepri_access_cell):
    khepri_access_cell.check()
"""


def test_the_pytest_plugin_runs_rls_tests_and_the_matrix_in_a_container(
    image: str, client: object, pytester: pytest.Pytester, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("KHEPRI_TEST_DB_URL", "KHEPRI_TEST_ISOLATION", "KHEPRI_MIGRATIONS_DIR", "KHEPRI_ACCESS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KHEPRI_TEST_ENGINE", "docker")
    monkeypatch.setenv("KHEPRI_DOCKER_IMAGE", image)
    shutil.copytree(project / "supabase", pytester.path / "supabase")
    pytester.makepyfile(test_rls=RLS_TEST)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert (outcomes.get("failed", 0), outcomes.get("errors", 0)) == (0, 0), result.stdout.str()[-3000:]
    assert outcomes["passed"] > 300  # the RLS test and every cell of the matrix
    assert [c for c in _ours(client) if c.labels.get(LABEL_PID) == str(os.getpid())] == []  # removed at the end
