-- Access matrix (khepri_db/access/_catalog.py): one declared table: its oid and kind, its columns (name, type)
-- in order, its primary key columns in order; no row if it does not exist.
-- Parameters: psycopg placeholders in pyformat style.
select
    c.oid,
    c.relkind::text,
    array(
        select array[a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod)]
        from pg_catalog.pg_attribute as a
        where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        order by a.attnum
    ),
    array(
        select a.attname::text
        from pg_catalog.pg_index as i
        cross join lateral unnest(i.indkey) with ordinality as k (attnum, ord)
        inner join pg_catalog.pg_attribute as a on i.indrelid = a.attrelid and k.attnum = a.attnum
        where i.indrelid = c.oid and i.indisprimary
        order by k.ord
    )
from pg_catalog.pg_class as c
where c.oid = to_regclass(format('%%I.%%I', %(schema)s::text, %(name)s::text))
