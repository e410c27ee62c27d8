-- name: redundant_index
-- title: Redundant Index
-- level: INFO
-- facing: EXTERNAL
-- categories: PERFORMANCE
-- khepri-db rule. A plain b-tree index whose key columns (with the same operator classes,
-- collations and sort options) are the leading key columns of another b-tree index of the same
-- table with the same predicate: every query it serves, the other serves too, so it only costs
-- writes. Unique, primary-key and exclusion indexes are never reported (they enforce
-- constraints); indexes with expressions or INCLUDE columns are not judged; exact duplicates are
-- duplicate_index's.
with candidates as (
    select
        i.indexrelid,
        i.indrelid,
        i.indnkeyatts as n,
        (i.indkey::int2[])[0:i.indnkeyatts - 1] as keys,
        (i.indclass::oid[])[0:i.indnkeyatts - 1] as opclasses,
        (i.indcollation::oid[])[0:i.indnkeyatts - 1] as collations,
        (i.indoption::int2[])[0:i.indnkeyatts - 1] as options,
        coalesce(pg_catalog.pg_get_expr(i.indpred, i.indrelid), '') as predicate
    from pg_catalog.pg_index as i
    inner join pg_catalog.pg_class as ic on i.indexrelid = ic.oid
    inner join pg_catalog.pg_am as am on ic.relam = am.oid
    where
        am.amname = 'btree'
        and i.indisvalid
        and not i.indisunique
        and not i.indisprimary
        and not i.indisexclusion
        and i.indexprs is null
        and i.indnatts = i.indnkeyatts
        and not exists (
            select 1 from pg_catalog.pg_inherits as inh
            where inh.inhrelid = i.indexrelid
        )
),

covering as (
    select
        x.indexrelid,
        min(j.indexrelid::regclass::text) as covered_by
    from candidates as x
    inner join pg_catalog.pg_index as j on x.indrelid = j.indrelid and x.indexrelid <> j.indexrelid
    inner join pg_catalog.pg_class as jc on j.indexrelid = jc.oid
    inner join pg_catalog.pg_am as jam on jc.relam = jam.oid
    where
        jam.amname = 'btree'
        and j.indisvalid
        and j.indnkeyatts >= x.n
        and (j.indkey::int2[])[0:x.n - 1] = x.keys
        and (j.indclass::oid[])[0:x.n - 1] = x.opclasses
        and (j.indcollation::oid[])[0:x.n - 1] = x.collations
        and (j.indoption::int2[])[0:x.n - 1] = x.options
        and coalesce(pg_catalog.pg_get_expr(j.indpred, j.indrelid), '') = x.predicate
        -- an identical plain index is a duplicate, not a redundant one
        and not (
            j.indnkeyatts = x.n
            and not j.indisunique
            and j.indexprs is null
            and j.indnatts = j.indnkeyatts
        )
    group by x.indexrelid
)

select
    'redundant_index' as name,
    'Redundant Index' as title,
    'INFO' as level,
    'EXTERNAL' as facing,
    array['PERFORMANCE'] as categories,
    'Detects indexes whose key columns are the leading columns of another index with the same predicate '
    || '(or of a unique constraint): the other index serves every query this one serves, so this one '
    || 'only costs writes and space.' as description,
    format(
        'Index `%s` on `%s.%s` (%s) is covered by `%s`, whose leading columns are the same. Unless a '
        || 'measurement shows the smaller index matters, `drop index %I.%I;`.',
        ic.relname,
        n.nspname,
        c.relname,
        cols.names,
        cov.covered_by,
        n.nspname,
        ic.relname
    ) as detail,
    'docs/doctor/redundant_index.md' as remediation,
    jsonb_build_object(
        'schema', n.nspname,
        'name', c.relname,
        'type', 'table',
        'index', ic.relname,
        'covered_by', cov.covered_by,
        'columns', to_jsonb(string_to_array(cols.names, ', '))
    ) as metadata,
    format('redundant_index_%s_%s_%s', n.nspname, c.relname, ic.relname) as cache_key
from covering as cov
inner join candidates as x on cov.indexrelid = x.indexrelid
inner join pg_catalog.pg_class as ic on x.indexrelid = ic.oid
inner join pg_catalog.pg_class as c on x.indrelid = c.oid
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
cross join
    lateral (
        select string_agg(a.attname::text, ', ' order by k.position) as names
        from unnest(x.keys) with ordinality as k (attnum, position)
        inner join pg_catalog.pg_attribute as a on x.indrelid = a.attrelid and k.attnum = a.attnum
    ) as cols
where
    n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
    and n.nspname not like 'pg\_%'
    and not exists (
        select 1 from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
    )
order by n.nspname, c.relname, ic.relname
