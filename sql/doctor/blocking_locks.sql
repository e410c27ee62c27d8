-- name: blocking_locks
-- title: Blocked by a Lock
-- level: INFO
-- max_level: WARN
-- facing: INTERNAL
-- categories: PERFORMANCE
-- khepri-db runtime rule, as `supabase inspect db blocking` reports it: sessions of this database
-- waiting for a lock another session holds (pg_blocking_pids) for at least
-- khepri.blocking_lock_info_seconds (10): INFO; WARN from khepri.blocking_lock_warn_seconds (60).
with waiting as (
    select
        a.pid,
        a.query,
        pg_catalog.pg_blocking_pids(a.pid) as blockers,
        (
            select extract(epoch from now() - min(l.waitstart))
            from pg_catalog.pg_locks as l
            where l.pid = a.pid and not l.granted
        ) as seconds
    from pg_catalog.pg_stat_activity as a
    where
        a.datname = current_database()
        and a.pid <> pg_catalog.pg_backend_pid()
        and a.wait_event_type = 'Lock'
)

select
    'blocking_locks' as name,
    'Blocked by a Lock' as title,
    case when w.seconds >= current_setting('khepri.blocking_lock_warn_seconds')::numeric then 'WARN' else 'INFO' end
        as level,
    'INTERNAL' as facing,
    array['PERFORMANCE'] as categories,
    'Detects sessions waiting for a lock held by another session: the blocked statements (and everything '
    || 'queued behind them) make no progress until the holder commits.' as description,
    format(
        'Session %s has waited %s for a lock held by session(s) %s, running `%s`. Blocked: `%s`. End the '
        || 'holder''s transaction (or `select pg_terminate_backend(%s);`), and keep transactions that take '
        || 'strong locks (DDL) short, with lock_timeout set.',
        w.pid,
        justify_interval(make_interval(secs => round(coalesce(w.seconds, 0)))),
        array_to_string(w.blockers, ', '),
        left(regexp_replace(coalesce(blocker.query, ''), '\s+', ' ', 'g'), 160),
        left(regexp_replace(w.query, '\s+', ' ', 'g'), 160),
        w.blockers[1]
    ) as detail,
    'docs/doctor/blocking_locks.md' as remediation,
    jsonb_build_object(
        'name', w.pid::text,
        'type', 'session',
        'pid', w.pid,
        'blocking_pids', to_jsonb(w.blockers),
        'seconds', round(coalesce(w.seconds, 0)),
        'query', left(w.query, 500),
        'blocking_query', left(blocker.query, 500)
    ) as metadata,
    format('blocking_locks_%s', w.pid) as cache_key
from waiting as w
left join pg_catalog.pg_stat_activity as blocker on w.blockers[1] = blocker.pid
where
    cardinality(w.blockers) > 0
    and coalesce(w.seconds, 0) >= current_setting('khepri.blocking_lock_info_seconds')::numeric
order by w.seconds desc
