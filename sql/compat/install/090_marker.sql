-- The Supabase schemas belong to supabase_admin, as on Supabase (a superuser installer only:
-- nobody else may give a schema to a superuser).
do $$
declare
    schema_name text;
begin
    if (select r.rolsuper from pg_catalog.pg_roles as r where r.rolname = current_user) then
        foreach schema_name in array array['auth', 'storage', 'realtime', 'supabase_functions', 'graphql_public'] loop
            execute format('alter schema %I owner to supabase_admin', schema_name);
        end loop;
    end if;
end
$$;

-- Marks this database as vanilla PostgreSQL with khepri-db's layer, never as Supabase. The layer
-- creates what detect.sql would otherwise take for Supabase (auth.schema_migrations, the
-- supabase_admin role), so this marker is checked first. khepri_db.compat reads the version
-- number back from the comment and from a database setting (which survives a migration that
-- replaces the comment); keep both equal to COMPAT_VERSION.
comment on schema auth is
'khepri-db compatibility layer v3: a stand-in for Supabase Auth on vanilla PostgreSQL, not Supabase.';

do $$
begin
    execute format('alter database %I set khepri_db.compat_version = %L', current_database(), '3');
end
$$;
