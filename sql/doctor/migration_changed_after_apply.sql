-- name: migration_changed_after_apply
-- title: Migration Changed After Apply
-- level: WARN
-- facing: INTERNAL
-- categories: MIGRATIONS
-- requires: migrations
-- khepri-db rule. doctor compares the local migrations directory with the database's history
-- (supabase_migrations.schema_migrations, as the Supabase CLI writes it) and loads the result into
-- pg_temp.khepri_migrations; this rule reports the versions in state: changed.
select
    'migration_changed_after_apply' as name,
    'Migration Changed After Apply' as title,
    'WARN' as level,
    'INTERNAL' as facing,
    array['MIGRATIONS'] as categories,
    'An applied migration file was edited afterwards: the database does not match the file, '
    || 'and the file will never be re-run.' as description,
    format('Migration `%s` (%s) was applied, but %s.', m.version, coalesce(m.file, m.name), m.detail)
    || ' '
    || 'Never edit an applied migration: restore the file from version control and put the change '
    || 'in a new migration.' as detail,
    'docs/doctor/migration_changed_after_apply.md' as remediation,
    jsonb_build_object('version', m.version, 'name', m.name, 'file', m.file, 'type', 'migration', 'state', m.state)
        as metadata,
    format('migration_changed_after_apply_%s', m.version) as cache_key
from pg_temp.khepri_migrations as m
where m.state in ('changed')
order by m.version
