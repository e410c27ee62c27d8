-- name: on_conflict_without_unique_index
-- title: ON CONFLICT Target Without Unique Index
-- level: ERROR
-- facing: EXTERNAL
-- categories: SECURITY, RELIABILITY
-- khepri-db rule. Postgres only checks an ON CONFLICT target when the statement runs, so a
-- function whose upsert has no matching unique index creates fine and then fails on every call
-- (SQLSTATE 42P10). doctor parses SQL and PL/pgSQL function bodies into pg_temp.khepri_upserts
-- (function, table as written, conflict columns, the function's search_path); this rule
-- resolves each table and looks for a valid, immediate, non-partial unique index (or primary
-- key or unique constraint) on exactly those columns, or the named constraint for ON CONFLICT
-- ON CONSTRAINT. Expression targets only need a unique index with the same number of columns,
-- one of them an expression; dynamic SQL (EXECUTE) is not seen.
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
        ) as relid
    from pg_temp.khepri_upserts as u
),

unique_indexes as (
    select
        i.indrelid,
        i.indpred is null as is_total,
        array(
            select a.attname::text
            from unnest(i.indkey) with ordinality as k (attnum, position)
            inner join pg_catalog.pg_attribute as a on a.attrelid = i.indrelid and k.attnum = a.attnum
            where k.position <= i.indnkeyatts
            order by a.attname
        ) as key_columns,
        i.indnkeyatts as key_count,
        i.indexprs is not null as has_expressions
    from pg_catalog.pg_index as i
    where i.indisunique and i.indimmediate and i.indisvalid
)

select
    'on_conflict_without_unique_index' as name,
    'ON CONFLICT Target Without Unique Index' as title,
    'ERROR' as level,
    'EXTERNAL' as facing,
    array['SECURITY', 'RELIABILITY'] as categories,
    'Detects INSERT ... ON CONFLICT statements in SQL and PL/pgSQL functions whose conflict target '
    || 'matches no unique index or constraint: the function fails with "there is no unique or exclusion '
    || 'constraint matching the ON CONFLICT specification" every time that statement runs.' as description,
    case
        when u.constraint_name is not null
            then
                format(
                    'Function `%s.%s(%s)` runs `insert into %s ... on conflict on constraint %I` '
                    || '(line %s of its body), '
                    || 'but %s has no primary key, unique or exclusion constraint named %I that can be an arbiter.',
                    u.function_schema, u.function_name, u.function_args, u.relid::regclass, u.constraint_name,
                    u.line, u.relid::regclass, u.constraint_name
                )
        else format(
            'Function `%s.%s(%s)` runs `insert into %s ... on conflict (%s)` (line %s of its body), but %s has '
            || 'no non-partial unique index or constraint on exactly (%s). Every call reaching it fails with '
            || 'SQLSTATE 42P10. Fix: `alter table %s add constraint %s unique (%s);`, or change the conflict '
            || 'target to match an existing unique index.',
            u.function_schema, u.function_name, u.function_args, u.relid::regclass,
            array_to_string(u.columns, ', '), u.line, u.relid::regclass, array_to_string(u.columns, ', '),
            u.relid::regclass, left(format('%s_%s_key', u.table_name, array_to_string(u.columns, '_')), 63),
            array_to_string(u.columns, ', ')
        )
    end as detail,
    'docs/doctor/on_conflict_without_unique_index.md' as remediation,
    jsonb_build_object(
        'schema', u.function_schema,
        'name', u.function_name,
        'type', 'function',
        'arguments', u.function_args,
        'table', u.relid::regclass::text,
        'conflict_columns', to_jsonb(u.columns),
        'constraint', u.constraint_name,
        'line', u.line
    ) as metadata,
    format(
        'on_conflict_without_unique_index_%s_%s_%s_%s_%s',
        u.function_schema,
        u.function_name,
        md5(u.function_args),
        u.relid::regclass,
        coalesce(u.constraint_name, array_to_string(u.columns, '_'))
    ) as cache_key
from upserts as u
where
    u.relid is not null
    and case
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
                and (ui.is_total or u.predicate is not null)
                and ui.has_expressions
                and ui.key_count = cardinality(u.columns)
        )
    end
order by u.function_schema, u.function_name, u.line
