-- name: long_running_queries
-- title: Long-Running Query
-- level: INFO
-- max_level: WARN
-- facing: INTERNAL
-- categories: PERFORMANCE
-- khepri-db runtime rule, as `supabase inspect db long-running-queries` reports it: sessions of
-- this database running one statement (or holding a transaction open while idle) for at least
-- khepri.long_running_query_info_seconds (300, the Supabase CLI's 5 minutes): INFO; WARN from
-- khepri.long_running_query_warn_seconds (3600). doctor's own session is left out.
with sessions as (
    select
        a.pid,
        a.usename,
        a.application_name,
        a.state,
        a.query,
        extract(epoch from now() - case when a.state = 'active' then a.query_start else a.xact_start end)
            as seconds
    from pg_catalog.pg_stat_activity as a
    where
        a.datname = current_database()
        and a.pid <> pg_catalog.pg_backend_pid()
        and a.backend_type = 'client backend'
        and a.state in ('active', 'idle in transaction', 'idle in transaction (aborted)')
)

select
    'long_running_queries' as name,
    'Long-Running Query' as title,
    case
        when s.seconds >= current_setting('khepri.long_running_query_warn_seconds')::numeric then 'WARN' else 'INFO'
    end as level,
    'INTERNAL' as facing,
    array['PERFORMANCE'] as categories,
    'Detects statements that have been running, and transactions left open, for a long time: they hold '
    || 'locks and keep vacuum from removing dead rows.' as description,
    format(
        'Session %s (%s, %s) has been %s for %s: `%s`. If it is stuck, `select pg_cancel_backend(%s);` '
        || '(or pg_terminate_backend); set statement_timeout / idle_in_transaction_session_timeout for the role.',
        s.pid,
        coalesce(s.usename::text, 'unknown user'),
        coalesce(nullif(s.application_name, ''), 'no application name'),
        case when s.state = 'active' then 'running' else s.state end,
        justify_interval(make_interval(secs => round(s.seconds))),
        left(regexp_replace(s.query, '\s+', ' ', 'g'), 200),
        s.pid
    ) as detail,
    'docs/doctor/long_running_queries.md' as remediation,
    jsonb_build_object(
        'name', s.pid::text,
        'type', 'session',
        'pid', s.pid,
        'state', s.state,
        'seconds', round(s.seconds),
        'query', left(s.query, 500),
        'user', s.usename,
        'application_name', s.application_name
    ) as metadata,
    format('long_running_queries_%s', s.pid) as cache_key
from sessions as s
where s.seconds >= current_setting('khepri.long_running_query_info_seconds')::numeric
order by s.seconds desc
