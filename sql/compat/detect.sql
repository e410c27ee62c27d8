-- What kind of target is this? Read by khepri_db.compat.detect(); changes nothing.
-- A real Supabase database has Supabase Auth's own history table (auth.schema_migrations) and
-- the supabase_admin role. khepri-db's compatibility layer creates both too, so its own marker
-- decides first: the comment on schema auth, or the database setting khepri_db.compat_version
-- (sql/compat/install/090_marker.sql); the higher of the two is the installed version. Roles are
-- cluster-wide: a supabase_admin that the layer created (commented so, 010_roles.sql) is not
-- Supabase's, so a new database on such a cluster is vanilla.
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
        where
            pr.rolname = 'supabase_admin'
            and coalesce(shobj_description(pr.oid, 'pg_authid'), '') not like 'khepri-db compatibility layer%'
    ) as has_supabase_admin,
    (
        select max(marker.version)
        from (
            select
                (regexp_match(obj_description(ns.oid, 'pg_namespace'), 'khepri-db compatibility layer v(\d+)'))[
                    1
                ]::integer
            from pg_catalog.pg_namespace as ns
            where ns.nspname = 'auth'
            union all
            select substr(setting.value, length('khepri_db.compat_version=') + 1)::integer
            from pg_catalog.pg_db_role_setting as drs
            inner join pg_catalog.pg_database as db on drs.setdatabase = db.oid
            cross join lateral unnest(drs.setconfig) as setting (value)
            where
                db.datname = current_database()
                and drs.setrole = 0
                and setting.value ~ '^khepri_db\.compat_version=\d+$'
        ) as marker (version)
        where to_regnamespace('auth') is not null
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
