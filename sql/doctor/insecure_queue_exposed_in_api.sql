-- name: insecure_queue_exposed_in_api
-- title: Insecure Queue Exposed in API
-- level: ERROR
-- facing: EXTERNAL
-- categories: SECURITY
-- splinter: 0019
-- Same rule as Supabase's linter 0019: a Supabase Queues (pgmq) queue table without RLS, readable
-- by the API roles, while the pgmq_public schema is exposed. Exposure comes from
-- khepri.exposed_schemas. The cache_key keeps the form Supabase's linter uses for this rule
-- (rls_disabled_in_public_pgmq_<queue table>), so existing suppressions still match.
select
    'insecure_queue_exposed_in_api' as name,
    'Insecure Queue Exposed in API' as title,
    'ERROR' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects Supabase Queues (pgmq) queue tables without row level security while the pgmq_public '
    || 'schema is exposed: anyone with the anon key can read and consume every message.' as description,
    format(
        'Queue table `%s.%s` has RLS disabled and %s can read it while `pgmq_public` is exposed. Run '
        || '`alter table %I.%I enable row level security;` and add policies for the roles that use the queue.',
        n.nspname,
        c.relname,
        array_to_string(roles.readers, ' and '),
        n.nspname,
        c.relname
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0019_insecure_queue_exposed_in_api'
        as remediation,
    jsonb_build_object('schema', n.nspname, 'name', c.relname, 'type', 'table') as metadata,
    format('rls_disabled_in_public_%s_%s', n.nspname, c.relname) as cache_key
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
cross join lateral pg_catalog.unnest(null::text[]) as roles (readers)  -- khepri-db include: api_roles.sql
where
    c.relkind in ('r', 'p')
    and not c.relrowsecurity
    and roles.readers is not null
    and n.nspname = 'pgmq'
    and c.relname like 'q\_%'
    and 'pgmq_public' = any(string_to_array(current_setting('khepri.exposed_schemas'), ','))
order by n.nspname, c.relname
