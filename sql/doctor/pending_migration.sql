-- name: pending_migration
-- title: Migration Not Applied
-- level: WARN
-- facing: INTERNAL
-- categories: MIGRATIONS
-- requires: migrations
-- khepri-db rule. doctor compares the local migrations directory with the database's history
-- (supabase_migrations.schema_migrations, as the Supabase CLI writes it) and loads the result into
-- pg_temp.khepri_migrations; this rule reports the versions in state: pending out-of-order.
select
    'pending_migration' as name,
    'Migration Not Applied' as title,
    'WARN' as level,
    'INTERNAL' as facing,
    array['MIGRATIONS'] as categories,
    'A local migration file has not been applied to this database yet.' as description,
    format(
        'Migration `%s` (%s) is not applied to this database%s. Run `khepri-db migrate%s`.',
        m.version,
        coalesce(m.file, m.name),
        case when m.state = 'out-of-order' then ' (' || m.detail || ')' else '' end,
        case when m.state = 'out-of-order' then ' --include-all' else '' end
    ) as detail,
    'docs/doctor/pending_migration.md' as remediation,
    jsonb_build_object('version', m.version, 'name', m.name, 'file', m.file, 'type', 'migration', 'state', m.state)
        as metadata,
    format('pending_migration_%s', m.version) as cache_key
from pg_temp.khepri_migrations as m
where m.state in ('pending', 'out-of-order')
order by m.version
