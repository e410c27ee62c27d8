-- Access matrix (khepri_db/access/_catalog.py): the tables, partitioned tables (not partitions), views,
-- materialized views and foreign tables of the exposed schemas that belong to no extension.
-- Parameters: psycopg placeholders in pyformat style.
select
    c.oid,
    n.nspname,
    c.relname,
    c.relkind::text
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    n.nspname = any(%(schemas)s) and c.relkind in ('r', 'p', 'v', 'm', 'f') and not c.relispartition
    and not exists (
        select 1 from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
    )
order by 2, 3
