-- gen types (khepri_db/client/catalog.py): the functions (RPCs) of the exposed schemas the API roles may
-- execute, extension members, triggers and event triggers excluded.
-- Parameters: psycopg placeholders in pyformat style (percent, name in parentheses, s).
select
    p.oid,
    n.nspname,
    p.proname::text,
    coalesce(p.proargnames, '{}'::text[]),
    coalesce(p.proargmodes::text[], '{}'::text[]),
    coalesce(p.proallargtypes, p.proargtypes::oid[]),
    p.pronargdefaults,
    coalesce(pg_catalog.pg_get_expr(p.proargdefaults, 0), ''),
    p.proretset,
    p.prorettype,
    p.provariadic,
    coalesce(pg_catalog.obj_description(p.oid, 'pg_proc'), ''),
    pg_catalog.pg_get_function_identity_arguments(p.oid)
from pg_catalog.pg_proc as p
inner join pg_catalog.pg_namespace as n on p.pronamespace = n.oid
where
    n.nspname = any(%(schemas)s) and p.prokind = 'f'
    and p.prorettype not in ('pg_catalog.trigger'::regtype, 'pg_catalog.event_trigger'::regtype)
    and not exists (
        select 1 from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
    )
    and (%(all)s or exists (
        select 1 from unnest(%(roles)s::text[]) as r (name)
        where pg_catalog.has_function_privilege(r.name, p.oid, 'execute')
    ))
order by
    n.nspname collate "C", p.proname collate "C", pg_catalog.pg_get_function_identity_arguments(p.oid) collate "C"
