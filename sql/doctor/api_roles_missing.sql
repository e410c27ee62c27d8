-- name: api_roles_missing
-- title: Supabase API Roles Missing
-- level: WARN
-- facing: INTERNAL
-- categories: SECURITY
-- khepri-db rule. Supabase's linter aborts on a database without the anon role; doctor reports
-- the missing roles instead, and the rules that need them find nothing to check.
select
    'api_roles_missing' as name,
    'Supabase API Roles Missing' as title,
    'WARN' as level,
    'INTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects a database without the roles PostgREST switches to (anon, authenticated, service_role): '
    || 'Supabase migrations and policies that name them cannot work, and exposure checks are skipped.'
        as description,
    format(
        'Role `%s` does not exist, so grants and policies for it cannot be checked. Run `khepri-db migrate` '
        || '(it installs the Supabase compatibility layer on vanilla PostgreSQL) or create the role.',
        r.role_name
    ) as detail,
    'docs/doctor/api_roles_missing.md' as remediation,
    jsonb_build_object('name', r.role_name, 'type', 'role') as metadata,
    format('api_roles_missing_%s', r.role_name) as cache_key
from unnest(array['anon', 'authenticated', 'service_role']) as r (role_name)
where
    not exists (
        select 1 from pg_catalog.pg_roles as pr
        where pr.rolname = r.role_name
    )
order by r.role_name
