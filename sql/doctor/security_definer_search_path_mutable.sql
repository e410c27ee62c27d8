-- name: security_definer_search_path_mutable
-- title: SECURITY DEFINER Function Search Path Mutable
-- level: WARN
-- facing: EXTERNAL
-- categories: SECURITY
-- khepri-db rule. The SECURITY DEFINER case of function_search_path_mutable: a caller who can set
-- search_path and create an object on it can make the function run that object with the owner's
-- rights. WARN, not ERROR: a Data API caller can do neither (PostgREST sets search_path itself and
-- the API roles cannot create objects), so exploiting it needs a second mistake (a CREATE grant,
-- a database login for a less trusted role). The same function is also reported by
-- function_search_path_mutable (Supabase's 0011); doctor keeps one finding, this one.
select
    'security_definer_search_path_mutable' as name,
    'SECURITY DEFINER Function Search Path Mutable' as title,
    'WARN' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects SECURITY DEFINER functions without a fixed search_path. They run with their owner''s '
    || 'rights but resolve names through the caller''s search_path, which the caller controls.'
        as description,
    format(
        'SECURITY DEFINER function `%s.%s(%s)` has no fixed search_path. Add `set search_path = ''''` '
        || 'and schema-qualify every name in its body.',
        n.nspname,
        p.proname,
        pg_catalog.pg_get_function_identity_arguments(p.oid)
    ) as detail,
    'docs/doctor/security_definer_search_path_mutable.md' as remediation,
    jsonb_build_object(
        'schema', n.nspname,
        'name', p.proname,
        'type', 'function',
        'arguments', pg_catalog.pg_get_function_identity_arguments(p.oid)
    ) as metadata,
    format(
        'security_definer_search_path_mutable_%s_%s_%s',
        n.nspname,
        p.proname,
        md5(pg_catalog.pg_get_function_identity_arguments(p.oid))
    ) as cache_key
from pg_catalog.pg_proc as p
inner join pg_catalog.pg_namespace as n on p.pronamespace = n.oid
where
    p.prosecdef
    and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
    and n.nspname not like 'pg\_%'
    and not exists (
        select 1 from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
    )
    and not exists (
        select 1 from unnest(coalesce(p.proconfig, '{}')) as cfg (setting)
        where cfg.setting like 'search_path=%'
    )
order by n.nspname, p.proname
