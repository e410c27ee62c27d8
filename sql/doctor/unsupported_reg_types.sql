-- name: unsupported_reg_types
-- title: Unsupported reg* Types
-- level: WARN
-- facing: EXTERNAL
-- categories: SECURITY
-- splinter: 0018
-- Same rule as Supabase's linter 0018: table columns whose type stores an OID that pg_upgrade
-- cannot carry over (regcollation, regconfig, regdictionary, regnamespace, regoper, regoperator,
-- regproc, regprocedure), which blocks major version upgrades. Arrays of these types and domains
-- over them are found too (pg_upgrade refuses them as well); Supabase's linter only sees the
-- plain types.
with recursive blocked (type_oid, base_name) as (
    select
        t.oid,
        t.typname::text
    from pg_catalog.pg_type as t
    inner join pg_catalog.pg_namespace as tn on t.typnamespace = tn.oid
    where
        tn.nspname = 'pg_catalog'
        and t.typname in (
            'regcollation', 'regconfig', 'regdictionary', 'regnamespace', 'regoper', 'regoperator', 'regproc',
            'regprocedure'
        )
    union
    select
        t.oid,
        b.base_name
    from pg_catalog.pg_type as t
    inner join blocked as b on t.typelem = b.type_oid or t.typbasetype = b.type_oid
)

select
    'unsupported_reg_types' as name,
    'Unsupported reg* Types' as title,
    'WARN' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects table columns of reg* types that store OIDs (regproc, regnamespace, ...): pg_upgrade cannot '
    || 'upgrade a database that has them, which blocks Postgres major version upgrades.' as description,
    format(
        'Table `%s.%s` has a column `%s` of type `%s` (a %s). Store the name instead, e.g. '
        || '`alter table %I.%I alter column %I type text using %I::text;`.',
        n.nspname,
        c.relname,
        a.attname,
        pg_catalog.format_type(a.atttypid, a.atttypmod),
        b.base_name,
        n.nspname,
        c.relname,
        a.attname,
        a.attname
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0018_unsupported_reg_types' as remediation,
    jsonb_build_object('schema', n.nspname, 'name', c.relname, 'column', a.attname, 'type', 'table') as metadata,
    format('unsupported_reg_types_%s_%s_%s', n.nspname, c.relname, a.attname) as cache_key
from pg_catalog.pg_attribute as a
inner join blocked as b on a.atttypid = b.type_oid
inner join pg_catalog.pg_class as c on a.attrelid = c.oid
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    a.attnum > 0
    and not a.attisdropped
    and c.relkind in ('r', 'm', 'p')
    and not c.relispartition
    and n.nspname not in ('information_schema', 'pgsodium')
    and n.nspname not like 'pg\_%'
order by n.nspname, c.relname, a.attname
