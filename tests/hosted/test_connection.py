"""Connecting to hosted Supabase (issue 21, item 4): SSL defaults, Supavisor user names, IPv6-only
hosts and ``--linked``, against the session's real server (never leaving loopback)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from psycopg import sql
from typer.main import get_command

from khepri_db.cli import app
from khepri_db.core.db import connect, redact
from khepri_db.core.errors import ConnectionFailedError, UsageError
from khepri_db.core.hosted import (
    connection_failure_advice,
    connection_url,
    describe_supabase_url,
    ipv6_only_addresses,
    linked_url,
    read_linked_project,
    session_pooler_url,
    split_pooler_user,
    ssl_default,
)
from khepri_db.core.hosted import linked as hosted_linked
from khepri_db.core.hosted import urls as hosted_urls
from khepri_db.migrations.reset import is_local_url
from khepri_db.testing.psql import psql_environment
from tests.support import REPO, Cli, scalar

pytestmark = pytest.mark.pg

REF = "khepriqwertyuiopasdf"
"""A project ref of our own (20 lower-case letters): no Supabase project is ever reached."""
DIRECT = f"db.{REF}.supabase.co"
POOLER = "aws-0-eu-central-1.pooler.supabase.com"
SSL_VARIABLES = ("PGSSLMODE", "PGSSLROOTCERT", "PGREQUIRESSL", "PGSERVICE", "PGHOST")


@pytest.fixture(autouse=True)
def _no_ssl_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The defaults under test depend on these: start every test without them."""
    for name in (*SSL_VARIABLES, "SUPABASE_DB_PASSWORD", "SUPABASE_PROJECT_ID", "KHEPRI_DB_URL"):
        monkeypatch.delenv(name, raising=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _only_ipv6(monkeypatch: pytest.MonkeyPatch, *addresses: str) -> None:
    """Make the "only IPv6?" decision see ``addresses`` for every host (the connection itself stays real)."""
    monkeypatch.setattr(hosted_urls, "_getaddrinfo", lambda _host, _port: [(socket.AF_INET6, a) for a in addresses])


# -- sslmode defaults (pure) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "environ", "expected"),
    [
        (f"postgresql://postgres:pw@{DIRECT}:5432/postgres", {}, "require"),
        (f"postgres://postgres.{REF}:pw@{POOLER}:6543/postgres", {}, "require"),
        ("postgresql://u@db.example.com/app?sslrootcert=/etc/ssl/supabase.crt", {}, "verify-full"),
        ("postgresql://u@db.example.com/app", {"PGSSLROOTCERT": "system"}, "verify-full"),
        ("postgresql:///app", {"PGHOST": "db.example.com"}, "require"),
        ("postgresql://u@127.0.0.1,db.example.com/app", {}, "require"),
        # the host names the server, not hostaddr: a tunnel to 127.0.0.1 still gets SSL
        ("postgresql://u@db.example.com/app?hostaddr=127.0.0.1", {}, "require"),
        # already chosen: by the URL, the environment, or a service file
        ("postgresql://u@db.example.com/app?sslmode=disable", {}, None),
        ("postgresql://u@db.example.com/app?requiressl=0", {}, None),
        ("postgresql://u@db.example.com/app", {"PGSSLMODE": "prefer"}, None),
        ("postgresql://u@db.example.com/app?service=prod", {}, None),
        ("postgresql://u@db.example.com/app", {"PGSERVICE": "prod"}, None),
        # on this machine: loopback, localhost, sockets, no host at all
        ("postgresql://postgres:postgres@127.0.0.1:54322/postgres", {}, None),
        ("postgresql://u@127.8.9.10/app", {}, None),
        ("postgresql://u@localhost/app", {}, None),
        ("postgresql://u@LOCALHOST:5432/app", {}, None),
        ("postgresql://u@[::1]:5432/app", {}, None),
        ("postgresql://u@[::ffff:127.0.0.1]/app", {}, None),
        ("postgresql:///app", {}, None),
        ("postgresql://%2Fvar%2Frun%2Fpostgresql/app", {}, None),
        ("postgresql:///app?host=/tmp", {}, None),
        ("postgresql:///app", {"PGHOST": "localhost"}, None),
        # not a URL: left to libpq
        ("host=db.example.com dbname=app", {}, None),
    ],
)
def test_the_ssl_default(url: str, environ: dict[str, str], expected: str | None) -> None:
    assert ssl_default(url, environ) == expected
    expected_url = url if expected is None else f"{url}{'&' if '?' in url else '?'}sslmode={expected}"
    assert connection_url(url, environ) == expected_url


