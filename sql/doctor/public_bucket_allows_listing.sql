-- name: public_bucket_allows_listing
-- title: Public Bucket Allows Listing
-- level: WARN
-- facing: EXTERNAL
-- categories: SECURITY
-- requires: helpers
-- splinter: 0025
-- Same rule as Supabase's linter 0025: a public storage bucket (its files are served by URL to
-- anyone anyway) plus a broad permissive SELECT policy on storage.objects, which lets clients
-- list every file of the bucket. "Broad" is decided by Postgres, not by matching text: the
-- policy's USING reads no column of storage.objects other than bucket_id and calls no function
-- that is not built in, and evaluating it for a row of that bucket gives true (so `true`,
-- `bucket_id = 'avatars'`, `bucket_id in ('avatars', 'logos')` all count). A policy without
-- USING allows nothing and is not reported (Supabase's linter reports it).
with buckets as (
    select
        b.id,
        b.name
    from pg_temp.khepri_public_buckets() as b
),

objects as (
    select
        c.oid,
        (
            select a.attnum from pg_catalog.pg_attribute as a
            where a.attrelid = c.oid and a.attname = 'bucket_id'
        ) as bucket_id_attnum
    from pg_catalog.pg_class as c
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where n.nspname = 'storage' and c.relname = 'objects'
),

candidates as (
    select
        p.polname,
        pg_catalog.pg_get_expr(p.polqual, p.polrelid) as qual
    from pg_catalog.pg_policy as p
    inner join objects as o on p.polrelid = o.oid
    where
        p.polpermissive
        and p.polcmd in ('r', '*')
        and p.polqual is not null
        and (
            p.polroles = array[0]::oid[]
            or exists (
                select 1 from pg_catalog.pg_roles as r
                where r.oid = any(p.polroles) and r.rolname in ('anon', 'authenticated')
            )
        )
        and not exists (
            select 1 from pg_catalog.pg_depend as d
            where
                d.classid = 'pg_catalog.pg_policy'::regclass and d.objid = p.oid and d.deptype = 'n'
                and (
                    d.refclassid = 'pg_catalog.pg_proc'::regclass
                    or (d.refobjid = o.oid and d.refobjsubid > 0 and d.refobjsubid <> o.bucket_id_attnum)
                )
        )
),

matches as (
    select
        b.id,
        b.name,
        c.polname
    from buckets as b
    cross join candidates as c
    where coalesce(pg_temp.khepri_bucket_policy_allows(c.qual, b.id), false)
)

select
    'public_bucket_allows_listing' as name,
    'Public Bucket Allows Listing' as title,
    'WARN' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects public storage buckets that also have a broad SELECT policy on storage.objects: public '
    || 'buckets serve files by URL without any policy, and the policy only adds the ability to list every '
    || 'file name in the bucket.' as description,
    format(
        'Public bucket `%s` has %s broad SELECT %s on `storage.objects` (%s): any client can list all of its '
        || 'files. Public URLs work without it; drop the policy or narrow it to the owner''s folder.',
        m.name,
        count(*),
        case when count(*) = 1 then 'policy' else 'policies' end,
        string_agg(m.polname::text, ', ' order by m.polname)
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0025_public_bucket_allows_listing'
        as remediation,
    jsonb_build_object(
        'schema', 'storage',
        'name', m.name,
        'type', 'bucket',
        'bucket_id', m.id,
        'bucket_name', m.name,
        'policy_names', jsonb_agg(m.polname order by m.polname),
        'policy_count', count(*)
    ) as metadata,
    format('public_bucket_allows_listing_%s', m.id) as cache_key
from matches as m
group by m.id, m.name
order by m.id
