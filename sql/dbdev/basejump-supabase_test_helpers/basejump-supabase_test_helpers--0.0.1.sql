-- khepri-db's own implementation of basejump-supabase_test_helpers 0.0.1 (database.dev), written from its
-- documented behaviour; see docs/extensions/basejump-supabase_test_helpers.md.
-- Full install script of version 0.0.1.

-- The helpers always live in schema tests, whatever schema `create extension` names.
create schema if not exists tests;
grant usage on schema tests to anon, authenticated;

-- Functions created in tests later (these, and a project's own) are executable by the API roles. The
-- per-schema revoke is kept as the package has it: PostgreSQL adds per-schema defaults to the global
-- ones, so while the global default grants execute to public, public keeps it.
alter default privileges in schema tests revoke execute on functions from public;
alter default privileges in schema tests grant execute on functions to anon, authenticated;

-- A new auth.users row for a test user, returning its id. The identifier is stored in
-- raw_user_meta_data.test_identifier (metadata is merged over it); email defaults to <id>@test.com.
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
    insert into auth.users (id, email, phone, raw_user_meta_data)
    values (
        new_id,
        coalesce(create_supabase_user.email, new_id::text || '@test.com'),
        create_supabase_user.phone,
        pg_catalog.jsonb_build_object('test_identifier', create_supabase_user.identifier)
        || coalesce(create_supabase_user.metadata, '{}'::jsonb)
    );
    return new_id;
end
$$;

-- The test user as json (id, email, phone, raw_user_meta_data);
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
        'raw_user_meta_data', u.raw_user_meta_data
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
-- sub, email and phone (no role, aud or exp claim), both transaction-local.
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
            'phone', test_user ->> 'phone'
        )::text,
        true
    );
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
