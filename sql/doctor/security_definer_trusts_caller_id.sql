-- name: security_definer_trusts_caller_id
-- title: SECURITY DEFINER Function Trusts a Caller-Supplied User Id
-- level: WARN
-- max_level: ERROR
-- facing: EXTERNAL
-- categories: SECURITY
-- requires: functions, helpers
-- khepri-db rule. A SECURITY DEFINER function the API roles can call through the Data API
-- (exposed schema, EXECUTE for anon or authenticated) with a parameter named like a user or
-- tenant id (user_id, athlete_id, profile_id, owner_id... after a p_/_ prefix; the list follows
-- [doctor] tenant_columns) that it uses in a SQL statement without ever comparing it to the
-- caller's identity: no statement or condition of the body puts the parameter (or a variable
-- copied from it) together with auth.uid(), auth.jwt(), a variable holding them, or a helper
-- function that reads them (such as current_athlete_id()). The function bypasses RLS, so any
-- caller can pass someone else's id. An IF/ASSERT guard that calls a boolean helper reading the
-- caller's identity or claims (is_admin()), or auth.role()/auth.jwt(), counts as authorising the
-- caller. Facts come from pg_temp.khepri_identity_arguments (sqlparse's lexer over the body).
-- Any argument counts, not only those named like an id (`p_project_id`, `target`, `bucket`), but
-- only where it selects or writes rows by a key, owner or tenant column of a table the API roles
-- cannot read themselves: compared with (`where c.user_id = p_user_id`, `id = any(p_ids)`),
-- assigned to or inserted into (khepri_identity_arguments.columns) a column that is in a primary
-- key or unique index, is one of khepri.tenant_columns, is named as an id (`id`, `..._id`) or
-- holds a foreign key, of a table with row level security and no SELECT policy that is always
-- true for them or decided only by a request header the caller sends, or a table they hold no
-- SELECT on such as auth.users (any column of a view, of auth's or vault's objects); or when the
-- body calls an HTTP function (net.http_*, extensions.http*), which acts with the function's
-- credentials. An argument that only feeds LIMIT, OFFSET, FETCH or ORDER BY (paging) is never
-- reported. An argument not named like an id
-- counts as checked when the body reads the caller's identity anywhere (it then scopes by the
-- caller somehow); an argument whose name ends like a secret (`..._token`, `secret`, `code`,
-- `otp`: knowing it is the authorisation) is not reported.
-- One finding per function (several arguments are one defect; see deduplicate in doctor.py).
-- Level: ERROR when the function writes (insert, update, delete, an HTTP call), returns rows, or
-- returns data (text, uuid, json...); WARN when it only returns a boolean or a number computed
-- from what it reached (an existence or count oracle such as has_role(_user_id, _role)).
with protected_tables as materialized (
    -- rows the API roles cannot read themselves: RLS on and no SELECT policy always true for them,
    -- or no SELECT privilege at all
    select
        c.oid,
        c.relkind,
        n.nspname as schema_name,
        c.relname as table_name
    from pg_catalog.pg_class as c
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where
        c.relkind in ('r', 'p', 'v', 'm', 'f')
        and n.nspname not in ('pg_catalog', 'information_schema')
        and n.nspname not like 'pg\_%'
        and (
            (
                c.relrowsecurity
                and not exists (
                    select 1 from pg_catalog.pg_policy as pol
                    where
                        pol.polrelid = c.oid and pol.polpermissive and pol.polcmd in ('r', '*')
                        and (
                            pol.polroles = array[0]::oid[]
                            or exists (
                                select 1 from pg_catalog.pg_roles as r
                                where r.oid = any(pol.polroles) and r.rolname = 'anon'
                            )
                        )
                        and (
                            coalesce(
                                pg_temp.khepri_folds_to_true(pg_catalog.pg_get_expr(pol.polqual, pol.polrelid), c.oid),
                                false
                            )
                            -- decided by a request header the caller sends (x-tenant-id): open to any caller
                            or (
                                pg_catalog.pg_get_expr(pol.polqual, pol.polrelid) ~ 'request\.header'
                                and pg_catalog.pg_get_expr(pol.polqual, pol.polrelid)
                                !~ '(auth\.(uid|jwt)\(|request\.jwt|\m[a-z_]+\.[a-z_]+\()'
                            )
                        )
                )
            )
            or not exists (
                select 1 from pg_catalog.pg_roles as r
                where
                    r.rolname in ('anon', 'authenticated') and pg_catalog.has_table_privilege(r.oid, c.oid, 'SELECT')
            )
        )
),

-- the columns of those tables that name which rows, or whose: keys, tenant and id columns, foreign keys
-- materialized: computed once, not once per statement the final condition looks at
key_columns as materialized (
    select
        t.schema_name,
        t.table_name,
        a.attname::text as column_name
    from protected_tables as t
    inner join pg_catalog.pg_attribute as a on t.oid = a.attrelid and a.attnum > 0 and not a.attisdropped
    where
        t.relkind in ('v', 'm', 'f')
        or t.schema_name in ('auth', 'vault')
        or a.attname::text = any(string_to_array(current_setting('khepri.tenant_columns', true), ','))
        or a.attname ~ '(^|_)(id|uid|uuid)$'  -- named as an id: project_id, org_id
        or exists (
            select 1 from pg_catalog.pg_index as i
            where i.indrelid = t.oid and i.indisunique and a.attnum = any(i.indkey::smallint[])
        )
        or exists (
            select 1 from pg_catalog.pg_constraint as con
            where con.conrelid = t.oid and con.contype = 'f' and a.attnum = any(con.conkey)
        )
),

