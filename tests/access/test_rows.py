"""Row factories for keys of fixed or limited length (issue 22, item 2): ``char(n)`` and
``varchar(n)`` keys used to break the generated rows (a uuid-based text is too long)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from khepri_db.access._init_values import unused_random_hex
from khepri_db.access.access_init import init_access
from khepri_db.access.declaration import load_declaration
from khepri_db.core.db import connect
from khepri_db.core.project import Project
from khepri_db.migrations.apply import migrate
from khepri_db.testing.plugin import DatabaseFactory
from tests.support import write_migration

pytestmark = pytest.mark.pg

NO_PROJECT = Project(Path(__file__).resolve().parent)

SHORT_KEYS = """
create table public.countries (code char(2) primary key check (code = upper(code)), name text not null);
create table public.shops (
    id bigint generated always as identity primary key,
    owner_id uuid not null references auth.users (id),
    slug varchar(6) not null unique,
    ref char(10) not null unique,
    country char(2) not null references public.countries (code)
);
create table public.badges (
    code varchar(2) primary key,
    owner_id uuid not null references auth.users (id)
);
alter table public.badges enable row level security;
create policy own_badges on public.badges for all to authenticated
    using (owner_id = (select auth.uid())) with check (owner_id = (select auth.uid()));
grant select, insert, update, delete on public.badges to authenticated;
alter table public.countries enable row level security;
alter table public.shops enable row level security;
create policy read_countries on public.countries for select to anon, authenticated using (true);
create policy own_shops on public.shops for all to authenticated
    using (owner_id = (select auth.uid())) with check (owner_id = (select auth.uid()));
grant select on public.countries to anon, authenticated;
grant select, insert, update, delete on public.shops to authenticated;
"""


def test_char_and_varchar_keys_get_values_of_their_length(
    khepri_database_factory: DatabaseFactory, tmp_path: Path, migrations_dir: Path
) -> None:
    url = khepri_database_factory()
    write_migration(migrations_dir, "20260101000000_short_keys.sql", SHORT_KEYS)
    migrate(url, migrations_dir)
    path = tmp_path / "access.toml"
    result = init_access(url, path, project=NO_PROJECT, exposed_schemas=["public"])
    assert not result.unbuildable, [(t.name, t.reason) for t in result.unbuildable]
    decl = load_declaration(path)
    row = decl.table("shops").spec.row or {}
    # not "slug-{user.id}", which a varchar(6) cast cuts to "slug-" and one hex digit: owner and other
    # would share it one run in sixteen
    with connect(url) as conn:
        assert row["slug"] == {"sql": unused_random_hex(conn, "public", "shops", "slug", 6)}
        assert row["ref"] == {"sql": unused_random_hex(conn, "public", "shops", "ref", 10)}
        assert "from public.shops as t where t.slug::text" in row["slug"]["sql"]  # bare: nothing to quote
        assert 'from public."Order" as t where t."select"::text' in unused_random_hex(
            conn, "public", "Order", "select", 2
        )
    assert decl.table("shops").allowed["owner"] == {"select", "insert", "update", "delete"}
    assert not decl.table("shops").allowed.get("other")

    # varchar(2): 256 hex values. The declared draw skips the values rows hold, so 200 rows made through it
    # never collide; a bare draw (what access init declared before) collides long before 200 rows.
    code = (decl.table("badges").spec.row or {})["code"]
    with connect(url, autocommit=True) as conn:
        assert code == {"sql": unused_random_hex(conn, "public", "badges", "code", 2)}
        owner = conn.execute("insert into auth.users (id) values (gen_random_uuid()) returning id").fetchone()[0]  # type: ignore[index]
        for _ in range(200):
            conn.execute(f"insert into public.badges (code, owner_id) values ({code['sql']}, %s)", (owner,))
        assert conn.execute("select count(distinct code) from public.badges").fetchone() == (200,)
        conn.execute("delete from public.badges")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(
                "insert into public.badges (code, owner_id) "
                "select substr(md5(random()::text) || md5(random()::text), 1, 2), %s from generate_series(1, 200)",
                (owner,),
            )
    khepri_database_factory.drop(url)


UUID_AS_TEXT = """
create table public.orders (
    id bigint generated always as identity primary key,
    owner_id uuid not null references auth.users (id),
    uuid text not null unique,
    title text not null
);
create function public.orders_uuid_is_a_uuid() returns trigger language plpgsql as $$
begin
    perform new.uuid::uuid;  -- as the app does: the text is a uuid
    return new;
end
$$;
create trigger orders_uuid_is_a_uuid before insert on public.orders
    for each row execute function public.orders_uuid_is_a_uuid();
alter table public.orders enable row level security;
create policy own_orders on public.orders for all to authenticated
    using (owner_id = (select auth.uid())) with check (owner_id = (select auth.uid()));
grant select, insert, update, delete on public.orders to authenticated;
"""


def test_a_uuid_kept_as_text_gets_a_uuid(
    khepri_database_factory: DatabaseFactory, tmp_path: Path, migrations_dir: Path
) -> None:
    """A text column named ``uuid`` (or ``*_uuid``) that code casts back to uuid: "uuid-<tag>" fails
    the cast and left the table (and every table referencing it) without a row factory, as on
    SuuperSaees' orders_v2."""
    url = khepri_database_factory()
    write_migration(migrations_dir, "20260101000000_uuid_as_text.sql", UUID_AS_TEXT)
    migrate(url, migrations_dir)
    path = tmp_path / "access.toml"
    result = init_access(url, path, project=NO_PROJECT, exposed_schemas=["public"])
    assert not result.unbuildable, [(t.name, t.reason) for t in result.unbuildable]
    decl = load_declaration(path)
    assert (decl.table("orders").spec.row or {})["uuid"] == {"sql": "gen_random_uuid()::text"}
    assert decl.table("orders").allowed["owner"] == {"select", "insert", "update", "delete"}
    khepri_database_factory.drop(url)
