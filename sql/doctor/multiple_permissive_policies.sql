-- name: multiple_permissive_policies
-- title: Multiple Permissive Policies
-- level: WARN
-- facing: EXTERNAL
-- categories: PERFORMANCE
-- splinter: 0006
-- Same rule as Supabase's linter 0006, on partitioned tables too. A policy for PUBLIC counts for
-- the API roles anon and authenticated (the roles requests run as); Supabase's linter expands it
-- to every role of the cluster (authenticator, dashboard and admin roles...), one finding each.
with api_roles as (
    select
        r.oid,
        r.rolname
    from pg_catalog.pg_roles as r
    where r.rolname in ('anon', 'authenticated')
),

policy_roles as (
    select
        p.oid,
        p.polname,
        p.polrelid,
        p.polcmd,
        r.rolname
    from pg_catalog.pg_policy as p
    inner join pg_catalog.pg_roles as r
        on
            r.oid = any(p.polroles)
            or (p.polroles = array[0]::oid[] and r.oid in (select a.oid from api_roles as a))
    where
        p.polpermissive
        and not r.rolbypassrls
        and r.rolname not like 'pg\_%'
        and r.rolname not like 'supabase%admin'
),

actions as (
    select
        pr.polrelid,
        pr.rolname,
        pr.polname,
        cmd.action
    from policy_roles as pr
    cross join lateral unnest(
        case pr.polcmd
            when 'r' then array['SELECT']
            when 'a' then array['INSERT']
            when 'w' then array['UPDATE']
            when 'd' then array['DELETE']
            else array['SELECT', 'INSERT', 'UPDATE', 'DELETE']
        end
    ) as cmd (action)
)

select
    'multiple_permissive_policies' as name,
    'Multiple Permissive Policies' as title,
    'WARN' as level,
    'EXTERNAL' as facing,
    array['PERFORMANCE'] as categories,
    'Detects tables with more than one permissive policy for the same role and command: Postgres '
    || 'evaluates every one of them for every row and ORs the results.' as description,
    format(
        'Table `%s.%s` has %s permissive policies for role `%s` and command `%s`: %s. Merge them into one '
        || 'policy (`using (a or b)`), or make the ones that only narrow access `as restrictive`.',
        n.nspname,
        c.relname,
        count(*),
        a.rolname,
        a.action,
        string_agg(a.polname::text, ', ' order by a.polname)
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0006_multiple_permissive_policies'
        as remediation,
    jsonb_build_object(
        'schema', n.nspname,
        'name', c.relname,
        'type', 'table',
        'role', a.rolname,
        'command', a.action,
        'policies', jsonb_agg(a.polname order by a.polname)
    ) as metadata,
    format('multiple_permissive_policies_%s_%s_%s_%s', n.nspname, c.relname, a.rolname, a.action) as cache_key
from actions as a
inner join pg_catalog.pg_class as c on a.polrelid = c.oid
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    c.relkind in ('r', 'p')
    and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
    and n.nspname not like 'pg\_%'
    and not exists (
        select 1 from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
    )
group by n.nspname, c.relname, a.rolname, a.action
having count(*) > 1
order by n.nspname, c.relname, a.rolname, a.action
