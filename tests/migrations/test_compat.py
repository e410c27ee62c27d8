"""The Supabase compatibility layer on vanilla PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from khepri_db.core.db import connect
from khepri_db.core.errors import CompatError
from khepri_db.core.session import as_user, create_user
from khepri_db.core.sqltext import split_statements
from khepri_db.engines import Engine
from khepri_db.migrations.apply import migrate
from khepri_db.migrations.compat import COMPAT_VERSION, TargetKind, detect, install, load_manifest, manifest_gap
from khepri_db.testing.plugin import database_name
from tests.support import database_state, scalar, write_migration

pytestmark = pytest.mark.pg

SUPABASE_USER_COLUMNS = {
    "instance_id", "id", "aud", "role", "email", "encrypted_password", "email_confirmed_at", "invited_at",
    "confirmation_token", "confirmation_sent_at", "recovery_token", "recovery_sent_at", "email_change_token_new",
    "email_change", "email_change_sent_at", "last_sign_in_at", "raw_app_meta_data", "raw_user_meta_data",
    "is_super_admin", "created_at", "updated_at", "phone", "phone_confirmed_at", "phone_change",
    "phone_change_token", "phone_change_sent_at", "confirmed_at", "email_change_token_current",
    "email_change_confirm_status", "banned_until", "reauthentication_token", "reauthentication_sent_at",
    "is_sso_user", "deleted_at", "is_anonymous",
}  # fmt: skip


@pytest.fixture(scope="module")
def compat_template(khepri_database_factory: Callable[..., str]) -> str:
    """A database with the layer installed once; tests get copies of it (compat_url)."""
    url = khepri_database_factory()
    with connect(url, autocommit=True) as conn:
        assert detect(conn).kind is TargetKind.VANILLA
        install(conn)
    return url


@pytest.fixture
def compat_url(khepri_database_factory: Callable[..., str], compat_template: str) -> str:
    """A fresh copy of ``compat_template``."""
    return khepri_database_factory(template=database_name(compat_template))


@pytest.fixture
def installed_url(empty_db_url: str) -> str:
    """A database where the layer was installed in place (with its database setting)."""
    with connect(empty_db_url, autocommit=True) as conn:
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


# -- v2: the layer as Supabase has it today -------------------------------------------------------

V1_FILES = sorted((Path(__file__).parents[1] / "data" / "compat_v1").glob("*.sql"))


def _install_v1(url: str) -> None:
    """Install layer v1 as commit bbec4fc shipped it (tests/data/compat_v1, a copy of our own files)."""
    with connect(url, autocommit=True) as conn, conn.transaction():
        for path in V1_FILES:
            for statement in split_statements(path.read_text(encoding="utf-8")):
                conn.execute(statement.text)


def test_layer_matches_the_manifest_of_supabase_objects(compat_url: str) -> None:
    manifest = load_manifest()
    with connect(compat_url) as conn:
        report = manifest_gap(conn)
    print(f"compat manifest: {report.facts} facts, gap {len(report.gaps)} ({len(report.documented)} documented)")
    assert report.facts > 700  # schemas, tables, columns, indexes, functions, roles...
    assert [(g.kind, g.name, g.expected, g.actual) for g in report.undocumented] == []
    assert sorted(f"{g.kind} {g.name}" for g in report.gaps) == sorted(manifest["differences"])


def test_the_extensions_supabase_preinstalls_are_there_on_either_engine(compat_url: str, khepri_engine: Engine) -> None:
    # sql/compat/install/020 and 025 install each where the server offers it. A server khepri-db
    # starts offers all six: PostgreSQL 18 (embedded) through extension_control_path, 15 (system)
    # through its private install tree, with Debian's real pgcrypto and uuid-ossp winning there.
    if khepri_engine.name not in ("embedded", "system"):
        pytest.skip(f"the {khepri_engine.name} engine's server is not started by khepri-db: its extensions vary")
    with connect(compat_url) as conn:
        rows = conn.execute(
            "select extname, extnamespace::regnamespace::text from pg_catalog.pg_extension "
            "where extname <> 'plpgsql' order by 1"
        ).fetchall()
    assert rows == [
        ("pg_graphql", "graphql"),
        ("pg_stat_statements", "extensions"),
        ("pgcrypto", "extensions"),
        ("pgsodium", "pgsodium"),
        ("supabase_vault", "vault"),
        ("uuid-ossp", "extensions"),
    ]


def test_the_manifest_comparison_sees_a_missing_column_and_an_extra_index(compat_url: str) -> None:
    with connect(compat_url) as conn:
        conn.execute("alter table auth.sessions drop column tag")
        conn.execute("create index extra_idx on storage.objects (owner_id)")
        gaps = {(g.kind, g.name): (g.expected, g.actual) for g in manifest_gap(conn).undocumented}
        conn.rollback()
    assert gaps == {
        ("column", "auth.sessions.tag"): ("text", None),
        ("index", "storage.extra_idx"): (None, "on objects"),
    }


def test_every_auth_table_supabase_has_exists_with_rls_and_no_api_grant(compat_url: str) -> None:
    with connect(compat_url) as conn:
        tables = dict(
            conn.execute(
                "select c.relname, c.relrowsecurity from pg_class c where c.relnamespace = 'auth'::regnamespace "
                "and c.relkind = 'r'"
            ).fetchall()
        )
        api_grants = scalar(
            conn,
            "select count(*) from pg_class c, aclexplode(c.relacl) a "
            "where c.relnamespace = 'auth'::regnamespace and a.grantee in "
            "('anon'::regrole, 'authenticated'::regrole, 'service_role'::regrole)",
        )
        versions = scalar(conn, "select count(*) from auth.schema_migrations")
        enums = dict(
            conn.execute(
                "select t.typname, array_agg(e.enumlabel order by e.enumsortorder)::text[] from pg_type t "
                "join pg_enum e on e.enumtypid = t.oid where t.typnamespace = 'auth'::regnamespace group by 1"
            ).fetchall()
        )
    for name in ("users", "identities", "sessions", "refresh_tokens", "mfa_factors", "mfa_challenges",
                 "mfa_amr_claims", "sso_providers", "sso_domains", "saml_providers", "saml_relay_states",
                 "flow_state", "one_time_tokens", "audit_log_entries", "instances", "schema_migrations"):  # fmt: skip
        assert tables[name] is True, name
    assert {"oauth_clients", "oauth_authorizations", "oauth_consents"} <= set(tables)
    assert api_grants == 0
    assert versions == 77
    assert enums["aal_level"] == ["aal1", "aal2", "aal3"]
    assert enums["factor_type"] == ["totp", "webauthn", "phone"]
    assert enums["one_time_token_type"][0] == "confirmation_token"


def test_create_user_writes_the_email_identity_and_sessions_cascade(compat_url: str) -> None:
    with connect(compat_url) as conn:
        user = create_user(conn, email="ada@example.test")
        conn.execute(
            "insert into auth.sessions (id, user_id, created_at, aal) values (gen_random_uuid(), %s, now(), 'aal1')",
            (user.id,),
        )
        identity = conn.execute(
            "select provider, provider_id, email from auth.identities where user_id = %s", (user.id,)
        ).fetchone()
        conn.execute("delete from auth.users where id = %s", (user.id,))
        left = scalar(conn, "select count(*) from auth.sessions where user_id = %s", (user.id,))
        conn.rollback()
    assert identity == ("email", str(user.id), "ada@example.test")
    assert left == 0


def test_v1_database_upgrades_in_place_on_the_next_migrate(empty_db_url: str, migrations_dir: Path) -> None:
    _install_v1(empty_db_url)
    with connect(empty_db_url, autocommit=True) as conn:
        before = detect(conn)
        user = create_user(conn, email="kept@example.test")
        conn.execute("insert into storage.buckets (id, name) values ('old', 'old')")
    write_migration(
        migrations_dir,
        "20260101000000_sessions.sql",
        "create view public.my_sessions with (security_invoker = on) as\n"
        "select s.id, s.aal from auth.sessions as s where s.user_id = (select auth.uid());\n",
    )

    result = migrate(empty_db_url, migrations_dir)
    again = migrate(empty_db_url, migrations_dir)

    assert before.kind is TargetKind.COMPAT
    assert before.compat_version == 1
    assert result.compat == "upgraded"
    assert again.compat == "present"
    with connect(empty_db_url) as conn:
        assert detect(conn).compat_version == COMPAT_VERSION
        assert manifest_gap(conn).undocumented == []
        assert scalar(conn, "select email from auth.users where id = %s", (user.id,)) == "kept@example.test"
        assert scalar(conn, "select type::text from storage.buckets where id = 'old'") == "STANDARD"
        assert scalar(conn, "select count(*) from public.my_sessions") == 0


def test_a_database_of_the_layer_is_compat_even_with_supabase_markers(installed_url: str) -> None:
    with connect(installed_url) as conn:
        # The layer has auth.schema_migrations and supabase_admin, which mark real Supabase...
        assert scalar(conn, "select to_regclass('auth.schema_migrations') is not null") is True
        assert detect(conn).kind is TargetKind.COMPAT
        # ...and stays khepri-db's when a migration replaces the comment on schema auth.
        conn.execute("comment on schema auth is 'Auth schema'")
        info = detect(conn)
        conn.rollback()
    assert info.kind is TargetKind.COMPAT
    assert info.compat_version == COMPAT_VERSION


def test_a_new_database_next_to_the_layer_is_vanilla_and_real_supabase_is_recognised(
    compat_url: str, khepri_database_factory: Callable[..., str]
) -> None:
    other = khepri_database_factory()
    with connect(other) as conn:
        # supabase_admin exists cluster-wide, created (and commented) by the layer: not Supabase.
        assert detect(conn).kind is TargetKind.VANILLA
        # The same role without khepri-db's comment is Supabase's.
        conn.execute("comment on role supabase_admin is null")
        real = detect(conn)
        conn.rollback()
    assert real.kind is TargetKind.SUPABASE


REALISTIC_MIGRATION = """
create table public.profiles (
    id uuid primary key references auth.users (id) on delete cascade,
    full_name text,
    updated_at timestamptz
);
alter table public.profiles enable row level security;

