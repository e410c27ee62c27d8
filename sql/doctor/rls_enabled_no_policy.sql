-- name: rls_enabled_no_policy
-- title: RLS Enabled No Policy
-- level: INFO
-- facing: EXTERNAL
-- categories: SECURITY
-- splinter: 0008
-- Same rule as Supabase's linter 0008: RLS is on but no policy exists, so the API roles see no
-- rows at all. Often intended (a table only SECURITY DEFINER functions touch); often a mistake.
select
    'rls_enabled_no_policy' as name,
    'RLS Enabled No Policy' as title,
    'INFO' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects tables where row level security is enabled but no policy exists: the API roles can '
    || 'neither see nor change any row.' as description,
    format('Table `%s.%s` has RLS enabled, but no policies exist.', n.nspname, c.relname) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0008_rls_enabled_no_policy' as remediation,
    jsonb_build_object('schema', n.nspname, 'name', c.relname, 'type', 'table') as metadata,
    format('rls_enabled_no_policy_%s_%s', n.nspname, c.relname) as cache_key
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    c.relkind in ('r', 'p')
    and c.relrowsecurity
    and not exists (
        select 1 from pg_catalog.pg_policy as p
        where p.polrelid = c.oid
    )
    and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
    and n.nspname not like 'pg\_%'
    and not exists (
        select 1 from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
    )
order by n.nspname, c.relname
