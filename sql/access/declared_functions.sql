-- Access matrix (khepri_db/access/_catalog.py): the functions a declaration key names: by exact signature when
-- it has one, else every overload of schema.name; oid, display name with argument types, number of arguments.
-- Parameters: psycopg placeholders in pyformat style.
select
    p.oid,
    format('%%I.%%I(%%s)', n.nspname, p.proname, pg_catalog.oidvectortypes(p.proargtypes)),
    p.pronargs
from pg_catalog.pg_proc as p
inner join pg_catalog.pg_namespace as n on p.pronamespace = n.oid
where case
    when %(signature)s::text is not null then p.oid = to_regprocedure(%(signature)s::text)
    else n.nspname = %(schema)s::text and p.proname = %(name)s::text
end