def test_the_ssl_default_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    remote = f"postgresql://postgres:pw@{DIRECT}:5432/postgres"
    assert connection_url(remote).endswith("?sslmode=require")
    monkeypatch.setenv("PGSSLMODE", "verify-ca")
    assert connection_url(remote) == remote


def test_psql_of_test_db_gets_the_same_ssl_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGDATABASE", "stray")  # other PG* variables of this process are still dropped
    _, env = psql_environment(f"postgresql://postgres:pw@{DIRECT}:5432/postgres")
    assert (env["PGSSLMODE"], env["PGHOST"], env["PGPASSWORD"], env["PGDATABASE"]) == (
        "require", DIRECT, "pw", "postgres"
    )  # fmt: skip
    _, env = psql_environment("postgresql://postgres:pw@127.0.0.1:54322/postgres")
    assert "PGSSLMODE" not in env
    _, env = psql_environment("postgresql://u@db.example.com/app?sslmode=disable")
    assert env["PGSSLMODE"] == "disable"

    monkeypatch.setenv("PGSSLMODE", "verify-ca")  # the environment's choice reaches psql too
    monkeypatch.setenv("PGSSLROOTCERT", "/etc/ssl/supabase.crt")
    _, env = psql_environment(f"postgresql://postgres:pw@{DIRECT}:5432/postgres")
    assert (env["PGSSLMODE"], env["PGSSLROOTCERT"]) == ("verify-ca", "/etc/ssl/supabase.crt")
    monkeypatch.delenv("PGSSLMODE")
    _, env = psql_environment(f"postgresql://postgres:pw@{DIRECT}:5432/postgres")
    assert env["PGSSLMODE"] == "verify-full"


# -- sslmode defaults (a real server on 127.0.0.1) -----------------------------------------------


def test_a_loopback_server_without_ssl_still_connects(khepri_server_url: str) -> None:
    assert urlsplit(khepri_server_url).hostname == "127.0.0.1"
    assert connection_url(khepri_server_url) == khepri_server_url
    with connect(khepri_server_url) as conn:
        assert scalar(conn, "select 1") == 1
        assert conn.pgconn.ssl_in_use is False


def _as_remote(url: str) -> str:
    """``url`` naming a host that is not this machine, while libpq still connects to 127.0.0.1."""
    parts = urlsplit(url)
    assert parts.hostname == "127.0.0.1"
    netloc = parts.netloc.replace("127.0.0.1", "khepri-remote.invalid")
    return parts._replace(netloc=netloc, query="hostaddr=127.0.0.1").geturl()


