-- khepri-db's own implementation of basejump-supabase_test_helpers 0.0.6 (database.dev), written from its
-- documented behaviour; see docs/extensions/basejump-supabase_test_helpers.md.
-- Full install script of version 0.0.6.

-- The helpers always live in schema tests, whatever schema `create extension` names.
create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

-- Functions created in tests later (these, and a project's own) are executable by the API roles. The
-- per-schema revoke is kept as the package has it: PostgreSQL adds per-schema defaults to the global
-- ones, so while the global default grants execute to public, public keeps it.
alter default privileges in schema tests revoke execute on functions from public;
alter default privileges in schema tests grant execute on functions to anon, authenticated, service_role;

-- Schema for the functions that shadow pg_catalog's while time is frozen (only now()).
create schema if not exists test_overrides;

-- Since 0.0.5 the API roles may use test_overrides, so frozen time applies to them too (without
-- usage, PostgreSQL skips the schema in their search_path and they keep pg_catalog.now()).
grant usage on schema test_overrides to anon, authenticated, service_role;
alter default privileges in schema test_overrides revoke execute on functions from public;
alter default privileges in schema test_overrides grant execute on functions to anon, authenticated, service_role;

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

-- The test user as json (id, email, phone, raw_user_meta_data, raw_app_meta_data);
-- P0001 when no user has the identifier.
create or replace function tests.get_supabase_user(identifier text)
returns json
language plpgsql
security definer
set search_path = auth, pg_temp
as $$
declare
    found_user json;
begin
    select pg_catalog.json_build_object(
        'id', u.id,
        'email', u.email,
        'phone', u.phone,
        'raw_user_meta_data', u.raw_user_meta_data,
        'raw_app_meta_data', u.raw_app_meta_data
    )
    into found_user
    from auth.users as u
    where u.raw_user_meta_data ->> 'test_identifier' = get_supabase_user.identifier
    limit 1;
    if found_user is null then
        raise exception 'User with identifier % not found', get_supabase_user.identifier
        using errcode = 'P0001', hint = 'Create the user first with tests.create_supabase_user(identifier).';
    end if;
    return found_user;
end
$$;

-- The test user's id; P0001 when no user has the identifier.
create or replace function tests.get_supabase_uid(identifier text)
returns uuid
language plpgsql
security definer
set search_path = auth, pg_temp
as $$
declare
    found_id uuid;
begin
    select u.id
    into found_id
    from auth.users as u
    where u.raw_user_meta_data ->> 'test_identifier' = get_supabase_uid.identifier
    limit 1;
    if found_id is null then
        raise exception 'User with identifier % not found', get_supabase_uid.identifier
        using errcode = 'P0001', hint = 'Create the user first with tests.create_supabase_user(identifier).';
    end if;
    return found_id;
end
$$;

-- Act as the test user until the transaction ends: role authenticated and request.jwt.claims with
-- sub, email, phone, user_metadata and app_metadata
-- (no role, aud or exp claim), both transaction-local.
-- Security invoker: a security definer function may not change the role.
create or replace function tests.authenticate_as(identifier text)
returns void
language plpgsql
as $$
declare
    test_user json := tests.get_supabase_user(authenticate_as.identifier);
begin
    perform pg_catalog.set_config('role', 'authenticated', true);
    perform pg_catalog.set_config(
        'request.jwt.claims',
        pg_catalog.json_build_object(
            'sub', test_user ->> 'id',
            'email', test_user ->> 'email',
            'phone', test_user ->> 'phone',
            'user_metadata', test_user -> 'raw_user_meta_data',
            'app_metadata', test_user -> 'raw_app_meta_data'
        )::text,
        true
    );
end
$$;

-- Act as service_role until the transaction ends, with the request claims reset.
create or replace function tests.authenticate_as_service_role()
returns void
language plpgsql
as $$
begin
    perform pg_catalog.set_config('role', 'service_role', true);
    perform pg_catalog.set_config('request.jwt.claims', null, true);
end
$$;

-- Back to an anonymous request until the transaction ends: role anon, request claims reset.
create or replace function tests.clear_authentication()
returns void
language plpgsql
as $$
begin
    perform pg_catalog.set_config('role', 'anon', true);
    perform pg_catalog.set_config('request.jwt.claims', null, true);
end
$$;

-- pgTAP tests (one is() each): no relation with a row type (table, view, materialized view,
-- foreign table, composite type) in the schema lacks row level security; and the named one has it.
-- is() is pgTAP's and is found through the caller's search_path, as pgTAP's own functions are.
create or replace function tests.rls_enabled(testing_schema text)
returns text
language plpgsql
as $$
begin
    return is(
        (
            select count(*)::integer
            from pg_catalog.pg_class as c
            inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
            where
                n.nspname = rls_enabled.testing_schema
                and c.reltype <> 0
                and not c.relrowsecurity
        ),
        0,
        'All tables in the' || rls_enabled.testing_schema || ' schema should have row level security enabled'
    );
end
$$;

create or replace function tests.rls_enabled(testing_schema text, testing_table text)
returns text
language plpgsql
as $$
begin
    return is(
        (
            select count(*)::integer
            from pg_catalog.pg_class as c
            inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
            where
                n.nspname = rls_enabled.testing_schema
                and c.relname = rls_enabled.testing_table
                and c.reltype <> 0
                and c.relrowsecurity
        ),
        1,
        rls_enabled.testing_table || 'table in the' || rls_enabled.testing_schema
        || ' schema should have row level security enabled'
    );
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
