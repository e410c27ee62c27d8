-- access init (khepri_db/access/_init_catalog.py: load_tables), for one relation (the oid parameter): the
-- relations a view or materialized view reads.
-- Parameters: psycopg placeholders in pyformat style.
select distinct format('%%s.%%s', n.nspname, c.relname)
from pg_catalog.pg_rewrite as r
inner join
    pg_catalog.pg_depend as d
    on
        d.classid = 'pg_catalog.pg_rewrite'::regclass
        and r.oid = d.objid
        and d.refclassid = 'pg_catalog.pg_class'::regclass
inner join pg_catalog.pg_class as c on d.refobjid = c.oid
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where r.ev_class = %(oid)s and d.refobjid <> %(oid)s and c.relkind in ('r', 'p', 'v', 'm', 'f')