-- the same, one row per column name: the test below scans it once per statement and argument
key_tables as materialized (
    select
        k.column_name,
        array_agg(k.schema_name) as schema_names,
        array_agg(k.table_name) as table_names
    from key_columns as k
    group by k.column_name
),

shapes as (
    select
        p.oid,
        exists(
            select 1 from pg_temp.khepri_function_statements as st
            where
                st.function_oid = p.oid
                and (
                    st.raw ~* '(^\s*(insert|update|delete|merge)\M|\minsert\s+into\M|\mdelete\s+from\M)'
                    or st.raw ~* '\mupdate\s+[a-z_."]+\s+(as\s+\S+\s+)?set\M'
                    or st.raw ~* '(\mnet\s*\.\s*http_|\mextensions\s*\.\s*http)'
                )
        ) as writes,
        p.proretset
        or exists (
            select 1 from pg_catalog.pg_type as t
            where t.oid = p.prorettype and (t.typtype = 'c' or t.oid = 'pg_catalog.record'::pg_catalog.regtype)
        ) as returns_rows,
        -- a boolean, a number or nothing: an oracle at most
        exists(
            select 1 from pg_catalog.pg_type as t
            where
                t.oid = p.prorettype and not p.proretset
                and (t.typcategory in ('B', 'N') or t.oid = 'pg_catalog.void'::pg_catalog.regtype)
        ) as returns_scalar
    from pg_catalog.pg_proc as p
    where p.oid in (select a.function_oid from pg_temp.khepri_identity_arguments as a)
)

select
    'security_definer_trusts_caller_id' as name,
    'SECURITY DEFINER Function Trusts a Caller-Supplied User Id' as title,
    case
        when shape.writes or shape.returns_rows or not shape.returns_scalar then 'ERROR' else 'WARN'
    end as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects SECURITY DEFINER functions callable through the Data API that read or write rows by a '
    || 'user/tenant id taken from an argument, without checking it against auth.uid(): they bypass RLS, so '
    || 'any caller can act on any user''s rows by passing their id.' as description,
    format(
        'SECURITY DEFINER function `%s.%s(%s)` uses its argument `%s` in a query (line %s of its body) but '
        || 'never compares it with the caller''s identity, and %s can call it through `/rest/v1/rpc/%s`: '
        || '%s. Take the identity from `auth.uid()` instead of an '
        || 'argument, or check ownership first (`if not exists (select 1 from ... where id = %s and '
        || 'auth_user_id = (select auth.uid())) then raise ...`), or make the function SECURITY INVOKER so '
        || 'RLS applies.',
        n.nspname,
        p.proname,
        pg_catalog.pg_get_function_identity_arguments(p.oid),
        a.argument,
        a.line,
        array_to_string(roles.names, ' and '),
        p.proname,
        case
            when a.named_like_identity then 'any caller can pass another user''s id'
            else
                'the body never looks at the caller, and any caller can pass any value to reach rows the API '
                || 'roles cannot read themselves (or act with the function''s credentials)'
        end,
        a.argument
    ) as detail,
    'docs/doctor/security_definer_trusts_caller_id.md' as remediation,
    jsonb_build_object(
        'schema', n.nspname,
        'name', p.proname,
        'type', 'function',
        'arguments', pg_catalog.pg_get_function_identity_arguments(p.oid),
        'argument', a.argument,
        'line', a.line,
        'executable_by', to_jsonb(roles.names)
    ) as metadata,
    format(
        'security_definer_trusts_caller_id_%s_%s_%s_%s',
        n.nspname,
        p.proname,
        md5(pg_catalog.pg_get_function_identity_arguments(p.oid)),
        a.argument
    ) as cache_key
from pg_temp.khepri_identity_arguments as a
inner join pg_catalog.pg_proc as p on a.function_oid = p.oid
inner join pg_catalog.pg_namespace as n on p.pronamespace = n.oid
inner join shapes as shape on p.oid = shape.oid
cross join
    lateral (
        select array_agg(r.rolname::text order by r.rolname) as names
        from pg_catalog.pg_roles as r
        where r.rolname in ('anon', 'authenticated') and pg_catalog.has_function_privilege(r.oid, p.oid, 'EXECUTE')
    ) as roles
where
    p.prosecdef
    and p.prokind = 'f'
    and a.used_in_query
    and not a.checked
    and roles.names is not null
    and n.nspname = any(string_to_array(current_setting('khepri.exposed_schemas'), ','))
    and (a.named_like_identity or a.argument !~* '(token|secret|code|otp)$')
    and exists (
        select 1
        from pg_temp.khepri_function_statements as st
        where
            st.function_oid = p.oid
            and (
                st.raw ~* '\m(net\s*\.\s*http_|extensions\s*\.\s*http|http_(get|post|delete|put|patch)\s*\()'
                or exists (
                    select 1
                    from key_tables as kt
                    cross join lateral unnest(kt.schema_names, kt.table_names) as k (schema_name, table_name)
                    where
                        kt.column_name = any(a.columns)
                        -- a plain substring test first: the pattern below is compiled anew for each table
                        and strpos(lower(st.raw), lower(k.table_name)) > 0
                        and st.raw ~* (
                            '\m("?' || k.schema_name || '"?\s*\.\s*)' || case
                                when st.search_path like '%"' || k.schema_name || '"%' then '?' else ''
                            end || '"?' || k.table_name || '\M'
                        )
                )
            )
    )
order by n.nspname, p.proname, a.position
