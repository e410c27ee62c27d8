-- Access matrix (khepri_db/access/_owner_calls.py): the tables the connecting role may read outside the skipped
-- schemas (the skipped parameter), none of an extension: oid, quoted name, schema, name, uuid columns,
-- email-like text columns, whether Supabase Auth owns the table (supabase_auth_admin), and whether it has an id
-- column.
-- Parameters: psycopg placeholders in pyformat style.
select
    c.oid,
    format('%%I.%%I', n.nspname, c.relname),
    n.nspname::text,
    c.relname::text,
    coalesce(
        array_agg(a.attname::text order by a.attnum) filter (where a.atttypid = 'pg_catalog.uuid'::regtype),
        '{}'
    ),
    coalesce(
        array_agg(a.attname::text order by a.attnum) filter (
            where a.attname ~* 'email' and a.atttypid in (
                'pg_catalog.text'::regtype, 'pg_catalog.varchar'::regtype, 'pg_catalog.bpchar'::regtype
            )
        ),
        '{}'
    ),
    coalesce(pg_catalog.pg_get_userbyid(c.relowner) = 'supabase_auth_admin', false),
    coalesce(bool_or(a.attname = 'id'), false)
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
left join pg_catalog.pg_attribute as a on c.oid = a.attrelid and a.attnum > 0 and not a.attisdropped
where
    c.relkind = 'r' and not (n.nspname = any(%(skipped)s)) and n.nspname !~ '^pg_'
    and pg_catalog.has_table_privilege(c.oid, 'select')
    and not exists (
        select 1 from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
    )
group by c.oid, n.nspname, c.relname
