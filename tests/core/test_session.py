"""Acting as a user as PostgREST does (khepri_db.core.session, with the request context of
khepri_db.core.request): what PostgREST sets per request, the role-switch proof, users as Supabase Auth
makes them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from khepri_db.core.db import connect
from khepri_db.core.errors import RoleSwitchError, UsageError
from khepri_db.core.request import AuthUser, request_context, request_rights, user_claims
from khepri_db.core.session import as_anon, as_user, create_user
from tests.support import scalar

pytestmark = [pytest.mark.pg, pytest.mark.docker_rerun]

SUPABASE_CLAIMS = {
    "iss", "sub", "aud", "exp", "iat", "email", "phone", "app_metadata", "user_metadata", "role", "aal", "amr",
    "session_id", "is_anonymous",
}  # fmt: skip


def test_a_signed_in_request_carries_the_claims_supabase_auth_issues(db, make_user, as_user) -> None:
    alice = make_user(user_metadata={"name": "Alice"}, app_metadata={"plan": "pro"})
    with as_user(alice, method="PATCH", path="/rest/v1/athletes", claims={"aal": "aal2"}):
        claims = scalar(db, "select auth.jwt()")
        setting = db.execute(
            "select current_setting('request.method'), current_setting('request.path'), current_setting('role'), "
            "current_setting('statement_timeout'), current_setting('search_path')"
        ).fetchone()
    assert set(claims) == SUPABASE_CLAIMS
    assert claims["sub"] == str(alice.id)
    assert (claims["role"], claims["aud"], claims["aal"], claims["is_anonymous"]) == (
        "authenticated", "authenticated", "aal2", False,
    )  # fmt: skip
    assert claims["app_metadata"] == {"provider": "email", "providers": ["email"], "plan": "pro"}
    assert claims["user_metadata"] == {"name": "Alice"}
    assert claims["exp"] - claims["iat"] == 3600
    uuid.UUID(claims["session_id"])
    # PostgREST's request settings, and the role's own settings (Supabase: authenticated has 8s).
    assert setting == ("PATCH", "/rest/v1/athletes", "authenticated", "8s", '"public", "extensions"')


def test_anon_gets_the_anon_key_claims_and_its_statement_timeout(db, as_anon) -> None:
    with as_anon():
        claims = scalar(db, "select auth.jwt()")
        assert scalar(db, "select current_setting('statement_timeout')") == "3s"
        assert scalar(db, "select auth.uid()") is None
    assert claims["role"] == "anon"
    assert "sub" not in claims


def test_the_connecting_role_and_settings_come_back_after_the_block_even_after_an_error(db, make_user) -> None:
    alice = make_user()
    with pytest.raises(psycopg.errors.InsufficientPrivilege), as_user(db, alice):
        db.execute("select * from auth.users")  # the API roles have no privilege on auth.users, as on Supabase
    assert db.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS  # the test's transaction lives on
    assert scalar(db, "select current_user") == "postgres"
    assert scalar(db, "select coalesce(current_setting('request.jwt.claims', true), '')") == ""
    with as_user(db, alice):
        assert request_rights(db).current_user == "authenticated"
    assert scalar(db, "select current_user") == "postgres"


def test_a_role_that_owns_an_rls_table_is_refused(db, make_user) -> None:
    db.execute("create table public.owned_by_api (id int primary key)")
    db.execute("alter table public.owned_by_api enable row level security")
    db.execute("alter table public.owned_by_api owner to authenticated")
    with (
        pytest.raises(RoleSwitchError, match=r"owns RLS-protected tables.*public\.owned_by_api"),
        as_user(db, make_user()),
    ):
        pass  # pragma: no cover - the switch itself is refused


def test_request_contexts_refuse_unknown_roles_and_autocommit(db, khepri_clone_url: str) -> None:
    with pytest.raises(UsageError, match="role must be one of"), request_context(db, "postgres", {}):
        pass  # pragma: no cover
    with (
        connect(khepri_clone_url, autocommit=True) as conn,
        pytest.raises(UsageError, match="non-autocommit"),
        as_anon(conn),
    ):
        pass  # pragma: no cover


# -- create_user follows Supabase Auth, whatever auth schema the database has ----------------------

IMAGE_AUTH_USERS = """
create schema auth;
create table auth.users (
    instance_id uuid, id uuid not null primary key, aud varchar(255), role varchar(255), email varchar(255) unique,
    encrypted_password varchar(255), confirmed_at timestamptz, invited_at timestamptz,
    confirmation_token varchar(255), confirmation_sent_at timestamptz, recovery_token varchar(255),
    recovery_sent_at timestamptz, email_change_token varchar(255), email_change varchar(255),
    email_change_sent_at timestamptz, last_sign_in_at timestamptz, raw_app_meta_data jsonb,
    raw_user_meta_data jsonb, is_super_admin bool, created_at timestamptz, updated_at timestamptz
);
"""

GOTRUE_IDENTITIES = """
create table auth.identities (
    provider_id text not null, user_id uuid not null references auth.users (id) on delete cascade,
    identity_data jsonb not null, provider text not null, last_sign_in_at timestamptz,
    created_at timestamptz, updated_at timestamptz,
    email text generated always as (lower(identity_data ->> 'email')) stored,
    id uuid not null default gen_random_uuid() primary key,
    unique (provider_id, provider)
);
"""


def test_create_user_fits_the_older_auth_users_of_the_bare_supabase_image(empty_db_url: str) -> None:
    # supabase/postgres without Supabase Auth's migrations: no phone, email_confirmed_at, is_anonymous.
    with connect(empty_db_url) as conn:
        conn.execute(IMAGE_AUTH_USERS)
        user = create_user(conn, "old@example.com", user_metadata={"n": 1})
        row = conn.execute(
            "select email, aud, role, confirmed_at is not null, raw_app_meta_data, raw_user_meta_data "
            "from auth.users where id = %s",
            (user.id,),
        ).fetchone()
    assert row == ("old@example.com", "authenticated", "authenticated", True,
                   {"provider": "email", "providers": ["email"]}, {"n": 1})  # fmt: skip


def test_create_user_adds_the_email_identity_where_supabase_auth_has_identities(empty_db_url: str) -> None:
    with connect(empty_db_url) as conn:
        conn.execute(IMAGE_AUTH_USERS)
        conn.execute(GOTRUE_IDENTITIES)
        user = create_user(conn, "Ident@Example.com")
        identity = conn.execute(
            "select provider, provider_id, email, identity_data ->> 'sub', (identity_data ->> 'email_verified')::bool "
            "from auth.identities where user_id = %s",
            (user.id,),
        ).fetchone()
        anonymous = create_user(conn, is_anonymous=True)
        assert scalar(conn, "select count(*) from auth.identities where user_id = %s", (anonymous.id,)) == 0
    assert identity == ("email", str(user.id), "ident@example.com", str(user.id), True)


def test_user_claims_of_an_anonymous_sign_in(db, make_user) -> None:
    anonymous = make_user(is_anonymous=True)
    claims = user_claims(anonymous, now=1_700_000_000)
    assert (claims["role"], claims["is_anonymous"], claims["email"], claims["app_metadata"]) == (
        "authenticated", True, "", {},
    )  # fmt: skip
    assert claims["amr"] == [{"method": "anonymous", "timestamp": 1_700_000_000}]
    assert scalar(db, "select is_anonymous from auth.users where id = %s", (anonymous.id,)) is True


# -- a request on an idle connection is its own transaction ------------------------------------------


def test_a_request_on_an_idle_connection_commits_or_rolls_back_by_itself(khepri_clone_url: str) -> None:
    with connect(khepri_clone_url, autocommit=True) as admin:
        alice = create_user(admin)
    profile = '{"display_name": "Alice"}'
    with connect(khepri_clone_url) as conn, connect(khepri_clone_url, autocommit=True) as other:
        seen = "select count(*) from public.athletes where auth_user_id = %s"
        with as_user(conn, alice):
            conn.execute("select public.finalize_onboarding(%s::jsonb)", (profile,))
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        assert scalar(other, seen, (alice.id,)) == 1  # committed: a second connection sees it

        def rename_then_fail() -> None:
            conn.execute("update public.athletes set display_name = 'Changed' where auth_user_id = %s", (alice.id,))
            conn.execute("select * from auth.users")  # the update ran; now the request fails

        with pytest.raises(psycopg.errors.InsufficientPrivilege), as_user(conn, alice):
            rename_then_fail()
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        assert scalar(other, "select display_name from public.athletes where auth_user_id = %s", (alice.id,)) == "Alice"
        # Inside the caller's transaction the request nests; the caller's rollback wins.
        with conn.transaction(force_rollback=True), as_user(conn, alice):
            conn.execute("update public.athletes set display_name = 'Nested' where auth_user_id = %s", (alice.id,))
        assert scalar(other, "select display_name from public.athletes where auth_user_id = %s", (alice.id,)) == "Alice"


def test_a_refusal_caught_inside_the_request_leaves_the_connection_usable(
    db: psycopg.Connection, make_user: Callable[..., AuthUser], as_user: Callable[..., Any]
) -> None:
    """The natural form of a negative RLS test: the refused request is rolled back, nothing else."""
    bob = make_user()
    db.execute("create temporary table kept (note text)")
    db.execute("insert into kept values ('before the request')")
    with as_user(bob), pytest.raises(psycopg.errors.InsufficientPrivilege):
        db.execute("select public.cleanup_expired_idempotency_keys()")
    assert db.execute("select current_user").fetchone() == ("postgres",)
    assert db.execute("select note from kept").fetchall() == [("before the request",)]
    with as_user(bob):  # and the next request works as usual
        assert db.execute("select current_user").fetchone() == ("authenticated",)
