-- name: rls_policy_column_unindexed
-- title: Policy Column Without an Index
-- level: INFO
-- facing: EXTERNAL
-- categories: PERFORMANCE
-- khepri-db rule. A column of a table that a row level security policy for anon, authenticated
-- or PUBLIC reads (per pg_depend, so a column passed to a helper counts), when no valid,
-- non-partial index of the table leads with it. Postgres adds the policy's condition to every
-- query on the table: without such an index, `select ... from t` as a user reads the whole
-- table to find that user's rows. Boolean columns are not reported (an index on them rarely
-- helps), nor tables in Supabase's schemas (storage.objects has Supabase's own indexes).
with policy_columns as (
    select
        c.oid as table_oid,
        n.nspname as schema_name,
        c.relname as table_name,
        a.attnum,
        a.attname::text as column_name,
        p.polname::text as policy_name
    from pg_catalog.pg_policy as p
    inner join pg_catalog.pg_class as c on p.polrelid = c.oid
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    inner join pg_catalog.pg_depend as d
        on
            d.classid = 'pg_catalog.pg_policy'::regclass and p.oid = d.objid
            and d.refclassid = 'pg_catalog.pg_class'::regclass and c.oid = d.refobjid and d.refobjsubid > 0
    inner join pg_catalog.pg_attribute as a on c.oid = a.attrelid and d.refobjsubid = a.attnum
    where
        c.relkind = 'r'
        and c.relrowsecurity
        and a.atttypid <> 'pg_catalog.bool'::pg_catalog.regtype
        and (
            p.polroles = array[0]::oid[]
            or exists (
                select 1 from pg_catalog.pg_roles as r
                where r.oid = any(p.polroles) and r.rolname in ('anon', 'authenticated')
            )
        )
        and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
        and n.nspname not like 'pg\_%'
        and not exists (
            select 1 from pg_catalog.pg_index as i
            where
                i.indrelid = c.oid and i.indisvalid and i.indpred is null and i.indkey[0] = a.attnum
        )
)

select
    'rls_policy_column_unindexed' as name,
    'Policy Column Without an Index' as title,
    'INFO' as level,
    'EXTERNAL' as facing,
    array['PERFORMANCE'] as categories,
    'Detects columns that row level security policies filter on while no index leads with them: every '
    || 'query on the table then scans all of it to apply the policy.' as description,
    format(
        'Column `%s` of `%s.%s` is read by its policies (%s), but no index leads with it: Postgres applies the '
        || 'policy to every query on the table by scanning it. Add one: `create index on %I.%I (%I);`.',
        pc.column_name,
        pc.schema_name,
        pc.table_name,
        string_agg(distinct pc.policy_name, ', '),
        pc.schema_name,
        pc.table_name,
        pc.column_name
    ) as detail,
    'docs/doctor/rls_policy_column_unindexed.md' as remediation,
    jsonb_build_object(
        'schema', pc.schema_name,
        'name', pc.table_name,
        'type', 'table',
        'column', pc.column_name,
        'policies', jsonb_agg(distinct pc.policy_name)
    ) as metadata,
    format('rls_policy_column_unindexed_%s_%s_%s', pc.schema_name, pc.table_name, pc.column_name) as cache_key
from policy_columns as pc
group by pc.schema_name, pc.table_name, pc.column_name
order by pc.schema_name, pc.table_name, pc.column_name
