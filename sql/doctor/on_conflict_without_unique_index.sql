-- name: on_conflict_without_unique_index
-- title: ON CONFLICT Target Without Unique Index
-- level: WARN
-- max_level: ERROR
-- facing: EXTERNAL
-- categories: SECURITY, RELIABILITY
-- requires: functions, plans
-- khepri-db rule. Postgres only checks an ON CONFLICT target when the statement runs, so a
-- function whose upsert has no matching arbiter creates fine and then fails on every call
-- (SQLSTATE 42P10). doctor reads SQL and PL/pgSQL bodies into pg_temp.khepri_upserts and asks
-- Postgres to plan each upsert (EXPLAIN, with the function's search_path; nothing runs): the
-- planner's own arbiter inference decides, including a partial unique index whose predicate the
-- target's WHERE must imply. When a statement cannot be planned for another reason (or sits in
-- a BEGIN ATOMIC body), the catalogs decide: a valid, immediate, non-partial unique index or
-- constraint on exactly the target's columns, or the named constraint for ON CONSTRAINT.
-- Dynamic SQL (EXECUTE) is not seen.
-- Level: ERROR when every call of the function fails: the upsert runs on every call (not in a
-- branch, a loop or a block with an exception handler, after no RETURN: see EmbeddedStatement.
-- every_call), its table is one table whatever the caller's search_path (schema-qualified, a
-- function with its own search_path, or the only relation of that name), and the verdict is proven
-- (the planner's error, or the catalogs for a column list or a constraint name). WARN when only
-- the calls that reach it fail, or the verdict rests on a deferrable arbiter (the error comes per
-- inserted row) or on doctor's approximate reading of an expression target.
with upserts as (
    select
        u.*,
        coalesce(
            case when u.table_schema is not null then to_regclass(format('%I.%I', u.table_schema, u.table_name)) end,
            (
                select to_regclass(format('%I.%I', s.schema_name, u.table_name))
                from unnest(u.search_path) with ordinality as s (schema_name, position)
                where u.table_schema is null and to_regclass(format('%I.%I', s.schema_name, u.table_name)) is not null
                order by s.position
                limit 1
            )
        ) as relid,
        sp.sqlstate as plan_sqlstate,
        sp.message as plan_message,
        sp.function_oid is not null as planned,
        -- the planner refused the target itself: no arbiter (42P10), a deferrable one (55000), or
        -- the ON CONSTRAINT name missing (42704; not any 42704, which also means an unknown type)
        sp.function_oid is not null and (
            sp.sqlstate in ('42P10', '55000')
            or (
                sp.sqlstate = '42704' and u.constraint_name is not null
                and sp.message like 'constraint % does not exist'
            )
        ) as planner_refused,
        sp.plan as plan_json,
        coalesce(st.every_call, true) as every_call,
        exists(
            select 1 from pg_catalog.pg_proc as p
            cross join unnest(p.proconfig) as c (setting)
            where p.oid = u.function_oid and c.setting like 'search_path=%'
        ) as fixed_path
    from pg_temp.khepri_upserts as u
    left join pg_temp.khepri_statement_plans as sp
        on u.function_oid = sp.function_oid and u.statement_no = sp.statement_no
    left join pg_temp.khepri_function_statements as st
        on u.function_oid = st.function_oid and u.statement_no = st.statement_no
),

unique_indexes as (
    select
        i.indrelid,
        i.indpred is null as is_total,
        pg_catalog.pg_get_expr(i.indpred, i.indrelid) as predicate,
        array(
            select a.attname::text
            from unnest(i.indkey) with ordinality as k (attnum, position)
            inner join pg_catalog.pg_attribute as a on a.attrelid = i.indrelid and k.attnum = a.attnum
            where k.position <= i.indnkeyatts
            order by a.attname
        ) as key_columns,
        i.indnkeyatts as key_count,
        i.indexprs is not null as has_expressions,
        i.indimmediate
    from pg_catalog.pg_index as i
    where i.indisunique and i.indisvalid
),

arbitrated as (
    select
        u.*,
        (
            -- arbiters the planner chose that cannot be arbiters when the statement runs
            select string_agg(ic.relname::text, ', ')
            from jsonb_path_query(u.plan_json, 'strict $.**."Conflict Arbiter Indexes"[*]') as arbiter (index_name)
            inner join pg_catalog.pg_class as t on u.relid = t.oid
            inner join pg_catalog.pg_class as ic
                on t.relnamespace = ic.relnamespace and ic.relname = arbiter.index_name #>> '{}'
            inner join pg_catalog.pg_index as i on ic.oid = i.indexrelid
            where not i.indimmediate
        ) as deferrable_arbiters,
        -- the name means one table for every caller
        u.table_schema is not null
        or u.fixed_path
        or (
            select count(*) from pg_catalog.pg_class as c
            inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
            where
                c.relname = u.table_name and c.relkind in ('r', 'p', 'v', 'f')
                and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\_%'
        ) = 1 as resolved_once
    from upserts as u
    where u.relid is not null
),

judged as (
    select
        u.*,
        case
            when u.planned and u.plan_sqlstate is null then u.deferrable_arbiters is not null
            when u.planner_refused then true
            when u.constraint_name is not null
                then
                    not exists (
                        select 1 from pg_catalog.pg_constraint as con
                        where
                            con.conrelid = u.relid
                            and con.conname = u.constraint_name
                            and con.contype in ('p', 'u', 'x')
                            and not con.condeferrable
                    )
            when u.plain
                then
                    not exists (
                        select 1 from unique_indexes as ui
                        where
                            ui.indrelid = u.relid
                            and ui.indimmediate
                            and (ui.is_total or u.predicate is not null)
                            and not ui.has_expressions
                            and ui.key_columns = array(
                                select c from unnest(u.columns) as c
                                order by c
                            )
                    )
            else not exists (
                select 1 from unique_indexes as ui
                where
                    ui.indrelid = u.relid
                    and ui.indimmediate
                    and (ui.is_total or u.predicate is not null)
                    and ui.has_expressions
                    and ui.key_count = cardinality(u.columns)
            )
        end as broken,
        (
            select ui.predicate from unique_indexes as ui
            where
                ui.indrelid = u.relid and not ui.is_total and u.plain
                and ui.key_columns = array(
                    select c from unnest(u.columns) as c
                    order by c
                )
            order by ui.predicate
            limit 1
        ) as partial_predicate,
        -- what the planner said, or what the catalogs say of a column list or a constraint name
        u.planner_refused
        or (
            not (u.planned and u.plan_sqlstate is null)
            and (u.constraint_name is not null or u.plain)
        ) as proven
    from arbitrated as u
),

leveled as (
    select
        j.*,
        j.proven and j.every_call and j.resolved_once as fails_every_call
    from judged as j
    where j.broken
),

explained as (
    select
        j.*,
        case
            when j.fails_every_call then ''
            when not j.every_call
                then
                    ' The statement does not run on every call (it sits in a branch, a loop or a block with an '
                    || 'exception handler, or follows a RETURN): only the calls that reach it fail.'
            when not j.resolved_once
                then
                    format(
                        ' `%s` is not schema-qualified and the function has no search_path setting: the table it '
                        || 'names depends on the caller''s search_path.', j.table_name
                    )
            when j.deferrable_arbiters is not null
                then ' The error comes for each row it inserts: a call inserting no row passes.'
            when not j.proven
                then ' doctor read the expression target from the catalogs only, which is approximate.'
            else ''
        end as why_not_error
    from leveled as j
)

select
    'on_conflict_without_unique_index' as name,
    'ON CONFLICT Target Without Unique Index' as title,
    case when j.fails_every_call then 'ERROR' else 'WARN' end as level,
    'EXTERNAL' as facing,
    array['SECURITY', 'RELIABILITY'] as categories,
    'Detects INSERT ... ON CONFLICT statements in SQL and PL/pgSQL functions whose conflict target '
    || 'matches no unique index or constraint: the function fails with "there is no unique or exclusion '
    || 'constraint matching the ON CONFLICT specification" every time that statement runs.' as description,
    (case
        when j.constraint_name is not null
            then
                format(
                    'Function `%s.%s(%s)` runs `insert into %s ... on conflict on constraint %I` '
                    || '(line %s of its body), '
                    || 'but %s has no primary key, unique or exclusion constraint named %I that can be an '
                    || 'arbiter (it must exist and not be deferrable).',
                    j.function_schema, j.function_name, j.function_args, j.relid::regclass, j.constraint_name,
                    j.line, j.relid::regclass, j.constraint_name
                )
        when j.deferrable_arbiters is not null
            then format(
                'Function `%s.%s(%s)` runs `insert into %s ... on conflict (%s)` (line %s of its body), and its '
                || 'arbiter %s is deferrable: every row it inserts fails with "ON CONFLICT does not support '
                || 'deferrable unique constraints/exclusion constraints as arbiters". Fix: make the constraint '
                || '`not deferrable`, or add a non-deferrable unique constraint on (%s).',
                j.function_schema, j.function_name, j.function_args, j.relid::regclass,
                array_to_string(j.columns, ', '), j.line, j.deferrable_arbiters, array_to_string(j.columns, ', ')
            )
        when j.partial_predicate is not null
            then format(
                'Function `%s.%s(%s)` runs `insert into %s ... on conflict (%s)%s` (line %s of its body), but '
                || 'the only unique index on (%s) is partial (`where %s`) and the target''s WHERE does not '
                || 'imply its predicate, so it cannot be the arbiter: every call reaching it fails with '
                || 'SQLSTATE 42P10. Fix: write `on conflict (%s) where %s`, or add a non-partial unique '
                || 'constraint on (%s).',
                j.function_schema, j.function_name, j.function_args, j.relid::regclass,
                array_to_string(j.columns, ', '), coalesce(' where ' || j.predicate, ''), j.line,
                array_to_string(j.columns, ', '), j.partial_predicate, array_to_string(j.columns, ', '),
                j.partial_predicate, array_to_string(j.columns, ', ')
            )
        else format(
            'Function `%s.%s(%s)` runs `insert into %s ... on conflict (%s)` (line %s of its body), but %s has '
            || 'no non-partial unique index or constraint on exactly (%s). Every call reaching it fails with '
            || 'SQLSTATE 42P10. Fix: `alter table %s add constraint %s unique (%s);`, or change the conflict '
            || 'target to match an existing unique index.',
            j.function_schema, j.function_name, j.function_args, j.relid::regclass,
            array_to_string(j.columns, ', '), j.line, j.relid::regclass, array_to_string(j.columns, ', '),
            j.relid::regclass, left(format('%s_%s_key', j.table_name, array_to_string(j.columns, '_')), 63),
            array_to_string(j.columns, ', ')
        )
    end) || j.why_not_error as detail,
    'docs/doctor/on_conflict_without_unique_index.md' as remediation,
    jsonb_build_object(
        'schema', j.function_schema,
        'name', j.function_name,
        'type', 'function',
        'arguments', j.function_args,
        'table', j.relid::regclass::text,
        'conflict_columns', to_jsonb(j.columns),
        'conflict_predicate', j.predicate,
        'constraint', j.constraint_name,
        'line', j.line,
        'planner', case when j.planner_refused then j.plan_message end,
        'fails_every_call', j.fails_every_call
    ) as metadata,
    format(
        'on_conflict_without_unique_index_%s_%s_%s_%s_%s',
        j.function_schema,
        j.function_name,
        md5(j.function_args),
        j.relid::regclass,
        coalesce(j.constraint_name, array_to_string(j.columns, '_'))
    ) as cache_key
from explained as j
order by j.function_schema, j.function_name, j.line
