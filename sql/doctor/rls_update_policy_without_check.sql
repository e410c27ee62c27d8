-- name: rls_update_policy_without_check
-- title: UPDATE Policy WITH CHECK Weaker Than USING
-- level: WARN
-- facing: EXTERNAL
-- categories: SECURITY
-- requires: helpers, policies
-- khepri-db rule. An UPDATE (or ALL) policy for anon, authenticated or PUBLIC whose WITH CHECK is
-- weaker than its USING: USING limits which rows a caller may update, WITH CHECK what a row may
-- become. Reported when WITH CHECK is always true (`with check (true)`, decided by the planner as
-- in rls_policy_always_true) while USING is not, or when USING compares the row with the caller
-- (auth.uid(), auth.jwt()) and WITH CHECK never does: a caller can then hand a row they own to
-- someone else, or move it out of their tenant. A policy without WITH CHECK is not reported:
-- PostgreSQL then checks the new row against USING too, so an ownership USING already stops it.
-- (The rule name is kept from the time it flagged every UPDATE policy without WITH CHECK.)
with policies as (
    select
        p.oid,
        p.polname,
        p.polcmd,
        n.nspname as schema_name,
        c.relname as table_name,
        c.relkind,
        c.oid::regclass as oid_of_table,
        kp.qual,
        kp.with_check
    from pg_catalog.pg_policy as p
    inner join pg_temp.khepri_policies as kp on p.oid = kp.policy_oid
    inner join pg_catalog.pg_class as c on p.polrelid = c.oid
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where
        p.polcmd in ('w', '*')
        and p.polpermissive
        and p.polqual is not null
        and p.polwithcheck is not null
        and c.relkind = 'r'
        and (
            p.polroles = array[0]::oid[]
            or exists (
                select 1 from pg_catalog.pg_roles as r
                where r.oid = any(p.polroles) and r.rolname in ('anon', 'authenticated')
            )
        )
        and (
            n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
            or n.nspname || '.' || c.relname = any(string_to_array(current_setting('khepri.policy_tables'), ','))
        )
        and n.nspname not like 'pg\_%'
),

judged as (
    select
        pol.*,
        coalesce(pg_temp.khepri_folds_to_true(pol.with_check, pol.oid_of_table), false)
        and not coalesce(pg_temp.khepri_folds_to_true(pol.qual, pol.oid_of_table), false) as check_always_true,
        pol.qual ~ 'auth\.(uid|jwt)\(\)' and pol.with_check !~ 'auth\.(uid|jwt)\(\)'
        and pol.with_check !~ '[a-z_]+\.[a-z_]+\(' as check_drops_caller
    from policies as pol
)

select
    'rls_update_policy_without_check' as name,
    'UPDATE Policy WITH CHECK Weaker Than USING' as title,
    'WARN' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects UPDATE policies whose WITH CHECK is weaker than their USING (always true, or no longer comparing '
    || 'the row with the caller): a caller may update their own rows into rows of someone else.' as description,
    format(
        'Policy `%s` on `%s.%s` (for %s) lets a caller update rows matching `using (%s)` but checks the new row '
        || 'only with `with check (%s)`, which %s: a caller can give a row they own to another user or tenant. '
        || 'Make the check at least as strict as USING (`alter policy %I on %I.%I with check (%s);`), or drop '
        || 'WITH CHECK so that PostgreSQL applies USING to the new row too.',
        j.polname,
        j.schema_name,
        j.table_name,
        case j.polcmd when 'w' then 'UPDATE' else 'ALL' end,
        j.qual,
        j.with_check,
        case when j.check_always_true then 'is always true' else 'never compares the row with the caller' end,
        j.polname,
        j.schema_name,
        j.table_name,
        j.qual
    ) as detail,
    'docs/doctor/rls_update_policy_without_check.md' as remediation,
    jsonb_build_object(
        'schema', j.schema_name,
        'name', j.table_name,
        'type', 'table',
        'policy_name', j.polname,
        'qual', j.qual,
        'with_check', j.with_check,
        'reason', case when j.check_always_true then 'with check always true' else 'with check drops the caller' end
    ) as metadata,
    format('rls_update_policy_without_check_%s_%s_%s', j.schema_name, j.table_name, j.polname) as cache_key
from judged as j
where j.check_always_true or j.check_drops_caller
order by j.schema_name, j.table_name, j.polname
