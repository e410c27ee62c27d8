-- name: rls_policy_always_true
-- title: RLS Policy Always True
-- level: WARN
-- max_level: ERROR
-- facing: EXTERNAL
-- categories: SECURITY
-- requires: helpers, policies
-- splinter: 0024
-- Same rule as Supabase's linter 0024 (UPDATE, DELETE and ALL policies whose USING is always true,
-- and INSERT, UPDATE and ALL policies whose check is always true; SELECT policies are left out:
-- public read access is often intended), with two differences:
-- * "always true" is decided by Postgres: the policy expression is planned as the filter of a
--   query on its table (`explain select 1 from only <table> where <expression>`, never run), and
--   it is always true when the planner folds the filter away. So `true`, `1=1`, `'a'='a'`,
--   `not false`, `owner = auth.uid() or 2 > 1` all count; Supabase's linter compares the text
--   with four spellings. Expressions calling immutable functions that are not built in are not
--   planned (planning would run them), nor expressions reading columns of partitioned tables.
-- * A missing USING or WITH CHECK is not "allow all": Postgres then denies (no permissive
--   expression), or uses USING as the check for UPDATE/ALL. Supabase's linter flags a policy
--   without WITH CHECK for INSERT as allowing everything, although it allows nothing.
-- * SELECT policies are checked too when the always-true part hides in a longer expression
--   (`organization_id = private.org_id() or true`: it reads a column or calls a function, yet
--   folds to true) on a tenant-scoped table (a tenant column, a foreign key to auth.users, or a
--   policy comparing rows with auth.uid()/auth.jwt()): the author meant to scope it. A plain
--   `using (true)` for SELECT stays unreported, as in Supabase's linter.
-- * Level: ERROR when anon or authenticated can use it (the policy applies to them and they hold
--   the table privilege of its command): any API caller can change (or, for the hidden SELECT
--   case, read) every row. WARN otherwise (it needs a grant too).
with policies as materialized (
    select
        p.oid,
        n.nspname as schema_name,
        c.relname as table_name,
        p.polname,
        p.polcmd,
        kp.qual,
        kp.with_check,
        p.polroles,
        c.relkind,
        c.oid as table_oid,
        c.oid::regclass as oid_of_table,
        -- depends on something (a column, a function): not a bare constant
        exists(
            select 1 from pg_catalog.pg_depend as d
            where
                d.classid = 'pg_catalog.pg_policy'::regclass and d.objid = p.oid and d.deptype = 'n'
                and (d.refclassid = 'pg_catalog.pg_proc'::regclass or (d.refobjid = p.polrelid and d.refobjsubid > 0))
        ) as not_constant,
        -- reads a column of its own table (then the planner needs the table to fold it)
        exists(
            select 1 from pg_catalog.pg_depend as d
            where
                d.classid = 'pg_catalog.pg_policy'::regclass and d.objid = p.oid and d.deptype = 'n'
                and d.refobjid = p.polrelid and d.refobjsubid > 0
        ) as reads_columns,
        -- calls an immutable function that is not built in: planning would run it, so it is not planned
        exists(
            select 1
            from pg_catalog.pg_depend as d
            inner join pg_catalog.pg_proc as fn on d.refobjid = fn.oid
            where
                d.classid = 'pg_catalog.pg_policy'::regclass and d.objid = p.oid
                and d.refclassid = 'pg_catalog.pg_proc'::regclass and fn.provolatile = 'i'
        ) as calls_immutable_functions
    from pg_catalog.pg_policy as p
    inner join pg_temp.khepri_policies as kp on p.oid = kp.policy_oid
    inner join pg_catalog.pg_class as c on p.polrelid = c.oid
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where
        c.relkind in ('r', 'p')
        and c.relrowsecurity
        and p.polpermissive
        and (
            n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
            or n.nspname || '.' || c.relname = any(string_to_array(current_setting('khepri.policy_tables'), ','))
        )
        and n.nspname not like 'pg\_%'
        and (
            p.polroles = array[0]::oid[]
            or exists (
                select 1 from pg_catalog.pg_roles as r
                where r.oid = any(p.polroles) and r.rolname in ('anon', 'authenticated')
            )
        )
),

-- what to plan: USING of UPDATE, DELETE and ALL policies (and of SELECT policies of tenant-scoped
-- tables that depend on something), and the check of INSERT, UPDATE and ALL policies
asked as materialized (
    select
        pol.*,
        case
            when
                pol.qual is not null and pol.plannable
                and (
                    pol.polcmd in ('w', 'd', '*')
                    or (
                        pol.polcmd = 'r' and pol.not_constant
                        -- tenant-scoped: a tenant column, a foreign key to auth.users, or a policy naming
                        -- the caller (only asked of SELECT policies, after the cheaper conditions)
                        and (
                            exists (
                                select 1 from pg_catalog.pg_attribute as a
                                where
                                    a.attrelid = pol.table_oid and a.attnum > 0 and not a.attisdropped
                                    and a.attname = any(string_to_array(current_setting('khepri.tenant_columns'), ','))
                            )
                            or exists (
                                select 1 from pg_catalog.pg_constraint as con
                                where
                                    con.conrelid = pol.table_oid and con.contype = 'f'
                                    and con.confrelid = to_regclass('auth.users')
                            )
                            or exists (
                                select 1
                                from pg_catalog.pg_policy as other
                                inner join pg_temp.khepri_policies as other_kp on other.oid = other_kp.policy_oid
                                where
                                    other.polrelid = pol.table_oid
                                    and concat_ws(' ', other_kp.qual, other_kp.with_check) ~ 'auth\.(uid|jwt)\(\)'
                            )
                        )
                    )
                )
                then pol.qual
        end as using_asked,
        case when pol.polcmd in ('a', 'w', '*') and pol.plannable then coalesce(pol.with_check, pol.qual) end
            as check_asked,
        coalesce(pol.probe::oid, 0::oid) as probe_oid
    from (
        select
            p.*,
            not p.calls_immutable_functions and (not p.reads_columns or p.relkind = 'r') as plannable,
            case when p.reads_columns then p.oid_of_table end as probe
        from policies as p
    ) as pol
),

