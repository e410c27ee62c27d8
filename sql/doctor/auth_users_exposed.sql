-- name: auth_users_exposed
-- title: Exposed Auth Users
-- level: ERROR
-- facing: EXTERNAL
-- categories: SECURITY
-- splinter: 0002
-- Same rule as Supabase's linter 0002, with exposure from khepri.exposed_schemas, and following
-- views built on views: a view (or materialized view) in an exposed schema that anon or
-- authenticated can select and that reads auth.users directly or through other views is
-- reported when some relation on that path is a materialized view (no RLS) or a view that is
-- not security_invoker (it reads with its owner's rights). A chain of security_invoker views is
-- only reported when the API role may itself read auth.users without RLS. Supabase's linter
-- only sees views that read auth.users directly.
with recursive auth_users as (
    select
        c.oid,
        c.relrowsecurity
    from pg_catalog.pg_class as c
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where n.nspname = 'auth' and c.relname = 'users'
),

views as (
    select
        c.oid,
        c.relkind,
        c.relkind = 'm' or not coalesce(
            exists (
                select 1 from unnest(c.reloptions) as o (opt)
                where lower(
                    o.opt) in (
                    'security_invoker=true', 'security_invoker=on', 'security_invoker=1',
                    'security_invoker=yes'
                )
            ), false
        ) as reads_as_owner
    from pg_catalog.pg_class as c
    where c.relkind in ('v', 'm')
),

reads as (
    -- view (or materialized view) -> relation its query reads
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

paths (view_oid, chain, insecure) as (
    select
        rd.view_oid,
        array[rd.view_oid],
        v.reads_as_owner
    from reads as rd
    inner join views as v on rd.view_oid = v.oid
    where rd.read_oid in (select au.oid from auth_users as au)
    union all
    select
        rd.view_oid,
        p.chain || rd.view_oid,
        p.insecure or v.reads_as_owner
    from paths as p
    inner join reads as rd on p.view_oid = rd.read_oid
    inner join views as v on rd.view_oid = v.oid
    where not rd.view_oid = any(p.chain) and cardinality(p.chain) < 16
),

exposed as (
    select
        p.view_oid,
        bool_or(p.insecure) as insecure,
        (
            select p2.chain from paths as p2
            where p2.view_oid = p.view_oid
            order by cardinality(p2.chain)
            limit 1
        ) as chain
    from paths as p
    group by p.view_oid
)

select
    'auth_users_exposed' as name,
    'Exposed Auth Users' as title,
    'ERROR' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects views and materialized views in schemas the Data API exposes that let anon or authenticated '
    || 'read auth.users (emails, phone numbers, metadata of every user), directly or through other views.'
        as description,
    format(
        '%s `%s.%s` exposes `auth.users` to %s%s. Revoke select from the API roles, move it to a schema '
        || 'that is not exposed, or make every view on the path `security_invoker`.',
        case c.relkind when 'm' then 'Materialized view' else 'View' end,
        n.nspname,
        c.relname,
        array_to_string(roles.exposed_to, ' and '),
        case
            when cardinality(e.chain) > 1
                then format(
                    ' through %s',
                    array_to_string(
                        array(select x::regclass::text from unnest(e.chain[1:cardinality(e.chain) - 1]) as x), ' -> '
                    )
                )
            else ''
        end
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0002_auth_users_exposed' as remediation,
    jsonb_build_object(
        'schema', n.nspname,
        'name', c.relname,
        'type', case c.relkind when 'm' then 'materialized view' else 'view' end,
        'exposed_to', to_jsonb(roles.exposed_to)
    ) as metadata,
    format('auth_users_exposed_%s_%s', n.nspname, c.relname) as cache_key
from exposed as e
inner join pg_catalog.pg_class as c on e.view_oid = c.oid
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
cross join
    lateral (
        select array_agg(r.rolname::text order by r.rolname) as exposed_to
        from pg_catalog.pg_roles as r
        where
            r.rolname in ('anon', 'authenticated')
            and pg_catalog.has_table_privilege(r.oid, c.oid, 'SELECT')
            and (
                e.insecure
                or exists (
                    select 1 from auth_users as au
                    where not au.relrowsecurity and pg_catalog.has_table_privilege(r.oid, au.oid, 'SELECT')
                )
            )
    ) as roles
where
    roles.exposed_to is not null
    and n.nspname = any(string_to_array(current_setting('khepri.exposed_schemas'), ','))
    and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
order by n.nspname, c.relname
