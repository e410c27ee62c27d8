-- name: foreign_table_in_api
-- title: Foreign Table in API
-- level: WARN
-- facing: EXTERNAL
-- categories: SECURITY
-- splinter: 0017
-- Same rule as Supabase's linter 0017, with exposure from khepri.exposed_schemas (Supabase's
-- linter reads only pgrst.db_schemas and finds nothing when it is unset), and write grants
-- counting too (foreign tables can be written through, e.g. with postgres_fdw).
select
    'foreign_table_in_api' as name,
    'Foreign Table in API' as title,
    'WARN' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects foreign tables in schemas the Data API exposes that anon or authenticated can reach: '
    || 'foreign tables have no row level security: every row of the remote table is readable by the '
    || 'roles that can select them.'
        as description,
    format(
        'Foreign table `%s.%s` is reachable by %s through the Data API. Run `revoke all on %I.%I from anon, '
        || 'authenticated;` or move it to a schema that is not exposed.',
        n.nspname,
        c.relname,
        array_to_string(roles.names, ' and '),
        n.nspname,
        c.relname
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0017_foreign_table_in_api' as remediation,
    jsonb_build_object('schema', n.nspname, 'name', c.relname, 'type', 'foreign table') as metadata,
    format('foreign_table_in_api_%s_%s', n.nspname, c.relname) as cache_key
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
cross join
    lateral (
        select array_agg(r.rolname::text order by r.rolname) as names
        from pg_catalog.pg_roles as r
        where
            r.rolname in ('anon', 'authenticated')
            and pg_catalog.has_table_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, DELETE')
    ) as roles
where
    c.relkind = 'f'
    and roles.names is not null
    and n.nspname = any(string_to_array(current_setting('khepri.exposed_schemas'), ','))
    and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
    and not exists (
        select 1 from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
    )
order by n.nspname, c.relname
