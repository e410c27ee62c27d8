-- access init (khepri_db/access/access_init.py: _load_tables), for one relation (the oid parameter): its
-- columns: type, type category and base type, required (not null without any default), generated or identity,
-- enum labels, single-column CHECKs of the table and of the domain.
-- Parameters: psycopg placeholders in pyformat style.
select
    a.attname::text,
    pg_catalog.format_type(a.atttypid, a.atttypmod),
    b.typcategory::text,
    b.typname::text,
    a.attnotnull or coalesce(t.typnotnull, false),
    a.atthasdef or a.attidentity <> '' or a.attgenerated <> '' or t.typdefault is not null,
    a.attidentity <> '' or a.attgenerated <> '',
    array(
        select e.enumlabel::text from pg_catalog.pg_enum as e
        where e.enumtypid = b.oid
        order by e.enumsortorder
    ),
    array(
        select pg_catalog.pg_get_constraintdef(k.oid) from pg_catalog.pg_constraint as k
        where k.conrelid = a.attrelid and k.contype = 'c' and k.conkey = array[a.attnum]
    ),
    array(
        select pg_catalog.pg_get_constraintdef(k.oid) from pg_catalog.pg_constraint as k
        where k.contypid = t.oid and k.contype = 'c'
    )
from pg_catalog.pg_attribute as a
inner join pg_catalog.pg_type as t on a.atttypid = t.oid
inner join pg_catalog.pg_type as b on b.oid = case when t.typtype = 'd' then t.typbasetype else t.oid end
where a.attrelid = %(oid)s and a.attnum > 0 and not a.attisdropped
order by a.attnum
