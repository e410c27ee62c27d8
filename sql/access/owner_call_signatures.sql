-- Access matrix (khepri_db/access/_owner_calls.py): what a call with the owner's data needs of each function of
-- the oids parameter (trigger functions left out: they are never called; so are stable and immutable ones, whose
-- writes Postgres refuses): argument counts, names, modes, types,
-- type categories (of a domain's base type), first enum labels, schema, name, and whether anon and
-- authenticated may run it (EXECUTE on it and USAGE on its schema).
-- Parameters: psycopg placeholders in pyformat style.
select
    p.oid,
    p.pronargs,
    p.pronargdefaults,
    coalesce(p.proargnames, '{}'),
    coalesce(p.proargmodes::text[], '{}'),
    array(
        select pg_catalog.format_type(a.t, null) from unnest(p.proargtypes) with ordinality as a (t, o)
        order by a.o
    ),
    array(
        select b.typcategory::text from unnest(p.proargtypes) with ordinality as a (t, o)
        inner join pg_catalog.pg_type as ty on a.t = ty.oid
        inner join pg_catalog.pg_type as b on b.oid = case when ty.typtype = 'd' then ty.typbasetype else ty.oid end
        order by a.o
    ),
    array(
        select e.enumlabel::text from unnest(p.proargtypes) with ordinality as a (t, o)
        left join lateral (
            select e.enumlabel from pg_catalog.pg_enum as e
            where e.enumtypid = a.t
            order by e.enumsortorder limit 1
        ) as e on true
        order by a.o
    ),
    n.nspname::text,
    p.proname::text,
    pg_catalog.has_schema_privilege('anon', n.oid, 'usage')
    and pg_catalog.has_function_privilege('anon', p.oid, 'execute'),
    pg_catalog.has_schema_privilege('authenticated', n.oid, 'usage')
    and pg_catalog.has_function_privilege('authenticated', p.oid, 'execute')
from pg_catalog.pg_proc as p
inner join pg_catalog.pg_namespace as n on p.pronamespace = n.oid
where
    p.oid = any(%(oids)s) and p.prokind = 'f' and p.provolatile = 'v'
    and p.prorettype not in ('pg_catalog.trigger'::regtype, 'pg_catalog.event_trigger'::regtype)
