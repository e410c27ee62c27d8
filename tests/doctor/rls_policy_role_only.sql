-- rls_policy_role_only: a SELECT policy on a per-athlete table that checks only the caller's role,
-- so every signed-in user reads every athlete's check-ins.
-- expect: public.mood_checkins policy_name=mood_checkins_select
-- level: ERROR
create table public.mood_checkins (
    id uuid primary key default gen_random_uuid(),
    athlete_id uuid not null references public.athletes (id),
    mood int
);
alter table public.mood_checkins enable row level security;
create policy mood_checkins_select on public.mood_checkins for select to authenticated
using ((select auth.role()) = 'authenticated');

-- fixed: the policy checks whose row it is.
alter policy mood_checkins_select on public.mood_checkins
using (athlete_id = (select public.current_athlete_id()));
