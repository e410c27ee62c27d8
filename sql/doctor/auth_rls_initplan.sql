-- name: auth_rls_initplan
-- title: Auth RLS Initialization Plan
-- level: WARN
-- facing: EXTERNAL
-- categories: PERFORMANCE
-- requires: helpers, policies
-- splinter: 0003
-- Same rule as Supabase's linter 0003, counting calls instead of matching text: a policy is
-- flagged when any call of auth.uid(), auth.jwt(), auth.role(), auth.email() or current_setting()
-- is not the first call of its own (select ...) (casts, parentheses and wrapping functions such as
-- coalesce() may come between), so a policy mixing wrapped and bare calls is caught.
-- Runs with search_path = '' so the deparsed expressions always show the auth. prefix.
-- What the detail says comes from the plan (`explain select 1 from only <table> where <expr>`,
-- sequential scans only, never run): a bare call left in the Filter of the table's own scan runs
-- for each row of the table; a bare call inside a sub-select (`team_id in (select ... where
-- user_id = auth.uid())`) runs for each row that sub-select reads, and an uncorrelated sub-select
-- runs once per statement (a hashed SubPlan or an InitPlan): the detail says which. The finding
-- is kept either way (Supabase's linter reports both), with what the plan shows.
with policies as (
    select
        n.nspname as schema_name,
        c.relname as table_name,
        p.polname as policy_name,
        c.oid::regclass as table_oid,
        kp.qual,
        kp.with_check
    from pg_catalog.pg_policy as p
    inner join pg_temp.khepri_policies as kp on p.oid = kp.policy_oid
    inner join pg_catalog.pg_class as c on p.polrelid = c.oid
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where
        c.relrowsecurity
        and (
            n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
            or n.nspname || '.' || c.relname = any(string_to_array(current_setting('khepri.policy_tables'), ','))
        )
        and n.nspname not like 'pg\_%'
),

texts as materialized (
    select
        pol.*,
        coalesce(pol.qual, '') || ' ' || coalesce(pol.with_check, '') as expressions
    from policies as pol
),

-- calls counted once per distinct text: policies often repeat one condition
counts as materialized (
    select
        d.expressions,
        regexp_count(d.expressions, 'auth\.(uid|jwt|role|email)\(\)|current_setting\(') as calls,
        regexp_count(
            -- `(select auth.uid())`, `(select ((current_setting(...))::jsonb ...))`,
            -- `(select coalesce(auth.uid(), ...))`: the call opens the sub-select, maybe inside
            -- parentheses or function calls
            d.expressions,
            '\(\s*select\s+(?:[a-z_.]*\(\s*)*(auth\.(uid|jwt|role|email)\(\)|current_setting\()',
            1,
            'i'
        ) as wrapped_calls
    from (select distinct x.expressions from texts as x) as d
),

calls as (
    select
        t.*,
        k.calls,
        k.wrapped_calls
    from texts as t
    inner join counts as k on t.expressions = k.expressions
),

-- only policies with a bare call are planned (the plan only shapes the detail of a finding)
flagged as materialized (
    select
        ca.schema_name,
        ca.table_name,
        ca.policy_name,
        ca.calls,
        ca.wrapped_calls,
        array_remove(
            array[
                pg_temp.khepri_scan_plan(ca.qual, ca.table_oid),
                pg_temp.khepri_scan_plan(ca.with_check, ca.table_oid)
            ],
            null
        ) as plans
    from calls as ca
    where ca.calls > ca.wrapped_calls
),

counted as (
    select
        pol.schema_name,
        pol.table_name,
        pol.policy_name,
        pol.calls,
        pol.wrapped_calls,
        -- calls left in the Filter of the table's own scan node (alias = the table): per row
        (
            select coalesce(sum(regexp_count(f.filter, 'auth\.(uid|jwt|role|email)\(\)|current_setting\(')), 0)
            from unnest(pol.plans) as pl (plan)
            cross join lateral jsonb_path_query(pl.plan, 'strict $.**') as node (value)
            cross join lateral (select node.value ->> 'Filter' as filter) as f
            where
                jsonb_typeof(node.value) = 'object' and node.value ->> 'Alias' = pol.table_name
                and f.filter is not null
        ) as per_row_calls,
        cardinality(pol.plans) > 0 as planned,
        -- a condition reading no column of the table becomes a One-Time Filter: once per statement
        exists(
            select 1
            from unnest(pol.plans) as pl (plan)
            cross join lateral jsonb_path_query(pl.plan, 'strict $.**') as node (value)
            where
                jsonb_typeof(node.value) = 'object'
                and node.value ->> 'One-Time Filter' ~ 'auth\.(uid|jwt|role|email)\(\)|current_setting\('
        ) as one_time_filter,
        exists(
            select 1 from unnest(pol.plans) as pl (plan)
            where pl.plan::text ~ '(hashed SubPlan|InitPlan)'
        ) as runs_once,
        (
            select string_agg(distinct m[1], ', ')
            from unnest(pol.plans) as pl (plan)
            cross join lateral regexp_matches(pl.plan::text, '(hashed SubPlan|InitPlan)', 'g') as m
        ) as shapes
    from flagged as pol
)

select
    'auth_rls_initplan' as name,
    'Auth RLS Initialization Plan' as title,
    'WARN' as level,
    'EXTERNAL' as facing,
    array['PERFORMANCE'] as categories,
    'Detects RLS policies that call auth.<function>() or current_setting() without wrapping the call '
    || 'in a select, so Postgres re-evaluates it for every row instead of once per statement.' as description,
    case
        when not planned
            then format(
                'Table `%s.%s` has a row level security policy `%s` with %s of its %s call(s) of current_setting() '
                || 'or auth.<function>() not wrapped in a select (doctor could not plan it to say how often they '
                || 'run). Replace `auth.<function>()` with `(select auth.<function>())`, so Postgres evaluates it '
                || 'once per statement.',
                schema_name, table_name, policy_name, calls - wrapped_calls, calls
            )
        when per_row_calls > 0
            then format(
                'Table `%s.%s` has a row level security policy `%s` that re-evaluates %s of its %s call(s) of '
                || 'current_setting() or auth.<function>() for each row of the table (the plan keeps them in the '
                || 'table''s filter). Replace `auth.<function>()` with `(select auth.<function>())`.',
                schema_name, table_name, policy_name, least(per_row_calls, calls - wrapped_calls), calls
            )
        when one_time_filter
            then format(
                'Table `%s.%s` has a row level security policy `%s` with %s of its %s call(s) of current_setting() '
                || 'or auth.<function>() not wrapped in a select. The plan already evaluates it once per statement '
                || '(a One-Time Filter: the condition reads no column of the table); `(select auth.<function>())` '
                || 'keeps it so when the policy changes.',
                schema_name, table_name, policy_name, calls - wrapped_calls, calls
            )
        else format(
            'Table `%s.%s` has a row level security policy `%s` with %s of its %s call(s) of current_setting() or '
            || 'auth.<function>() not wrapped in a select, inside a sub-select: the plan runs that sub-select %s, '
            || 'not for each row of the table, and evaluates the call for each row the sub-select reads. Wrapping '
            || 'it as `(select auth.<function>())` makes that once per statement too.',
            schema_name, table_name, policy_name, calls - wrapped_calls, calls,
            case
                when runs_once then format('once per statement (%s)', shapes)
                else 'for each row of the table (a correlated SubPlan or a join)'
            end
        )
    end as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0003_auth_rls_initplan' as remediation,
    jsonb_build_object(
        'schema', schema_name,
        'name', table_name,
        'type', 'table',
        'per_row_calls', case when planned then least(per_row_calls, calls - wrapped_calls) end
    ) as metadata,
    format('auth_rls_init_plan_%s_%s_%s', schema_name, table_name, policy_name) as cache_key
from counted
where calls > wrapped_calls
order by schema_name, table_name, policy_name
