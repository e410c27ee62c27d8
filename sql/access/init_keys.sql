-- access init (khepri_db/access/access_init.py: _load_tables), for one relation (the oid parameter): its primary
-- key, unique and foreign key constraints, with the referenced table and columns.
-- Parameters: psycopg placeholders in pyformat style.
select
    c.contype::text,
    array(
        select a.attname::text from unnest(c.conkey) with ordinality as k (n, o)
        inner join pg_catalog.pg_attribute as a on a.attrelid = c.conrelid and k.n = a.attnum
        order by k.o
    ),
    c.confrelid::int,
    format('%%s.%%s', fn.nspname, fc.relname),
    array(
        select a.attname::text from unnest(c.confkey) with ordinality as k (n, o)
        inner join pg_catalog.pg_attribute as a on a.attrelid = c.confrelid and k.n = a.attnum
        order by k.o
    )
from pg_catalog.pg_constraint as c
left join pg_catalog.pg_class as fc on c.confrelid = fc.oid
left join pg_catalog.pg_namespace as fn on fc.relnamespace = fn.oid
where c.conrelid = %(oid)s and c.contype in ('p', 'u', 'f')
order by c.contype, c.conname
