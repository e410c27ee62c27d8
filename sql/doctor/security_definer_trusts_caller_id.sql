-- name: security_definer_trusts_caller_id
-- title: SECURITY DEFINER Function Trusts a Caller-Supplied User Id
-- level: WARN
-- max_level: ERROR
-- facing: EXTERNAL
-- categories: SECURITY
-- requires: functions
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
-- Any argument counts, not only those named like an id (`p_project_id`, `filter_text`,
-- `target`, `bucket`): an argument not named like one is reported when the body reaches a table
-- with row level security (the rows the definer reads past RLS: the project's own tables,
-- storage.objects...) or calls an HTTP function (net.http_*, extensions.http*), which acts with
-- the function's credentials. One finding per function (the arguments of one function are one
-- defect; see deduplicate in khepri_db/doctor.py). Such an argument counts as checked when the
-- body reads the caller's identity anywhere (it then scopes by the caller somehow), and arguments
-- named like a secret (`token`, `secret`, `code`, `otp`: knowing it is the authorisation) are not
-- reported. Level: ERROR when the argument is named like an id, or the function writes (insert,
-- update, delete, an HTTP call) or returns rows; WARN when it only returns a scalar computed
-- from the rows it reached (an existence or count oracle).
with shapes as (
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
        ) as returns_rows
    from pg_catalog.pg_proc as p
    where p.oid in (select a.function_oid from pg_temp.khepri_identity_arguments as a)
)

select
    'security_definer_trusts_caller_id' as name,
    'SECURITY DEFINER Function Trusts a Caller-Supplied User Id' as title,
    case
        when a.named_like_identity or shape.writes or shape.returns_rows then 'ERROR' else 'WARN'
    end as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects SECURITY DEFINER functions callable through the Data API that read or write rows by a '
    || 'user/tenant id taken from an argument, without checking it against auth.uid(): they bypass RLS, so '
    || 'any caller can act on any user''s rows by passing their id.' as description,
    format(
        'SECURITY DEFINER function `%s.%s(%s)` uses its argument `%s` in a query (line %s of its body) but '
        || 'never compares it with the caller''s identity, and %s can call it through `/rest/v1/rpc/%s`: '
        || 'any caller can pass another user''s id. Take the identity from `auth.uid()` instead of an '
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
    and (a.named_like_identity or a.argument !~* '(token|secret|code|otp)')
    and (
        a.named_like_identity
        or exists (
            select 1
            from pg_temp.khepri_function_statements as st
            where
                st.function_oid = p.oid
                and (
                    st.raw ~* '\m(net\s*\.\s*http_|extensions\s*\.\s*http|http_(get|post|delete|put|patch)\s*\()'
                    or exists (
                        select 1
                        from pg_catalog.pg_class as t
                        where
                            t.relrowsecurity and t.relkind in ('r', 'p')
                            and st.raw ~* ('\m' || regexp_replace(t.relname, '([^a-zA-Z0-9_])', '\\\1', 'g') || '\M')
                    )
                )
        )
    )
order by n.nspname, p.proname, a.position
