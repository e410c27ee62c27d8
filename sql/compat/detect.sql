-- What kind of target is this? Read by khepri_db.compat.detect(); changes nothing.
-- A real Supabase database has GoTrue's own history table (auth.schema_migrations) and the
-- supabase_admin role; khepri-db's compatibility layer marks the auth schema with a comment.
select
    current_setting('server_version') as server_version,
    current_setting('server_version_num')::integer as server_version_num,
    current_database() as database_name,
    current_user as user_name,
    coalesce(r.rolsuper, false) as is_superuser,
    to_regnamespace('auth') is not null as has_auth_schema,
    to_regclass('auth.schema_migrations') is not null as has_gotrue_history,
    exists(
        select 1 from pg_catalog.pg_roles as pr
        where pr.rolname = 'supabase_admin'
    ) as has_supabase_admin,
    (
        select (regexp_match(obj_description(ns.oid, 'pg_namespace'), 'compatibility layer v(\d+)'))[1]::integer
        from pg_catalog.pg_namespace as ns
        where ns.nspname = 'auth'
    ) as compat_version,
    array(
        select role_name
        from unnest(array['anon', 'authenticated', 'service_role', 'authenticator']) as required (role_name)
        where not exists (
            select 1 from pg_catalog.pg_roles as pr
            where pr.rolname = required.role_name
        )
    ) as missing_roles
from pg_catalog.pg_roles as r
where r.rolname = current_user
