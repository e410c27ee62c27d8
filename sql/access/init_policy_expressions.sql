-- access init (khepri_db/access/_init_catalog.py: load_tables), for one relation (the oid parameter): the using
-- and with check expressions of its policies.
-- Parameters: psycopg placeholders in pyformat style.
select
    p.polname::text,
    e.expr
from pg_catalog.pg_policy as p
cross join
    lateral (
        values (pg_catalog.pg_get_expr(p.polqual, p.polrelid)), (pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid))
    ) as e (expr)
where p.polrelid = %(oid)s and e.expr is not null
order by 1
