-- Included by doctor rules (khepri_db.core.sqlinclude) in a where clause: relation `c` in schema `n`
-- is in a schema the Data API exposes, not one Supabase manages, and not a member of an extension.
and n.nspname = any(string_to_array(current_setting('khepri.exposed_schemas'), ','))
and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
and not exists (
    select 1 from pg_catalog.pg_depend as d
    where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
)
