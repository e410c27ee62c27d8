-- name: index_usage
-- title: Low Index Usage
-- level: INFO
-- max_level: WARN
-- facing: INTERNAL
-- categories: PERFORMANCE
-- khepri-db runtime rule, as `supabase inspect db index-usage` reports it: for each table of at
-- least khepri.index_usage_min_rows live rows scanned at least khepri.index_usage_min_scans
-- times since the statistics were reset, the share of scans that used an index. INFO below
-- khepri.index_usage_info (0.99), WARN below khepri.index_usage_warn (0.95).
with usage as (
    select
        s.schemaname,
        s.relname,
        s.n_live_tup,
        s.seq_scan,
        coalesce(s.idx_scan, 0) as idx_scan,
        coalesce(s.idx_scan, 0)::numeric / nullif(s.seq_scan + coalesce(s.idx_scan, 0), 0) as ratio
    from pg_catalog.pg_stat_user_tables as s
    where
        s.schemaname not like 'pg\_%'
        and s.n_live_tup >= current_setting('khepri.index_usage_min_rows')::numeric
        and s.seq_scan + coalesce(s.idx_scan, 0) >= current_setting('khepri.index_usage_min_scans')::numeric
)

select
    'index_usage' as name,
    'Low Index Usage' as title,
    case when u.ratio < current_setting('khepri.index_usage_warn')::numeric then 'WARN' else 'INFO' end as level,
    'INTERNAL' as facing,
    array['PERFORMANCE'] as categories,
    'Detects large tables that are mostly read by sequential scans instead of indexes: queries on them '
    || 'read every row.' as description,
    format(
        'Only %s%% of the %s scans of `%s.%s` (%s live rows) used an index since the statistics were reset. '
        || 'Find the queries (pg_stat_statements) and index the columns they filter on.',
        round(u.ratio * 100, 1),
        u.seq_scan + u.idx_scan,
        u.schemaname,
        u.relname,
        u.n_live_tup
    ) as detail,
    'docs/doctor/index_usage.md' as remediation,
    jsonb_build_object(
        'schema', u.schemaname,
        'name', u.relname,
        'type', 'table',
        'index_usage', round(u.ratio, 4),
        'seq_scan', u.seq_scan,
        'idx_scan', u.idx_scan,
        'live_rows', u.n_live_tup
    ) as metadata,
    format('index_usage_%s_%s', u.schemaname, u.relname) as cache_key
from usage as u
where u.ratio < current_setting('khepri.index_usage_info')::numeric
order by u.schemaname, u.relname
