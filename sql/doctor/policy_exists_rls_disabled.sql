-- name: policy_exists_rls_disabled
-- title: Policy Exists RLS Disabled
-- level: WARN
-- max_level: ERROR
-- facing: EXTERNAL
-- categories: SECURITY
-- splinter: 0007
-- Same rule as Supabase's linter 0007, on partitioned tables too. Level: ERROR (Supabase's level)
-- when an API caller can reach the rows: the table is in an exposed schema (khepri.exposed_schemas)
-- and anon or authenticated holds SELECT, INSERT, UPDATE or DELETE on it; WARN otherwise (the
-- ignored policies matter once something exposes the table).
select
    'policy_exists_rls_disabled' as name,
    'Policy Exists RLS Disabled' as title,
    case
        when
            n.nspname = any(string_to_array(current_setting('khepri.exposed_schemas'), ','))
            and exists (
                select 1 from pg_catalog.pg_roles as r
                where
                    r.rolname in ('anon', 'authenticated')
                    and pg_catalog.has_table_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, DELETE')
            )
            then 'ERROR'
        else 'WARN'
    end as level,
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
group by n.nspname, c.relname, c.oid
order by n.nspname, c.relname
