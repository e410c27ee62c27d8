-- name: vacuum_stats
-- title: Vacuum Overdue
-- level: INFO
-- max_level: WARN
-- facing: INTERNAL
-- categories: PERFORMANCE
-- khepri-db runtime rule, as `supabase inspect db vacuum-stats` reports it: tables whose dead
-- rows exceed the point where autovacuum should vacuum them (autovacuum_vacuum_threshold +
-- autovacuum_vacuum_scale_factor x rows, table settings first) with at least
-- khepri.vacuum_min_dead_tuples dead rows: INFO. WARN when autovacuum is off for the table (or the
-- server), or dead rows are at least khepri.vacuum_dead_fraction_warn (0.5) of all rows.
with tables as (
    select
        s.schemaname,
        s.relname,
        s.n_live_tup,
        s.n_dead_tup,
        s.last_vacuum,
        s.last_autovacuum,
        coalesce(
            (
                select split_part(o.opt, '=', 2)::numeric from unnest(c.reloptions) as o (opt)
                where o.opt like 'autovacuum_vacuum_threshold=%'
            ),
            current_setting('autovacuum_vacuum_threshold')::numeric
        )
        + coalesce(
            (
                select split_part(o.opt, '=', 2)::numeric from unnest(c.reloptions) as o (opt)
                where o.opt like 'autovacuum_vacuum_scale_factor=%'
            ),
            current_setting('autovacuum_vacuum_scale_factor')::numeric
        ) * greatest(c.reltuples, 0) as autovacuum_at,
        current_setting('autovacuum') = 'on' and not exists (
            select 1 from unnest(c.reloptions) as o (opt)
            where lower(
                o.opt) in (
                'autovacuum_enabled=false', 'autovacuum_enabled=off', 'autovacuum_enabled=0',
                'autovacuum_enabled=no'
            )
        ) as autovacuum_enabled
    from pg_catalog.pg_stat_user_tables as s
    inner join pg_catalog.pg_class as c on s.relid = c.oid
    where s.schemaname not like 'pg\_%'
)

select
    'vacuum_stats' as name,
    'Vacuum Overdue' as title,
    case
        when
            not t.autovacuum_enabled
            or t.n_dead_tup >= current_setting('khepri.vacuum_dead_fraction_warn')::numeric
            * (t.n_live_tup + t.n_dead_tup)
            then 'WARN'
        else 'INFO'
    end as level,
    'INTERNAL' as facing,
    array['PERFORMANCE'] as categories,
    'Detects tables holding more dead row versions than autovacuum should allow: they bloat the table and '
    || 'slow every scan until a vacuum runs.' as description,
    format(
        'Table `%s.%s` has %s dead rows (%s live); autovacuum should start at %s%s. Last vacuum: %s, last '
        || 'autovacuum: %s. Run `vacuum (analyze) %I.%I;`%s.',
        t.schemaname,
        t.relname,
        t.n_dead_tup,
        t.n_live_tup,
        round(t.autovacuum_at),
        case when t.autovacuum_enabled then '' else ', but autovacuum is disabled for it' end,
        coalesce(t.last_vacuum::text, 'never'),
        coalesce(t.last_autovacuum::text, 'never'),
        t.schemaname,
        t.relname,
        case
            when t.autovacuum_enabled then ' and check that long transactions do not hold vacuum back'
            else
                format(
                    ' and re-enable autovacuum (`alter table %I.%I reset (autovacuum_enabled);`)',
                    t.schemaname,
                    t.relname
                )
        end
    ) as detail,
    'docs/doctor/vacuum_stats.md' as remediation,
    jsonb_build_object(
        'schema', t.schemaname,
        'name', t.relname,
        'type', 'table',
        'dead_tuples', t.n_dead_tup,
        'live_tuples', t.n_live_tup,
        'autovacuum_threshold', round(t.autovacuum_at),
        'autovacuum_enabled', t.autovacuum_enabled,
        'last_vacuum', t.last_vacuum,
        'last_autovacuum', t.last_autovacuum
    ) as metadata,
    format('vacuum_stats_%s_%s', t.schemaname, t.relname) as cache_key
from tables as t
where
    t.n_dead_tup > t.autovacuum_at
    and t.n_dead_tup >= current_setting('khepri.vacuum_min_dead_tuples')::numeric
order by t.schemaname, t.relname
