-- The extensions Supabase preinstalls beyond pgcrypto and uuid-ossp (020_extensions.sql), in the
-- schemas Supabase uses: pg_graphql in graphql, supabase_vault in vault, pg_stat_statements in
-- extensions, pgsodium in pgsodium (supabase/postgres' PostgreSQL 15 and 16 images: schema-15.sql,
-- migration 20221207154255_create_pgsodium_and_vault, the grants of its after-create script and of
-- 20230529180330_alter_api_roles_for_inherit). Each is installed only where the server offers it (on
-- the embedded and system engines all but pg_stat_statements are khepri-db's stand-ins) and is not
-- there yet.
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
    if exists (select 1 from pg_catalog.pg_available_extensions where name = 'pgsodium')
        and not exists (select 1 from pg_catalog.pg_extension where extname = 'pgsodium') then
        create extension pgsodium;  -- its control file names schema pgsodium
        grant pgsodium_keyiduser to postgres with admin option;
        grant pgsodium_keyholder to postgres with admin option;
        grant pgsodium_keymaker to postgres with admin option;
        grant pgsodium_keyholder to service_role;
        grant execute on function pgsodium.crypto_aead_det_decrypt(bytea, bytea, uuid, bytea) to service_role;
        grant execute on function pgsodium.crypto_aead_det_encrypt(bytea, bytea, uuid, bytea) to service_role;
        grant execute on function pgsodium.crypto_aead_det_keygen() to service_role;
    end if;
end
$$;
