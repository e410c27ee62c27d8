-- Khepri schema, part 1: shared helpers, athletes and idempotency keys.
--
-- Every Khepri table hangs off public.athletes (one row per auth user). Policies find the
-- caller's athlete with public.current_athlete_id(), wrapped in a select so Postgres evaluates it
-- once per statement, not once per row.

-- Shared trigger function: keeps updated_at current. Trigger functions need no EXECUTE grant to
-- fire, so nobody may call it directly.
create or replace function public.set_updated_at()
returns trigger
language plpgsql
security invoker
set search_path = ''
as $$
begin
    new.updated_at := now();
    return new;
end;
$$;

comment on function public.set_updated_at() is
'Trigger function shared by every Khepri table: sets updated_at to now() on update.';

revoke execute on function public.set_updated_at() from public, anon, authenticated;

-- True when tz is a time zone name Postgres knows (IANA names such as Europe/Paris, or UTC).
create or replace function public.is_valid_timezone(tz text)
returns boolean
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
    if tz is null or tz !~ '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$' then
        return false;
    end if;
    perform now() at time zone tz;
    return true;
exception
    when invalid_parameter_value then
        return false;
end;
$$;

comment on function public.is_valid_timezone(text) is
'True when the argument is a time zone name Postgres recognises (IANA names such as Europe/Paris).';

-- athletes ------------------------------------------------------------------------------------

create table public.athletes (
    id uuid primary key default gen_random_uuid(),
    auth_user_id uuid not null references auth.users (id) on delete cascade,
    display_name text not null,
    units text not null default 'metric',
    timezone text not null default 'UTC',
    preferences jsonb not null default '{}'::jsonb,
    onboarding_completed_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint athletes_auth_user_id_key unique (auth_user_id),
    constraint athletes_display_name_length check (char_length(btrim(display_name)) between 1 and 100),
    constraint athletes_units_check check (units in ('metric', 'imperial')),
    constraint athletes_timezone_check check (public.is_valid_timezone(timezone)),
    constraint athletes_preferences_is_object check (jsonb_typeof(preferences) = 'object')
);

comment on table public.athletes is
'One row per signed-in user who coaches themselves with Khepri: profile and preferences.';
comment on column public.athletes.auth_user_id is 'The auth.users row this athlete is; unique: one athlete per user.';
comment on column public.athletes.units is 'Display units: metric or imperial. Stored values are always SI.';
comment on column public.athletes.timezone is 'IANA time zone name, used to decide what "today" is.';
comment on column public.athletes.onboarding_completed_at is 'Set once by finalize_onboarding().';

create trigger athletes_set_updated_at
before update on public.athletes
for each row execute function public.set_updated_at();

alter table public.athletes enable row level security;

create policy athletes_select_owner on public.athletes
for select to authenticated
using (auth_user_id = (select auth.uid()));

create policy athletes_insert_owner on public.athletes
for insert to authenticated
with check (auth_user_id = (select auth.uid()));

create policy athletes_update_owner on public.athletes
for update to authenticated
using (auth_user_id = (select auth.uid()))
with check (auth_user_id = (select auth.uid()));

create policy athletes_delete_owner on public.athletes
for delete to authenticated
using (auth_user_id = (select auth.uid()));

-- The caller's athlete id, for policies on every table that references athletes.
create or replace function public.current_athlete_id()
returns uuid
language sql
stable
security invoker
set search_path = ''
as $$
    select a.id from public.athletes as a where a.auth_user_id = (select auth.uid())
$$;

comment on function public.current_athlete_id() is
'The id of the signed-in user''s athlete row, or null. Runs with the caller''s rights (RLS applies).';

revoke execute on function public.current_athlete_id() from public, anon;
grant execute on function public.current_athlete_id() to authenticated, service_role;

-- idempotency_keys --------------------------------------------------------------------------------

create table public.idempotency_keys (
    user_id uuid not null references auth.users (id) on delete cascade,
    operation text not null,
    key text not null,
    request_hash text not null,
    response jsonb,
    expires_at timestamptz not null default now() + interval '24 hours',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint idempotency_keys_pkey primary key (user_id, operation, key),
    constraint idempotency_keys_key_length check (char_length(key) between 1 and 255),
    constraint idempotency_keys_operation_format check (operation ~ '^[a-z][a-z0-9_]{0,62}$'),
    constraint idempotency_keys_request_hash_format check (request_hash ~ '^[0-9a-f]{64}$'),
    constraint idempotency_keys_expiry_after_creation check (expires_at > created_at)
);

comment on table public.idempotency_keys is
'One row per (user, operation, client-chosen key): the first result of a retried RPC call, replayed '
'to that same user only, until expires_at. Written only by SECURITY DEFINER RPCs.';
comment on column public.idempotency_keys.request_hash is
'sha256 of the call''s arguments: the same key with different arguments is refused, not replayed.';

create index idempotency_keys_expires_at_idx on public.idempotency_keys (expires_at);

create trigger idempotency_keys_set_updated_at
before update on public.idempotency_keys
for each row execute function public.set_updated_at();

alter table public.idempotency_keys enable row level security;

-- Users may see their own keys; only the RPCs that own the protocol write them.
create policy idempotency_keys_select_owner on public.idempotency_keys
for select to authenticated
using (user_id = (select auth.uid()));

-- Least privilege on top of RLS: anon has no business with Khepri tables at all, and no API role
-- needs TRUNCATE (which RLS does not check), REFERENCES or TRIGGER.
revoke all on table public.athletes, public.idempotency_keys from anon;
revoke truncate, references, trigger on table public.athletes, public.idempotency_keys from authenticated;
revoke insert, update, delete on table public.idempotency_keys from authenticated;
