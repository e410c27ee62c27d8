-- The extensions Supabase preinstalls beyond pgcrypto and uuid-ossp (020_extensions.sql), in the
-- schemas Supabase uses: pg_graphql in graphql, supabase_vault in vault, pg_stat_statements in
-- extensions. Each is installed only where the server offers it (on the embedded and system engines
-- the first two are khepri-db's stand-ins, pg_stat_statements is PostgreSQL's own) and is not there yet.
do $$
begin
    if exists (select 1 from pg_catalog.pg_available_extensions where name = 'pg_graphql')
        and not exists (select 1 from pg_catalog.pg_extension where extname = 'pg_graphql') then
        create extension pg_graphql;  -- its control file names schema graphql
    end if;
    if exists (select 1 from pg_catalog.pg_available_extensions where name = 'supabase_vault')
        and not exists (select 1 from pg_catalog.pg_extension where extname = 'supabase_vault') then
        create extension supabase_vault;  -- its control file names schema vault
    end if;
    if exists (select 1 from pg_catalog.pg_available_extensions where name = 'pg_stat_statements')
        and not exists (select 1 from pg_catalog.pg_extension where extname = 'pg_stat_statements') then
        create extension pg_stat_statements with schema extensions;
    end if;
end
$$;
