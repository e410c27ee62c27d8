-- gen types (khepri_db/client/catalog.py): which tables and views of the exposed schemas the API roles can reach
-- (their oids; the shared catalog reader, sql/catalog/, reads them and orders them by schema and name).
-- Parameters: psycopg placeholders in pyformat style (percent, name in parentheses, s).
select c.oid
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    n.nspname = any(%(schemas)s) and c.relkind in ('r', 'p', 'v', 'm', 'f') and not c.relispartition
    and not exists (
        select 1 from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
    )
    and (%(all)s or exists (
        select 1 from unnest(%(roles)s::text[]) as r (name)
        where pg_catalog.has_any_column_privilege(r.name, c.oid, 'select, insert, update')
    ))
