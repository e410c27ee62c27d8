-- Supabase's roles, with the attributes, settings and memberships the supabase/postgres image
-- gives them today (its init scripts plus its migrations up to 2026-08: the API roles INHERIT
-- since 2023-05, supabase_auth_admin lost CREATEROLE in 2026-08, postgres no longer belongs to
-- the service admins since 2025-04). Roles are cluster-wide: create only what is missing, then set
-- the attributes whatever created the role. No role gets a password, so none can log in with
-- password authentication; attributes only a superuser may grant (SUPERUSER, REPLICATION,
-- BYPASSRLS on a new role) are given when the installing role is a superuser. A role this layer
-- creates carries a comment naming khepri-db, so that detect.sql never takes a cluster where
-- the layer created supabase_admin for a Supabase cluster.
do $$
declare
    is_super boolean := (select r.rolsuper from pg_catalog.pg_roles as r where r.rolname = current_user);
    spec record;
begin
    for spec in
        select *
        from (
            values
            ('anon', 'nologin inherit nobypassrls', false),
            ('authenticated', 'nologin inherit nobypassrls', false),
            ('service_role', 'nologin inherit bypassrls', true),
            ('authenticator', 'login noinherit', false),
            ('supabase_admin', 'login inherit createrole createdb replication bypassrls superuser', true),
            ('supabase_auth_admin', 'login noinherit nocreaterole', false),
            ('supabase_storage_admin', 'login noinherit createrole', false),
            ('supabase_realtime_admin', 'login noinherit createrole replication', true),
            ('supabase_functions_admin', 'login noinherit createrole', false),
            ('supabase_replication_admin', 'login replication', true),
            ('supabase_read_only_user', 'login bypassrls', true),
            ('dashboard_user', 'nologin inherit createrole createdb replication', true),
            ('pgbouncer', 'login inherit', false)
        ) as roles (role_name, attributes, needs_superuser)
    loop
        if not exists (select 1 from pg_catalog.pg_roles as r where r.rolname = spec.role_name) then
            execute format('create role %I', spec.role_name);
            -- Roles are cluster-wide: the comment tells detect.sql, in any database of this
            -- cluster, that khepri-db made this role (Supabase's own roles carry no comment).
            execute format(
                'comment on role %I is %L',
                spec.role_name,
                'khepri-db compatibility layer: Supabase''s ' || spec.role_name || ' role on vanilla PostgreSQL'
            );
        end if;
        if is_super or not spec.needs_superuser then
            execute format('alter role %I %s', spec.role_name, spec.attributes);
        end if;
    end loop;
end
$$;

-- Per-role settings (pg_roles.rolconfig) as on Supabase. log_statement may only be set by a
-- superuser; PostgreSQL 15 has no transaction_timeout, and safeupdate is not loaded here.
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';
alter role supabase_auth_admin set search_path = auth;
alter role supabase_auth_admin set idle_in_transaction_session_timeout = 60000;
alter role supabase_storage_admin set search_path = storage;
alter role supabase_realtime_admin set search_path = public, extensions, realtime;
alter role supabase_functions_admin set search_path = supabase_functions;
alter role supabase_admin set search_path = "$user", public, auth, extensions; -- noqa: RF05

do $$
begin
    if (select r.rolsuper from pg_catalog.pg_roles as r where r.rolname = current_user) then
        alter role supabase_admin set log_statement = 'none';
        alter role supabase_auth_admin set log_statement = 'none';
        alter role supabase_storage_admin set log_statement = 'none';
    end if;
end
$$;

-- Memberships. PostgREST logs in as authenticator and switches to one of the API roles per
-- request; Storage logs in as supabase_storage_admin and switches through authenticator;
-- Realtime switches to the API roles to evaluate RLS.
grant anon to authenticator;
grant authenticated to authenticator;
grant service_role to authenticator;
grant authenticator to supabase_storage_admin;
grant anon to supabase_realtime_admin;
grant authenticated to supabase_realtime_admin;
grant service_role to supabase_realtime_admin;

-- The project's postgres role may become the API roles (with ADMIN OPTION from PostgreSQL 16 on,
-- as Supabase grants it), and holds the predefined monitoring roles. On khepri-db's own clusters
-- postgres is the superuser, where memberships change nothing but the catalog.
do $$
begin
    if exists (select 1 from pg_catalog.pg_roles as r where r.rolname = 'postgres') then
        if current_setting('server_version_num')::integer >= 160000 then
            grant anon, authenticated, service_role to postgres with admin option;
        else
            grant anon, authenticated, service_role to postgres;
        end if;
        grant supabase_functions_admin to postgres;
    end if;
    -- Predefined roles: only a superuser (or their admin) may grant them.
    if (select r.rolsuper from pg_catalog.pg_roles as r where r.rolname = current_user) then
        grant pg_read_all_data to supabase_read_only_user;
        if exists (select 1 from pg_catalog.pg_roles as r where r.rolname = 'postgres') then
            grant pg_monitor, pg_read_all_data, pg_signal_backend to postgres;
        end if;
    end if;
end
$$;

-- A non-superuser that installs the layer must be able to switch to the API roles, as Supabase's
-- postgres role can.
do $$
begin
    if not (select r.rolsuper from pg_catalog.pg_roles as r where r.rolname = current_user) then
        execute format('grant anon, authenticated, service_role to %I', current_user);
    end if;
end
$$;

-- What supabase_admin creates in public is granted to the API roles, as for postgres (050).
alter default privileges for role supabase_admin in schema public
grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
grant all on sequences to postgres, anon, authenticated, service_role;

-- Database-level privileges the service roles have on Supabase.
do $$
begin
    execute format('grant all on database %I to dashboard_user', current_database());
    execute format('grant create on database %I to supabase_auth_admin', current_database());
    execute format('grant create on database %I to supabase_storage_admin', current_database());
    execute format('grant create on database %I to supabase_realtime_admin', current_database());
end
$$;
