-- name: function_body_invalid
-- title: Function Body References Missing Objects
-- level: INFO
-- max_level: ERROR
-- facing: EXTERNAL
-- categories: RELIABILITY
-- requires: functions, plans
-- khepri-db rule. PL/pgSQL (and SQL functions created with check_function_bodies off, as
-- `supabase db dump` writes them) resolve table and column names only when a statement runs,
-- so a function that names a dropped or renamed table or column is created without complaint
-- and fails on every call that reaches that statement. When the server has the plpgsql_check
-- extension (as `supabase db lint` uses it), its compile errors (SQLSTATE class 42: missing or
-- mistyped objects, ambiguous names) decide for PL/pgSQL functions; for SQL
-- functions, and for PL/pgSQL without it, doctor plans (EXPLAIN, nothing runs) every statement
-- and expression of the body with variables replaced by typed NULLs and reports "relation ... does
-- not exist" (42P01) and "column ... does not exist" (42703), ignoring names that are variables
-- of the function or tables it creates itself (and the transition tables of its triggers,
-- `referencing new table as inserted`, and fields of a `record` argument or variable, known only
-- at run time). Dynamic SQL (EXECUTE) is not seen.
-- A statement that fails on an object Supabase always provides (auth.mfa_factors,
-- storage.foldername(), vault.decrypted_secrets, net.http_post(), cron.schedule()...: a name in
-- one of Supabase's schemas) is not a defect of the project: the local database lacks that
-- object (the compatibility layer is incomplete). Those become INFO findings saying which
-- object doctor could not check; for the project's own objects, ERROR when every call runs the
-- failing statement (it is not in a branch, a loop or a block with an exception handler, and
-- follows no RETURN: see EmbeddedStatement.every_call), so every call fails; WARN when only the
-- calls that reach it fail.
with failures as (
    select
        s.function_oid,
        s.line,
        p.sqlstate,
        p.message,
        s.raw,
        s.every_call,
        'planner' as checker,
        coalesce(
            substring(p.message from '"([^"]+)"'),
            substring(p.message from 'column (\S+) does not exist')
        ) as object
    from pg_temp.khepri_statement_plans as p
    inner join pg_temp.khepri_function_statements as s
        on p.function_oid = s.function_oid and p.statement_no = s.statement_no
    inner join pg_temp.khepri_functions as f on s.function_oid = f.function_oid
    where
        p.sqlstate in ('42P01', '42703')
        and (f.language = 'sql' or current_setting('khepri.plpgsql_check', true) is distinct from 'on')
    union all
    select
        c.function_oid,
        c.lineno as line,
        c.sqlstate,
        c.message,
        null as raw,
        coalesce((
            select bool_and(s.every_call) from pg_temp.khepri_function_statements as s
            where s.function_oid = c.function_oid and s.line = c.lineno
        ), false) as every_call,
        'plpgsql_check' as checker,
        coalesce(substring(c.message from '"([^"]+)"'), c.sqlstate) as object
    from pg_temp.khepri_plpgsql_check as c
    where
        c.level = 'error'
        -- errors of compilation (class 42: missing or mistyped objects, ambiguity), not errors the
        -- checker's constant folding raised by running immutable functions
        and (c.sqlstate like '42%' or c.sqlstate like '3F%')
        and current_setting('khepri.plpgsql_check', true) = 'on'
),

relevant as (
    select
        x.*,
        f.function_schema,
        f.function_name,
        f.function_args
    from failures as x
    inner join pg_temp.khepri_functions as f on x.function_oid = f.function_oid
    where
        -- a table the function creates itself is not missing
        not (x.sqlstate = '42P01' and lower(regexp_replace(x.object, '^.*\.', '')) = any(f.local_relations))
        -- a field of a `record` value (an argument or variable of type record): its fields come from
        -- whatever row it holds at run time, so planning with a NULL record proves nothing
        and x.message not like 'could not identify column % in record data type'
        -- for doctor's planner: a name that is a variable of the function is not a missing column
        and (x.checker = 'plpgsql_check' or not lower(split_part(x.object, '.', 1)) = any(f.variables))
        -- a transition table of a trigger calling the function (`referencing new table as inserted`)
        and not (
            x.sqlstate = '42P01'
            and lower(x.object) in (
                select lower(t.name)
                from pg_catalog.pg_trigger as tg
                cross join lateral (values (tg.tgnewtable), (tg.tgoldtable)) as t (name)
                where tg.tgfoid = x.function_oid and t.name is not null
            )
        )
),

supabase as (
    select array[
        'auth', 'storage', 'realtime', 'vault', 'net', 'cron', 'extensions', 'graphql', 'graphql_public',
        'pgsodium', 'pgsodium_masks', 'supabase_functions', 'pgmq', 'pgbouncer'
    ] as schemas
),

judged as (
    select
        r.*,
        -- the missing object is Supabase's (a name in one of its schemas), not the project's
        coalesce(
            (r.sqlstate = '42P01' and split_part(r.object, '.', 1) = any(supabase.schemas))
            or (
                coalesce(r.raw, '') ~* ('\m(' || array_to_string(supabase.schemas, '|') || ')\s*\.')
                and r.sqlstate = '42703'
            ),
            false
        ) as supabase_object
    from relevant as r
    cross join supabase
),

grouped as (
    select
        r.function_schema,
        r.function_name,
        r.function_args,
        r.object,
        r.sqlstate,
        r.checker,
        min(r.line) as line,
        (array_agg(r.message order by r.line))[1] as message,
        (array_agg(r.raw order by r.line))[1] as raw,
        count(*) as statements,
        bool_and(r.supabase_object) as supabase_object,
        bool_or(r.every_call) as every_call
    from judged as r
    group by r.function_schema, r.function_name, r.function_args, r.object, r.sqlstate, r.checker
)

select
    'function_body_invalid' as name,
    'Function Body References Missing Objects' as title,
    case when g.supabase_object then 'INFO' when g.every_call then 'ERROR' else 'WARN' end as level,
    'EXTERNAL' as facing,
    array['RELIABILITY'] as categories,
    'Detects SQL and PL/pgSQL functions whose body names a table or column that does not exist: the '
    || 'function was created (names are resolved at run time) but fails on every call that reaches that '
    || 'statement.' as description,
    case when g.supabase_object then format(
        'Could not check function `%s.%s(%s)` at line %s of its body: it reads `%s`, which Supabase provides '
        || 'but this database lacks (%s). On Supabase the statement may well be valid; doctor did not check it.',
        g.function_schema, g.function_name, g.function_args, g.line, g.object, g.message
    ) else format(
        'Function `%s.%s(%s)` fails at line %s of its body%s: %s [SQLSTATE %s]%s. %s Fix the name in the '
        || 'function (`create or replace function ...`) or restore the object it expects.',
        g.function_schema,
        g.function_name,
        g.function_args,
        g.line,
        case when g.statements > 1 then format(' (and %s more statement(s))', g.statements - 1) else '' end,
        g.message,
        g.sqlstate,
        case
            when g.raw is not null then format(' in `%s`', left(regexp_replace(g.raw, '\s+', ' ', 'g'), 160))
            else ' (reported by plpgsql_check)'
        end,
        case
            when g.every_call then 'Every call runs that statement, so every call fails.'
            else
                'The statement does not run on every call (it sits in a branch, a loop or a block with an '
                || 'exception handler, or follows a RETURN): the calls that reach it fail.'
        end
    ) end as detail,
    'docs/doctor/function_body_invalid.md' as remediation,
    jsonb_build_object(
        'schema', g.function_schema,
        'name', g.function_name,
        'type', 'function',
        'arguments', g.function_args,
        'line', g.line,
        'object', g.object,
        'sqlstate', g.sqlstate,
        'message', g.message,
        'checker', g.checker,
        'unchecked_supabase_object', g.supabase_object,
        'fails_every_call', g.every_call and not g.supabase_object
    ) as metadata,
    format(
        'function_body_invalid_%s_%s_%s_%s', g.function_schema, g.function_name, md5(g.function_args), g.object
    ) as cache_key
from grouped as g
order by g.function_schema, g.function_name, g.line
