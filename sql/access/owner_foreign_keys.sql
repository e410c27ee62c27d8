-- Access matrix (khepri_db/access/_owner_calls.py): the single-column foreign keys between the tables of the oids
-- parameter: table, column, referenced table, referenced column.
-- Parameters: psycopg placeholders in pyformat style.
select
    c.conrelid,
    a.attname::text,
    c.confrelid,
    f.attname::text
from pg_catalog.pg_constraint as c
inner join pg_catalog.pg_attribute as a on c.conrelid = a.attrelid and c.conkey[1] = a.attnum
inner join pg_catalog.pg_attribute as f on c.confrelid = f.attrelid and c.confkey[1] = f.attnum
where
    c.contype = 'f' and cardinality(c.conkey) = 1
    and c.conrelid = any(%(oids)s) and c.confrelid = any(%(oids)s)
