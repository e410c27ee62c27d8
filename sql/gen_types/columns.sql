-- gen types (khepri_db/client/codegen.py): the columns of those relations: type, nullability, default, identity,
-- generated, comments.
-- Parameters: psycopg placeholders in pyformat style (percent, name in parentheses, s).
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
    coalesce(pg_catalog.col_description(a.attrelid, a.attnum), ''),
    %(all)s or exists (
        select 1 from unnest(%(roles)s::text[]) as r (name)
        where pg_catalog.has_column_privilege(r.name, a.attrelid, a.attnum, 'select')
    ),
    %(all)s or exists (
        select 1 from unnest(%(roles)s::text[]) as r (name)
        where pg_catalog.has_column_privilege(r.name, a.attrelid, a.attnum, 'insert')
    ),
    %(all)s or exists (
        select 1 from unnest(%(roles)s::text[]) as r (name)
        where pg_catalog.has_column_privilege(r.name, a.attrelid, a.attnum, 'update')
    ),
    array(
        select pg_catalog.pg_get_constraintdef(k.oid) from pg_catalog.pg_constraint as k
        where k.conrelid = a.attrelid and k.contype = 'c' and k.conkey = array[a.attnum]
        order by k.conname collate "C"
    )
from pg_catalog.pg_attribute as a
left join pg_catalog.pg_attrdef as d on a.attrelid = d.adrelid and a.attnum = d.adnum
where a.attrelid = any(%(oids)s::oid[]) and a.attnum > 0 and not a.attisdropped
order by a.attrelid, a.attnum
