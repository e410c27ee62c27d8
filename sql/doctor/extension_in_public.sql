-- name: extension_in_public
-- title: Extension in Public
-- level: WARN
-- facing: EXTERNAL
-- categories: SECURITY
-- splinter: 0014
-- Same rule as Supabase's linter 0014 (plpgsql, which every database has in pg_catalog, is
-- never reported).
select
    'extension_in_public' as name,
    'Extension in Public' as title,
    'WARN' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects extensions installed in the public schema: their functions, types and tables become part of '
    || 'the exposed API schema, and they share a namespace with your own objects.' as description,
    format(
        'Extension `%s` is installed in the public schema. Move it: `alter extension %I set schema extensions;` '
        || '(some extensions cannot be moved; drop and re-create them with `with schema extensions`).',
        e.extname,
        e.extname
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0014_extension_in_public' as remediation,
    jsonb_build_object('schema', n.nspname, 'name', e.extname, 'type', 'extension') as metadata,
    format('extension_in_public_%s', e.extname) as cache_key
from pg_catalog.pg_extension as e
inner join pg_catalog.pg_namespace as n on e.extnamespace = n.oid
where
    n.nspname = 'public'
    and e.extname <> 'plpgsql'
order by e.extname
