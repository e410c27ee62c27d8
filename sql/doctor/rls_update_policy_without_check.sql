-- name: rls_update_policy_without_check
-- title: UPDATE Policy Without WITH CHECK
-- level: WARN
-- facing: EXTERNAL
-- categories: SECURITY
-- khepri-db rule. An UPDATE policy for anon, authenticated or PUBLIC with USING but no WITH
-- CHECK: Postgres then checks the new row version against USING. That is safe only while USING
-- compares the row with the caller; once it allows more (a coach, a team, `or is_public`), a
-- user can move a row they may edit to another owner. Writing WITH CHECK states what a row may
-- become, and keeps that rule when USING changes. (ALL policies are not reported.)
select
    'rls_update_policy_without_check' as name,
    'UPDATE Policy Without WITH CHECK' as title,
    'WARN' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects UPDATE policies without WITH CHECK: what an updated row may become is then only implied by '
    || 'USING, and follows it whenever USING is widened.' as description,
    format(
        'UPDATE policy `%s` on `%s.%s` has `using (%s)` but no `with check`. Add the check the new row must '
        || 'pass, usually the same ownership test: `alter policy %I on %I.%I with check (%s);`.',
        p.polname,
        n.nspname,
        c.relname,
        pg_catalog.pg_get_expr(p.polqual, p.polrelid),
        p.polname,
        n.nspname,
        c.relname,
        pg_catalog.pg_get_expr(p.polqual, p.polrelid)
    ) as detail,
    'docs/doctor/rls_update_policy_without_check.md' as remediation,
    jsonb_build_object('schema', n.nspname, 'name', c.relname, 'type', 'table', 'policy_name', p.polname)
        as metadata,
    format('rls_update_policy_without_check_%s_%s_%s', n.nspname, c.relname, p.polname) as cache_key
from pg_catalog.pg_policy as p
inner join pg_catalog.pg_class as c on p.polrelid = c.oid
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    p.polcmd = 'w'
    and p.polqual is not null
    and p.polwithcheck is null
    and (
        p.polroles = array[0]::oid[]
        or exists (
            select 1 from pg_catalog.pg_roles as r
            where r.oid = any(p.polroles) and r.rolname in ('anon', 'authenticated')
        )
    )
    and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
    and n.nspname not like 'pg\_%'
order by n.nspname, c.relname, p.polname
