-- Access matrix (khepri_db/access/_catalog.py): the plain functions of the exposed schemas (no trigger or event
-- trigger functions, none of an extension) that anon, authenticated or service_role may execute.
-- Parameters: psycopg placeholders in pyformat style.
select
    p.oid,
    format('%%I.%%I(%%s)', n.nspname, p.proname, pg_catalog.oidvectortypes(p.proargtypes))
from pg_catalog.pg_proc as p
inner join pg_catalog.pg_namespace as n on p.pronamespace = n.oid
where
    n.nspname = any(%(schemas)s) and p.prokind = 'f'
    and p.prorettype not in ('pg_catalog.trigger'::regtype, 'pg_catalog.event_trigger'::regtype)
    and not exists (
        select 1 from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
    )
    and (
        pg_catalog.has_function_privilege('anon', p.oid, 'execute')
        or pg_catalog.has_function_privilege('authenticated', p.oid, 'execute')
        or pg_catalog.has_function_privilege('service_role', p.oid, 'execute')
    )
order by 2
