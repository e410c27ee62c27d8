-- name: duplicate_index
-- title: Duplicate Index
-- level: WARN
-- facing: EXTERNAL
-- categories: PERFORMANCE
-- splinter: 0009
-- Same rule as Supabase's linter 0009, deciding identity from the index definition itself
-- (access method, key and included columns, operator classes, collations, sort options,
-- expressions, predicate, uniqueness) instead of comparing `create index` texts with the index
-- name cut out, which breaks when the name also occurs in the table or column names.
with indexes as (
    select
        i.indexrelid,
        i.indrelid,
        ic.relname as index_name,
        ic.relam,
        i.indkey::text as keys,
        i.indnkeyatts,
        i.indclass::text as opclasses,
        i.indcollation::text as collations,
        i.indoption::text as options,
        i.indisunique,
        coalesce(pg_catalog.pg_get_expr(i.indexprs, i.indrelid), '') as expressions,
        coalesce(pg_catalog.pg_get_expr(i.indpred, i.indrelid), '') as predicate
    from pg_catalog.pg_index as i
    inner join pg_catalog.pg_class as ic on i.indexrelid = ic.oid
    where not exists (
        select 1 from pg_catalog.pg_inherits as inh
        where inh.inhrelid = i.indexrelid
    )
),

groups as (
    select
        x.indrelid,
        array_agg(x.index_name::text order by x.index_name) as index_names
    from indexes as x
    group by
        x.indrelid, x.relam, x.keys, x.indnkeyatts, x.opclasses, x.collations, x.options, x.indisunique,
        x.expressions, x.predicate
    having count(*) > 1
)

select
    'duplicate_index' as name,
    'Duplicate Index' as title,
    'WARN' as level,
    'EXTERNAL' as facing,
    array['PERFORMANCE'] as categories,
    'Detects two or more identical indexes on one table: every write maintains all of them, and only '
    || 'one is ever useful.' as description,
    format(
        'Table `%s.%s` has identical indexes %s. Drop all but one of them (`drop index %I.%I;`).',
        n.nspname,
        c.relname,
        array_to_string(g.index_names, ', '),
        n.nspname,
        g.index_names[cardinality(g.index_names)]
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0009_duplicate_index' as remediation,
    jsonb_build_object(
        'schema', n.nspname,
        'name', c.relname,
        'type', case c.relkind when 'm' then 'materialized view' else 'table' end,
        'indexes', to_jsonb(g.index_names)
    ) as metadata,
    format('duplicate_index_%s_%s_%s', n.nspname, c.relname, g.index_names) as cache_key
from groups as g
inner join pg_catalog.pg_class as c on g.indrelid = c.oid
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    c.relkind in ('r', 'm', 'p')
    and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
    and n.nspname not like 'pg\_%'
    and not exists (
        select 1 from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
    )
order by n.nspname, c.relname, g.index_names
