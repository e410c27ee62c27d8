-- name: rls_disabled_in_public
-- title: RLS Disabled in Public
-- level: ERROR
-- facing: EXTERNAL
-- categories: SECURITY
-- splinter: 0013
-- Same rule as Supabase's linter 0013. Exposure is decided by khepri.exposed_schemas (doctor
-- resolves it from --exposed-schemas, supabase/config.toml, pgrst.db_schemas, else public), and a
-- table counts as reachable when anon or authenticated holds any of SELECT, INSERT, UPDATE, DELETE.
select
    'rls_disabled_in_public' as name,
    'RLS Disabled in Public' as title,
    'ERROR' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects tables in schemas exposed through the Data API (PostgREST) that the API roles can reach '
    || 'but that have row level security disabled: every row is readable and writable with the anon key.'
        as description,
    format(
        'Table `%s.%s` is exposed through the Data API (%s), but RLS has not been enabled.',
        n.nspname,
        c.relname,
        array_to_string(
            array(
                select r.role_name
                from unnest(array['anon', 'authenticated']) as r (role_name)
                where
                    exists (
                        select 1 from pg_catalog.pg_roles as pr
                        where pr.rolname = r.role_name
                    )
                    and pg_catalog.has_table_privilege(r.role_name, c.oid, 'SELECT, INSERT, UPDATE, DELETE')
            ),
            ' and '
        ) || ' can reach it'
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0013_rls_disabled_in_public' as remediation,
    jsonb_build_object('schema', n.nspname, 'name', c.relname, 'type', 'table') as metadata,
    format('rls_disabled_in_public_%s_%s', n.nspname, c.relname) as cache_key
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    c.relkind in ('r', 'p')
    and not c.relispartition
    and not c.relrowsecurity
    and n.nspname = any(string_to_array(current_setting('khepri.exposed_schemas'), ','))
    and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
    and not exists (
        select 1 from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
    )
    and exists (
        select 1
        from unnest(array['anon', 'authenticated']) as r (role_name)
        where
            exists (
                select 1 from pg_catalog.pg_roles as pr
                where pr.rolname = r.role_name
            )
            and pg_catalog.has_table_privilege(r.role_name, c.oid, 'SELECT, INSERT, UPDATE, DELETE')
    )
order by n.nspname, c.relname
