-- Supabase's API roles, with the attributes the supabase/postgres image gives them.
-- Roles are cluster-wide, so create only what is missing, then make the attributes that
-- decide what RLS does (LOGIN, INHERIT, BYPASSRLS) right whatever created the role.
do $$
begin
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'anon') then
        create role anon nologin noinherit;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'authenticated') then
        create role authenticated nologin noinherit;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'service_role') then
        create role service_role nologin noinherit bypassrls;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'authenticator') then
        create role authenticator login noinherit;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'supabase_auth_admin') then
        create role supabase_auth_admin nologin noinherit;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'supabase_storage_admin') then
        create role supabase_storage_admin nologin noinherit;
    end if;
end
$$;

alter role anon nologin noinherit nobypassrls;
alter role authenticated nologin noinherit nobypassrls;
alter role service_role nologin noinherit bypassrls;
alter role authenticator login noinherit;

-- PostgREST logs in as authenticator and switches to one of these per request.
grant anon to authenticator;
grant authenticated to authenticator;
grant service_role to authenticator;

-- Statement timeouts Supabase sets for the API roles (PostgREST applies them on the role switch).
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';

-- A non-superuser that installs the layer must be able to switch to the API roles, as Supabase's
-- postgres role can.
do $$
begin
    if not (select rolsuper from pg_catalog.pg_roles where rolname = current_user) then
        execute format('grant anon, authenticated, service_role to %I', current_user);
    end if;
end
$$;
