-- Khepri schema, part 7: coach links and training methodologies.
--
-- A coach is another auth user the athlete invites. The link starts pending; only that coach can
-- accept it (active); either side can revoke it, which stops the coach's access at once because
-- every coach-aware policy reads the links when the statement runs.

create table public.coach_links (
    id uuid primary key default gen_random_uuid(),
    athlete_id uuid not null references public.athletes (id) on delete cascade,
    coach_user_id uuid not null references auth.users (id) on delete cascade,
    status text not null default 'pending',
    invited_at timestamptz not null default now(),
    accepted_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint coach_links_athlete_id_coach_user_id_key unique (athlete_id, coach_user_id),
    constraint coach_links_status_check check (status in ('pending', 'active', 'revoked')),
    constraint coach_links_accepted_at_check check (status <> 'active' or accepted_at is not null),
    constraint coach_links_revoked_at_check check ((status = 'revoked') = (revoked_at is not null))
);

comment on table public.coach_links is
'One row per (athlete, coach) pair: the athlete''s invitation of another user as coach, and its state.';

create index coach_links_coach_user_id_status_idx on public.coach_links (coach_user_id, status);

create trigger coach_links_set_updated_at
before update on public.coach_links
for each row execute function public.set_updated_at();

-- The caller's own athlete id plus the athletes they actively coach. Policies use it wrapped in a
-- select, so it runs once per statement.
create or replace function khepri_private.accessible_athlete_ids()
returns uuid[]
language sql
stable
security invoker
set search_path = ''
as $$
    select array(
        select a.id from public.athletes as a where a.auth_user_id = (select auth.uid())
        union all
        select l.athlete_id
        from public.coach_links as l
        where l.coach_user_id = (select auth.uid()) and l.status = 'active'
    )
$$;

comment on function khepri_private.accessible_athlete_ids() is
'Athlete ids whose training data the caller may read: their own and those they coach (active links).';

-- Who may move a link to which status. Users may only change status (column privileges); this
-- trigger keeps the identities fixed, lets only the invited coach accept, lets only the athlete
-- invite again after a revocation, and keeps the timestamps. service_role (no auth.uid()) may do
-- anything the constraints allow.
create or replace function khepri_private.coach_links_guard()
returns trigger
language plpgsql
security invoker
set search_path = ''
as $$
declare
    v_uid uuid := auth.uid();
begin
    if tg_op = 'INSERT' then
        if v_uid is not null and new.status <> 'pending' then
            raise exception using
                errcode = '42501',
                message = 'a coach link starts pending: the coach accepts it',
                hint = 'Call link_coach(coach_user_id); the coach then calls accept_coach_link(athlete_id).';
        end if;
        new.invited_at := now();
        new.accepted_at := case when new.status = 'active' then now() end;
        new.revoked_at := case when new.status = 'revoked' then now() end;
        return new;
    end if;
    if new.athlete_id <> old.athlete_id or new.coach_user_id <> old.coach_user_id then
        raise exception using errcode = '42501', message = 'the athlete and coach of a coach link cannot change';
    end if;
    if new.status = old.status then
        return new;
    end if;
    if v_uid is not null and new.status = 'active' and (old.status <> 'pending' or v_uid <> old.coach_user_id) then
        raise exception using
            errcode = '42501',
            message = 'only the invited coach can accept a pending coach link';
    end if;
    if v_uid is not null and new.status = 'pending' and (old.status <> 'revoked' or v_uid = old.coach_user_id) then
        raise exception using
            errcode = '42501',
            message = 'only the athlete can invite a coach again, after a revocation';
    end if;
    if new.status = 'pending' then
        new.invited_at := now();
        new.accepted_at := null;
    elsif new.status = 'active' then
        new.accepted_at := now();
    end if;
    new.revoked_at := case when new.status = 'revoked' then now() end;
    return new;
end;
$$;

revoke all on function khepri_private.coach_links_guard() from public, anon, authenticated;
revoke all on function khepri_private.accessible_athlete_ids() from public, anon;
grant execute on function khepri_private.accessible_athlete_ids() to authenticated, service_role;

create trigger coach_links_guard
before insert or update on public.coach_links
for each row execute function khepri_private.coach_links_guard();

alter table public.coach_links enable row level security;

create policy coach_links_select_athlete_or_coach on public.coach_links
for select to authenticated
using (athlete_id = (select public.current_athlete_id()) or coach_user_id = (select auth.uid()));

create policy coach_links_insert_athlete on public.coach_links
for insert to authenticated
with check (athlete_id = (select public.current_athlete_id()) and coach_user_id <> (select auth.uid()));

create policy coach_links_update_athlete_or_coach on public.coach_links
for update to authenticated
using (athlete_id = (select public.current_athlete_id()) or coach_user_id = (select auth.uid()))
with check (athlete_id = (select public.current_athlete_id()) or coach_user_id = (select auth.uid()));

-- Links are kept for history: no delete for users (the athlete's deletion cascades).
revoke all on table public.coach_links from anon;
revoke insert, update, delete, truncate, references, trigger on table public.coach_links from authenticated;
grant insert (athlete_id, coach_user_id) on table public.coach_links to authenticated;
grant update (status) on table public.coach_links to authenticated;

-- methodologies -------------------------------------------------------------------------------

create table public.methodologies (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    sport text not null,
    description text not null,
    principles jsonb not null default '[]'::jsonb,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint methodologies_name_key unique (name),
    constraint methodologies_name_length check (char_length(btrim(name)) between 1 and 200),
    constraint methodologies_sport_check check (
        sport in ('run', 'bike', 'swim', 'triathlon', 'strength', 'general')
    ),
    constraint methodologies_description_length check (char_length(description) between 1 and 10000),
    constraint methodologies_principles_is_array check (jsonb_typeof(principles) = 'array')
);

comment on table public.methodologies is
'One row per training methodology (e.g. polarized, 5/3/1): shared reference data every signed-in user may read.';

create trigger methodologies_set_updated_at
before update on public.methodologies
for each row execute function public.set_updated_at();

alter table public.methodologies enable row level security;

-- Reference data: any signed-in user reads it. Writers: service_role (bypasses RLS) or an admin,
-- recognised by app_metadata, which only the server can set (never user_metadata, which users can).
create policy methodologies_select_signed_in on public.methodologies
for select to authenticated
using (true);

create policy methodologies_insert_admin on public.methodologies
for insert to authenticated
with check (((select auth.jwt()) -> 'app_metadata' ->> 'khepri_role') = 'admin');

create policy methodologies_update_admin on public.methodologies
for update to authenticated
using (((select auth.jwt()) -> 'app_metadata' ->> 'khepri_role') = 'admin')
with check (((select auth.jwt()) -> 'app_metadata' ->> 'khepri_role') = 'admin');

create policy methodologies_delete_admin on public.methodologies
for delete to authenticated
using (((select auth.jwt()) -> 'app_metadata' ->> 'khepri_role') = 'admin');

revoke all on table public.methodologies from anon;
revoke truncate, references, trigger on table public.methodologies from authenticated;
