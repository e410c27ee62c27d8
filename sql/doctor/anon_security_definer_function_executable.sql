-- name: anon_security_definer_function_executable
-- title: SECURITY DEFINER Function Executable by Anon
-- level: WARN
-- facing: EXTERNAL
-- categories: SECURITY
-- splinter: 0028
-- Same rule as Supabase's linter 0028: a SECURITY DEFINER function in a schema the Data API
-- exposes that anon may execute, i.e. call through /rest/v1/rpc/<name>. Differences:
-- exposure comes from khepri.exposed_schemas; only plain functions count (PostgREST cannot call
-- procedures, aggregates, window functions, or trigger and event-trigger functions); EXECUTE
-- through PUBLIC (the default for every new function) counts and the detail says so; a
-- database without the anon role gets api_roles_missing instead of a failure.
select
    'anon_security_definer_function_executable' as name,
    'SECURITY DEFINER Function Executable by Anon' as title,
    'WARN' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects SECURITY DEFINER functions that anyone holding the public anon key can call through the Data API '
    || '(/rest/v1/rpc/<name>): they run with their owner''s rights and bypass RLS.' as description,
    format(
        'SECURITY DEFINER function `%s.%s(%s)` is executable by the `anon` role%s, through '
        || '`/rest/v1/rpc/%s`. If that is not intended, `revoke execute on function %s.%s(%s) from public, anon;` '
        || 'and grant it only to the roles that need it.',
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
        p.proname,
        n.nspname,
        p.proname,
        pg_catalog.pg_get_function_identity_arguments(p.oid)
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0028_anon_security_definer_function_executable'
        as remediation,
    jsonb_build_object(
        'schema', n.nspname,
        'name', p.proname,
        'type', 'function',
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
inner join pg_catalog.pg_roles as r on r.rolname = 'anon'
where
    p.prosecdef
    and p.prokind = 'f'
    and p.prorettype not in ('pg_catalog.trigger'::pg_catalog.regtype, 'pg_catalog.event_trigger'::pg_catalog.regtype)
    and pg_catalog.has_function_privilege(r.oid, p.oid, 'EXECUTE')
    and n.nspname = any(string_to_array(current_setting('khepri.exposed_schemas'), ','))
    and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
order by n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)
