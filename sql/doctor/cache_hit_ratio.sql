-- name: cache_hit_ratio
-- title: Low Cache Hit Ratio
-- level: INFO
-- max_level: WARN
-- facing: INTERNAL
-- categories: PERFORMANCE
-- khepri-db runtime rule, as `supabase inspect db cache-hit` reports it: the share of table and
-- of index block reads served from shared buffers since the statistics were reset, over all
-- tables (and indexes) of the database. Judged once at least khepri.cache_hit_min_blocks blocks
-- were read; INFO below khepri.cache_hit_ratio_info (0.99, Supabase's advice), WARN below
-- khepri.cache_hit_ratio_warn (0.95).
with totals as (
    select
        'table' as kind,
        coalesce(sum(s.heap_blks_hit), 0)::numeric as hits,
        coalesce(sum(s.heap_blks_read), 0)::numeric as reads
    from pg_catalog.pg_statio_user_tables as s
    where s.schemaname not like 'pg\_%'
    union all
    select
        'index' as kind,
        coalesce(sum(s.idx_blks_hit), 0)::numeric as hits,
        coalesce(sum(s.idx_blks_read), 0)::numeric as reads
    from pg_catalog.pg_statio_user_indexes as s
    where s.schemaname not like 'pg\_%'
),

ratios as (
    select
        t.kind,
        t.hits,
        t.reads,
        t.hits / nullif(t.hits + t.reads, 0) as ratio
    from totals as t
    where t.hits + t.reads >= current_setting('khepri.cache_hit_min_blocks')::numeric
)

select
    'cache_hit_ratio' as name,
    'Low Cache Hit Ratio' as title,
    case when r.ratio < current_setting('khepri.cache_hit_ratio_warn')::numeric then 'WARN' else 'INFO' end as level,
    'INTERNAL' as facing,
    array['PERFORMANCE'] as categories,
    'Detects a database whose table or index reads are too often served from disk instead of shared '
    || 'buffers: the working set does not fit in memory.' as description,
    format(
        '%s%% of %s block reads in database `%s` were served from memory (%s of %s since the statistics were '
        || 'reset); aim for 99%% or more. Look at the largest tables and sequential scans (doctor''s '
        || 'sequential_scans and table_sizes), add indexes, or move to a compute size with more memory.',
        round(r.ratio * 100, 2),
        r.kind,
        current_database(),
        r.hits::bigint,
        (r.hits + r.reads)::bigint
    ) as detail,
    'docs/doctor/cache_hit_ratio.md' as remediation,
    jsonb_build_object(
        'name', current_database(),
        'type', 'database',
        'kind', r.kind,
        'ratio', round(r.ratio, 4),
        'hits', r.hits::bigint,
        'reads', r.reads::bigint
    ) as metadata,
    format('cache_hit_ratio_%s', r.kind) as cache_key
from ratios as r
where r.ratio < current_setting('khepri.cache_hit_ratio_info')::numeric
order by r.kind desc
