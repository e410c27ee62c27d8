-- name: function_search_path_mutable
-- title: Function Search Path Mutable
-- level: WARN
-- facing: EXTERNAL
-- categories: SECURITY
-- splinter: 0011
-- Same rule as Supabase's linter 0011, except that aggregates (which cannot take a SET clause)
-- are not flagged.
select
    'function_search_path_mutable' as name,
    'Function Search Path Mutable' as title,
    'WARN' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects functions where the search_path parameter is not set, so the objects they name are '
    || 'looked up in whatever search_path the caller has.' as description,
    format('Function `%s.%s` has a role mutable search_path', n.nspname, p.proname) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0011_function_search_path_mutable'
        as remediation,
    jsonb_build_object(
        'schema', n.nspname,
        'name', p.proname,
        'type', 'function',
        'arguments', pg_catalog.pg_get_function_identity_arguments(p.oid)
    ) as metadata,
    format('function_search_path_mutable_%s_%s_%s', n.nspname, p.proname, md5(p.prosrc)) as cache_key
from pg_catalog.pg_proc as p
inner join pg_catalog.pg_namespace as n on p.pronamespace = n.oid
where
    p.prokind in ('f', 'p', 'w')
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
