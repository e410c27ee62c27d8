-- name: materialized_view_in_api
-- title: Materialized View in API
-- level: WARN
-- facing: EXTERNAL
-- categories: SECURITY
-- splinter: 0016
-- Same rule as Supabase's linter 0016, with exposure from khepri.exposed_schemas (Supabase's
-- linter reads only pgrst.db_schemas and finds nothing when it is unset).
select
    'materialized_view_in_api' as name,
    'Materialized View in API' as title,
    'WARN' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects materialized views in schemas the Data API exposes that anon or authenticated can select: '
    || 'materialized views have no row level security: every row is readable by the roles that can '
    || 'select them.'
        as description,
    format(
        'Materialized view `%s.%s` is selectable by %s through the Data API. Run `revoke select on %I.%I '
        || 'from anon, authenticated;` or move it to a schema that is not exposed.',
        n.nspname,
        c.relname,
        array_to_string(roles.readers, ' and '),
        n.nspname,
        c.relname
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0016_materialized_view_in_api' as remediation,
    jsonb_build_object('schema', n.nspname, 'name', c.relname, 'type', 'materialized view') as metadata,
    format('materialized_view_in_api_%s_%s', n.nspname, c.relname) as cache_key
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
cross join lateral pg_catalog.unnest(null::text[]) as roles (readers)  -- khepri-db include: api_roles.sql
where
    c.relkind = 'm'
    and roles.readers is not null
    and true  -- khepri-db include: exposed_relation.sql
order by n.nspname, c.relname
