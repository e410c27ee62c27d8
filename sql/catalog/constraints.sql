-- The catalog reader (khepri_db/core/catalog.py: read_relations): the primary key, unique, foreign key and CHECK
-- constraints of relations by oid, their columns in key order, a foreign key's target (oid, schema.name, columns)
-- and every constraint's definition as pg_get_constraintdef prints it; by relation, kind, then name (C collation).
-- Parameters: psycopg placeholders in pyformat style (percent, name in parentheses, s).
select
    c.conrelid::int as relid,
    c.conname::text as name,
    c.contype::text as kind,
    array(
        select a.attname::text from unnest(c.conkey) with ordinality as k (n, o)
        inner join pg_catalog.pg_attribute as a on c.conrelid = a.attrelid and k.n = a.attnum
        order by k.o
    ) as columns,
    c.confrelid::int as target_oid,
    coalesce(format('%%s.%%s', fn.nspname, fc.relname), '') as target,
    array(
        select a.attname::text from unnest(c.confkey) with ordinality as k (n, o)
        inner join pg_catalog.pg_attribute as a on c.confrelid = a.attrelid and k.n = a.attnum
        order by k.o
    ) as target_columns,
    pg_catalog.pg_get_constraintdef(c.oid) as definition
from pg_catalog.pg_constraint as c
left join pg_catalog.pg_class as fc on c.confrelid = fc.oid
left join pg_catalog.pg_namespace as fn on fc.relnamespace = fn.oid
where c.conrelid = any(%(oids)s::oid[]) and c.contype in ('p', 'u', 'f', 'c')
order by c.conrelid, c.contype, c.conname collate "C"
