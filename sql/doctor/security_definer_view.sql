-- name: security_definer_view
-- title: Security Definer View
-- level: ERROR
-- facing: EXTERNAL
-- categories: SECURITY
-- splinter: 0010
-- Same rule as Supabase's linter 0010, with exposure from khepri.exposed_schemas, and write
-- grants counting too (an auto-updatable view writes its table with the owner's rights). Views
-- without security_invoker run their query with the rights (and the RLS bypass) of their owner.
select
    'security_definer_view' as name,
    'Security Definer View' as title,
    'ERROR' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects views in schemas the Data API exposes that are not security_invoker: they read their tables '
    || 'with the rights of the view''s owner, so the RLS policies of the caller do not apply.' as description,
    format(
        'View `%s.%s` is defined with the SECURITY DEFINER property (no security_invoker) and %s can reach '
        || 'it. Run `alter view %I.%I set (security_invoker = on);`.',
        n.nspname,
        c.relname,
        array_to_string(roles.names, ' and '),
        n.nspname,
        c.relname
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0010_security_definer_view' as remediation,
    jsonb_build_object('schema', n.nspname, 'name', c.relname, 'type', 'view') as metadata,
    format('security_definer_view_%s_%s', n.nspname, c.relname) as cache_key
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
cross join lateral pg_catalog.unnest(null::text[]) as roles (names)  -- khepri-db include: api_roles.sql
where
    c.relkind = 'v'
    and roles.names is not null
    and current_setting('server_version_num')::integer >= 150000
    and true  -- khepri-db include: exposed_relation.sql
    and not exists (
        select 1 from unnest(c.reloptions) as o (opt)
        where
            lower(o.opt) in (
                'security_invoker=true', 'security_invoker=on', 'security_invoker=1', 'security_invoker=yes'
            )
    )
order by n.nspname, c.relname
