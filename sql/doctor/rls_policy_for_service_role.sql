-- name: rls_policy_for_service_role
-- title: RLS Policy for service_role
-- level: INFO
-- facing: EXTERNAL
-- categories: SECURITY
-- requires: policies
-- khepri-db rule. service_role has BYPASSRLS: policies never apply to it. A policy `to
-- service_role` is dead code, and a check such as `auth.role() = 'service_role'` (or the same
-- claim read from auth.jwt() or request.jwt.claims) in a policy for anon, authenticated or
-- PUBLIC is never true for those roles: requests made with the service key run as service_role
-- and skip RLS altogether. Either way the policy suggests an access rule that does not exist.
-- INFO: dead code misleads readers but grants nothing. The advice depends on where the check
-- sits: in an OR it is a dead branch to delete; otherwise (alone or in an AND) the policy grants
-- nothing to its roles, and deleting just the condition would open the rest of the policy to
-- every role it names (anon too, for `to public`), so the advice is to drop the policy or rewrite
-- it for the callers it is meant for.
with policies as (
    select
        p.oid,
        p.polname,
        n.nspname as schema_name,
        c.relname as table_name,
        array(
            select case when r.oid = 0 then 'public' else pg_catalog.pg_get_userbyid(r.oid)::text end as role_name
            from unnest(p.polroles) as r (oid)
            order by role_name
        ) as roles,
        concat_ws(
            ' ', kp.qual, kp.with_check
        ) as expressions,
        concat_ws(
            ' ',
            'using (' || kp.qual || ')',
            case
                when
                    p.polwithcheck is not null
                    and kp.with_check
                    is distinct from kp.qual
                    then 'with check (' || kp.with_check || ')'
            end
        ) as shown,
        exists(
            select 1 from pg_catalog.pg_roles as r
            where r.oid = any(p.polroles) and r.rolname = 'service_role' and r.rolbypassrls
        ) as for_service_role
    from pg_catalog.pg_policy as p
    inner join pg_temp.khepri_policies as kp on p.oid = kp.policy_oid
    inner join pg_catalog.pg_class as c on p.polrelid = c.oid
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where
        (
            n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
            or n.nspname || '.' || c.relname = any(string_to_array(current_setting('khepri.policy_tables'), ','))
        )
        and n.nspname not like 'pg\_%'
),

judged as (
    select
        pol.*,
        not pol.for_service_role
        and pol.expressions ~ '''service_role'''
        and pol.expressions ~ '(auth\.role\(\)|->>\s*''role''|request\.jwt\.claim\.role)'
        and exists (
            select 1 from pg_catalog.pg_roles as r
            where r.rolname = 'service_role' and r.rolbypassrls)
            as checks_service_role,
        -- the check is one branch of an OR: `owner = auth.uid() or auth.role() = 'service_role'`
        pol.expressions ~* '\mOR\s+[( ]*(select\s+)?[( ]*(auth\.(role|jwt)\(\)|current_setting\()'
        or pol.expressions ~* '''service_role''::text\)*\s+OR\M' as in_or_branch
    from policies as pol
)

select
    'rls_policy_for_service_role' as name,
    'RLS Policy for service_role' as title,
    'INFO' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects policies written for service_role, which bypasses row level security: they never run, '
    || 'and suggest an access rule that does not exist.' as description,
    case
        when j.for_service_role
            then format(
                'Policy `%s` on `%s.%s` applies to service_role, which has BYPASSRLS: the policy never runs. '
                || 'Drop it (`drop policy %I on %I.%I;`); service_role already reads and writes every row.',
                j.polname, j.schema_name, j.table_name, j.polname, j.schema_name, j.table_name
            )
        when j.in_or_branch
            then format(
                'Policy `%s` on `%s.%s` (to %s, `%s`) has a branch checking for the service_role role, which is '
                || 'never true for the roles it applies to: requests with the service key run as service_role and '
                || 'bypass RLS. Delete that OR branch; the rest of the policy is what applies.',
                j.polname, j.schema_name, j.table_name, array_to_string(j.roles, ', '), j.shown
            )
        else format(
            'Policy `%s` on `%s.%s` (to %s, `%s`) requires the service_role role, which is never true for the '
            || 'roles it applies to (requests with the service key run as service_role and bypass RLS), so it '
            || 'grants them nothing. Do not just delete that condition: the rest would then apply to every role '
            || 'the policy names%s. Drop the policy (`drop policy %I on %I.%I;`) if it was meant for the service '
            || 'key, or rewrite it for the callers it is meant for (`to authenticated using (...)`).',
            j.polname, j.schema_name, j.table_name, array_to_string(j.roles, ', '), j.shown,
            case when 'public' = any(j.roles) or 'anon' = any(j.roles) then ', anonymous callers included' else '' end,
            j.polname, j.schema_name, j.table_name
        )
    end as detail,
    'docs/doctor/rls_policy_for_service_role.md' as remediation,
    jsonb_build_object(
        'schema', j.schema_name,
        'name', j.table_name,
        'type', 'table',
        'policy_name', j.polname,
        'roles', to_jsonb(j.roles),
        'reason',
        case
            when j.for_service_role then 'applies to service_role'
            when j.in_or_branch then 'dead OR branch checking role = service_role'
            else 'requires role = service_role'
        end
    ) as metadata,
    format('rls_policy_for_service_role_%s_%s_%s', j.schema_name, j.table_name, j.polname) as cache_key
from judged as j
where j.for_service_role or j.checks_service_role
order by j.schema_name, j.table_name, j.polname
