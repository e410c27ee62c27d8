-- The catalog reader (khepri_db/core/catalog.py: read_relations): relations by oid, named as the fields of
-- khepri_db.core.catalog.Relation (read with psycopg's class_row; columns and constraints are read apart).
-- Parameters: psycopg placeholders in pyformat style (percent, name in parentheses, s).
select
    c.oid::int as oid,
    n.nspname::text as schema,
    c.relname::text as name,
    c.relkind::text as kind,
    c.reltype::int as rowtype,
    coalesce(pg_catalog.obj_description(c.oid, 'pg_class'), '') as comment,
    pg_catalog.pg_relation_is_updatable(c.oid, false) as updatable
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where c.oid = any(%(oids)s::oid[])
order by n.nspname collate "C", c.relname collate "C"