-- each distinct (expression, table) is planned once (pg_temp.khepri_folds_to_true keeps a memo):
-- policies of a table often repeat one condition. Called per policy rather than joined to a table
-- of distinct expressions, so the cost stays linear in the number of policies.
judged as (
    select
        a.*,
        case a.polcmd
            when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE' when 'd' then 'DELETE'
            else 'ALL'
        end as command,
        case
            when a.using_asked is not null
                then coalesce(pg_temp.khepri_folds_to_true(a.using_asked, nullif(a.probe_oid, 0::oid)::regclass), false)
            else false
        end as permissive_using,
        case
            when a.check_asked is not null
                then coalesce(pg_temp.khepri_folds_to_true(a.check_asked, nullif(a.probe_oid, 0::oid)::regclass), false)
            else false
        end as permissive_with_check
    from asked as a
),

-- what the finding says, for the policies reported
found as (
    select
        j.*,
        array(
            select case when r.oid = 0 then 'public' else pg_catalog.pg_get_userbyid(r.oid)::text end as role_name
            from unnest(j.polroles) as r (oid)
            order by role_name
        ) as roles,
        -- the API roles it applies to that hold the table privilege of its command
        array(
            select r.rolname::text
            from pg_catalog.pg_roles as r
            where
                r.rolname in ('anon', 'authenticated')
                and (j.polroles = array[0]::oid[] or r.oid = any(j.polroles))
                and case j.polcmd
                    when 'r' then pg_catalog.has_table_privilege(r.oid, j.table_oid, 'SELECT')
                    when 'a' then pg_catalog.has_table_privilege(r.oid, j.table_oid, 'INSERT')
                    when 'w' then pg_catalog.has_table_privilege(r.oid, j.table_oid, 'UPDATE')
                    when 'd' then pg_catalog.has_table_privilege(r.oid, j.table_oid, 'DELETE')
                    else pg_catalog.has_table_privilege(r.oid, j.table_oid, 'SELECT, INSERT, UPDATE, DELETE')
                end
            order by r.rolname
        ) as reachable_by
    from judged as j
    where j.permissive_using or j.permissive_with_check
)

select
    'rls_policy_always_true' as name,
    'RLS Policy Always True' as title,
    case when cardinality(j.reachable_by) > 0 then 'ERROR' else 'WARN' end as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects UPDATE, DELETE, INSERT and ALL policies whose USING or WITH CHECK expression is always true: '
    || 'they let every role they name change every row, as if row level security were off.' as description,
    format(
        'Table `%s.%s` has an RLS policy `%s` for %s to %s whose %s always true (`%s`): anyone with those '
        || 'roles can %s any row. Compare the row with the caller, e.g. `user_id = (select auth.uid())`.',
        j.schema_name,
        j.table_name,
        j.polname,
        j.command,
        array_to_string(j.roles, ', '),
        case
            when j.permissive_using and j.permissive_with_check then 'USING and WITH CHECK are'
            when j.permissive_using then 'USING is'
            else 'WITH CHECK is'
        end,
        case when j.permissive_using then j.qual else coalesce(j.with_check, j.qual) end,
        case j.command
            when 'INSERT' then 'insert' when 'UPDATE' then 'update' when 'DELETE' then 'delete'
            when 'SELECT' then 'read'
            else 'read, insert, update and delete'
        end
    )
    || case
        when cardinality(j.reachable_by) > 0
            then
                format(
                    ' %s hold the table privilege: any API caller can do it.', array_to_string(j.reachable_by, ' and ')
                )
        else ' No API role holds the table privilege for it today, so it takes a grant to become exploitable.'
    end as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0024_permissive_rls_policy' as remediation,
    jsonb_build_object(
        'schema', j.schema_name,
        'name', j.table_name,
        'type', 'table',
        'policy_name', j.polname,
        'command', j.command,
        'roles', to_jsonb(j.roles),
        'qual', j.qual,
        'with_check', j.with_check,
        'permissive_using', j.permissive_using,
        'permissive_with_check', j.permissive_with_check,
        'reachable_by', to_jsonb(j.reachable_by)
    ) as metadata,
    format('rls_policy_always_true_%s_%s_%s', j.schema_name, j.table_name, j.polname) as cache_key
from found as j
order by j.schema_name, j.table_name, j.polname
