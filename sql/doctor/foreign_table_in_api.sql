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
cross join lateral pg_catalog.unnest(null::text[]) as roles (names)  -- khepri-db include: api_roles.sql
where
    c.relkind = 'f'
    and roles.names is not null
    and true  -- khepri-db include: exposed_relation.sql
order by n.nspname, c.relname