def test_a_remote_host_gets_sslmode_require_on_the_real_connection(
    khepri_server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with connect(khepri_server_url) as conn:
        server_ssl = scalar(conn, "show ssl")
    remote = _as_remote(khepri_server_url)
    assert connection_url(remote) == f"{remote}&sslmode=require"
    if server_ssl == "on":  # a server with SSL: the default is used, not refused
        with connect(remote) as conn:
            assert conn.pgconn.ssl_in_use is True
        return
    with pytest.raises(ConnectionFailedError) as failed:
        connect(remote)
    assert "SSL" in failed.value.message
    assert "sslmode=require" in failed.value.message
    assert failed.value.hint is not None
    assert "sslmode=disable" in failed.value.hint
    assert "pw" not in failed.value.message.replace(redact(remote), "")  # the password stays hidden

    with connect(f"{remote}&sslmode=disable") as conn:  # the URL chooses
        assert conn.pgconn.ssl_in_use is False
    monkeypatch.setenv("PGSSLMODE", "disable")  # the environment chooses
    with connect(remote) as conn:
        assert conn.pgconn.ssl_in_use is False


# -- Supabase hosts and pooler users (pure) ------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"postgresql://postgres:pw@{DIRECT}:5432/postgres", (REF, "direct", None, None)),
        (f"postgresql://postgres:pw@{DIRECT}/postgres", (REF, "direct", None, None)),
        (f"postgresql://postgres:pw@{DIRECT}:6543/postgres", (REF, "pooler", "transaction", None)),  # PgBouncer
        (f"postgresql://postgres.{REF}:pw@{POOLER}:6543/postgres", (REF, "pooler", "transaction", "eu-central-1")),
        (f"postgresql://postgres.{REF}:pw@{POOLER}:5432/postgres", (REF, "pooler", "session", "eu-central-1")),
        (f"postgresql://postgres.{REF}@aws-1-us-east-2.pooler.supabase.com/postgres", (REF, "pooler", "session",
                                                                                       "us-east-2")),
        (f"postgresql://postgres@{POOLER}:6543/postgres?options=reference%3D{REF}", (REF, "pooler", "transaction",
                                                                                     "eu-central-1")),
        ("postgresql://postgres@custom.pooler.supabase.com:6543/postgres", (None, "pooler", "transaction", None)),
        (f"postgresql://postgres.{REF}@{POOLER}:7000/postgres", (REF, "pooler", None, "eu-central-1")),
    ],
)  # fmt: skip
def test_supabase_urls_are_described(url: str, expected: tuple[object, ...]) -> None:
    described = describe_supabase_url(url)
    assert described is not None
    assert (described.ref, described.kind, described.pool_mode, described.region) == expected


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://postgres:postgres@127.0.0.1:54322/postgres",
        f"postgresql://postgres.{REF}@127.0.0.1:6543/postgres",
        "postgresql://postgres@db.short.supabase.co/postgres",  # not a project ref
        f"postgresql://postgres@db.{REF}.supabase.co.evil.example/postgres",
        f"postgresql://postgres@{POOLER}.evil.example:6543/postgres",
        "host=db.example.com",
    ],
)
def test_other_urls_are_not_supabase(url: str) -> None:
    assert describe_supabase_url(url) is None


def test_the_session_pooler_url_of_a_transaction_pooler_url() -> None:
    transaction = f"postgresql://postgres.{REF}:p%40ss@{POOLER}:6543/postgres?application_name=x"
    assert (
        session_pooler_url(transaction)
        == f"postgresql://postgres.{REF}:p%40ss@{POOLER}:5432/postgres?application_name=x"
    )
    session = f"postgresql://postgres.{REF}:pw@{POOLER}:5432/postgres"
    assert session_pooler_url(session) == session
    assert session_pooler_url(f"postgresql://postgres@{POOLER}/postgres?port=6543") == (
        f"postgresql://postgres@{POOLER}/postgres?port=5432"
    )
    assert session_pooler_url(f"postgresql://postgres:pw@{DIRECT}:6543/postgres") == (
        f"postgresql://postgres:pw@{DIRECT}:5432/postgres"
    )
    assert session_pooler_url(f"postgresql://postgres:pw@{DIRECT}:5432/postgres") is None
    assert session_pooler_url("postgresql://postgres@127.0.0.1:6543/postgres") is None


def test_pooler_user_names() -> None:
    assert split_pooler_user(f"postgres.{REF}") == ("postgres", REF)
    assert split_pooler_user(f"first.last.{REF}") == ("first.last", REF)
    assert split_pooler_user("first.last") == ("first.last", None)
    assert split_pooler_user("postgres") == ("postgres", None)
    assert split_pooler_user(f".{REF}") == (f".{REF}", None)


def test_pooler_user_names_are_shown_and_parsed_whole() -> None:
    url = f"postgresql://postgres.{REF}:s3cret@{POOLER}:6543/postgres"
    assert redact(url) == f"postgresql://postgres.{REF}:***@{POOLER}:6543/postgres"
    assert not is_local_url(url)
    assert is_local_url(f"postgresql://postgres.{REF}:s3cret@127.0.0.1:6543/postgres")


# -- IPv6-only hosts -----------------------------------------------------------------------------


def test_ipv6_only_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ipv6_only_addresses("::1") == ("::1",)
    assert ipv6_only_addresses("[::1]") == ("::1",)
    assert ipv6_only_addresses("127.0.0.1") is None
    assert ipv6_only_addresses("/var/run/postgresql") is None
    assert ipv6_only_addresses("khepri-nowhere.invalid") is None  # does not resolve
    _only_ipv6(monkeypatch, "2600:1f18::1", "2600:1f18::1", "2600:1f18::2")
    assert ipv6_only_addresses(DIRECT) == ("2600:1f18::1", "2600:1f18::2")


