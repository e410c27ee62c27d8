-- name: no_primary_key
-- title: No Primary Key
-- level: INFO
-- facing: EXTERNAL
-- categories: PERFORMANCE
-- splinter: 0004
-- Same rule as Supabase's linter 0004, on partitioned tables too: a partitioned table is reported
-- once (its partitions are not reported separately); Supabase's linter skips partitioned parents
-- and reports each partition.
select
    'no_primary_key' as name,
    'No Primary Key' as title,
    'INFO' as level,
    'EXTERNAL' as facing,
    array['PERFORMANCE'] as categories,
    'Detects tables without a primary key: rows cannot be addressed reliably (PostgREST updates and '
    || 'deletes, logical replication, Realtime), and duplicate rows cannot be told apart.' as description,
    format(
        'Table `%s.%s` does not have a primary key. Add one, e.g. `alter table %I.%I add column id bigint '
        || 'generated always as identity primary key;` or `add primary key (...)` on an existing unique key.',
        n.nspname,
        c.relname,
        n.nspname,
        c.relname
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0004_no_primary_key' as remediation,
    jsonb_build_object('schema', n.nspname, 'name', c.relname, 'type', 'table') as metadata,
    format('no_primary_key_%s_%s', n.nspname, c.relname) as cache_key
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    c.relkind in ('r', 'p')
    and not c.relispartition
    and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
    and n.nspname not like 'pg\_%'
    and not exists (
        select 1 from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
    )
    and not exists (
        select 1 from pg_catalog.pg_index as i
        where i.indrelid = c.oid and i.indisprimary
    )
order by n.nspname, c.relname
