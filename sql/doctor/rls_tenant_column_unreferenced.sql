-- name: rls_tenant_column_unreferenced
-- title: Tenant Column Not Used by Any Policy
-- level: WARN
-- facing: EXTERNAL
-- categories: SECURITY
-- khepri-db rule. A table with row level security and policies for the API roles that has a
-- column named like a tenant key (user_id, owner_id, athlete_id, profile_id, auth_user_id; see
-- [doctor] tenant_columns) which no policy of the table reads (per pg_depend, so a column passed
-- to a helper function counts): the policies decide access without looking at whom the row
-- belongs to, which is usually the bug that shares rows between users. Tables whose policies
-- scope rows by something else are not reported: a policy reading another key column
-- (organization_id, group_id: a name ending in _id), another table
-- or calling a helper (organisation or group membership) means the user_id is the actor (audit
-- logs, created_by) or the invitee, not the tenant key.
with tenant_columns as (
    select
        c.oid,
        n.nspname as schema_name,
        c.relname as table_name,
        a.attnum,
        a.attname::text as column_name
    from pg_catalog.pg_class as c
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    inner join pg_catalog.pg_attribute as a on c.oid = a.attrelid and a.attnum > 0 and not a.attisdropped
    where
        c.relkind in ('r', 'p')
        and not c.relispartition
        and c.relrowsecurity
        and a.attname = any(string_to_array(current_setting('khepri.tenant_columns'), ','))
        and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
        and n.nspname not like 'pg\_%'
)

select
    'rls_tenant_column_unreferenced' as name,
    'Tenant Column Not Used by Any Policy' as title,
    'WARN' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects tables whose rows belong to a user or tenant (a column such as user_id or athlete_id) while no '
    || 'row level security policy of the table reads that column: access is decided without looking at '
    || 'whose row it is.' as description,
    format(
        'Table `%s.%s` has a column `%s`, but none of its policies (%s) reads it, so access to a row does not '
        || 'depend on whom it belongs to. Scope the policies with it, e.g. `using (%I = (select auth.uid()))`, '
        || 'or suppress this finding if the rows are shared on purpose.',
        t.schema_name,
        t.table_name,
        t.column_name,
        string_agg(p.polname::text, ', ' order by p.polname),
        t.column_name
    ) as detail,
    'docs/doctor/rls_tenant_column_unreferenced.md' as remediation,
    jsonb_build_object(
        'schema', t.schema_name,
        'name', t.table_name,
        'type', 'table',
        'column', t.column_name,
        'policies', jsonb_agg(p.polname order by p.polname)
    ) as metadata,
    format('rls_tenant_column_unreferenced_%s_%s_%s', t.schema_name, t.table_name, t.column_name) as cache_key
from tenant_columns as t
inner join pg_catalog.pg_policy as p on t.oid = p.polrelid
where
    (
        p.polroles = array[0]::oid[]
        or exists (
            select 1 from pg_catalog.pg_roles as r
            where r.oid = any(p.polroles) and r.rolname in ('anon', 'authenticated')
        )
    )
    -- Each policy's dependencies are looked up by the policy (pg_depend's index on the dependent
    -- object), for the table's policies only: in an array(...) subquery, which the planner keeps
    -- as one lookup per policy whatever it expects of pg_depend (right after a migration its
    -- statistics are stale, and it would otherwise read every policy's dependencies per column).
    and not exists (
        select 1
        from pg_catalog.pg_policy as p2
        where
            p2.polrelid = t.oid
            and t.attnum = any(array(
                select d.refobjsubid
                from pg_catalog.pg_depend as d
                where
                    d.classid = 'pg_catalog.pg_policy'::regclass and d.objid = p2.oid
                    and d.refclassid = 'pg_catalog.pg_class'::regclass and d.refobjid = t.oid
            ))
    )
    -- no other scoping: no policy reads a column of the table, another table, or a helper function
    -- other than auth.uid(), auth.role(), auth.jwt() and auth.email()
    and not exists (
        select 1
        from pg_catalog.pg_policy as p3
        cross join
            lateral unnest(array(
                select dep
                from pg_catalog.pg_depend as dep
                where dep.classid = 'pg_catalog.pg_policy'::regclass and dep.objid = p3.oid and dep.deptype = 'n'
            )) as d
        where
            p3.polrelid = t.oid
            and (
                (d.refclassid = 'pg_catalog.pg_class'::regclass and d.refobjid <> t.oid)
                -- another key column of the table (organization_id, group_id, team_id...)
                or (
                    d.refclassid = 'pg_catalog.pg_class'::regclass and d.refobjid = t.oid and d.refobjsubid > 0
                    and exists (
                        select 1 from pg_catalog.pg_attribute as other
                        where
                            other.attrelid = t.oid and other.attnum = d.refobjsubid and other.attname ~ '_id$'
                    )
                )
                or (
                    d.refclassid = 'pg_catalog.pg_proc'::regclass
                    and not exists (
                        select 1 from pg_catalog.pg_proc as fn
                        inner join pg_catalog.pg_namespace as fns on fn.pronamespace = fns.oid
                        where
                            fn.oid = d.refobjid
                            and fns.nspname = 'auth'
                            and fn.proname in ('uid', 'role', 'jwt', 'email')
                    )
                )
            )
    )
group by t.schema_name, t.table_name, t.column_name
order by t.schema_name, t.table_name, t.column_name
