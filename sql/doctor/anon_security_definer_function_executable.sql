-- name: anon_security_definer_function_executable
-- title: SECURITY DEFINER Function Executable by Anon
-- level: WARN
-- facing: EXTERNAL
-- categories: SECURITY
-- Same rule as Supabase's linter 0028. EXECUTE granted to PUBLIC (the default for every new
-- function) counts: anon holds it through PUBLIC. Reported as a finding, not a crash, when the
-- anon role does not exist (nothing to check then).
select
    'anon_security_definer_function_executable' as name,
    'SECURITY DEFINER Function Executable by Anon' as title,
    'WARN' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects SECURITY DEFINER functions that the anon role may execute. They run with their '
    || 'owner''s rights and bypass RLS, so anyone holding the public anon key can call them through '
    || '/rest/v1/rpc/<name>.' as description,
    format(
        'SECURITY DEFINER function `%s.%s(%s)` is executable by the `anon` role%s. Run `revoke execute on '
        || 'function %s.%s(%s) from public, anon;` and grant it to the roles that need it.',
        n.nspname,
        p.proname,
        pg_catalog.pg_get_function_identity_arguments(p.oid),
        case
            when exists (
                select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) as a
                where a.grantee = 0 and a.privilege_type = 'EXECUTE'
            ) then ' (through the grant to PUBLIC)'
            else ''
        end,
        n.nspname,
        p.proname,
        pg_catalog.pg_get_function_identity_arguments(p.oid)
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0028_anon_security_definer_function_executable'
        as remediation,
    jsonb_build_object(
        'schema', n.nspname,
        'name', p.proname,
        'arguments', pg_catalog.pg_get_function_identity_arguments(p.oid),
        'language', l.lanname,
        'security_definer', true
    ) as metadata,
    format(
        'anon_security_definer_function_executable_%s_%s_%s',
        n.nspname,
        p.proname,
        pg_catalog.pg_get_function_identity_arguments(p.oid)
    ) as cache_key
from pg_catalog.pg_proc as p
inner join pg_catalog.pg_namespace as n on p.pronamespace = n.oid
inner join pg_catalog.pg_language as l on p.prolang = l.oid
where
    p.prosecdef
    and exists (
        select 1 from pg_catalog.pg_roles as pr
        where pr.rolname = 'anon'
    )
    and pg_catalog.has_function_privilege('anon', p.oid, 'EXECUTE')
    and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
order by n.nspname, p.proname
