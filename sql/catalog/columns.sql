-- The catalog reader (khepri_db/core/catalog.py: read_relations): the columns of relations by oid, in attnum
-- order, named as the fields of khepri_db.core.catalog.Column (read with psycopg's class_row).
-- Parameters: psycopg placeholders in pyformat style (percent, name in parentheses, s): oids, the relations;
-- roles, the API roles whose column privileges to read; all, true to report every privilege as held.
-- A domain column carries its base type's name, category and enum labels (one level of domain), the domain's
-- NOT NULL, default and CHECKs apart from the column's own. The privileges of a role that holds one on the whole
-- table are read once per table, not once per column; the single-column CHECK constraints (by name, C collation)
-- and the comments are joined, not looked up row by row.
with
roles as (
    select r.name::regrole as role from unnest(%(roles)s::text[]) as r (name)
),

relations as (
    select
        c.oid,
        %(all)s or exists (
            select 1 from roles
            where pg_catalog.has_table_privilege(roles.role, c.oid, 'select'))
            as can_select,
        %(all)s or exists (
            select 1 from roles
            where pg_catalog.has_table_privilege(roles.role, c.oid, 'insert'))
            as can_insert,
        %(all)s or exists (
            select 1 from roles
            where pg_catalog.has_table_privilege(roles.role, c.oid, 'update'))
            as can_update
    from pg_catalog.pg_class as c
    where c.oid = any(%(oids)s::oid[])
),

checks as (
    select
        k.conrelid,
        k.conkey[1] as attnum,
        array_agg(pg_catalog.pg_get_constraintdef(k.oid) order by k.conname collate "C") as defs
    from pg_catalog.pg_constraint as k
    where k.conrelid = any(%(oids)s::oid[]) and k.contype = 'c' and cardinality(k.conkey) = 1
    group by k.conrelid, k.conkey[1]
)

select
    a.attrelid::int as relid,
    a.attnum::int as attnum,
    a.attname::text as name,
    pg_catalog.format_type(a.atttypid, a.atttypmod) as type,
    a.atttypid::int as type_oid,
    a.attndims::int as ndims,
    b.typname::text as base,
    b.typcategory::text as category,
    a.attnotnull as not_null,
    coalesce(t.typnotnull, false) as domain_not_null,
    a.atthasdef as has_default,
    t.typdefault is not null as domain_default,
    a.attidentity::text as identity,
    a.attgenerated::text as generated,
    coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid), '') as default_expression,
    coalesce(ds.description, '') as comment,
    array(
        select e.enumlabel::text from pg_catalog.pg_enum as e
        where e.enumtypid = b.oid
        order by e.enumsortorder
    ) as labels,
    coalesce(ch.defs, array[]::text[]) as checks,
    array(
        select pg_catalog.pg_get_constraintdef(k.oid) from pg_catalog.pg_constraint as k
        where k.contypid = t.oid and k.contype = 'c'
        order by k.conname collate "C"
    ) as domain_checks,
    rel.can_select or exists (
        select 1 from roles
        where pg_catalog.has_column_privilege(roles.role, a.attrelid, a.attnum, 'select')
    ) as can_select,
    rel.can_insert or exists (
        select 1 from roles
        where pg_catalog.has_column_privilege(roles.role, a.attrelid, a.attnum, 'insert')
    ) as can_insert,
    rel.can_update or exists (
        select 1 from roles
        where pg_catalog.has_column_privilege(roles.role, a.attrelid, a.attnum, 'update')
    ) as can_update
from pg_catalog.pg_attribute as a
inner join relations as rel on a.attrelid = rel.oid
inner join pg_catalog.pg_type as t on a.atttypid = t.oid
inner join pg_catalog.pg_type as b on b.oid = case when t.typtype = 'd' then t.typbasetype else t.oid end
left join pg_catalog.pg_attrdef as d on a.attrelid = d.adrelid and a.attnum = d.adnum
left join pg_catalog.pg_description as ds
    on
        a.attrelid = ds.objoid
        and ds.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
        and a.attnum = ds.objsubid
left join checks as ch on a.attrelid = ch.conrelid and a.attnum = ch.attnum
where a.attnum > 0 and not a.attisdropped
order by a.attrelid, a.attnum
