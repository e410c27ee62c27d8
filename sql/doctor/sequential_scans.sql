-- name: sequential_scans
-- title: Repeated Large Sequential Scans
-- level: INFO
-- max_level: WARN
-- facing: INTERNAL
-- categories: PERFORMANCE
-- khepri-db runtime rule, as `supabase inspect db seq-scans` reports it: tables scanned
-- sequentially at least khepri.sequential_scan_min_scans times since the statistics were reset,
-- reading on average at least khepri.sequential_scan_min_rows rows per scan (INFO); WARN from
-- khepri.sequential_scan_warn_rows rows per scan.
with scans as (
    select
        s.schemaname,
        s.relname,
        s.seq_scan,
        s.seq_tup_read,
        s.seq_tup_read::numeric / nullif(s.seq_scan, 0) as rows_per_scan
    from pg_catalog.pg_stat_user_tables as s
    where
        s.schemaname not like 'pg\_%'
        and s.seq_scan >= current_setting('khepri.sequential_scan_min_scans')::numeric
)

select
    'sequential_scans' as name,
    'Repeated Large Sequential Scans' as title,
    case
        when x.rows_per_scan >= current_setting('khepri.sequential_scan_warn_rows')::numeric then 'WARN' else 'INFO'
    end as level,
    'INTERNAL' as facing,
    array['PERFORMANCE'] as categories,
    'Detects tables that queries read in full again and again: each sequential scan reads every row.'
        as description,
    format(
        'Table `%s.%s` was scanned sequentially %s times since the statistics were reset, reading %s rows per '
        || 'scan on average. Find the queries (pg_stat_statements) and index the columns they filter on.',
        x.schemaname,
        x.relname,
        x.seq_scan,
        round(x.rows_per_scan)
    ) as detail,
    'docs/doctor/sequential_scans.md' as remediation,
    jsonb_build_object(
        'schema', x.schemaname,
        'name', x.relname,
        'type', 'table',
        'seq_scan', x.seq_scan,
        'seq_tup_read', x.seq_tup_read,
        'rows_per_scan', round(x.rows_per_scan)
    ) as metadata,
    format('sequential_scans_%s_%s', x.schemaname, x.relname) as cache_key
from scans as x
where x.rows_per_scan >= current_setting('khepri.sequential_scan_min_rows')::numeric
order by x.schemaname, x.relname
