-- name: rls_references_user_metadata
-- title: RLS Policy References User Metadata
-- level: WARN
-- max_level: ERROR
-- facing: EXTERNAL
-- categories: SECURITY
-- requires: policies
-- splinter: 0015
-- Same rule as Supabase's linter 0015, which only reads the policy's own text. doctor also
-- follows the functions a policy calls (recorded in pg_depend) and flags them when their body
-- reads user_metadata or auth.users.raw_user_meta_data: admin checks usually live in a helper
-- such as is_admin(), where text matching on the policy cannot see them.
-- Level: ERROR (Supabase's level) when an API caller can use the policy: the table is in an
-- exposed schema (or is one of khepri.policy_tables, which Supabase's Storage and Realtime
-- serve), and anon or authenticated, a role the policy applies to, holds SELECT, INSERT, UPDATE or
-- DELETE on it; WARN otherwise.
with policies as (
    select
        p.oid,
        p.polname,
        n.nspname as schema_name,
        c.relname as table_name,
        (
            n.nspname = any(string_to_array(current_setting('khepri.exposed_schemas'), ','))
            or n.nspname || '.' || c.relname = any(string_to_array(current_setting('khepri.policy_tables'), ','))
        )
        and exists (
            select 1 from pg_catalog.pg_roles as r
            where
                r.rolname in ('anon', 'authenticated')
                and (p.polroles = array[0]::oid[] or r.oid = any(p.polroles))
                and pg_catalog.has_table_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, DELETE')
        ) as reachable,
        coalesce(kp.qual, '')
        || ' ' || coalesce(kp.with_check, '') as expressions
    from pg_catalog.pg_policy as p
    inner join pg_temp.khepri_policies as kp on p.oid = kp.policy_oid
    inner join pg_catalog.pg_class as c on p.polrelid = c.oid
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where
        (
            n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
            or n.nspname || '.' || c.relname = any(string_to_array(current_setting('khepri.policy_tables'), ','))
        )
        and n.nspname not like 'pg\_%'
),

-- the functions policies call (their bodies are searched, not every function's): each policy's
-- dependencies looked up by its oid in pg_depend's index, whatever number of policies the planner
-- expects (it expects a handful, and would otherwise scan every policy for each dependency row)
policy_functions as materialized (
    select
        pol.oid,
        f.function_oid
    from policies as pol
    cross join lateral unnest(array(
        select d.refobjid
        from pg_catalog.pg_depend as d
        where
            d.classid = 'pg_catalog.pg_policy'::regclass and d.objid = pol.oid
            and d.refclassid = 'pg_catalog.pg_proc'::regclass
    )) as f (function_oid)
),

-- each called function's body searched once, however many policies call it
metadata_functions as materialized (
    select
        fn.oid,
        fn_ns.nspname as function_schema,
        fn.proname as function_name
    from (select distinct pf.function_oid from policy_functions as pf) as called
    inner join pg_catalog.pg_proc as fn on called.function_oid = fn.oid
    inner join pg_catalog.pg_namespace as fn_ns on fn.pronamespace = fn_ns.oid
    where
        fn_ns.nspname <> 'auth'
        and (
            fn.prosrc ~* '(auth\.jwt\s*\(\s*\)|request\.jwt\.claim).*user_metadata'
            or fn.prosrc ~* 'raw_user_meta_data'
        )
),

-- materialized: the regular expressions run once per policy, whatever join the planner picks (it
-- expects one policy, and would rescan a plain CTE once per policy)
sources as materialized (
    select
        pol.oid,
        'the policy itself' as source
    from policies as pol
    where
        pol.expressions ~* '(auth\.jwt\(\)|request\.jwt\.claim).*user_metadata'
        or pol.expressions ~* 'raw_user_meta_data'
    union all
    select
        pf.oid,
        format('function %s.%s()', mf.function_schema, mf.function_name) as source
    from policy_functions as pf
    inner join metadata_functions as mf on pf.function_oid = mf.oid
)

select
    'rls_references_user_metadata' as name,
    'RLS Policy References User Metadata' as title,
    case when pol.reachable then 'ERROR' else 'WARN' end as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects row level security policies that decide access with Supabase Auth user_metadata, which every '
    || 'user can change for themselves (supabase.auth.updateUser), so it grants whatever a user writes into it.'
        as description,
    format(
        'Table `%s.%s` has a row level security policy `%s` that reads `user_metadata` (in %s). Any user can '
        || 'set their own user_metadata: use app_metadata (only the service role can write it) or a table '
        || 'of roles instead.',
        pol.schema_name,
        pol.table_name,
        pol.polname,
        string_agg(distinct s.source, ', ')
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0015_rls_references_user_metadata'
        as remediation,
    jsonb_build_object(
        'schema', pol.schema_name,
        'name', pol.table_name,
        'type', 'table',
        'policy_name', pol.polname,
        'via', jsonb_agg(distinct s.source)
    ) as metadata,
    format('rls_references_user_metadata_%s_%s_%s', pol.schema_name, pol.table_name, pol.polname) as cache_key
from policies as pol
inner join sources as s on pol.oid = s.oid
group by pol.schema_name, pol.table_name, pol.polname, pol.reachable
order by pol.schema_name, pol.table_name, pol.polname