create function public.handle_new_user()
returns trigger
language plpgsql
security definer set search_path = ''
as $$
begin
    insert into public.profiles (id, full_name) values (new.id, new.raw_user_meta_data ->> 'full_name');
    return new;
end;
$$;

create trigger on_auth_user_created
after insert on auth.users
for each row execute procedure public.handle_new_user();

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('avatars', 'avatars', false, 1048576, array['image/png', 'image/jpeg']);

create policy "avatars_insert_own_folder" on storage.objects for insert to authenticated
with check (bucket_id = 'avatars' and (storage.foldername(name))[1] = (select auth.uid())::text);
create policy "avatars_select_own_folder" on storage.objects for select to authenticated
using (bucket_id = 'avatars' and (storage.foldername(name))[1] = (select auth.uid())::text);

create function public.session_count()
returns bigint
language sql
security definer set search_path = ''
as $$ select count(*) from auth.sessions where user_id = (select auth.uid()) $$;

create function public.has_verified_factor()
returns boolean
language sql
security definer set search_path = ''
as $$
    select exists (
        select 1 from auth.mfa_factors
        where user_id = (select auth.uid()) and status = 'verified' and factor_type = 'totp'
    )
$$;

create table public.orders (id bigint generated always as identity primary key, total numeric not null);
create trigger orders_webhook
after insert on public.orders
for each row execute function supabase_functions.http_request(
    'https://hooks.example.test/orders', 'POST', '{"Content-Type":"application/json"}', '{}', '1000'
);

