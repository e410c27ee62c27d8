-- name: migration_missing_locally
-- title: Applied Migration Missing Locally
-- level: WARN
-- facing: INTERNAL
-- categories: MIGRATIONS
-- requires: migrations
-- khepri-db rule. doctor compares the local migrations directory with the database's history
-- (supabase_migrations.schema_migrations, as the Supabase CLI writes it) and loads the result into
-- pg_temp.khepri_migrations; this rule reports the versions in state: missing-locally.
select
    'migration_missing_locally' as name,
    'Applied Migration Missing Locally' as title,
    'WARN' as level,
    'INTERNAL' as facing,
    array['MIGRATIONS'] as categories,
    'The database records a migration that has no local file: it was applied from another branch or checkout.'
        as description,
    format('Migration `%s` (%s) is %s.', m.version, coalesce(m.name, 'no name recorded'), m.detail)
    || ' '
    || format(
        'Restore the file (e.g. `supabase migration fetch`), or if it was abandoned, '
        || '`supabase migration repair --status reverted %s`.',
        m.version
    ) as detail,
    'docs/doctor/migration_missing_locally.md' as remediation,
    jsonb_build_object('version', m.version, 'name', m.name, 'file', m.file, 'type', 'migration', 'state', m.state)
        as metadata,
    format('migration_missing_locally_%s', m.version) as cache_key
from pg_temp.khepri_migrations as m
where m.state in ('missing-locally')
order by m.version
