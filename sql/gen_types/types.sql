-- gen types (khepri_db/client/catalog.py): every type the generated models refer to, with its element, base,
-- range subtype, enum labels and composite attributes, walked recursively from the column and argument types.
-- Parameters: psycopg placeholders in pyformat style (percent, name in parentheses, s).
with recursive wanted (oid) as (
    select unnest(%(oids)s::oid[])
    union
    select dep.oid
    from wanted
    inner join pg_catalog.pg_type as t on wanted.oid = t.oid
    cross join lateral (
        select t.typelem
        where t.typelem <> 0 and t.typcategory = 'A'
        union all
        select t.typbasetype
        where t.typtype = 'd'
        union all
        select r.rngsubtype from pg_catalog.pg_range as r
        where r.rngtypid = t.oid
        union all
        select r.rngtypid from pg_catalog.pg_range as r
        where r.rngmultitypid = t.oid
        union all
        select a.atttypid from pg_catalog.pg_attribute as a
        where t.typtype = 'c' and a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped
    ) as dep (oid)
)

select
    t.oid,
    n.nspname,
    t.typname,
    t.typtype::text,
    t.typcategory::text,
    case when t.typcategory = 'A' then t.typelem else 0 end,
    t.typbasetype,
    t.typnotnull,
    t.typrelid,
    coalesce(c.relkind::text, ''),
    coalesce((
        select r.rngsubtype from pg_catalog.pg_range as r
        where r.rngtypid = t.oid
    ), 0),
    coalesce((
        select r.rngtypid from pg_catalog.pg_range as r
        where r.rngmultitypid = t.oid
    ), 0),
    array(
        select e.enumlabel::text from pg_catalog.pg_enum as e
        where e.enumtypid = t.oid
        order by e.enumsortorder
    ),
    array(
        select pg_catalog.pg_get_constraintdef(k.oid) from pg_catalog.pg_constraint as k
        where k.contypid = t.oid and k.contype = 'c'
        order by k.conname collate "C"
    ),
    array(
        select a.attname::text from pg_catalog.pg_attribute as a
        where t.typtype = 'c' and a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped
        order by a.attnum
    ),
    array(
        select a.atttypid from pg_catalog.pg_attribute as a
        where t.typtype = 'c' and a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped
        order by a.attnum
    ),
    pg_catalog.format_type(t.oid, null),
    coalesce(pg_catalog.obj_description(t.oid, 'pg_type'), '')
from pg_catalog.pg_type as t
inner join pg_catalog.pg_namespace as n on t.typnamespace = n.oid
left join pg_catalog.pg_class as c on t.typrelid = c.oid
where t.oid in (select wanted.oid from wanted)
order by n.nspname collate "C", t.typname collate "C"