create table public.messages (id bigint generated always as identity primary key, room text, body text);
alter publication supabase_realtime add table public.messages;
create function public.broadcast_message()
returns trigger
language plpgsql
security definer set search_path = ''
as $$
begin
    perform realtime.broadcast_changes(
        'room:' || new.room, tg_op, tg_op, tg_table_name, tg_table_schema, new, old
    );
    return null;
end;
$$;
create trigger messages_broadcast after insert on public.messages
for each row execute function public.broadcast_message();
create policy "room_members_read" on realtime.messages for select to authenticated
using ((select realtime.topic()) like 'room:%');

-- The custom access token hook pattern: only Supabase Auth may call it.
create function public.custom_access_token_hook(event jsonb)
returns jsonb
language sql
stable
as $$ select event $$;
grant usage on schema public to supabase_auth_admin;
grant execute on function public.custom_access_token_hook(jsonb) to supabase_auth_admin;
revoke execute on function public.custom_access_token_hook(jsonb) from authenticated, anon, public;
grant select on table public.profiles to supabase_auth_admin;

alter table public.orders owner to supabase_admin;
alter function public.session_count() owner to supabase_admin;
"""

# What `supabase db pull` writes at the top of a ..._remote_schema.sql, and the statements about
# Supabase's roles and objects it dumps.
DB_PULL_DUMP = """
SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

