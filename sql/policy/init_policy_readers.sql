-- access init (khepri_db/policy/access_init.py: _Generator.tenant_roots): what every row-level security
-- policy reads, to find membership tables: each policy's table, its using and with check expressions, and the
-- bodies of the functions those expressions call (a policy often reads its membership table through a helper
-- such as get_authorized_orgs()).
-- Parameters: none.
with policies as (
    select
        n.nspname || '.' || c.relname as table_name,
        coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '') || ' '
        || coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '') as expr
    from pg_catalog.pg_policy as p
    inner join pg_catalog.pg_class as c on p.polrelid = c.oid
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
)

select
    policies.table_name,
    policies.expr
    || ' '
    || coalesce((
        select pg_catalog.string_agg(f.prosrc, ' ')
        from pg_catalog.pg_proc as f
        inner join pg_catalog.pg_namespace as fn on f.pronamespace = fn.oid
        where
            fn.nspname not in ('pg_catalog', 'information_schema')
            and policies.expr ~ ('\m' || f.proname || '\(')
    ), '') as reads
from policies
