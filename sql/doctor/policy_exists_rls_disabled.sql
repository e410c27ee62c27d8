-- name: policy_exists_rls_disabled
-- title: Policy Exists RLS Disabled
-- level: ERROR
-- facing: EXTERNAL
-- categories: SECURITY
-- splinter: 0007
-- Same rule as Supabase's linter 0007, on partitioned tables too.
select
    'policy_exists_rls_disabled' as name,
    'Policy Exists RLS Disabled' as title,
    'ERROR' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects tables that have row level security policies while row level security is disabled: the '
    || 'policies are ignored and every row is visible to whoever holds table privileges.' as description,
    format(
        'Table `%s.%s` has RLS policies (%s) but RLS is not enabled, so they are ignored. Run '
        || '`alter table %I.%I enable row level security;`.',
        n.nspname,
        c.relname,
        string_agg(p.polname::text, ', ' order by p.polname),
        n.nspname,
        c.relname
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0007_policy_exists_rls_disabled'
        as remediation,
    jsonb_build_object('schema', n.nspname, 'name', c.relname, 'type', 'table') as metadata,
    format('policy_exists_rls_disabled_%s_%s', n.nspname, c.relname) as cache_key
from pg_catalog.pg_policy as p
inner join pg_catalog.pg_class as c on p.polrelid = c.oid
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    c.relkind in ('r', 'p')
    and not c.relrowsecurity
    and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
    and n.nspname not like 'pg\_%'
    and not exists (
        select 1 from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
    )
group by n.nspname, c.relname
order by n.nspname, c.relname