COMMENT ON SCHEMA "public" IS 'standard public schema';
ALTER SCHEMA "public" OWNER TO "postgres";

SET default_tablespace = '';
SET default_table_access_method = "heap";

CREATE TABLE IF NOT EXISTS "public"."todos" (
    "id" bigint NOT NULL,
    "user_id" "uuid" NOT NULL,
    "task" "text"
);
ALTER TABLE "public"."todos" OWNER TO "postgres";
ALTER TABLE "public"."todos" ALTER COLUMN "id" ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "public"."todos_id_seq"
);
ALTER TABLE ONLY "public"."todos" ADD CONSTRAINT "todos_pkey" PRIMARY KEY ("id");
ALTER TABLE ONLY "public"."todos"
    ADD CONSTRAINT "todos_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "auth"."users"("id") ON DELETE CASCADE;
ALTER TABLE "public"."todos" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Individuals can view their own todos." ON "public"."todos" FOR SELECT
    USING ((( SELECT "auth"."uid"() AS "uid") = "user_id"));

ALTER PUBLICATION "supabase_realtime" OWNER TO "postgres";
ALTER PUBLICATION "supabase_realtime" ADD TABLE ONLY "public"."todos";

GRANT USAGE ON SCHEMA "public" TO "postgres";
GRANT USAGE ON SCHEMA "public" TO "anon";
GRANT USAGE ON SCHEMA "public" TO "authenticated";
GRANT USAGE ON SCHEMA "public" TO "service_role";
GRANT ALL ON TABLE "public"."todos" TO "anon";
GRANT ALL ON TABLE "public"."todos" TO "authenticated";
GRANT ALL ON TABLE "public"."todos" TO "service_role";
GRANT ALL ON SEQUENCE "public"."todos_id_seq" TO "service_role";
ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" IN SCHEMA "public" GRANT ALL ON SEQUENCES  TO "postgres";
ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" IN SCHEMA "public" GRANT ALL ON TABLES  TO "anon";
ALTER DEFAULT PRIVILEGES FOR ROLE "supabase_admin" IN SCHEMA "public" GRANT ALL ON FUNCTIONS  TO "authenticated";
ALTER DEFAULT PRIVILEGES FOR ROLE "supabase_admin" IN SCHEMA "public" GRANT ALL ON TABLES  TO "service_role";
GRANT ALL ON FUNCTION "realtime"."topic"() TO "postgres";
GRANT SELECT ON TABLE "auth"."users" TO "supabase_auth_admin";
GRANT ALL ON TABLE "storage"."objects" TO "dashboard_user";
GRANT ALL ON TABLE "supabase_functions"."hooks" TO "supabase_functions_admin";
GRANT ALL ON FUNCTION "pgbouncer"."get_auth"("p_usename" "text") TO "pgbouncer";
GRANT ALL ON FUNCTION "graphql_public"."graphql"(
    "operationName" "text", "query" "text", "variables" "jsonb", "extensions" "jsonb"
) TO "anon";

