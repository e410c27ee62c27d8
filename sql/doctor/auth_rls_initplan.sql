-- name: auth_rls_initplan
-- title: Auth RLS Initialization Plan
-- level: WARN
-- facing: EXTERNAL
-- categories: PERFORMANCE
-- splinter: 0003
-- Same rule as Supabase's linter 0003, counting calls instead of matching text: a policy is
-- flagged when any call of auth.uid(), auth.jwt(), auth.role(), auth.email() or current_setting()
-- is not the first call of its own (select ...) (casts, parentheses and wrapping functions such as
-- coalesce() may come between), so a policy mixing wrapped and bare calls is caught.
-- Runs with search_path = '' so the deparsed expressions always show the auth. prefix.
with policies as (
    select
        n.nspname as schema_name,
        c.relname as table_name,
        p.polname as policy_name,
        coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '')
        || ' ' || coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '') as expressions
    from pg_catalog.pg_policy as p
    inner join pg_catalog.pg_class as c on p.polrelid = c.oid
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where
        c.relrowsecurity
        and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
        and n.nspname not like 'pg\_%'
),

counted as (
    select
        schema_name,
        table_name,
        policy_name,
        regexp_count(expressions, 'auth\.(uid|jwt|role|email)\(\)|current_setting\(') as calls,
        regexp_count(
            -- `(select auth.uid())`, `(select ((current_setting(...))::jsonb ...))`,
            -- `(select coalesce(auth.uid(), ...))`: the call opens the sub-select, maybe inside
            -- parentheses or function calls
            expressions, '\(\s*select\s+(?:[a-z_.]*\(\s*)*(auth\.(uid|jwt|role|email)\(\)|current_setting\()', 1, 'i'
        ) as wrapped_calls
    from policies
)

select
    'auth_rls_initplan' as name,
    'Auth RLS Initialization Plan' as title,
    'WARN' as level,
    'EXTERNAL' as facing,
    array['PERFORMANCE'] as categories,
    'Detects RLS policies that call auth.<function>() or current_setting() without wrapping the call '
    || 'in a select, so Postgres re-evaluates it for every row instead of once per statement.' as description,
    format(
        'Table `%s.%s` has a row level security policy `%s` that re-evaluates %s of its %s call(s) of '
        || 'current_setting() or auth.<function>() for each row. Replace `auth.<function>()` with '
        || '`(select auth.<function>())`.',
        schema_name,
        table_name,
        policy_name,
        calls - wrapped_calls,
        calls
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0003_auth_rls_initplan' as remediation,
    jsonb_build_object('schema', schema_name, 'name', table_name, 'type', 'table') as metadata,
    format('auth_rls_init_plan_%s_%s_%s', schema_name, table_name, policy_name) as cache_key
from counted
where calls > wrapped_calls
order by schema_name, table_name, policy_name
