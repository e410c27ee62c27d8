"""The Supabase compatibility layer on vanilla PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest
from conftest import database_state, scalar

from khepri_db.compat import COMPAT_VERSION, TargetKind, detect, install
from khepri_db.db import connect
from khepri_db.migrations import migrate

SUPABASE_USER_COLUMNS = {
    "instance_id", "id", "aud", "role", "email", "encrypted_password", "email_confirmed_at", "invited_at",
    "confirmation_token", "confirmation_sent_at", "recovery_token", "recovery_sent_at", "email_change_token_new",
    "email_change", "email_change_sent_at", "last_sign_in_at", "raw_app_meta_data", "raw_user_meta_data",
    "is_super_admin", "created_at", "updated_at", "phone", "phone_confirmed_at", "phone_change",
    "phone_change_token", "phone_change_sent_at", "confirmed_at", "email_change_token_current",
    "email_change_confirm_status", "banned_until", "reauthentication_token", "reauthentication_sent_at",
    "is_sso_user", "deleted_at", "is_anonymous",
}  # fmt: skip


@pytest.fixture
def compat_url(empty_db_url: str) -> str:
    with connect(empty_db_url, autocommit=True) as conn:
        assert detect(conn).kind is TargetKind.VANILLA
        install(conn)
    return empty_db_url


def test_install_creates_supabase_roles_with_their_attributes(compat_url: str) -> None:
    with connect(compat_url) as conn:
        roles = dict(
            (r[0], r[1:])
            for r in conn.execute(
                "select rolname, rolcanlogin, rolinherit, rolbypassrls, rolsuper from pg_roles "
                "where rolname in ('anon', 'authenticated', 'service_role', 'authenticator')"
            )
        )
        members = {
            r[0]
            for r in conn.execute(
                "select r.rolname from pg_auth_members m join pg_roles r on r.oid = m.roleid "
                "join pg_roles u on u.oid = m.member where u.rolname = 'authenticator'"
            )
        }
    # (login, inherit, bypassrls, superuser): the API roles INHERIT on Supabase since 2023-05.
    assert roles == {
        "anon": (False, True, False, False),
        "authenticated": (False, True, False, False),
        "service_role": (False, True, True, False),
        "authenticator": (True, False, False, False),
    }
    assert members == {"anon", "authenticated", "service_role"}


def test_auth_users_has_the_supabase_auth_column_set(compat_url: str) -> None:
    with connect(compat_url) as conn:
        columns = {
            r[0]
            for r in conn.execute(
                "select attname from pg_attribute "
                "where attrelid = 'auth.users'::regclass and attnum > 0 and not attisdropped"
            )
        }
    assert columns == SUPABASE_USER_COLUMNS


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"request.jwt.claims": '{"sub": "11111111-1111-1111-1111-111111111111", "role": "authenticated", '
                                '"email": "a@x.test"}'},
         ("11111111-1111-1111-1111-111111111111", "authenticated", "a@x.test", "authenticated")),
        # The legacy per-claim setting is read first, as in Supabase's definitions.
        ({"request.jwt.claims": '{"sub": "11111111-1111-1111-1111-111111111111", "role": "anon"}',
          "request.jwt.claim.sub": "22222222-2222-2222-2222-222222222222"},
         ("22222222-2222-2222-2222-222222222222", "anon", None, "anon")),
        # An empty setting counts as unset.
        ({"request.jwt.claims": "", "request.jwt.claim.sub": ""}, (None, None, None, None)),
        ({}, (None, None, None, None)),
    ],
)  # fmt: skip
def test_auth_functions_read_request_claims_like_supabase(
    compat_url: str, settings: dict[str, str], expected: tuple[str | None, ...]
) -> None:
    with connect(compat_url) as conn:
        for name, value in settings.items():
            conn.execute("select set_config(%s, %s, true)", (name, value))
        row = conn.execute("select auth.uid()::text, auth.role(), auth.email(), auth.jwt() ->> 'role'").fetchone()
    assert row == expected


def test_api_roles_cannot_read_auth_users(compat_url: str) -> None:
    with connect(compat_url) as conn:
        conn.execute("set local role authenticated")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="table users"):
            conn.execute("select * from auth.users")


def test_storage_tables_have_rls_and_the_path_helpers_work(compat_url: str) -> None:
    with connect(compat_url) as conn:
        rls = conn.execute(
            "select relname, relrowsecurity from pg_class where oid in ('storage.buckets'::regclass, "
            "'storage.objects'::regclass) order by 1"
        ).fetchall()
        helpers = conn.execute(
            "select storage.foldername('user-1/avatars/me.png'), storage.filename('user-1/avatars/me.png'), "
            "storage.extension('user-1/avatars/me.png')"
        ).fetchone()
    assert rls == [("buckets", True), ("objects", True)]
    assert helpers == (["user-1", "avatars"], "me.png", "png")


def test_new_public_objects_are_granted_to_the_api_roles_as_on_supabase(compat_url: str) -> None:
    with connect(compat_url) as conn:
        conn.execute("create table public.t (id int)")
        conn.execute("create function public.f() returns int language sql as 'select 1'")
        grants = conn.execute(
            "select has_table_privilege('anon', 'public.t', 'select'), "
            "has_table_privilege('authenticated', 'public.t', 'insert'), "
            "has_function_privilege('anon', 'public.f()', 'execute')"
        ).fetchone()
        # Revoking from PUBLIC alone is not enough: anon holds its own grant.
        conn.execute("revoke execute on function public.f() from public")
        still = scalar(conn, "select has_function_privilege('anon', 'public.f()', 'execute')")
        conn.rollback()
    assert grants == (True, True, True)
    assert still is True


def test_install_is_idempotent_and_marks_the_database(compat_url: str) -> None:
    before = database_state(compat_url)
    with connect(compat_url, autocommit=True) as conn:
        install(conn)
        info = detect(conn)
    assert database_state(compat_url) == before
    assert info.kind is TargetKind.COMPAT
    assert info.compat_version == COMPAT_VERSION
    assert "not Supabase" in info.describe()


def test_never_installed_on_a_supabase_database(empty_db_url: str, tmp_path) -> None:
    # A database shaped like Supabase: Supabase Auth's own history table in schema auth.
    with connect(empty_db_url, autocommit=True) as conn:
        conn.execute("create schema auth")
        conn.execute("create table auth.schema_migrations (version varchar(255) primary key)")
        assert detect(conn).kind is TargetKind.SUPABASE
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "20260101000000_t.sql").write_text("create table public.t (id int);\n")

    result = migrate(empty_db_url, migrations)

    assert result.compat == "not needed"
    with connect(empty_db_url) as conn:
        assert scalar(conn, "select to_regclass('auth.users')") is None
        assert scalar(conn, "select obj_description('auth'::regnamespace, 'pg_namespace')") is None


def test_a_foreign_auth_schema_is_left_alone_with_a_warning(empty_db_url: str, tmp_path) -> None:
    with connect(empty_db_url, autocommit=True) as conn:
        conn.execute("create schema auth")
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    result = migrate(empty_db_url, migrations)
    assert result.compat == "skipped"
    assert any("neither Supabase's nor khepri-db's" in w for w in result.warnings)
