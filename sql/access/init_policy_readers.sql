-- access init (khepri_db/access/_init_rows.py: Generator.tenant_roots): what every row-level security
-- policy reads, to find membership tables: each policy's table, its using and with check expressions, and the
-- bodies of the functions those expressions call (a policy often reads its membership table through a helper
-- such as get_authorized_orgs()). The names called are taken from the expressions once and joined with
-- pg_proc by name (a hash join), not matched function by function.
-- Parameters: none.
with policies as (
    select
        n.nspname || '.' || c.relname as table_name,
        coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '') || ' '
        || coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '') as expr
    from pg_catalog.pg_policy as p
    inner join pg_catalog.pg_class as c on p.polrelid = c.oid
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
),

called as (
    select distinct
        policies.table_name,
        policies.expr,
        m.name[1] as proname
    from policies
    left join lateral pg_catalog.regexp_matches(policies.expr, '([A-Za-z_][A-Za-z0-9_$]*)\s*\(', 'g') as m (name)
        on true
)

select
    called.table_name,
    called.expr || ' ' || coalesce(pg_catalog.string_agg(distinct f.prosrc, ' '), '') as reads
from called
left join pg_catalog.pg_proc as f
    on
        called.proname = f.proname
        and f.pronamespace not in ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
group by called.table_name, called.expr
