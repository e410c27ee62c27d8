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
        array_to_string(roles.names, ' and '),
        n.nspname,
        c.relname
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0016_materialized_view_in_api' as remediation,
    jsonb_build_object('schema', n.nspname, 'name', c.relname, 'type', 'materialized view') as metadata,
    format('materialized_view_in_api_%s_%s', n.nspname, c.relname) as cache_key
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
cross join
    lateral (
        select array_agg(r.rolname::text order by r.rolname) as names
        from pg_catalog.pg_roles as r
        where r.rolname in ('anon', 'authenticated') and pg_catalog.has_table_privilege(r.oid, c.oid, 'SELECT')
    ) as roles
where
    c.relkind = 'm'
    and roles.names is not null
    and n.nspname = any(string_to_array(current_setting('khepri.exposed_schemas'), ','))
    and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
    and not exists (
        select 1 from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
    )
order by n.nspname, c.relname
