-- name: unindexed_foreign_keys
-- title: Unindexed Foreign Keys
-- level: INFO
-- facing: EXTERNAL
-- categories: PERFORMANCE
-- splinter: 0001
-- Same rule as Supabase's linter 0001. A foreign key is covered by a valid, non-partial index
-- whose leading key columns are the foreign key's columns, in any order (Supabase's linter
-- needs the same order, and also accepts partial indexes, which do not cover every row).
-- Foreign keys a partition inherits from its parent are reported once, on the parent.
with foreign_keys as (
    select
        c.oid as table_oid,
        n.nspname as schema_name,
        c.relname as table_name,
        con.conname as fkey_name,
        con.conkey as fkey_columns,
        array(
            select k from unnest(con.conkey) as k
            order by k
        ) as sorted_columns
    from pg_catalog.pg_constraint as con
    inner join pg_catalog.pg_class as c on con.conrelid = c.oid
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where
        con.contype = 'f'
        and con.conparentid = 0
        and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
        and n.nspname not like 'pg\_%'
        and not exists (
            select 1 from pg_catalog.pg_depend as d
            where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
        )
)

select
    'unindexed_foreign_keys' as name,
    'Unindexed Foreign Keys' as title,
    'INFO' as level,
    'EXTERNAL' as facing,
    array['PERFORMANCE'] as categories,
    'Detects foreign keys with no index on their columns: every delete or key update of a referenced '
    || 'row scans the whole referencing table, and joins along the key cannot use an index.' as description,
    format(
        'Table `%s.%s` has a foreign key `%s` on (%s) without a covering index. Add '
        || '`create index on %I.%I (%s);`.',
        fk.schema_name,
        fk.table_name,
        fk.fkey_name,
        cols.names,
        fk.schema_name,
        fk.table_name,
        cols.names
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0001_unindexed_foreign_keys' as remediation,
    jsonb_build_object(
        'schema', fk.schema_name,
        'name', fk.table_name,
        'type', 'table',
        'fkey_name', fk.fkey_name,
        'fkey_columns', to_jsonb(fk.fkey_columns)
    ) as metadata,
    format('unindexed_foreign_keys_%s_%s_%s', fk.schema_name, fk.table_name, fk.fkey_name) as cache_key
from foreign_keys as fk
cross join
    lateral (
        select string_agg(quote_ident(a.attname), ', ' order by k.position) as names
        from unnest(fk.fkey_columns) with ordinality as k (attnum, position)
        inner join pg_catalog.pg_attribute as a on fk.table_oid = a.attrelid and k.attnum = a.attnum
    ) as cols
where
    not exists (
        select 1 from pg_catalog.pg_index as i
        where
            i.indrelid = fk.table_oid
            and i.indisvalid
            and i.indpred is null
            and i.indnkeyatts >= cardinality(fk.fkey_columns)
            and array(
                select k.attnum
                from unnest(i.indkey) with ordinality as k (attnum, position)
                where k.position <= cardinality(fk.fkey_columns)
                order by k.attnum
            ) = fk.sorted_columns
    )
order by fk.schema_name, fk.table_name, fk.fkey_name
