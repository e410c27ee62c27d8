-- khepri-db's own implementation of basejump-supabase_test_helpers 0.0.2--0.0.3 (database.dev), written from its
-- documented behaviour; see docs/extensions/basejump-supabase_test_helpers.md.
-- Upgrade script from 0.0.2 to 0.0.3.

-- 0.0.3: raw_app_meta_data on new users, in get_supabase_user and in the claims.

-- A new auth.users row for a test user, returning its id. The identifier is stored in
-- raw_user_meta_data.test_identifier (metadata is merged over it); email defaults to <id>@test.com.
-- raw_app_meta_data is '{}'.
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
    insert into auth.users (id, email, phone, raw_user_meta_data, raw_app_meta_data)
    values (
        new_id,
        coalesce(create_supabase_user.email, new_id::text || '@test.com'),
        create_supabase_user.phone,
        pg_catalog.jsonb_build_object('test_identifier', create_supabase_user.identifier)
        || coalesce(create_supabase_user.metadata, '{}'::jsonb),
        '{}'::jsonb
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
