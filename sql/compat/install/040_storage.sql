-- Supabase Storage's schema as the platform has it today (supabase/storage migrations/tenant up
-- to 0063), written as one final state: every table and column, the bucket type enum, the
-- indexes, RLS enabled with no policy (Storage's own API applies your policies), the triggers,
-- and the SQL functions policies and clients call. The functions are khepri-db's own code with
-- Storage's signatures; storage.search and the listing functions return the same columns from a
-- simpler query (see docs/compat.md). Idempotent: upgrades layer v1 (buckets and objects with
-- fewer columns) in place.
create schema if not exists storage;
grant usage on schema storage to postgres, anon, authenticated, service_role;
grant all on schema storage to supabase_storage_admin;
grant all on schema storage to dashboard_user;

do $$
begin
    if to_regtype('storage.buckettype') is null then
        create type storage.buckettype as enum ('STANDARD', 'ANALYTICS', 'VECTOR');
    end if;
end
$$;

-- What supabase_storage_admin creates in storage is granted to the API roles (the Storage
-- migrations run with these defaults; multipart and iceberg tables then narrow them).
alter default privileges for role supabase_storage_admin in schema storage
grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
grant all on sequences to postgres, anon, authenticated, service_role;

create table if not exists storage.buckets (
    id text not null,
    name text not null,
    owner uuid,
    created_at timestamp with time zone default now(),
    updated_at timestamp with time zone default now(),
    public boolean default false,
    avif_autodetection boolean default false,
    file_size_limit bigint,
    allowed_mime_types text[],
    owner_id text,
    type storage.buckettype default 'STANDARD'::storage.buckettype not null,
    versioning_status text default 'DISABLED'::text not null,
    constraint buckets_pkey primary key (id),
    constraint buckets_versioning_dark_check check ((versioning_status = 'DISABLED'::text)),
    constraint buckets_versioning_standard_only_check check (
        ((type = 'STANDARD'::storage.buckettype) or (versioning_status = 'DISABLED'::text))
    ),
    constraint buckets_versioning_status_check check (
        (versioning_status = any(array['DISABLED'::text, 'ENABLED'::text, 'SUSPENDED'::text]))
    )
);
create unique index if not exists bname on storage.buckets (name);
alter table storage.buckets enable row level security;
comment on column storage.buckets.owner is 'Deprecated: use owner_id.';

create table if not exists storage.buckets_analytics (
    name text not null,
    type storage.buckettype default 'ANALYTICS'::storage.buckettype not null,
    format text default 'ICEBERG'::text not null,
    created_at timestamp with time zone default now() not null,
    updated_at timestamp with time zone default now() not null,
    id uuid default gen_random_uuid() not null,
    deleted_at timestamp with time zone,
    constraint buckets_analytics_pkey primary key (id)
);
create unique index if not exists buckets_analytics_unique_name_idx on storage.buckets_analytics (name) where (
    deleted_at is null
);
alter table storage.buckets_analytics enable row level security;

create table if not exists storage.buckets_vectors (
    id text not null,
    type storage.buckettype default 'VECTOR'::storage.buckettype not null,
    created_at timestamp with time zone default now() not null,
    updated_at timestamp with time zone default now() not null,
    constraint buckets_vectors_pkey primary key (id)
);
alter table storage.buckets_vectors enable row level security;

create table if not exists storage.iceberg_namespaces (
    id uuid default gen_random_uuid() not null,
    bucket_name text not null,
    name text not null,
    created_at timestamp with time zone default now() not null,
    updated_at timestamp with time zone default now() not null,
    metadata jsonb default '{}'::jsonb not null,
    catalog_id uuid not null,
    constraint iceberg_namespaces_pkey primary key (id),
    constraint iceberg_namespaces_catalog_id_fkey foreign key (catalog_id) references storage.buckets_analytics (
        id
    ) on delete cascade
);
create unique index if not exists idx_iceberg_namespaces_bucket_id on storage.iceberg_namespaces (catalog_id, name);
alter table storage.iceberg_namespaces enable row level security;

create table if not exists storage.iceberg_tables (
    id uuid default gen_random_uuid() not null,
    namespace_id uuid not null,
    bucket_name text not null,
    name text not null,
    location text not null,
    created_at timestamp with time zone default now() not null,
    updated_at timestamp with time zone default now() not null,
    remote_table_id text,
    shard_key text,
    shard_id text,
    catalog_id uuid not null,
    constraint iceberg_tables_pkey primary key (id),
    constraint iceberg_tables_catalog_id_fkey foreign key (catalog_id) references storage.buckets_analytics (
        id
    ) on delete cascade,
    constraint iceberg_tables_namespace_id_fkey foreign key (namespace_id) references storage.iceberg_namespaces (
        id
    ) on delete cascade
);
create unique index if not exists idx_iceberg_tables_location on storage.iceberg_tables (location);
create unique index if not exists idx_iceberg_tables_namespace_id on storage.iceberg_tables (
    catalog_id, namespace_id, name
);
alter table storage.iceberg_tables enable row level security;

create table if not exists storage.migrations (
    id integer not null,
    name character varying(100) not null,
    hash character varying(40) not null,
    executed_at timestamp without time zone default current_timestamp,
    constraint migrations_pkey primary key (id),
    constraint migrations_name_key unique (name)
);
alter table storage.migrations enable row level security;

create table if not exists storage.objects (
    id uuid default gen_random_uuid() not null,
    bucket_id text,
    name text,
    owner uuid,
    created_at timestamp with time zone default now(),
    updated_at timestamp with time zone default now(),
    last_accessed_at timestamp with time zone default now(),
    metadata jsonb,
    path_tokens text[] generated always as (string_to_array(name, '/'::text)) stored,
    version text,
    owner_id text,
    user_metadata jsonb,
    archived_at timestamp with time zone,
    is_delete_marker boolean default false not null,
    is_versioned boolean default false not null,
    constraint objects_pkey primary key (id),
    constraint "objects_bucketId_fkey" foreign key (bucket_id) references storage.buckets (id)
);
create index if not exists idx_objects_bucket_id_name on storage.objects (bucket_id, name collate "C");
create index if not exists idx_objects_bucket_id_name_lower on storage.objects (bucket_id, lower(name) collate "C");
create index if not exists name_prefix_search on storage.objects (name text_pattern_ops);
create unique index if not exists bucketid_objname on storage.objects (bucket_id, name);
alter table storage.objects enable row level security;
comment on column storage.objects.owner is 'Deprecated: use owner_id.';

create table if not exists storage.s3_multipart_uploads (
    id text not null,
    in_progress_size bigint default 0 not null,
    upload_signature text not null,
    bucket_id text not null,
    key text not null,
    version text not null,
    owner_id text,
    created_at timestamp with time zone default now() not null,
    user_metadata jsonb,
    metadata jsonb,
    constraint s3_multipart_uploads_pkey primary key (id),
    constraint s3_multipart_uploads_bucket_id_fkey foreign key (bucket_id) references storage.buckets (id)
);
create index if not exists idx_multipart_uploads_list on storage.s3_multipart_uploads (bucket_id, key, created_at);
alter table storage.s3_multipart_uploads enable row level security;

create table if not exists storage.s3_multipart_uploads_parts (
    id uuid default gen_random_uuid() not null,
    upload_id text not null,
    size bigint default 0 not null,
    part_number integer not null,
    bucket_id text not null,
    key text not null,
    etag text not null,
    owner_id text,
    version text not null,
    created_at timestamp with time zone default now() not null,
    constraint s3_multipart_uploads_parts_pkey primary key (id),
    constraint s3_multipart_uploads_parts_bucket_id_fkey foreign key (bucket_id) references storage.buckets (id),
    constraint s3_multipart_uploads_parts_upload_id_fkey foreign key (
        upload_id
    ) references storage.s3_multipart_uploads (id) on delete cascade
);
alter table storage.s3_multipart_uploads_parts enable row level security;

create table if not exists storage.vector_indexes (
    id text default gen_random_uuid() not null,
    name text not null,
    bucket_id text not null,
    data_type text not null,
    dimension integer not null,
    distance_metric text not null,
    metadata_configuration jsonb,
    created_at timestamp with time zone default now() not null,
    updated_at timestamp with time zone default now() not null,
    constraint vector_indexes_pkey primary key (id),
    constraint vector_indexes_bucket_id_fkey foreign key (bucket_id) references storage.buckets_vectors (id)
);
create unique index if not exists vector_indexes_name_bucket_id_idx on storage.vector_indexes (name, bucket_id);
alter table storage.vector_indexes enable row level security;

-- Columns Storage added after layer v1's buckets and objects.
alter table storage.buckets add column if not exists type storage.buckettype not null default 'STANDARD';
alter table storage.buckets add column if not exists versioning_status text not null default 'DISABLED';
alter table storage.objects add column if not exists archived_at timestamptz;
alter table storage.objects add column if not exists is_delete_marker boolean not null default false;
alter table storage.objects add column if not exists is_versioned boolean not null default false;
do $$
begin
    if not exists (
        select 1 from pg_catalog.pg_constraint as c
        where c.conrelid = 'storage.buckets'::regclass and c.conname = 'buckets_versioning_status_check'
    ) then
        alter table storage.buckets
        add constraint buckets_versioning_status_check
        check (versioning_status = any(array['DISABLED', 'ENABLED', 'SUSPENDED'])),
        add constraint buckets_versioning_standard_only_check
        check (type = 'STANDARD' or versioning_status = 'DISABLED'),
        add constraint buckets_versioning_dark_check check (versioning_status = 'DISABLED');
    end if;
end
$$;

-- Path helpers that storage policies use, e.g. (storage.foldername(name))[1] = auth.uid()::text.
create or replace function storage.foldername(name text)
returns text[]
language sql
immutable
set search_path = ''
as $$
    select (string_to_array(name, '/'))[1:array_length(string_to_array(name, '/'), 1) - 1]
$$;

create or replace function storage.filename(name text)
returns text
language sql
immutable
set search_path = ''
as $$
    select (string_to_array(name, '/'))[array_length(string_to_array(name, '/'), 1)]
$$;

-- The text after the last dot of the file name ('a/b/c.tar.gz' gives 'gz'), the whole name
-- when it has no dot, as on Supabase.
create or replace function storage.extension(name text)
returns text
language sql
immutable
set search_path = ''
as $$
    select reverse(split_part(reverse(storage.filename(name)), '.', 1))
$$;

-- Bytes stored per bucket, from the size Storage records in each object's metadata.
create or replace function storage.get_size_by_bucket()
returns table (size bigint, bucket_id text)
language sql
stable
set search_path = ''
as $$
    select sum((o.metadata ->> 'size')::bigint)::bigint, o.bucket_id
    from storage.objects as o
    group by o.bucket_id
$$;

-- The request's Storage operation (e.g. 'object.upload'), which Storage sets per request.
create or replace function storage.operation()
returns text
language sql
stable
set search_path = ''
as $$
    select current_setting('storage.operation', true)
$$;

create or replace function storage.allow_only_operation(expected_operation text)
returns boolean
language sql
stable
set search_path = ''
as $$
    select coalesce(nullif(expected_operation, '') is not null
        and regexp_replace(storage.operation(), '^storage\.', '')
        = regexp_replace(expected_operation, '^storage\.', ''), false)
$$;

create or replace function storage.allow_any_operation(expected_operations text[])
returns boolean
language sql
stable
set search_path = ''
as $$
    select exists (
        select 1
        from unnest(expected_operations) as expected (operation)
        where
            nullif(expected.operation, '') is not null
            and regexp_replace(storage.operation(), '^storage\.', '')
            = regexp_replace(expected.operation, '^storage\.', '')
    )
$$;

-- Would the caller's policies let it insert this object? Inserts the row, then raises
-- SQLSTATE PT200 'ROLLBACK' so the caller's savepoint undoes it, as Supabase's function does;
-- a policy violation raises 42501 first.
create or replace function storage.can_insert_object(bucketid text, name text, owner uuid, metadata jsonb)
returns void
language plpgsql
set search_path = ''
as $$
begin
    insert into storage.objects (bucket_id, name, owner, metadata) values (bucketid, name, owner, metadata);
    raise sqlstate 'PT200' using message = 'ROLLBACK', detail = 'rollback successful insert';
end
$$;

-- The folder prefix of p_key one level below p_prefix, including the delimiter; null for a
-- file directly under p_prefix.
create or replace function storage.get_common_prefix(p_key text, p_prefix text, p_delimiter text)
returns text
language sql
immutable
set search_path = ''
as $$
    select case
        when strpos(substr(p_key, length(p_prefix) + 1), p_delimiter) > 0
            then left(p_key, length(p_prefix) + strpos(substr(p_key, length(p_prefix) + 1), p_delimiter))
    end
$$;

-- The entries of a bucket at depth `levels` whose path starts with `prefix` (Storage's
-- "list" call): a file one level deep returns its row, a deeper path returns its folder once
-- with a null id. name is the entry's own segment. search filters by that segment's start.
create or replace function storage.search(
    prefix text,
    bucketname text,
    limits integer default 100,
    levels integer default 1,
    offsets integer default 0,
    search text default '',
    sortcolumn text default 'name',
    sortorder text default 'asc'
)
returns table (
    name text,
    id uuid,
    updated_at timestamptz,
    created_at timestamptz,
    last_accessed_at timestamptz,
    metadata jsonb
)
language plpgsql
stable
set search_path = ''
as $$
declare
    sort_column text := case when sortcolumn in ('name', 'updated_at', 'created_at', 'last_accessed_at')
        then sortcolumn else 'name' end;
    sort_order text := case when lower(sortorder) = 'desc' then 'desc' else 'asc' end;
begin
    return query execute format(
        $query$
        with entries as (
            select
                o.path_tokens[$1] as entry,
                array_length(o.path_tokens, 1) = $1 as is_file,
                o.id, o.updated_at, o.created_at, o.last_accessed_at, o.metadata
            from storage.objects as o
            where o.bucket_id = $2 and o.name ilike $3 || '%%' and array_length(o.path_tokens, 1) >= $1
        ), listed as (
            select distinct on (e.entry, e.is_file)
                e.entry as name,
                case when e.is_file then e.id end as id,
                case when e.is_file then e.updated_at end as updated_at,
                case when e.is_file then e.created_at end as created_at,
                case when e.is_file then e.last_accessed_at end as last_accessed_at,
                case when e.is_file then e.metadata end as metadata
            from entries as e
            where e.entry ilike $4 || '%%'
            order by e.entry, e.is_file
        )
        select * from listed as l order by l.%1$I %2$s nulls last, l.name limit $5 offset $6
        $query$,
        sort_column, sort_order
    ) using levels, bucketname, prefix, search, limits, offsets;
end
$$;

-- One page of a bucket's listing under prefix_param, S3 style: objects directly under the
-- prefix, and each deeper folder once (name ending in the delimiter, null id).
create or replace function storage.list_objects_with_delimiter(
    _bucket_id text,
    prefix_param text,
    delimiter_param text,
    max_keys integer default 100,
    start_after text default '',
    next_token text default '',
    sort_order text default 'asc'
)
returns table (
    name text,
    id uuid,
    metadata jsonb,
    updated_at timestamptz,
    created_at timestamptz,
    last_accessed_at timestamptz
)
language sql
stable
set search_path = ''
as $$
    with candidates as (
        select
            coalesce(storage.get_common_prefix(o.name, prefix_param, delimiter_param), o.name) as entry,
            storage.get_common_prefix(o.name, prefix_param, delimiter_param) is null as is_file,
            o.id, o.metadata, o.updated_at, o.created_at, o.last_accessed_at
        from storage.objects as o
        where
            o.bucket_id = _bucket_id
            and left(o.name, length(prefix_param)) = prefix_param
            and o.name collate "C" > greatest(start_after, next_token) collate "C"
    ),
    entries as (
        select distinct on (c.entry)
            c.entry,
            case when c.is_file then c.id end as id,
            case when c.is_file then c.metadata end as metadata,
            case when c.is_file then c.updated_at end as updated_at,
            case when c.is_file then c.created_at end as created_at,
            case when c.is_file then c.last_accessed_at end as last_accessed_at
        from candidates as c
        order by c.entry, c.is_file desc
    )
    select e.entry, e.id, e.metadata, e.updated_at, e.created_at, e.last_accessed_at
    from entries as e
    order by
        case when lower(sort_order) = 'desc' then null else e.entry end collate "C" asc,
        e.entry collate "C" desc
    limit max_keys
$$;

create or replace function storage.list_multipart_uploads_with_delimiter(
    bucket_id text,
    prefix_param text,
    delimiter_param text,
    max_keys integer default 100,
    next_key_token text default '',
    next_upload_token text default ''
)
returns table (key text, id text, created_at timestamptz)
language sql
stable
set search_path = ''
as $$
    select distinct on (coalesce(storage.get_common_prefix(u.key, prefix_param, delimiter_param), u.key))
        coalesce(storage.get_common_prefix(u.key, prefix_param, delimiter_param), u.key) as key,
        u.id,
        u.created_at
    from storage.s3_multipart_uploads as u
    where
        u.bucket_id = list_multipart_uploads_with_delimiter.bucket_id
        and left(u.key, length(prefix_param)) = prefix_param
        and u.key collate "C" > next_key_token collate "C"
        and u.id > next_upload_token
    order by coalesce(storage.get_common_prefix(u.key, prefix_param, delimiter_param), u.key), u.created_at
    limit max_keys
$$;

-- Storage's newer paginated listings: present with their signatures, not implemented here.
create or replace function storage.search_v2(
    prefix text,
    bucket_name text,
    limits integer default 100,
    levels integer default 1,
    start_after text default '',
    sort_order text default 'asc',
    sort_column text default 'name',
    sort_column_after text default ''
)
returns table (
    key text,
    name text,
    id uuid,
    updated_at timestamptz,
    created_at timestamptz,
    last_accessed_at timestamptz,
    metadata jsonb
)
language plpgsql
stable
set search_path = ''
as $$
begin
    raise exception using
        errcode = '0A000',
        message = 'storage.search_v2 is not implemented by khepri-db''s compatibility layer',
        hint = 'use storage.search or storage.list_objects_with_delimiter, or a real Supabase database';
end
$$;

create or replace function storage.search_by_timestamp(
    p_prefix text,
    p_bucket_id text,
    p_limit integer,
    p_level integer,
    p_start_after text,
    p_sort_order text,
    p_sort_column text,
    p_sort_column_after text
)
returns table (
    key text,
    name text,
    id uuid,
    updated_at timestamptz,
    created_at timestamptz,
    last_accessed_at timestamptz,
    metadata jsonb
)
language plpgsql
stable
set search_path = ''
as $$
begin
    raise exception using
        errcode = '0A000',
        message = 'storage.search_by_timestamp is not implemented by khepri-db''s compatibility layer',
        hint = 'use storage.search, or a real Supabase database';
end
$$;

-- Triggers Storage installs: updated_at on objects, the bucket name limit, and a guard against
-- direct deletes (Storage's API sets storage.allow_delete_query; a migration that deletes
-- storage rows must too, on Supabase as here).
create or replace function storage.update_updated_at_column()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    new.updated_at = now();
    return new;
end
$$;

create or replace function storage.enforce_bucket_name_length()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if length(new.name) > 100 then
        raise exception using
            errcode = '22023',
            message = format('bucket name "%s" is too long (%s characters). Max is 100.', new.name, length(new.name));
    end if;
    return new;
end
$$;

create or replace function storage.protect_delete()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if coalesce(current_setting('storage.allow_delete_query', true), 'false') <> 'true' then
        raise exception using
            errcode = '42501',
            message = format('direct deletion from %I.%I is not allowed; use the Storage API', tg_table_schema, tg_table_name),
            hint = 'set storage.allow_delete_query = ''true'' for the transaction to delete rows directly';
    end if;
    return null;
end
$$;

create or replace trigger update_objects_updated_at
before update on storage.objects
for each row execute function storage.update_updated_at_column();

create or replace trigger enforce_bucket_name_length_trigger
before insert or update of name on storage.buckets
for each row execute function storage.enforce_bucket_name_length();

create or replace trigger protect_buckets_delete
before delete on storage.buckets
for each statement execute function storage.protect_delete();

create or replace trigger protect_objects_delete
before delete on storage.objects
for each statement execute function storage.protect_delete();

-- Storage's migration history (supabase/storage migrations/tenant 0000-0063), so the schema
-- reads as migrated. Storage stores a sha1 of each file; khepri-db does not ship those files,
-- so hash is empty here.
insert into storage.migrations (id, name, hash) values
(0, 'create-migrations-table', ''),
(1, 'initialmigration', ''),
(2, 'storage-schema', ''),
(3, 'pathtoken-column', ''),
(4, 'add-migrations-rls', ''),
(5, 'add-size-functions', ''),
(6, 'change-column-name-in-get-size', ''),
(7, 'add-rls-to-buckets', ''),
(8, 'add-public-to-buckets', ''),
(9, 'fix-search-function', ''),
(10, '-search-files-search-function', ''),
(11, 'add-trigger-to-auto-update-updated_at-column', ''),
(12, 'add-automatic-avif-detection-flag', ''),
(13, 'add-bucket-custom-limits', ''),
(14, 'use-bytes-for-max-size', ''),
(15, 'add-can-insert-object-function', ''),
(16, 'add-version', ''),
(17, 'drop-owner-foreign-key', ''),
(18, 'add_owner_id_column_deprecate_owner', ''),
(19, 'alter-default-value-objects-id', ''),
(20, 'list-objects-with-delimiter', ''),
(21, 's3-multipart-uploads', ''),
(22, 's3-multipart-uploads-big-ints', ''),
(23, 'optimize-search-function', ''),
(24, 'operation-function', ''),
(25, 'custom-metadata', ''),
(26, 'objects-prefixes', ''),
(27, 'search-v2', ''),
(28, 'object-bucket-name-sorting', ''),
(29, 'create-prefixes', ''),
(30, 'update-object-levels', ''),
(31, 'objects-level-index', ''),
(32, 'backward-compatible-index-on-objects', ''),
(33, 'backward-compatible-index-on-prefixes', ''),
(34, 'optimize-search-function-v1', ''),
(35, 'add-insert-trigger-prefixes', ''),
(36, 'optimise-existing-functions', ''),
(37, 'add-bucket-name-length-trigger', ''),
(38, 'iceberg-catalog-flag-on-buckets', ''),
(39, 'add-search-v2-sort-support', ''),
(40, 'fix-prefix-race-conditions-optimized', ''),
(41, 'add-object-level-update-trigger', ''),
(42, 'rollback-prefix-triggers', ''),
(43, 'fix-object-level', ''),
(44, 'vector-bucket-type', ''),
(45, 'vector-buckets', ''),
(46, 'buckets-objects-grants', ''),
(47, 'iceberg-table-metadata', ''),
(48, 'iceberg-catalog-ids', ''),
(49, 'buckets-objects-grants-postgres', ''),
(50, 'search-v2-optimised', ''),
(51, 'index-backward-compatible-search', ''),
(52, 'drop-not-used-indexes-and-functions', ''),
(53, 'drop-index-lower-name', ''),
(54, 'drop-index-object-level', ''),
(55, 'prevent-direct-deletes', ''),
(56, 'fix-optimized-search-function', ''),
(57, 's3-multipart-uploads-metadata', ''),
(58, 'operation-ergonomics', ''),
(59, 'drop-unused-functions', ''),
(60, 'optimize-existing-functions-again', ''),
(61, 'mark-filename-immutable', ''),
(62, 'object-versioning-core', ''),
(63, 'fix-search-name-relative-to-prefix', '')
on conflict (id) do nothing;

-- Ownership and privileges as on Supabase.
do $$
declare
    rel record;
begin
    for rel in
        select c.oid::regclass as name
        from pg_catalog.pg_class as c
        where c.relnamespace = 'storage'::regnamespace and c.relkind in ('r', 'p', 'v')
    loop
        execute format('alter table %s owner to supabase_storage_admin', rel.name);
    end loop;
    for rel in
        select p.oid::regprocedure as name
        from pg_catalog.pg_proc as p
        where p.pronamespace = 'storage'::regnamespace
    loop
        execute format('alter function %s owner to supabase_storage_admin', rel.name);
    end loop;
end
$$;
alter type storage.buckettype owner to supabase_storage_admin;

grant all on table storage.buckets, storage.objects, storage.buckets_analytics, storage.buckets_vectors,
storage.vector_indexes to anon, authenticated, service_role;
grant all on table storage.s3_multipart_uploads, storage.s3_multipart_uploads_parts, storage.iceberg_namespaces,
storage.iceberg_tables to service_role;
grant select on table storage.s3_multipart_uploads, storage.s3_multipart_uploads_parts, storage.iceberg_namespaces,
storage.iceberg_tables to anon, authenticated;
grant all on all tables in schema storage to postgres, dashboard_user;
grant all on all sequences in schema storage to postgres, dashboard_user;
grant all on all routines in schema storage to postgres, dashboard_user;
revoke all on table storage.migrations from anon, authenticated, service_role, postgres;
grant execute on all functions in schema storage to anon, authenticated, service_role;
