-- access init (khepri_db/access/access_init.py: _load_tables), for one relation (the oid parameter): a relation:
-- schema, name, kind.
-- Parameters: psycopg placeholders in pyformat style.
select
    n.nspname,
    c.relname,
    c.relkind::text
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where c.oid = %(oid)s
