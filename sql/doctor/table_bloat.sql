-- name: table_bloat
-- title: Table Bloat
-- level: WARN
-- facing: EXTERNAL
-- categories: PERFORMANCE
-- splinter: 0020
-- Same rule as Supabase's linter 0020 with the level and thresholds its documentation and
-- change log state (WARN; more than 70% of the table is waste, and more than 200 MB of it),
-- where its query uses INFO, a ratio of 70 times the expected size and 20 MB. The expected size
-- is estimated from the planner statistics (pg_stats widths and null fractions, reltuples,
-- fillfactor, tuple header and line pointer), so tables never analyzed are not judged.
-- Thresholds: khepri.table_bloat_min_wasted_fraction, khepri.table_bloat_min_wasted_bytes.
with tables as (
    select
        c.oid,
        n.nspname as schema_name,
        c.relname as table_name,
        c.relpages::numeric as pages,
        c.reltuples::numeric as tuples,
        c.relnatts,
        current_setting('block_size')::numeric as block_size,
        coalesce(
            (
                select split_part(o.opt, '=', 2)::numeric from unnest(c.reloptions) as o (opt)
                where o.opt like 'fillfactor=%'
            ),
            100
        ) as fillfactor
    from pg_catalog.pg_class as c
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    inner join pg_catalog.pg_am as am on c.relam = am.oid
    where
        c.relkind = 'r'
        and am.amname = 'heap'
        and c.relpages > 0
        and c.reltuples >= 0
        and n.nspname not like 'pg\_%'
        and n.nspname <> 'information_schema'
),

widths as (
    select
        s.schemaname,
        s.tablename,
        sum((1 - s.null_frac) * s.avg_width)::numeric as data_width,
        bool_or(s.null_frac > 0) as has_nulls
    from pg_catalog.pg_stats as s
    where not s.inherited
    group by s.schemaname, s.tablename
),

estimates as (
    select
        t.*,
        ceil(
            t.tuples * (
                -- tuple header (23 bytes, plus the null bitmap) and data, each padded to 8 bytes,
                -- plus the 4-byte line pointer
                ceil((23 + case when w.has_nulls then ceil(t.relnatts / 8.0) else 0 end) / 8.0) * 8
                + ceil(w.data_width / 8.0) * 8
                + 4
            ) / ((t.block_size - 24) * t.fillfactor / 100)
        ) as expected_pages
    from tables as t
    inner join widths as w on t.schema_name = w.schemaname and t.table_name = w.tablename
),

bloat as (
    select
        e.*,
        greatest(e.pages - e.expected_pages, 0) * e.block_size as wasted_bytes,
        greatest(e.pages - e.expected_pages, 0) / e.pages as wasted_fraction
    from estimates as e
)

select
    'table_bloat' as name,
    'Table Bloat' as title,
    'WARN' as level,
    'EXTERNAL' as facing,
    array['PERFORMANCE'] as categories,
    'Detects tables where most of the space on disk holds no live rows (dead row versions and free space '
    || 'left by updates and deletes): scans read the waste too, and the disk pays for it.' as description,
    format(
        'Table `%s.%s` is about %s%% waste: %s of %s (expected about %s for %s rows). Run `vacuum full %I.%I;` '
        || '(it locks the table; pg_repack does not), then tune autovacuum for the table.',
        b.schema_name,
        b.table_name,
        round(b.wasted_fraction * 100),
        pg_catalog.pg_size_pretty(b.wasted_bytes),
        pg_catalog.pg_size_pretty(b.pages * b.block_size),
        pg_catalog.pg_size_pretty(b.expected_pages * b.block_size),
        b.tuples::bigint,
        b.schema_name,
        b.table_name
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0020_table_bloat' as remediation,
    jsonb_build_object(
        'schema', b.schema_name,
        'name', b.table_name,
        'type', 'table',
        'wasted_bytes', b.wasted_bytes::bigint,
        'wasted_fraction', round(b.wasted_fraction, 3),
        'pages', b.pages::bigint,
        'expected_pages', b.expected_pages::bigint
    ) as metadata,
    format('table_bloat_%s_%s', b.schema_name, b.table_name) as cache_key
from bloat as b
where
    b.wasted_fraction > current_setting('khepri.table_bloat_min_wasted_fraction')::numeric
    and b.wasted_bytes > current_setting('khepri.table_bloat_min_wasted_bytes')::numeric
order by b.schema_name, b.table_name
