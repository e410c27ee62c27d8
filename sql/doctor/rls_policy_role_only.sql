-- name: rls_policy_role_only
-- title: RLS Policy Checks Only the Caller's Role
-- level: WARN
-- max_level: ERROR
-- facing: EXTERNAL
-- categories: SECURITY
-- requires: policies
-- khepri-db rule. A permissive policy for anon, authenticated or PUBLIC on a table that holds
-- per-user rows (it has a tenant column such as user_id or athlete_id, see [doctor]
-- tenant_columns, or a foreign key to auth.users) whose expressions do not depend on the row at
-- all: they read no column of the table and no other table, call no function other than
-- auth.uid(), auth.role(), auth.jwt() and auth.email(), and only look at who the caller is
-- (`auth.role() = 'authenticated'`, `auth.jwt() ->> 'role' = 'authenticated'`,
-- `auth.uid() is not null`, a role read from request.jwt.claims). Such a policy shares every row
-- with every signed-in user. Admin checks on app_metadata claims and checks for 'service_role'
-- (rls_policy_for_service_role) are not reported; neither are constant policies such as
-- `using (true)` (rls_policy_always_true reports those for writes). Dependencies come from
-- pg_depend, not from the policy's text. Level: ERROR when it lets the caller read, change or
-- delete other users' rows (SELECT, UPDATE, DELETE, ALL); WARN for INSERT only (a caller can
-- create rows naming another owner, but reaches no one else's rows through it).
with auth_functions as (
    select p.oid
    from pg_catalog.pg_proc as p
    inner join pg_catalog.pg_namespace as n on p.pronamespace = n.oid
    where n.nspname = 'auth' and p.proname in ('uid', 'role', 'jwt', 'email')
),

per_user_tables as (
    select
        c.oid,
        array(
            select a.attname::text from pg_catalog.pg_attribute as a
            where
                a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                and a.attname = any(string_to_array(current_setting('khepri.tenant_columns'), ','))
            order by a.attnum
        ) as tenant_columns,
        exists(
            select 1 from pg_catalog.pg_constraint as con
            where con.conrelid = c.oid and con.contype = 'f' and con.confrelid = to_regclass('auth.users')
        ) as references_auth_users
    from pg_catalog.pg_class as c
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where
        c.relkind in ('r', 'p')
        and c.relrowsecurity
        and (
            n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
            or n.nspname || '.' || c.relname = any(string_to_array(current_setting('khepri.policy_tables'), ','))
        )
        and n.nspname not like 'pg\_%'
),

policies as (
    select
        p.oid,
        p.polname,
        p.polcmd,
        n.nspname as schema_name,
        c.relname as table_name,
        t.tenant_columns,
        t.references_auth_users,
        array(
            select case when r.oid = 0 then 'public' else pg_catalog.pg_get_userbyid(r.oid)::text end as role_name
            from unnest(p.polroles) as r (oid)
            order by role_name
        ) as roles,
        concat_ws(
            ' ', kp.qual, kp.with_check
        ) as expressions,
        exists(
            select 1 from pg_catalog.pg_depend as d
            where
                d.classid = 'pg_catalog.pg_policy'::regclass and d.objid = p.oid and d.deptype = 'n'
                and (
                    d.refclassid = 'pg_catalog.pg_class'::regclass
                    or (
                        d.refclassid = 'pg_catalog.pg_proc'::regclass
                        and d.refobjid not in (select af.oid from auth_functions as af)
                    )
                )
        ) as depends_on_row_or_data
    from pg_catalog.pg_policy as p
    inner join pg_temp.khepri_policies as kp on p.oid = kp.policy_oid
    inner join per_user_tables as t on p.polrelid = t.oid
    inner join pg_catalog.pg_class as c on p.polrelid = c.oid
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where
        p.polpermissive
        and (cardinality(t.tenant_columns) > 0 or t.references_auth_users)
        and (
            p.polroles = array[0]::oid[]
            or exists (
                select 1 from pg_catalog.pg_roles as r
                where r.oid = any(p.polroles) and r.rolname in ('anon', 'authenticated')
            )
        )
)

select
    'rls_policy_role_only' as name,
    'RLS Policy Checks Only the Caller''s Role' as title,
    case when pol.polcmd = 'a' then 'WARN' else 'ERROR' end as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects policies on tables of per-user rows that only check who the caller is (signed in, role '
    || 'claim) and never compare the row with the caller: every signed-in user can reach every user''s rows.'
        as description,
    format(
        'Policy `%s` on `%s.%s` (for %s to %s) only checks the caller''s role: `%s`. It never compares the '
        || 'row with the caller, so every %s user can %s every row, although %s says each row belongs to one '
        || 'user. Compare the owner instead, e.g. `using (%s = (select auth.uid()))`.',
        pol.polname,
        pol.schema_name,
        pol.table_name,
        case pol.polcmd
            when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE' when 'd' then 'DELETE'
            else 'ALL'
        end,
        array_to_string(pol.roles, ', '),
        pol.expressions,
        case
            when 'anon' = any(pol.roles) or 'public' = any(pol.roles) then 'anonymous or signed-in' else 'signed-in'
        end,
        case pol.polcmd
            when 'r' then 'read' when 'a' then 'insert' when 'w' then 'update' when 'd' then 'delete'
            else 'read and change'
        end,
        case
            when cardinality(pol.tenant_columns) > 0 then format('its column `%s`', pol.tenant_columns[1])
            else 'its foreign key to auth.users'
        end,
        coalesce(pol.tenant_columns[1], 'user_id')
    ) as detail,
    'docs/doctor/rls_policy_role_only.md' as remediation,
    jsonb_build_object(
        'schema', pol.schema_name,
        'name', pol.table_name,
        'type', 'table',
        'policy_name', pol.polname,
        'roles', to_jsonb(pol.roles),
        'expression', pol.expressions,
        'tenant_columns', to_jsonb(pol.tenant_columns)
    ) as metadata,
    format('rls_policy_role_only_%s_%s_%s', pol.schema_name, pol.table_name, pol.polname) as cache_key
from policies as pol
where
    not pol.depends_on_row_or_data
    and pol.expressions ~ '(auth\.(uid|role|jwt|email)\(\)|current_setting\(''request\.jwt\.claim)'
    and pol.expressions !~* 'app_metadata'
    and pol.expressions !~ '''service_role'''
order by pol.schema_name, pol.table_name, pol.polname