def test_a_failed_connection_to_an_ipv6_literal_says_so() -> None:
    url = f"postgresql://postgres:s3cret@[::1]:{_free_port()}/postgres"
    with pytest.raises(ConnectionFailedError) as failed:
        connect(url)
    message = failed.value.message
    assert "::1 has only IPv6 addresses" in message
    assert "s3cret" not in message
    assert failed.value.hint is not None
    assert "aws-0-<region>.pooler.supabase.com:5432" in failed.value.hint
    assert "postgres.<ref>" in failed.value.hint


def test_an_ipv6_only_host_points_to_the_linked_projects_session_pooler(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    temp = tmp_path / "supabase" / ".temp"
    temp.mkdir(parents=True)
    (temp / "pooler-url").write_text(f"postgresql://postgres.{REF}@{POOLER}:6543/postgres\n")
    monkeypatch.chdir(tmp_path)
    _only_ipv6(monkeypatch, "2600:1f18::1")
    url = f"postgresql://postgres:s3cret@localhost:{_free_port()}/postgres"  # a real attempt, refused
    with pytest.raises(ConnectionFailedError) as failed:
        connect(url)
    assert "localhost has only IPv6 addresses (2600:1f18::1)" in failed.value.message
    assert failed.value.hint is not None
    assert f"postgresql://postgres.{REF}@{POOLER}:5432/postgres" in failed.value.hint
    assert "supabase/.temp/pooler-url" in failed.value.hint


def test_no_ipv6_note_when_the_server_answered(khepri_server_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    parts = urlsplit(khepri_server_url)
    wrong = parts._replace(netloc=f"postgres:wrong-password@localhost:{parts.port}").geturl()
    _only_ipv6(monkeypatch, "2600:1f18::1")
    with pytest.raises(ConnectionFailedError) as failed:
        connect(wrong)  # reaches the server (127.0.0.1), which refuses the password
    assert "password authentication failed" in failed.value.message
    assert "IPv6" not in failed.value.message


def test_no_ipv6_note_for_an_ipv4_host() -> None:
    with pytest.raises(ConnectionFailedError) as failed:
        connect(f"postgresql://postgres@127.0.0.1:{_free_port()}/postgres")
    assert "IPv6" not in failed.value.message
    assert "Connection refused" in failed.value.message


def test_the_advice_for_supabases_direct_host(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = f"postgresql://postgres:pw@{DIRECT}:5432/postgres"
    attempted = connection_url(url)
    _only_ipv6(monkeypatch, "2600:1f18::1")
    advice = connection_failure_advice(
        url, attempted, sqlstate=None, reason="Network is unreachable", project_root=tmp_path
    )
    assert advice is not None
    assert "IPv6-only unless the project has the IPv4 add-on" in advice.message
    assert f"postgresql://postgres.{REF}:[PASSWORD]@aws-0-<region>.pooler.supabase.com:5432/postgres" in advice.hint

    temp = tmp_path / "supabase" / ".temp"
    temp.mkdir(parents=True)
    (temp / "pooler-url").write_text(f"postgresql://postgres.abcdefghijklmnopqrst@{POOLER}:6543/postgres")
    other = connection_failure_advice(url, attempted, sqlstate=None, reason="x", project_root=tmp_path)
    assert other is not None
    assert "abcdefghijklmnopqrst" not in other.hint  # another project's pooler is never suggested
    (temp / "pooler-url").write_text(f"postgresql://postgres.{REF}:[YOUR-PASSWORD]@{POOLER}:6543/postgres")
    linked = connection_failure_advice(url, attempted, sqlstate=None, reason="x", project_root=tmp_path)
    assert linked is not None
    assert f"postgresql://postgres.{REF}@{POOLER}:5432/postgres" in linked.hint
    assert connection_failure_advice(url, attempted, sqlstate="28P01", reason="x", project_root=tmp_path) is None


# -- --linked ------------------------------------------------------------------------------------


def _linked_project(root: Path, pooler_url: str | None, ref: str = REF) -> Path:
    temp = root / "supabase" / ".temp"
    temp.mkdir(parents=True)
    (temp / "project-ref").write_text(f"{ref}\n")
    if pooler_url is not None:
        (temp / "pooler-url").write_text(pooler_url)
    return root


@pytest.fixture
def unreachable_direct_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """``db.<ref>.supabase.co`` as on a network without IPv6: IPv6 addresses only, and no TCP connection opens."""
    monkeypatch.setattr(hosted_linked, "reachable", lambda _host, _port, timeout=5.0: False)
    _only_ipv6(monkeypatch, "2600:1f18::1")


def test_linked_uses_the_direct_host_when_it_answers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: list[tuple[str, int]] = []
    monkeypatch.setattr(hosted_linked, "reachable", lambda host, port, timeout=5.0: seen.append((host, port)) or True)
    target = linked_url(_linked_project(tmp_path, None), password="p@ss word", environ={})
    assert seen == [(DIRECT, 5432)]
    assert target.url == f"postgresql://postgres:p%40ss%20word@{DIRECT}:5432/postgres"
    assert (target.route, target.ref, target.reason) == ("direct", REF, None)
    assert connection_url(target.url, {}).endswith("?sslmode=require")


@pytest.mark.usefixtures("unreachable_direct_host")
def test_linked_falls_back_to_the_session_pooler(tmp_path: Path) -> None:
    pooler = f"postgresql://postgres.{REF}:[YOUR-PASSWORD]@{POOLER}:6543/postgres"
    target = linked_url(_linked_project(tmp_path, pooler), environ={"SUPABASE_DB_PASSWORD": "pw/1"})
    assert target.url == f"postgresql://postgres.{REF}:pw%2F1@{POOLER}:5432/postgres"
    assert target.route == "session pooler"
    assert target.reason is not None
    assert "only IPv6 addresses (2600:1f18::1)" in target.reason


def test_the_project_id_variable_comes_before_the_ref_file(tmp_path: Path) -> None:
    root = _linked_project(tmp_path, None, ref="abcdefghijklmnopqrst")
    assert read_linked_project(root, {}).ref == "abcdefghijklmnopqrst"
    assert read_linked_project(root, {"SUPABASE_PROJECT_ID": REF}).ref == REF


@pytest.mark.parametrize(
    ("pooler_url", "expected"),
    [
        (None, "there is no supabase/.temp/pooler-url"),
        (f"postgresql://postgres.abcdefghijklmnopqrst@{POOLER}:6543/postgres", "is for project abcdefghijklmnopqrst"),
        (f"postgresql://postgres.{REF}@pooler.evil.example:6543/postgres", "not Supabase's pooler domain"),
    ],
)
@pytest.mark.usefixtures("unreachable_direct_host")
def test_linked_without_a_usable_pooler_says_why(tmp_path: Path, pooler_url: str | None, expected: str) -> None:
    with pytest.raises(ConnectionFailedError) as failed:
        linked_url(_linked_project(tmp_path, pooler_url), password="pw", environ={})
    assert expected in failed.value.message
    assert "IPv6 is not supported on this network" in failed.value.message
    assert failed.value.hint is not None
    assert f"supabase link --project-ref {REF}" in failed.value.hint


@pytest.fixture
def pooler_role(khepri_server_url: str) -> Iterator[tuple[str, str]]:
    """A login role named as Supavisor's users are (``postgres.<ref>``) on the test server; dropped after."""
    user, password = f"postgres.{REF}", "linked-pw"
    with connect(khepri_server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(user)))
        admin.execute(
            sql.SQL("create role {} login superuser password {}").format(sql.Identifier(user), sql.Literal(password))
        )
    try:
        yield user, password
    finally:
        with connect(khepri_server_url, autocommit=True) as admin:
            admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(user)))


