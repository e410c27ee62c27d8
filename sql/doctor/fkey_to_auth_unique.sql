-- name: fkey_to_auth_unique
-- title: Foreign Key to Auth Unique Constraint
-- level: WARN
-- facing: EXTERNAL
-- categories: SECURITY
-- splinter: 0021
-- Same rule as Supabase's linter 0021: a foreign key from your tables to a unique constraint of
-- Supabase Auth's schema other than a primary key (e.g. auth.users (phone)). Supabase manages
-- those constraints and may drop or change them; the key then blocks Auth's own migrations.
select
    'fkey_to_auth_unique' as name,
    'Foreign Key to Auth Unique Constraint' as title,
    'WARN' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects foreign keys that reference a unique, non-primary-key constraint of the auth schema: Supabase '
    || 'Auth owns those constraints and may change them, which the foreign key then prevents.' as description,
    format(
        'Table `%s.%s` has a foreign key `%s` referencing `%s` through the unique index `%s`. Reference '
        || 'auth.users (id) instead, or drop the constraint: `alter table %I.%I drop constraint %I;`.',
        n.nspname,
        c.relname,
        con.conname,
        con.confrelid::regclass,
        con.conindid::regclass,
        n.nspname,
        c.relname,
        con.conname
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0021_fkey_to_auth_unique' as remediation,
    jsonb_build_object('schema', n.nspname, 'name', c.relname, 'foreign_key', con.conname) as metadata,
    format('fkey_to_auth_unique_%s_%s_%s', n.nspname, c.relname, con.conname) as cache_key
from pg_catalog.pg_constraint as con
inner join pg_catalog.pg_class as c on con.conrelid = c.oid
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
inner join pg_catalog.pg_class as ref on con.confrelid = ref.oid
inner join pg_catalog.pg_namespace as ref_ns on ref.relnamespace = ref_ns.oid
inner join pg_catalog.pg_index as i on con.conindid = i.indexrelid
where
    con.contype = 'f'
    and con.conparentid = 0
    and ref_ns.nspname = 'auth'
    and n.nspname <> 'auth'
    and i.indisunique
    and not i.indisprimary
order by n.nspname, c.relname, con.conname
