"""Platform details pgTAP suites exercise, as Supabase has them.

* Extensions Supabase calls privileged are created by ``supabase_admin`` (supautils), so a project's
  ``alter default privileges ... revoke execute on functions from public`` does not reach them,
  and they carry supabase_admin's default privileges in ``extensions`` (``postgres`` with grant
  option). The compatibility layer emulates that with an event trigger; these tests check the
  result, and that it gives no role more than PostgreSQL would.
* The server has a private unix socket through which its own OS user connects as postgres without
  a password, so ``dblink_connect('dbname=...')`` loopback works as on Supabase.
"""

from __future__ import annotations

import stat

import psycopg
import pytest

from khepri_db.engines import ClusterEngine, Engine
from tests.support import scalar

pytestmark = pytest.mark.pg


def _error(db: psycopg.Connection, query: str) -> psycopg.Error:
    with pytest.raises(psycopg.Error) as caught, db.transaction():
        db.execute(query)
    return caught.value


def _acl(db: psycopg.Connection, signature: str) -> set[str]:
    return set(scalar(db, "select proacl::text[] from pg_proc where oid = %s::regprocedure", [signature]))


def test_a_privileged_extension_belongs_to_supabase_admin_whatever_postgres_revoked(db: psycopg.Connection) -> None:
    db.execute("alter default privileges revoke execute on functions from public")
    db.execute("create extension pg_trgm with schema extensions")
    assert scalar(db, "select extowner::regrole::text from pg_extension where extname = 'pg_trgm'") == "supabase_admin"
    assert scalar(db, "select current_user") == "postgres"  # switched back after the statement
    assert scalar(db, "select current_setting('role')") == "none"
    # Supabase's ACL for an extension function: PUBLIC may execute, postgres with grant option
    assert _acl(db, "extensions.similarity(text, text)") == {
        "=X/supabase_admin",
        "postgres=X*/supabase_admin",
        "supabase_admin=X/supabase_admin",
    }
    db.execute("set local role authenticated")
    assert scalar(db, "select extensions.similarity('abc', 'abd')") > 0
    db.execute("reset role")
    # a function postgres creates itself still gets postgres's own default privileges
    db.execute("create function public.fidelity_own() returns int language sql as 'select 1'")
    assert "=X/postgres" not in _acl(db, "public.fidelity_own()")


def test_pgtap_stays_callable_by_the_api_roles(db: psycopg.Connection) -> None:
    if not scalar(db, "select count(*) from pg_available_extensions where name = 'pgtap'"):
        pytest.skip("this server offers no pgTAP")
    db.execute("alter default privileges revoke execute on functions from public")
    db.execute("create extension if not exists pgtap with schema extensions")
    db.execute("set local role authenticated")
    assert scalar(db, "select extensions.plan(1)") == "1..1"
    assert scalar(db, "select extensions.ok(true, 'callable')") == "ok 1 - callable"


def test_only_postgres_itself_is_switched_and_nobody_gains_a_right(db: psycopg.Connection) -> None:
    db.execute("set local role authenticated")
    error = _error(db, "create extension pg_trgm with schema extensions")
    assert error.sqlstate == "42501"  # no CREATE on the database: as without the emulation
    assert scalar(db, "select current_user") == "authenticated"
    db.execute("reset role")
    failed = _error(db, "create extension no_such_extension_anywhere")
    assert failed.sqlstate in ("0A000", "58P01")
    assert scalar(db, "select current_user") == "postgres"  # the failed statement took the switch with it


def test_an_extension_update_by_postgres_runs_as_supabase_admin(db: psycopg.Connection) -> None:
    if not scalar(
        db, "select count(*) from pg_available_extension_versions where name = 'pgjwt' and version = '0.1.1'"
    ):
        pytest.skip("this server offers no pgjwt 0.1.1")
    db.execute("create extension pgjwt with schema extensions version '0.1.1'")
    members = (
        "select objid from pg_depend where deptype = 'e' "
        "and refobjid = (select oid from pg_extension where extname = 'pgjwt')"
    )
    before = {r[0] for r in db.execute(members)}
    db.execute("alter extension pgjwt update to '0.2.0'")
    owners = {
        r[0]
        for r in db.execute(
            "select p.proowner::regrole::text from pg_depend d join pg_proc p on p.oid = d.objid "
            "where d.refobjid = (select oid from pg_extension where extname = 'pgjwt') and d.deptype = 'e' "
            "and d.classid = 'pg_proc'::regclass and not (d.objid = any(%s))",
            [list(before)],
        )
    }
    assert owners == {"supabase_admin"}
    assert scalar(db, "select current_user") == "postgres"


def test_dblink_loopback_over_the_private_socket(db: psycopg.Connection, khepri_engine: Engine) -> None:
    if not isinstance(khepri_engine, ClusterEngine):
        pytest.skip(f"the {khepri_engine.name} engine's server is not one khepri-db configures")
    if not scalar(db, "select count(*) from pg_available_extensions where name = 'dblink'"):
        pytest.skip("this server offers no dblink")
    socket_dir = khepri_engine.socket_dir()
    mode = socket_dir.stat()
    assert stat.S_IMODE(mode.st_mode) == 0o700  # only the server's OS user (and root) reach it
    assert list(socket_dir.glob(".s.PGSQL.*"))
    db.execute("create extension dblink with schema extensions")
    assert scalar(db, "select extensions.dblink_connect('fidelity', 'dbname=' || current_database())") == "OK"
    who = db.execute(
        "select * from extensions.dblink('fidelity', 'select current_user, inet_server_addr() is null') "
        "as t(usr name, over_socket boolean)"
    ).fetchone()
    assert who == ("postgres", True)
    db.execute("select extensions.dblink_disconnect('fidelity')")
    # another role gets no password-less way in through the socket
    refused = _error(
        db, "select extensions.dblink_connect('anon_try', 'dbname=' || current_database() || ' user=anon')"
    )
    assert refused.sqlstate == "08001"


def test_the_socket_lets_only_postgres_in_without_a_password(khepri_engine: Engine) -> None:
    if not isinstance(khepri_engine, ClusterEngine):
        pytest.skip(f"the {khepri_engine.name} engine's server is not one khepri-db configures")
    hba = (khepri_engine.data_dir / "pg_hba.conf").read_text()
    rules = [line.split() for line in hba.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert rules[0] == ["local", "all", "postgres", "peer", "map=khepri_local"]
    ident = [line.split() for line in (khepri_engine.data_dir / "pg_ident.conf").read_text().splitlines()
             if line.strip() and not line.startswith("#")]  # fmt: skip
    assert {row[2] for row in ident if row[0] == "khepri_local"} == {"postgres"}
