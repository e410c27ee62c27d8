-- name: pg_graphql_anon_table_exposed
-- title: Object Visible to Anon in GraphQL
-- level: WARN
-- facing: EXTERNAL
-- categories: SECURITY
-- splinter: 0026
-- Same rule as Supabase's linter 0026. Only when the pg_graphql extension is installed:
-- pg_graphql's introspection shows every table, view, materialized view and foreign table of
-- which anon may select at least one column (column grants count), RLS or not. Partitioned
-- parents are left out as pg_graphql leaves them out. Returns nothing without pg_graphql.
select
    'pg_graphql_anon_table_exposed' as name,
    'Object Visible to Anon in GraphQL' as title,
    'WARN' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects tables, views, materialized views and foreign tables whose names, columns and relationships '
    || 'pg_graphql shows to anyone holding the public anon key, because anon can select at least one of their columns.'
        as description,
    format(
        '%s `%s.%s` appears in the GraphQL schema for the `anon` role because it may select its column(s). '
        || 'Revoke select from anon (`revoke select on %I.%I from anon;`) if it should not be '
        || 'discoverable.',
        initcap(x.object_type),
        x.schema_name,
        x.object_name,
        x.schema_name,
        x.object_name
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0026_pg_graphql_anon_table_exposed' as remediation,
    jsonb_build_object('schema', x.schema_name, 'name', x.object_name, 'type', x.object_type) as metadata,
    format('pg_graphql_anon_table_exposed_%s_%s', x.schema_name, x.object_name) as cache_key
from (
    select
        n.nspname as schema_name,
        c.relname as object_name,
        case c.relkind
            when 'r' then 'table' when 'v' then 'view' when 'm' then 'materialized view' else 'foreign table'
        end as object_type
    from pg_catalog.pg_class as c
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    inner join pg_catalog.pg_roles as r on r.rolname = 'anon'
    where
        c.relkind in ('r', 'v', 'm', 'f')
        and exists (
            select 1 from pg_catalog.pg_extension as e
            where e.extname = 'pg_graphql'
        )
        and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
        and n.nspname not like 'pg\_%'
        and exists (
            select 1 from pg_catalog.pg_attribute as a
            where
                a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                and pg_catalog.has_column_privilege(r.oid, c.oid, a.attnum, 'SELECT')
        )
) as x
order by x.schema_name, x.object_name
