-- name: extension_versions_outdated
-- title: Extension Versions Outdated
-- level: WARN
-- facing: EXTERNAL
-- categories: SECURITY
-- splinter: 0022
-- Same rule as Supabase's linter 0022: an installed extension whose version is not the default
-- version the server ships (only versions the server still knows are compared).
select
    'extension_versions_outdated' as name,
    'Extension Versions Outdated' as title,
    'WARN' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects extensions installed at another version than the one the server ships as default: the '
    || 'installed SQL objects miss the fixes of the newer version.' as description,
    format(
        'Extension `%s` is at version %s but the server ships %s. Run `alter extension %I update;`.',
        a.name,
        a.installed_version,
        a.default_version,
        a.name
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0022_extension_versions_outdated'
        as remediation,
    jsonb_build_object(
        'extension_name', a.name,
        'installed_version', a.installed_version,
        'default_version', a.default_version
    ) as metadata,
    format('extension_versions_outdated_%s_%s', a.name, a.installed_version) as cache_key
from pg_catalog.pg_available_extensions as a
where
    a.installed_version is not null
    and a.default_version is not null
    and a.installed_version <> a.default_version
    and exists (
        select 1 from pg_catalog.pg_available_extension_versions as v
        where v.name = a.name and v.version = a.installed_version
    )
order by a.name
