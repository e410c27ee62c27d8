-- name: rls_policy_reads_auth_users
-- title: RLS Policy Reads auth.users
-- level: WARN
-- max_level: ERROR
-- facing: EXTERNAL
-- categories: RELIABILITY, SECURITY
-- khepri-db rule. The API roles have no privilege on auth.users (on Supabase, and in khepri-db's
-- compatibility layer). A policy that reads it (a subquery on auth.users, a security_invoker
-- view over it, or a SECURITY INVOKER function whose body reads it) therefore fails for every
-- request with "permission denied for table users" (SQLSTATE 42501): the table becomes unusable
-- for those roles. Reported when a role the policy applies to (PUBLIC meaning anon and
-- authenticated) may not select auth.users.
-- Level: ERROR when the policy reads auth.users itself or through views: Postgres checks the
-- privileges of every relation a query reads before it reads a row, so every request of the
-- policy's command by those roles fails, even on an empty table. WARN when only a function reads
-- it: the function runs only when the policy evaluates it for a row.
with recursive auth_users as (
    select c.oid
    from pg_catalog.pg_class as c
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where n.nspname = 'auth' and c.relname = 'users'
),

invoker_views as (
    select c.oid
    from pg_catalog.pg_class as c
    where
        c.relkind = 'v'
        and exists (
            select 1 from unnest(c.reloptions) as o (opt)
            where lower(
                o.opt) in (
                'security_invoker=true', 'security_invoker=on', 'security_invoker=1',
                'security_invoker=yes'
            )
        )
),

reads as (
    select distinct
        r.ev_class as view_oid,
        d.refobjid as read_oid
    from pg_catalog.pg_rewrite as r
    inner join pg_catalog.pg_depend as d
        on
            d.classid = 'pg_catalog.pg_rewrite'::regclass and r.oid = d.objid
            and d.refclassid = 'pg_catalog.pg_class'::regclass and d.deptype = 'n'
    where r.ev_class <> d.refobjid
),

views_reading_auth_users (view_oid, depth) as (
    select
        rd.view_oid,
        1
    from reads as rd
    where
        rd.read_oid in (select au.oid from auth_users as au) and rd.view_oid in (select iv.oid from invoker_views as iv)
    union
    select
        rd.view_oid,
        v.depth + 1
    from views_reading_auth_users as v
    inner join reads as rd on v.view_oid = rd.read_oid
    where rd.view_oid in (select iv.oid from invoker_views as iv) and v.depth < 16
),

paths as (
    select
        d.objid as policy_oid,
        'a subquery on auth.users' as path
    from pg_catalog.pg_depend as d
    where
        d.classid = 'pg_catalog.pg_policy'::regclass
        and d.refclassid = 'pg_catalog.pg_class'::regclass
        and d.refobjid in (select au.oid from auth_users as au)
    union
    select
        d.objid as policy_oid,
        format('the view %s', d.refobjid::regclass) as path
    from pg_catalog.pg_depend as d
    where
        d.classid = 'pg_catalog.pg_policy'::regclass
        and d.refclassid = 'pg_catalog.pg_class'::regclass
        and d.refobjid in (select v.view_oid from views_reading_auth_users as v)
    union
    select
        d.objid as policy_oid,
        format('the function %s', d.refobjid::regprocedure) as path
    from pg_catalog.pg_depend as d
    inner join pg_catalog.pg_proc as fn on d.refobjid = fn.oid
    where
        d.classid = 'pg_catalog.pg_policy'::regclass
        and d.refclassid = 'pg_catalog.pg_proc'::regclass
        and not fn.prosecdef
        and fn.prosrc ~* '\mauth\s*\.\s*"?users\M'
)

select
    'rls_policy_reads_auth_users' as name,
    'RLS Policy Reads auth.users' as title,
    case when bool_or(pa.path not like 'the function %') then 'ERROR' else 'WARN' end as level,
    'EXTERNAL' as facing,
    array['RELIABILITY', 'SECURITY'] as categories,
    'Detects policies that read auth.users, which the API roles may not read: every query those roles run '
    || 'on the table fails with "permission denied for table users".' as description,
    format(
        'Policy `%s` on `%s.%s` reads auth.users (through %s), which %s may not select: %s by %s on '
        || '%s.%s fails with "permission denied for table users" (SQLSTATE 42501). Use the JWT instead '
        || '(`(select auth.uid())`, `(select auth.jwt() ->> ''email'')`), or a SECURITY DEFINER helper in a '
        || 'schema the API does not expose.',
        p.polname,
        n.nspname,
        c.relname,
        string_agg(distinct pa.path, ', '),
        array_to_string(roles.names, ' and '),
        case
            when bool_or(pa.path not like 'the function %') then 'every request'
            else 'every request whose rows make the policy call that function'
        end,
        array_to_string(roles.names, ' and '),
        n.nspname,
        c.relname
    ) as detail,
    'docs/doctor/rls_policy_reads_auth_users.md' as remediation,
    jsonb_build_object(
        'schema', n.nspname,
        'name', c.relname,
        'type', 'table',
        'policy_name', p.polname,
        'via', jsonb_agg(distinct pa.path),
        'denied_roles', to_jsonb(roles.names)
    ) as metadata,
    format('rls_policy_reads_auth_users_%s_%s_%s', n.nspname, c.relname, p.polname) as cache_key
from paths as pa
inner join pg_catalog.pg_policy as p on pa.policy_oid = p.oid
inner join pg_catalog.pg_class as c on p.polrelid = c.oid
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
cross join
    lateral (
        select array_agg(r.rolname::text order by r.rolname) as names
        from pg_catalog.pg_roles as r
        where
            r.rolname in ('anon', 'authenticated')
            and (p.polroles = array[0]::oid[] or r.oid = any(p.polroles))
            and not exists (
                select 1 from auth_users as au
                where pg_catalog.has_table_privilege(r.oid, au.oid, 'SELECT')
            )
    ) as roles
where
    roles.names is not null
    and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
    and n.nspname not like 'pg\_%'
group by n.nspname, c.relname, p.polname, roles.names
order by n.nspname, c.relname, p.polname
