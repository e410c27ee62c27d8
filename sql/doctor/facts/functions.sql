-- Every SQL and PL/pgSQL function outside the excluded schemas, with what the body analysis needs
-- (khepri_db/doctor/_facts.py: load_functions).
-- Parameters: psycopg placeholders in pyformat style.
select
    p.oid,
    n.nspname,
    p.proname,
    l.lanname,
    pg_catalog.pg_get_function_identity_arguments(p.oid) as args,
    p.prosrc as body,
    p.prosqlbody is not null as atomic,
    case when p.prosqlbody is not null then pg_catalog.pg_get_function_sqlbody(p.oid) end as sqlbody,
    p.prorettype = 'pg_catalog.trigger'::pg_catalog.regtype as is_trigger,
    p.prorettype = 'pg_catalog.bool'::pg_catalog.regtype as returns_boolean,
    p.prosecdef as security_definer,
    (
        select cfg.setting
        from unnest(p.proconfig) as cfg (setting)
        where cfg.setting like 'search_path=%%'
        order by cfg.setting
        limit 1
    ) as search_path,
    coalesce(p.proargnames, '{}') as arg_names,
    coalesce(p.proargmodes, '{}') as arg_modes,
    -- qualified whatever the session's search_path: bodies are planned with the function's own
    -- search_path (often ''), where an unqualified `currency_code` would not resolve (42704).
    -- pg_catalog's names resolve under any path; other types by schema and pg_type name (an
    -- array's name, `_currency_code`, is a valid type name too).
    array(
        select
            case
                when tn.nspname = 'pg_catalog' then pg_catalog.format_type(a.t, null)
                else format('%%I.%%I', tn.nspname, ty.typname)
            end
        from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality as a (t, i)
        inner join pg_catalog.pg_type as ty on a.t = ty.oid
        inner join pg_catalog.pg_namespace as tn on ty.typnamespace = tn.oid
        order by a.i
    ) as arg_types
from pg_catalog.pg_proc as p
inner join pg_catalog.pg_namespace as n on p.pronamespace = n.oid
inner join pg_catalog.pg_language as l on p.prolang = l.oid
where
    l.lanname in ('sql', 'plpgsql')
    and n.nspname <> all(%(excluded_schemas)s)
    and n.nspname not like 'pg\_temp%%' and n.nspname not like 'pg\_toast%%'
    and not exists (
        select 1 from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
    )
