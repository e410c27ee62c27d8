-- gen types (khepri_db/client/catalog.py): the columns of those relations: type, nullability, default, identity,
-- generated, comments.
-- Parameters: psycopg placeholders in pyformat style (percent, name in parentheses, s).
-- The privileges of a role that holds one on the whole table are read once per table, not once per column; the
-- single-column CHECK constraints and the comments are joined, not looked up row by row.
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
    a.attrelid,
    a.attname::text,
    a.atttypid,
    a.attndims,
    a.attnotnull,
    a.atthasdef,
    a.attidentity::text,
    a.attgenerated::text,
    coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid), ''),
    coalesce(ds.description, ''),
    rel.can_select or exists (
        select 1 from roles
        where pg_catalog.has_column_privilege(roles.role, a.attrelid, a.attnum, 'select')
    ),
    rel.can_insert or exists (
        select 1 from roles
        where pg_catalog.has_column_privilege(roles.role, a.attrelid, a.attnum, 'insert')
    ),
    rel.can_update or exists (
        select 1 from roles
        where pg_catalog.has_column_privilege(roles.role, a.attrelid, a.attnum, 'update')
    ),
    coalesce(ch.defs, array[]::text[])
from pg_catalog.pg_attribute as a
inner join relations as rel on a.attrelid = rel.oid
left join pg_catalog.pg_attrdef as d on a.attrelid = d.adrelid and a.attnum = d.adnum
left join pg_catalog.pg_description as ds
    on
        a.attrelid = ds.objoid
        and ds.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
        and a.attnum = ds.objsubid
left join checks as ch on a.attrelid = ch.conrelid and a.attnum = ch.attnum
where a.attnum > 0 and not a.attisdropped
order by a.attrelid, a.attnum
