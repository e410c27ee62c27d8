-- Khepri schema, part 2: training plans and workouts.
--
-- Workouts carry athlete_id as well as plan_id so their policies need no join; the composite
-- foreign key (plan_id, athlete_id) -> training_plans (id, athlete_id) guarantees a workout and
-- its plan always belong to the same athlete.

create table public.training_plans (
    id uuid primary key default gen_random_uuid(),
    athlete_id uuid not null references public.athletes (id) on delete cascade,
    name text not null,
    status text not null default 'draft',
    starts_on date not null,
    ends_on date,
    total_weeks integer,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint training_plans_id_athlete_id_key unique (id, athlete_id),
    constraint training_plans_name_length check (char_length(btrim(name)) between 1 and 200),
    constraint training_plans_status_check check (status in ('draft', 'active', 'completed', 'cancelled')),
    constraint training_plans_dates_check check (ends_on is null or ends_on >= starts_on),
    constraint training_plans_total_weeks_check check (total_weeks between 1 and 104)
);

comment on table public.training_plans is
'One row per training plan of an athlete; at most one is active at a time.';
comment on column public.training_plans.status is 'draft, active, completed or cancelled.';

create index training_plans_athlete_id_idx on public.training_plans (athlete_id);

-- At most one active plan per athlete.
create unique index training_plans_one_active_per_athlete
on public.training_plans (athlete_id)
where status = 'active';

create trigger training_plans_set_updated_at
before update on public.training_plans
for each row execute function public.set_updated_at();

alter table public.training_plans enable row level security;

create policy training_plans_select_owner on public.training_plans
for select to authenticated
using (athlete_id = (select public.current_athlete_id()));

create policy training_plans_insert_owner on public.training_plans
for insert to authenticated
with check (athlete_id = (select public.current_athlete_id()));

create policy training_plans_update_owner on public.training_plans
for update to authenticated
using (athlete_id = (select public.current_athlete_id()))
with check (athlete_id = (select public.current_athlete_id()));

create policy training_plans_delete_owner on public.training_plans
for delete to authenticated
using (athlete_id = (select public.current_athlete_id()));

-- workouts ------------------------------------------------------------------------------------

create table public.workouts (
    id uuid primary key default gen_random_uuid(),
    athlete_id uuid not null references public.athletes (id) on delete cascade,
    plan_id uuid,
    week_number integer,
    day_number integer,
    slot smallint not null default 1,
    scheduled_on date,
    sport text not null,
    title text not null,
    planned_duration_s integer,
    planned_distance_m integer,
    status text not null default 'planned',
    completed_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint workouts_plan_fkey foreign key (plan_id, athlete_id)
    references public.training_plans (id, athlete_id) on delete cascade,
    constraint workouts_plan_position_key unique (plan_id, week_number, day_number, slot),
    constraint workouts_position_check check (
        plan_id is null or (week_number is not null and day_number is not null)
    ),
    constraint workouts_ad_hoc_needs_date check (plan_id is not null or scheduled_on is not null),
    constraint workouts_week_number_check check (week_number between 1 and 104),
    constraint workouts_day_number_check check (day_number between 1 and 7),
    constraint workouts_slot_check check (slot between 1 and 9),
    constraint workouts_sport_check check (sport in ('run', 'bike', 'swim', 'strength', 'rest', 'other')),
    constraint workouts_title_length check (char_length(btrim(title)) between 1 and 200),
    constraint workouts_planned_duration_check check (planned_duration_s between 1 and 86400),
    constraint workouts_planned_distance_check check (planned_distance_m between 1 and 1000000),
    constraint workouts_status_check check (status in ('planned', 'completed', 'skipped')),
    constraint workouts_completed_at_check check ((status = 'completed') = (completed_at is not null))
);

comment on table public.workouts is
'One row per training session: a slot of a plan (plan, week, day, slot) or an ad-hoc session. '
'The unit of progress: its status records completion.';
comment on column public.workouts.planned_duration_s is 'Planned duration in seconds.';
comment on column public.workouts.planned_distance_m is 'Planned distance in metres.';

create index workouts_athlete_id_scheduled_on_idx on public.workouts (athlete_id, scheduled_on);
create index workouts_plan_id_athlete_id_idx on public.workouts (plan_id, athlete_id);

create trigger workouts_set_updated_at
before update on public.workouts
for each row execute function public.set_updated_at();

alter table public.workouts enable row level security;

create policy workouts_select_owner on public.workouts
for select to authenticated
using (athlete_id = (select public.current_athlete_id()));

create policy workouts_insert_owner on public.workouts
for insert to authenticated
with check (athlete_id = (select public.current_athlete_id()));

create policy workouts_update_owner on public.workouts
for update to authenticated
using (athlete_id = (select public.current_athlete_id()))
with check (athlete_id = (select public.current_athlete_id()));

create policy workouts_delete_owner on public.workouts
for delete to authenticated
using (athlete_id = (select public.current_athlete_id()));

revoke all on table public.training_plans, public.workouts from anon;
revoke truncate, references, trigger on table public.training_plans, public.workouts from authenticated;
