-- Access matrix (khepri_db/access/_owner_calls.py): the tables the connecting role may read outside the skipped
-- schemas (the skipped parameter), none of an extension: oid, quoted name, schema, name, and whether Supabase
-- Auth owns the table (supabase_auth_admin), in creation order (oid: the owner's rows are read in this order, and
-- a tie between two rows covering a call's parameters goes to the first read). Their columns and foreign keys come
-- from the catalog reader (sql/catalog/, khepri_db/core/catalog.py).
-- Parameters: psycopg placeholders in pyformat style.
select
    c.oid,
    format('%%I.%%I', n.nspname, c.relname),
    n.nspname::text,
    c.relname::text,
    coalesce(pg_catalog.pg_get_userbyid(c.relowner) = 'supabase_auth_admin', false)
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    c.relkind = 'r' and not (n.nspname = any(%(skipped)s)) and n.nspname !~ '^pg_'
    and pg_catalog.has_table_privilege(c.oid, 'select')
    and not exists (
        select 1 from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
    )
order by c.oid
