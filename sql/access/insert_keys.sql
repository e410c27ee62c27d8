-- Access matrix (khepri_db/access/_fresh_keys.py): for each relation of the oids parameter, what decides whether
-- an inserted row can collide with an existing one: its unique keys
-- (primary key, unique indexes, exclusion constraints: the columns compared with = only) and whether nulls are
-- distinct in them (its columns and foreign keys come from the shared catalog reader, sql/catalog/).
-- Parameters: psycopg placeholders in pyformat style.
select
    c.oid::int,
    array(
        select
            jsonb_build_object(
                'name', ic.relname::text,
                'nulls_distinct', not i.indnullsnotdistinct,
                'columns', array(
                    select a.attname::text
                    from unnest(i.indkey::int2[]) with ordinality as k (attnum, ord)
                    inner join pg_catalog.pg_attribute as a on i.indrelid = a.attrelid and k.attnum = a.attnum
                    left join pg_catalog.pg_constraint as x on i.indexrelid = x.conindid and x.contype = 'x'
                    left join pg_catalog.pg_operator as o on x.conexclop[k.ord] = o.oid
                    where k.ord <= i.indnkeyatts and (x.oid is null or o.oprname = '=')
                    union
                    -- the columns an expression of the key reads (lower(email))
                    select a.attname::text
                    from pg_catalog.pg_depend as d
                    inner join pg_catalog.pg_attribute as a on d.refobjid = a.attrelid and d.refobjsubid = a.attnum
                    where
                        d.classid = 'pg_catalog.pg_class'::regclass and d.objid = i.indexrelid
                        and d.refclassid = 'pg_catalog.pg_class'::regclass and d.refobjid = i.indrelid
                        and 0 = any(i.indkey::int2[])
                )
            )
        from pg_catalog.pg_index as i
        inner join pg_catalog.pg_class as ic on i.indexrelid = ic.oid
        where i.indrelid = c.oid and (i.indisunique or i.indisexclusion)
        order by ic.relname
    ) as keys
from pg_catalog.pg_class as c
where c.oid = any(%(oids)s::oid[]) and c.relkind in ('r', 'p')
