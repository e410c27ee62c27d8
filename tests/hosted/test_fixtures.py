"""The stand-ins for hosted Supabase (issue 21), each proven on its own: PgBouncer in transaction mode
(Supavisor), a streaming hot standby (a read replica), a role shaped like hosted ``postgres``.

The fixtures are in ``tests/conftest.py``, their machinery in ``tests/support/hosted.py``. Without
PgBouncer or ``pg_basebackup`` these tests skip, saying why (they fail under ``KHEPRI_STRICT``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import psycopg
import pytest

from khepri_db.core.db import connect
from tests.support import skip_or_fail
from tests.support.hosted import Login, alive, backend_pid, find_pgbouncer, start_pgbouncer, through, wait_for_replay

pytestmark = pytest.mark.pg


def _scalar(conn: psycopg.Connection, query: str, params: object = None) -> object:
    row = conn.execute(query, params).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return row[0]


# -- PgBouncer -------------------------------------------------------------------------------------


def test_transaction_pooling_does_not_pin_a_session(pgbouncer: Callable[..., str], khepri_server_url: str) -> None:
    """Two clients, both connected, run on the same server session one after the other: the first
    one's session went back to the pool when its transaction ended. A direct connection never
    shares its backend."""
    url = pgbouncer(khepri_server_url)
    assert Login.of(url).host == "127.0.0.1"
    assert Login.of(url).port != Login.of(khepri_server_url).port
    with connect(url, autocommit=True) as first, connect(url, autocommit=True) as second:
        first_pid = backend_pid(first)
        second_pid = backend_pid(second)  # `first` is still connected, idle between transactions
        assert second_pid == first_pid
        assert _scalar(second, "select current_user") == Login.of(khepri_server_url).user
    with connect(khepri_server_url, autocommit=True) as first, connect(khepri_server_url, autocommit=True) as second:
        assert backend_pid(first) != backend_pid(second)


def test_transaction_pooling_gives_concurrent_transactions_their_own_sessions(
    pgbouncer: Callable[..., str], khepri_server_url: str
) -> None:
    """While one client's transaction is open, its server session is its own: another client's
    transaction runs on another one."""
    url = pgbouncer(khepri_server_url, pool_size=2)
    with connect(url) as first, connect(url) as second:
        first_pid = backend_pid(first)  # a transaction is open on `first`
        assert backend_pid(second) != first_pid
        first.rollback()
        second.rollback()


def test_session_pooling_pins_a_session(pgbouncer: Callable[..., str], khepri_server_url: str) -> None:
    """In session mode a client keeps its server session across transactions, and another client
    connected meanwhile gets another one."""
    url = pgbouncer(khepri_server_url, pool_mode="session")
    with connect(url, autocommit=True) as first:
        pids = {backend_pid(first) for _ in range(3)}
        assert len(pids) == 1
        with connect(url, autocommit=True) as second:
            assert backend_pid(second) not in pids
        assert backend_pid(first) in pids


def test_pgbouncer_stops_and_leaves_nothing(khepri_server_url: str) -> None:
    """What the fixture's teardown does: the process is gone (by its pid) and its files removed."""
    executable = find_pgbouncer()
    if executable is None:
        skip_or_fail("pgbouncer is not installed (Debian: apt-get install pgbouncer): it stands in for Supavisor")
    assert executable is not None
    pooler = start_pgbouncer(khepri_server_url, executable=executable)
    with connect(pooler.url, autocommit=True) as conn:
        assert _scalar(conn, "select 1") == 1
    assert alive(pooler.pid)
    assert pooler.root.is_dir()
    pooler.stop()
    assert not pooler.root.exists()
    assert not alive(pooler.pid)


# -- the hot standby -------------------------------------------------------------------------------


@pytest.mark.slow
def test_standby_is_in_recovery_and_refuses_writes(hot_standby: tuple[str, str]) -> None:
    primary_url, standby_url = hot_standby
    assert Login.of(primary_url).port != Login.of(standby_url).port
    with connect(primary_url, autocommit=True) as conn:
        assert _scalar(conn, "select pg_is_in_recovery()") is False
    with connect(standby_url, autocommit=True) as conn:
        assert _scalar(conn, "select pg_is_in_recovery()") is True
        assert _scalar(conn, "select status from pg_stat_wal_receiver") == "streaming"
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction) as caught:
            conn.execute("create table public.refused (id int)")
        assert caught.value.sqlstate == "25006"


@pytest.mark.slow
def test_standby_sees_what_the_primary_commits(hot_standby: tuple[str, str]) -> None:
    primary_url, standby_url = hot_standby
    table = f"replicated_{uuid.uuid4().hex[:8]}"
    with connect(primary_url) as conn:
        conn.execute(f"create table public.{table} (id int primary key, note text)")
        conn.execute(f"insert into public.{table} values (1, 'from the primary')")
        conn.commit()
    wait_for_replay(primary_url, standby_url)
    with connect(standby_url, autocommit=True) as conn:
        assert conn.execute(f"select id, note from public.{table}").fetchall() == [(1, "from the primary")]


