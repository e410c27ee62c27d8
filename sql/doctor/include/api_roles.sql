-- Included by doctor rules (khepri_db.core.sqlinclude): the API roles that can reach relation `c`.
-- roles.names: anon and/or authenticated holding any of SELECT, INSERT, UPDATE, DELETE on it;
-- roles.readers: those holding SELECT. Each is null when no API role has the privilege.
cross join
    lateral (
        select
            array_agg(r.rolname::text order by r.rolname) filter (
                where pg_catalog.has_table_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, DELETE')
            ) as names,
            array_agg(r.rolname::text order by r.rolname) filter (
                where pg_catalog.has_table_privilege(r.oid, c.oid, 'SELECT')
            ) as readers
        from pg_catalog.pg_roles as r
        where r.rolname in ('anon', 'authenticated')
    ) as roles