@pytest.mark.usefixtures("unreachable_direct_host")
def test_status_and_doctor_linked_reach_the_server_through_the_pooler_url(
    cli: Cli, tmp_path: Path, khepri_clone_url: str, pooler_role: tuple[str, str]
) -> None:
    user, password = pooler_role
    clone = urlsplit(khepri_clone_url)
    project = _linked_project(tmp_path, f"postgresql://{user}:[YOUR-PASSWORD]@127.0.0.1:{clone.port}{clone.path}\n")
    shutil.copytree(REPO / "supabase" / "migrations", project / "supabase" / "migrations")
    env = {"SUPABASE_DB_PASSWORD": password, "KHEPRI_DB_URL": "postgresql://nobody@127.0.0.1:1/ignored"}

    status = cli("status", "--linked", "--format", "json", cwd=project, env=env)
    assert status.exit_code == 0, status.stdout + status.stderr
    assert '"drift": false' in status.stdout

    text = cli("status", "--linked", cwd=project, env=env)
    assert text.exit_code == 0, text.stderr
    assert f"connecting to linked project {REF} through its session pooler" in text.stderr
    assert "only IPv6 addresses" in text.stderr

    doctor = cli("doctor", "--linked", "--format", "json", cwd=project, env=env)
    assert doctor.exit_code == 0, doctor.stdout + doctor.stderr
    assert '"findings"' in doctor.stdout

    db_status = cli("db", "status", "--linked", cwd=project, env=env)
    assert db_status.exit_code == 0, db_status.stderr
    assert f"postgresql://{user}:***@127.0.0.1:{clone.port}{clone.path}" in db_status.stdout
    assert password not in db_status.stdout + db_status.stderr

    with connect(f"postgresql://{user}:{password}@127.0.0.1:{clone.port}{clone.path}") as conn:
        assert scalar(conn, "select current_user") == user  # Supavisor would log in as postgres