@pytest.mark.slow
def test_migrated_standby_has_the_compat_layer_and_migrations(migrated_hot_standby: tuple[str, str]) -> None:
    primary_url, standby_url = migrated_hot_standby
    wait_for_replay(primary_url, standby_url)
    with connect(primary_url, autocommit=True) as conn:
        versions = conn.execute("select version from supabase_migrations.schema_migrations order by 1").fetchall()
    assert versions
    with connect(standby_url, autocommit=True) as conn:
        assert _scalar(conn, "select pg_is_in_recovery()") is True
        assert _scalar(conn, "select to_regclass('auth.users') is not null") is True
        assert (
            conn.execute("select version from supabase_migrations.schema_migrations order by 1").fetchall() == versions
        )


# -- the role shaped like hosted postgres ----------------------------------------------------------


def test_hosted_role_has_what_hosted_postgres_has(hosted_role: Callable[[str], str], khepri_clone_url: str) -> None:
    url = hosted_role(khepri_clone_url)
    name = Login.of(url).user
    with connect(url, autocommit=True) as conn:
        assert _scalar(conn, "select current_user") == name
        attributes = conn.execute(
            "select rolsuper, rolcanlogin, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls "
            "from pg_roles where rolname = current_user"
        ).fetchone()
        assert attributes == (False, True, True, True, True, True)
        for role in ("anon", "authenticated", "service_role", "authenticator"):
            assert _scalar(conn, "select pg_has_role(current_user, %s, 'member')", [role]) is True, role
        assert _scalar(conn, "select has_table_privilege('auth.users', 'select, insert, update, delete')") is True
        # auth's own history is off limits (reading it is not: pg_read_all_data reads everything)
        assert _scalar(conn, "select has_table_privilege('auth.schema_migrations', 'insert, update, delete')") is False
        assert _scalar(conn, "select has_schema_privilege('auth', 'create')") is False
        # What it creates in public it owns, and its default privileges grant it to the API roles.
        conn.execute("create table public.owned_by_hosted (id int primary key)")
        assert _scalar(conn, "select tableowner from pg_tables where tablename = 'owned_by_hosted'") == name
        assert _scalar(conn, "select has_table_privilege('authenticated', 'public.owned_by_hosted', 'select')") is True


def test_hosted_role_is_subject_to_rls_as_authenticated(
    hosted_role: Callable[[str], str], khepri_clone_url: str
) -> None:
    url = hosted_role(khepri_clone_url)
    name = Login.of(url).user
    alice, bob = uuid.uuid4(), uuid.uuid4()
    with connect(url) as conn:
        conn.execute(
            "create table public.notes (id int primary key, owner_id uuid not null, body text not null);"
            "alter table public.notes enable row level security;"
            "create policy notes_select_authenticated on public.notes for select to authenticated "
            "using (owner_id = (select auth.uid()))"
        )
        conn.execute("insert into public.notes values (1, %s, 'alice''s'), (2, %s, 'bob''s')", [alice, bob])
        assert _scalar(conn, "select count(*) from public.notes") == 2  # the owner, with BYPASSRLS
        conn.execute("set local role authenticated")
        conn.execute("select set_config('request.jwt.claims', %s, true)", [json.dumps({"sub": str(alice)})])
        assert _scalar(conn, "select current_user") == "authenticated"
        assert _scalar(conn, "select rolbypassrls from pg_roles where rolname = current_user") is False
        assert _scalar(conn, "select tableowner from pg_tables where tablename = 'notes'") == name
        assert conn.execute("select id, body from public.notes").fetchall() == [(1, "alice's")]
        conn.rollback()


def test_hosted_role_works_through_pgbouncer(
    hosted_role: Callable[[str], str], pgbouncer: Callable[..., str], khepri_clone_url: str
) -> None:
    """Its URL works through a pooler started for it (its password in the user list), and through
    a pooler started for the superuser (looked up with auth_query)."""
    url = hosted_role(khepri_clone_url)
    name = Login.of(url).user
    for pooled in (pgbouncer(url), through(pgbouncer(khepri_clone_url), url)):
        assert Login.of(pooled).user == name
        with connect(pooled, autocommit=True) as first, connect(pooled, autocommit=True) as second:
            assert _scalar(first, "select current_user") == name
            assert _scalar(first, "select current_database()") == Login.of(khepri_clone_url).dbname
            assert backend_pid(first) == backend_pid(second)  # transaction pooling, as that role
            with first.transaction():
                first.execute("set local role authenticated")
                assert _scalar(first, "select current_user") == "authenticated"
