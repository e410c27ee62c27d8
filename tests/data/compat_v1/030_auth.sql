-- The part of Supabase Auth's schema that application migrations and policies use: auth.users
-- with its real column set, and the request-claim functions auth.uid(), auth.role(),
-- auth.email(), auth.jwt(). Owned by supabase_auth_admin as on Supabase; the API roles may use
-- the schema and call the functions but have no privilege on auth.users (a policy that reads
-- it fails with "permission denied for table users", exactly as on Supabase).
create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;
-- The owner of auth.users needs the schema too: foreign-key checks against auth.users run as it.
grant all on schema auth to supabase_auth_admin;

create table if not exists auth.users (
    instance_id uuid,
    id uuid not null,
    aud varchar(255),
    role varchar(255),
    email varchar(255),
    encrypted_password varchar(255),
    email_confirmed_at timestamptz,
    invited_at timestamptz,
    confirmation_token varchar(255),
    confirmation_sent_at timestamptz,
    recovery_token varchar(255),
    recovery_sent_at timestamptz,
    email_change_token_new varchar(255),
    email_change varchar(255),
    email_change_sent_at timestamptz,
    last_sign_in_at timestamptz,
    raw_app_meta_data jsonb,
    raw_user_meta_data jsonb,
    is_super_admin boolean,
    created_at timestamptz,
    updated_at timestamptz,
    phone text default null,
    phone_confirmed_at timestamptz,
    phone_change text default '',
    phone_change_token varchar(255) default '',
    phone_change_sent_at timestamptz,
    confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
    email_change_token_current varchar(255) default '',
    email_change_confirm_status smallint default 0,
    banned_until timestamptz,
    reauthentication_token varchar(255) default '',
    reauthentication_sent_at timestamptz,
    is_sso_user boolean not null default false,
    deleted_at timestamptz,
    is_anonymous boolean not null default false,
    constraint users_pkey primary key (id),
    constraint users_phone_key unique (phone),
    constraint users_email_change_confirm_status_check check (
        email_change_confirm_status >= 0 and email_change_confirm_status <= 2
    )
);

create unique index if not exists users_email_partial_key on auth.users (email) where (is_sso_user = false);
create index if not exists users_instance_id_idx on auth.users (instance_id);
create index if not exists users_instance_id_email_idx on auth.users (instance_id, lower(email::text));
create index if not exists users_is_anonymous_idx on auth.users (is_anonymous);

comment on table auth.users is
'One row per user account (Supabase Auth). Installed by khepri-db''s compatibility layer with the same columns.';

-- Request identity. PostgREST puts the verified JWT's claims in request.jwt.claims; older
-- PostgREST versions set one request.jwt.claim.<name> setting per claim. Like Supabase's own
-- definitions, the legacy per-claim setting is read first, and an empty setting counts as unset.
create or replace function auth.uid()
returns uuid
language sql
stable
set search_path = ''
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim.sub', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
    )::uuid
$$;

create or replace function auth.role()
returns text
language sql
stable
set search_path = ''
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim.role', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
    )::text
$$;

create or replace function auth.email()
returns text
language sql
stable
set search_path = ''
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim.email', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
    )::text
$$;

create or replace function auth.jwt()
returns jsonb
language sql
stable
set search_path = ''
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$$;

comment on function auth.uid() is 'The signed-in user''s id: the sub claim of the request JWT, or null.';
comment on function auth.role() is 'The role claim of the request JWT (anon, authenticated, service_role), or null.';
comment on function auth.email() is 'The email claim of the request JWT, or null.';
comment on function auth.jwt() is 'All claims of the request JWT as jsonb, or null outside a request.';

alter table auth.users owner to supabase_auth_admin;
alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
alter function auth.jwt() owner to supabase_auth_admin;