def test_linked_errors(cli: Cli, tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    (bare / "supabase").mkdir(parents=True)
    result = cli("status", "--linked", "--format", "json", cwd=bare, env={"SUPABASE_DB_PASSWORD": "pw"})
    assert result.exit_code == 2
    assert "supabase/.temp/project-ref does not exist" in result.stdout
    assert "supabase link --project-ref" in result.stdout

    linked = _linked_project(tmp_path / "linked", None)
    result = cli("doctor", "--linked", cwd=linked)
    assert result.exit_code == 2
    assert "SUPABASE_DB_PASSWORD is not set" in result.stderr
    assert REF in result.stderr

    result = cli("migrate", "--linked", "--db-url", "postgresql://postgres@127.0.0.1:1/x", cwd=linked)
    assert result.exit_code == 2
    assert "--linked and --db-url" in result.stderr

    bad = _linked_project(tmp_path / "bad", None, ref="not-a-ref")
    result = cli("db", "status", "--linked", cwd=bad, env={"SUPABASE_DB_PASSWORD": "pw"})
    assert result.exit_code == 2
    assert "'not-a-ref', which is not a project ref" in result.stderr


def test_every_command_with_db_url_has_linked() -> None:
    commands: list[tuple[str, Any]] = []

    def walk(command: Any, path: str) -> None:  # typer's own click: its groups have .commands
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, f"{path} {name}".strip())
        else:
            commands.append((path, command))

    walk(get_command(app), "")
    with_url = [(path, c) for path, c in commands if any(p.name == "db_url" for p in c.params)]
    assert len(with_url) >= 15
    missing = [path for path, c in with_url if not any(p.name == "linked" for p in c.params)]
    assert not missing, f"commands with --db-url but no --linked: {missing}"
    for _, command in with_url:
        (linked,) = [p for p in command.params if p.name == "linked"]
        assert "supabase/.temp/project-ref" in linked.help
        assert "SUPABASE_DB_PASSWORD" in linked.help
    assert "--linked" in Cli()("migrate", "--help").stdout


def test_linked_needs_a_password(tmp_path: Path) -> None:
    root = _linked_project(tmp_path, None)
    with pytest.raises(UsageError, match="SUPABASE_DB_PASSWORD is not set"):
        linked_url(root, environ={})
    with pytest.raises(UsageError, match="SUPABASE_DB_PASSWORD is not set"):
        linked_url(root, password="", environ={"SUPABASE_DB_PASSWORD": "ignored when a password is given"})


# -- the real Supabase CLI agrees on what is not linked ----------------------------------------


@pytest.mark.parametrize(("ref", "theirs"), [(None, "Cannot find project ref"), ("abc", "Invalid project ref")])
def test_linked_refusals_match_the_supabase_cli(
    supabase_cli: Path, cli: Cli, tmp_path: Path, ref: str | None, theirs: str
) -> None:
    (tmp_path / "supabase").mkdir()
    if ref is not None:
        (tmp_path / "supabase" / ".temp").mkdir()
        (tmp_path / "supabase" / ".temp" / "project-ref").write_text(ref)
    env = {"SUPABASE_DB_PASSWORD": "pw", "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    real = subprocess.run(
        [supabase_cli, "migration", "list", "--linked"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert real.returncode != 0
    assert theirs in real.stdout + real.stderr
    ours = cli("migration", "list", "--linked", cwd=tmp_path, env={"SUPABASE_DB_PASSWORD": "pw"})
    assert ours.exit_code == 2
    assert ("does not exist" if ref is None else "is not a project ref") in ours.stderr
