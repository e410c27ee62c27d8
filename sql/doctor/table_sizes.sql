-- name: table_sizes
-- title: Large Table
-- level: INFO
-- max_level: WARN
-- facing: INTERNAL
-- categories: PERFORMANCE
-- khepri-db runtime rule, as `supabase inspect db table-sizes` reports it: tables (and
-- materialized views) whose total size with indexes and TOAST is at least
-- khepri.table_size_info_bytes (1 GiB): INFO; WARN from khepri.table_size_warn_bytes (10 GiB),
-- where rewrites (ALTER TABLE ... TYPE, VACUUM FULL) and index builds need planned downtime.
with measured as materialized (
    select
        n.nspname as schema_name,
        c.relname as table_name,
        c.relkind,
        pg_catalog.pg_table_size(c.oid) as table_bytes,
        pg_catalog.pg_indexes_size(c.oid) as index_bytes
    from pg_catalog.pg_class as c
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where
        c.relkind in ('r', 'm')
        and n.nspname not like 'pg\_%'
        and n.nspname <> 'information_schema'
),

-- pg_total_relation_size() is the table's size plus its indexes' (PostgreSQL's dbsize.c adds the
-- two): added here, each file of the table is measured once instead of twice
sizes as (
    select
        m.*,
        m.table_bytes + m.index_bytes as total_bytes
    from measured as m
)

select
    'table_sizes' as name,
    'Large Table' as title,
    case when s.total_bytes >= current_setting('khepri.table_size_warn_bytes')::numeric then 'WARN' else 'INFO' end
        as level,
    'INTERNAL' as facing,
    array['PERFORMANCE'] as categories,
    'Reports the largest tables: their size sets how long rewrites, index builds and restores take.'
        as description,
    format(
        '%s `%s.%s` takes %s (table %s, indexes %s). Plan schema changes on it with lock_timeout and '
        || 'concurrent index builds; consider partitioning or archiving old rows.',
        case s.relkind when 'm' then 'Materialized view' else 'Table' end,
        s.schema_name,
        s.table_name,
        pg_catalog.pg_size_pretty(s.total_bytes),
        pg_catalog.pg_size_pretty(s.table_bytes),
        pg_catalog.pg_size_pretty(s.index_bytes)
    ) as detail,
    'docs/doctor/table_sizes.md' as remediation,
    jsonb_build_object(
        'schema', s.schema_name,
        'name', s.table_name,
        'type', case s.relkind when 'm' then 'materialized view' else 'table' end,
        'total_bytes', s.total_bytes,
        'table_bytes', s.table_bytes,
        'index_bytes', s.index_bytes
    ) as metadata,
    format('table_sizes_%s_%s', s.schema_name, s.table_name) as cache_key
from sizes as s
where s.total_bytes >= current_setting('khepri.table_size_info_bytes')::numeric
order by s.total_bytes desc
