-- khepri-db's own implementation of basejump-supabase_test_helpers 0.0.3--0.0.4 (database.dev), written from its
-- documented behaviour; see docs/extensions/basejump-supabase_test_helpers.md.
-- Upgrade script from 0.0.3 to 0.0.4.

-- 0.0.4: created_at/updated_at on new users; freezing now().

-- Schema for the functions that shadow pg_catalog's while time is frozen (only now()).
create schema if not exists test_overrides;

-- A new auth.users row for a test user, returning its id. The identifier is stored in
-- raw_user_meta_data.test_identifier (metadata is merged over it); email defaults to <id>@test.com.
-- raw_app_meta_data is '{}'. created_at and updated_at are the transaction's real time (pg_catalog.now()).
-- Security definer so any test role can create users; search_path is the package's own (auth, pg_temp),
-- which triggers on auth.users run with.
create or replace function tests.create_supabase_user(
    identifier text,
    email text default null,
    phone text default null,
    metadata jsonb default null
)
returns uuid
language plpgsql
security definer
set search_path = auth, pg_temp
as $$
declare
    new_id uuid := pg_catalog.gen_random_uuid();
begin
    insert into auth.users (id, email, phone, raw_user_meta_data, raw_app_meta_data, created_at, updated_at)
    values (
        new_id,
        coalesce(create_supabase_user.email, new_id::text || '@test.com'),
        create_supabase_user.phone,
        pg_catalog.jsonb_build_object('test_identifier', create_supabase_user.identifier)
        || coalesce(create_supabase_user.metadata, '{}'::jsonb),
        '{}'::jsonb,
        pg_catalog.now(),
        pg_catalog.now()
    );
    return new_id;
end
$$;

-- now() while time is frozen: the frozen time, else pg_catalog.now(). Not meant to be called
-- directly; freeze_time() puts test_overrides first in the search_path.
create or replace function test_overrides.now()
returns timestamptz
language sql
stable
as $$
    select coalesce(
        nullif(pg_catalog.current_setting('tests.frozen_time', true), '')::pg_catalog.timestamptz,
        pg_catalog.now()
    )
$$;

-- Freeze now() at frozen_time until the transaction ends (or unfreeze_time()): stores it in
-- tests.frozen_time and puts test_overrides first (and pg_catalog last) in the search_path, keeping the
-- previous search_path in tests.original_search_path. Functions with their own search_path keep the
-- real now() unless it lists test_overrides before pg_catalog.
create or replace function tests.freeze_time(frozen_time timestamptz)
returns void
language plpgsql
as $$
declare
    current_path text := pg_catalog.current_setting('search_path');
begin
    if not pg_catalog.starts_with(current_path, 'test_overrides,') then
        perform pg_catalog.set_config('tests.original_search_path', current_path, true);
        perform pg_catalog.set_config(
            'search_path',
            pg_catalog.concat_ws(',', 'test_overrides', nullif(current_path, ''), 'pg_catalog'),
            true
        );
    end if;
    perform pg_catalog.set_config('tests.frozen_time', freeze_time.frozen_time::text, true);
end
$$;

-- Unfreeze now(): reset tests.frozen_time and restore the search_path freeze_time() replaced.
create or replace function tests.unfreeze_time()
returns void
language plpgsql
as $$
begin
    perform pg_catalog.set_config('tests.frozen_time', null, true);
    if pg_catalog.starts_with(pg_catalog.current_setting('search_path'), 'test_overrides,') then
        perform pg_catalog.set_config(
            'search_path', coalesce(pg_catalog.current_setting('tests.original_search_path', true), ''), true
        );
    end if;
end
$$;
