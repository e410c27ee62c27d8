-- access init (khepri_db/access/_branches.py): the permissive policies of the relations (the oids
-- parameter), with their command and their using and with check expressions, to find policies whose
-- branches admit different people (a row per policy branch, issue 22).
-- Parameters: psycopg placeholders in pyformat style.
select
    n.nspname || '.' || c.relname as table_name,
    p.polname::text as policy,
    p.polcmd::text as command,
    pg_catalog.pg_get_expr(p.polqual, p.polrelid) as using_expr,
    pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) as check_expr
from pg_catalog.pg_policy as p
inner join pg_catalog.pg_class as c on p.polrelid = c.oid
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where p.polrelid = any(%(oids)s) and p.polpermissive
order by 1, 2