RESET ALL;
"""

# A stand-in for pg_net's two functions, for this test only (another part of khepri-db ships
# the pg_net extension stand-in): records what supabase_functions.http_request sends.
FAKE_PG_NET = """
create schema if not exists net;
create table net.sent (id bigint generated always as identity primary key, method text, url text, body jsonb);
create function net.http_post(url text, body jsonb, params jsonb, headers jsonb, timeout_milliseconds integer)
returns bigint language sql as $$ insert into net.sent (method, url, body) values ('POST', url, body) returning id $$;
"""


def test_realistic_migrations_that_reference_supabase_objects_apply(empty_db_url: str, migrations_dir: Path) -> None:
    write_migration(migrations_dir, "20260101000000_app.sql", REALISTIC_MIGRATION)
    write_migration(migrations_dir, "20260102000000_remote_schema.sql", DB_PULL_DUMP)

    result = migrate(empty_db_url, migrations_dir)

    assert [a.version for a in result.applied] == ["20260101000000", "20260102000000"]
    with connect(empty_db_url) as conn:
        # The trigger on auth.users filled public.profiles.
        user = create_user(conn, email="grace@example.test", user_metadata={"full_name": "Grace"})
        other = create_user(conn)
        assert scalar(conn, "select full_name from public.profiles where id = %s", (user.id,)) == "Grace"
        # Storage policies with storage.foldername: own folder yes, someone else's no.
        with as_user(conn, user):
            conn.execute(
                "insert into storage.objects (bucket_id, name, owner_id) values ('avatars', %s, %s)",
                (f"{user.id}/me.png", str(user.id)),
            )
            seen = scalar(conn, "select count(*) from storage.objects")
            sessions = scalar(conn, "select public.session_count()")
            verified = scalar(conn, "select public.has_verified_factor()")
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"), conn.transaction():
                conn.execute(
                    "insert into storage.objects (bucket_id, name) values ('avatars', %s)", (f"{other.id}/x.png",)
                )
        conn.rollback()
        assert (seen, sessions, verified) == (1, 0, False)
        # Broadcast from the database lands in realtime.messages.
        conn.execute("insert into public.messages (room, body) values ('42', 'hello')")
        message = conn.execute(
            "select topic, event, extension, payload -> 'record' ->> 'body' from realtime.messages"
        ).fetchone()
        assert message == ("room:42", "INSERT", "broadcast", "hello")
        # Owners and grants the migrations gave.
        assert scalar(conn, "select pg_get_userbyid(relowner) from pg_class where oid = 'public.orders'::regclass") == (
            "supabase_admin"
        )
        assert scalar(conn, "select has_function_privilege('supabase_auth_admin', "
                            "'public.custom_access_token_hook(jsonb)', 'execute')") is True  # fmt: skip
        assert scalar(conn, "select has_function_privilege('anon', "
                            "'public.custom_access_token_hook(jsonb)', 'execute')") is False  # fmt: skip
        conn.rollback()


def test_database_webhooks_call_pg_net_and_log_the_hook(empty_db_url: str) -> None:
    with connect(empty_db_url, autocommit=True) as conn:
        conn.execute(FAKE_PG_NET)
        # net exists before the layer: the layer grants its usage, as the image does.
        install(conn)
        conn.execute("grant all on net.sent to supabase_functions_admin")  # http_request runs as it
    with connect(empty_db_url) as conn:
        assert scalar(conn, "select has_schema_privilege('supabase_functions_admin', 'net', 'usage')") is True
        conn.execute("create table public.orders (id int primary key, total numeric)")
        conn.execute(
            "create trigger orders_webhook after insert on public.orders for each row execute function "
            "supabase_functions.http_request('https://hooks.example.test/o', 'POST', '{}', '{}', '1000')"
        )
        conn.execute("insert into public.orders values (7, 12.5)")
        sent = conn.execute("select method, url, body from net.sent").fetchone()
        hook = conn.execute(
            "select hook_name, request_id, hook_table_id::regclass::text from supabase_functions.hooks"
        ).fetchone()
        conn.rollback()
    assert sent is not None
    assert sent[:2] == ("POST", "https://hooks.example.test/o")
    assert sent[2] == {"type": "INSERT", "table": "orders", "schema": "public", "record": {"id": 7, "total": 12.5},
                       "old_record": None}  # fmt: skip
    assert hook == ("orders_webhook", 1, "orders")


def test_webhook_without_pg_net_fails_naming_net_http_post(compat_url: str) -> None:
    with connect(compat_url) as conn:
        conn.execute("create table public.orders (id int primary key)")
        conn.execute(
            "create trigger orders_webhook after insert on public.orders for each row execute function "
            "supabase_functions.http_request('https://hooks.example.test/o', 'POST', '{}', '{}', '1000')"
        )
        with pytest.raises(psycopg.Error, match=r"net\.http_post|schema \"net\" does not exist"):
            conn.execute("insert into public.orders values (1)")
        conn.rollback()


def test_storage_functions_and_guards_behave_like_supabase(compat_url: str) -> None:
    with connect(compat_url) as conn:
        conn.execute("insert into storage.buckets (id, name) values ('b', 'b')")
        conn.execute(
            "insert into storage.objects (bucket_id, name, metadata) values "
            "('b', 'docs/a.txt', '{\"size\": 10}'), ('b', 'docs/sub/b.txt', '{\"size\": 5}'), "
            "('b', 'top.tar.gz', '{\"size\": 1}')"
        )
        listed = conn.execute("select name, id is null from storage.search('docs/', 'b', 100, 2)").fetchall()
        sizes = conn.execute("select bucket_id, size from storage.get_size_by_bucket()").fetchall()
        helpers = conn.execute(
            "select storage.extension('top.tar.gz'), storage.filename('docs/sub/b.txt'), "
            "storage.foldername('docs/sub/b.txt')"
        ).fetchone()
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="direct deletion"):
            conn.execute("delete from storage.objects")
        conn.rollback()
        conn.execute("select set_config('storage.allow_delete_query', 'true', true)")
        conn.execute("insert into storage.buckets (id, name) values ('gone', 'gone')")
        deleted = conn.execute("delete from storage.buckets where id = 'gone'").rowcount
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="too long"):
            conn.execute("insert into storage.buckets (id, name) values ('x', repeat('n', 101))")
        conn.rollback()
    assert listed == [("a.txt", False), ("sub", True)]
    assert sizes == [("b", 16)]
    assert helpers == ("gz", "b.txt", ["docs", "sub"])
    assert deleted == 1


def test_realtime_send_records_a_broadcast_message_and_sets_the_topic(compat_url: str) -> None:
    with connect(compat_url) as conn:
        conn.execute("select realtime.send('{\"text\": \"hi\"}', 'chat', 'room:1', false)")
        row = conn.execute(
            "select topic, event, private, payload ->> 'text', payload ? 'id' from realtime.messages"
        ).fetchone()
        topic = scalar(conn, "select realtime.topic()")
        conn.rollback()
    assert row == ("room:1", "chat", False, "hi", True)
    assert topic == "room:1"


def test_graphql_public_answers_with_a_graphql_error_and_pgbouncer_get_auth_exists(compat_url: str) -> None:
    with connect(compat_url) as conn:
        answer = scalar(conn, "select graphql_public.graphql(query => '{ __typename }')")
        can_anon = scalar(conn, "select has_function_privilege('anon', 'pgbouncer.get_auth(text)', 'execute')")
        can_pgbouncer = scalar(
            conn, "select has_function_privilege('pgbouncer', 'pgbouncer.get_auth(text)', 'execute')"
        )
    assert answer["errors"][0]["message"].startswith("pg_graphql")
    assert (can_anon, can_pgbouncer) == (False, True)


def test_a_failed_install_names_file_and_line_and_leaves_nothing(empty_db_url: str) -> None:
    with connect(empty_db_url, autocommit=True) as conn:
        conn.execute("create role khepri_compat_nobody nologin")
        try:
            conn.execute("set role khepri_compat_nobody")
            with pytest.raises(CompatError, match=r"failed at 010_roles\.sql:\d+: .* \[SQLSTATE 42501\]") as caught:
                install(conn)
            conn.execute("reset role")
            left = scalar(conn, "select to_regnamespace('auth') is null and to_regnamespace('storage') is null")
        finally:
            conn.execute("reset role")
            conn.execute("drop role khepri_compat_nobody")
    assert "--no-compat" in (caught.value.hint or "")
    assert left is True
