-- access init (khepri_db/access/access_init.py: _load_tables), for one relation (the oid parameter): its CHECK
-- constraints over several columns.
-- Parameters: psycopg placeholders in pyformat style.
select
    c.conname::text,
    pg_catalog.pg_get_constraintdef(c.oid),
    array(
        select a.attname::text
        from unnest(c.conkey) as k (n)
        inner join pg_catalog.pg_attribute as a on a.attrelid = c.conrelid and k.n = a.attnum
    )
from pg_catalog.pg_constraint as c
where c.conrelid = %(oid)s and c.contype = 'c' and cardinality(c.conkey) > 1
