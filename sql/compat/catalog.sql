-- The Supabase-owned objects of this database, as one fact per row: read by
-- khepri_db.compat.catalog_facts() and compared with sql/compat/manifest.json. Changes nothing.
-- A fact is a kind, an object name and a description; the manifest lists the same facts as they
-- are on Supabase. What to read: the settings khepri_db.compat_schemas and khepri_db.compat_roles
-- (comma-separated names), set by the caller for the transaction.
with
target_schemas as (
    select
        ns.oid,
        ns.nspname
    from pg_catalog.pg_namespace as ns
    where ns.nspname = any(string_to_array(current_setting('khepri_db.compat_schemas'), ','))
),

relations as (
    select
        c.oid,
        c.relkind,
        c.relrowsecurity,
        c.relowner,
        ts.nspname,
        c.relname,
        ts.nspname || '.' || c.relname as qualified
    from pg_catalog.pg_class as c
    inner join target_schemas as ts on c.relnamespace = ts.oid
    where c.relkind in ('r', 'p', 'v', 'm') and not c.relispartition
)

select
    'schema'::text as kind,
    ts.nspname::text as object_name,
    'owner ' || pg_catalog.pg_get_userbyid(ns.nspowner) as detail
from target_schemas as ts
inner join pg_catalog.pg_namespace as ns on ts.oid = ns.oid

union all

select
    'table' as kind,
    r.qualified as object_name,
    (
        case r.relkind
            when 'p' then 'partitioned table' when 'v' then 'view' when 'm' then 'materialized view' else 'table'
        end
    )
    || ', owner ' || pg_catalog.pg_get_userbyid(r.relowner)
    || case when r.relrowsecurity then ', rls' else '' end as detail
from relations as r

union all

select
    'column' as kind,
    r.qualified || '.' || a.attname as object_name,
    pg_catalog.format_type(a.atttypid, a.atttypmod)
    || case when a.attnotnull then ' not null' else '' end
    || case
        when a.attgenerated = 's' then ' generated ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid)
        when a.attidentity in ('a', 'd') then ' identity'
        when d.adbin is not null then ' default ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid)
        else ''
    end as detail
from relations as r
inner join pg_catalog.pg_attribute as a on r.oid = a.attrelid
left join pg_catalog.pg_attrdef as d on a.attrelid = d.adrelid and a.attnum = d.adnum
where a.attnum > 0 and not a.attisdropped

union all

select
    'constraint' as kind,
    r.qualified || '.' || con.conname as object_name,
    case con.contype
        when 'p' then 'primary key'
        when 'u' then 'unique'
        when 'f' then 'foreign key'
        when 'c' then 'check'
        when 'x' then 'exclusion'
        else con.contype::text
    end as detail
from relations as r
inner join pg_catalog.pg_constraint as con on r.oid = con.conrelid
where con.contype in ('p', 'u', 'f', 'c', 'x')

union all

select
    'index' as kind,
    r.nspname || '.' || ic.relname as object_name,
    'on ' || r.relname || case when i.indisunique then ', unique' else '' end as detail
from relations as r
inner join pg_catalog.pg_index as i on r.oid = i.indrelid
inner join pg_catalog.pg_class as ic on i.indexrelid = ic.oid

union all

select
    'trigger' as kind,
    r.qualified || '.' || t.tgname as object_name,
    'executes ' || t.tgfoid::regproc::text as detail
from relations as r
inner join pg_catalog.pg_trigger as t on r.oid = t.tgrelid
where not t.tgisinternal

union all

select
    'type' as kind,
    ts.nspname || '.' || t.typname as object_name,
    case t.typtype
        when 'e'
            then
                'enum (' || (
                    select string_agg(e.enumlabel, ', ' order by e.enumsortorder)
                    from pg_catalog.pg_enum as e
                    where e.enumtypid = t.oid
                ) || ')'
        when 'c'
            then
                'composite (' || (
                    select
                        string_agg(
                            a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod), ', ' order by a.attnum
                        )
                    from pg_catalog.pg_attribute as a
                    where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped
                ) || ')'
        when 'd' then 'domain'
        else t.typtype::text
    end as detail
from pg_catalog.pg_type as t
inner join target_schemas as ts on t.typnamespace = ts.oid
where
    t.typtype in ('e', 'c', 'd')
    and (t.typtype <> 'c' or (
        select c.relkind from pg_catalog.pg_class as c
        where c.oid = t.typrelid
    ) = 'c')

union all

select
    'function' as kind,
    ts.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' as object_name,
    'returns ' || pg_catalog.pg_get_function_result(p.oid)
    || case when p.prosecdef then ', security definer' else '' end as detail
from pg_catalog.pg_proc as p
inner join target_schemas as ts on p.pronamespace = ts.oid
where
    not exists (
        select 1 from pg_catalog.pg_depend as dep
        where dep.classid = 'pg_catalog.pg_proc'::regclass and dep.objid = p.oid and dep.deptype = 'e'
    )

union all

select
    'grant' as kind,
    r.qualified || ' to ' || pg_catalog.pg_get_userbyid(acl.grantee) as object_name,
    string_agg(acl.privilege_type, ', ' order by acl.privilege_type) as detail
from relations as r
inner join pg_catalog.pg_class as c on r.oid = c.oid
cross join lateral pg_catalog.aclexplode(c.relacl) as acl
where
    pg_catalog.pg_get_userbyid(acl.grantee) in ('anon', 'authenticated', 'service_role')
    and acl.privilege_type <> 'MAINTAIN'
group by r.qualified, acl.grantee

union all

select
    'role' as kind,
    pr.rolname as object_name,
    concat_ws(
        ', ',
        case when pr.rolcanlogin then 'login' else 'nologin' end,
        case when pr.rolinherit then 'inherit' else 'noinherit' end,
        case when pr.rolbypassrls then 'bypassrls' end,
        case when pr.rolcreaterole then 'createrole' end,
        case when pr.rolcreatedb then 'createdb' end,
        case when pr.rolreplication then 'replication' end,
        case when pr.rolsuper then 'superuser' end
    ) as detail
from pg_catalog.pg_roles as pr
where pr.rolname = any(string_to_array(current_setting('khepri_db.compat_roles'), ','))

union all

select
    'membership' as kind,
    member_role.rolname || ' in ' || group_role.rolname as object_name,
    'member' as detail
from pg_catalog.pg_auth_members as m
inner join pg_catalog.pg_roles as member_role on m.member = member_role.oid
inner join pg_catalog.pg_roles as group_role on m.roleid = group_role.oid
where member_role.rolname = any(string_to_array(current_setting('khepri_db.compat_roles'), ','))

order by kind, object_name
