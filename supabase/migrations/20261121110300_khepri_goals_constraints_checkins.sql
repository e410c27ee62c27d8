-- Khepri schema, part 8: goals, constraints and daily check-ins.
--
-- Owners read and write their rows; an active coach may read them (never write).

create table public.goals (
    id uuid primary key default gen_random_uuid(),
    athlete_id uuid not null references public.athletes (id) on delete cascade,
    goal_type text not null,
    title text not null,
    description text,
    priority text not null default 'B',
    status text not null default 'active',
    target_date date,
    race_name text,
    race_date date,
    race_distance_m integer,
    race_location text,
    race_target_time_s integer,
    performance_metric text,
    performance_current_value numeric(9, 2),
    performance_target_value numeric(9, 2),
    fitness_metric text,
    fitness_target_value numeric(9, 2),
    health_metric text,
    health_target_value numeric(9, 2),
    strength_lift text,
    strength_target_kg numeric(5, 1),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint goals_id_athlete_id_key unique (id, athlete_id),
    constraint goals_goal_type_check check (goal_type in ('race', 'performance', 'fitness', 'health', 'strength')),
    constraint goals_title_length check (char_length(btrim(title)) between 1 and 200),
    constraint goals_description_length check (char_length(description) <= 2000),
    constraint goals_priority_check check (priority in ('A', 'B', 'C')),
    constraint goals_status_check check (status in ('active', 'achieved', 'abandoned')),
    constraint goals_race_name_length check (char_length(btrim(race_name)) between 1 and 200),
    constraint goals_race_distance_m_check check (race_distance_m between 100 and 1000000),
    constraint goals_race_location_length check (char_length(race_location) between 1 and 200),
    constraint goals_race_target_time_s_check check (race_target_time_s between 60 and 1209600),
    constraint goals_performance_metric_check check (
        performance_metric in ('ftp_watts', 'threshold_pace_s_per_km', 'css_s_per_100m', 'vo2max', 'time_trial_s')
    ),
    constraint goals_fitness_metric_check check (
        fitness_metric in ('weekly_hours', 'weekly_distance_km', 'sessions_per_week', 'longest_session_minutes')
    ),
    constraint goals_health_metric_check check (
        health_metric in ('weight_kg', 'body_fat_pct', 'resting_hr_bpm', 'sleep_hours', 'hrv_ms')
    ),
    constraint goals_strength_lift_check check (
        strength_lift in ('squat', 'bench', 'deadlift', 'overhead_press', 'total')
    ),
    constraint goals_strength_target_kg_check check (strength_target_kg between 1 and 1500),
    constraint goals_targets_positive check (
        coalesce(performance_target_value, 1) > 0 and coalesce(performance_current_value, 1) > 0
        and coalesce(fitness_target_value, 1) > 0 and coalesce(health_target_value, 1) > 0
    ),
    -- Each type has its own fields, required for that type and absent for the others.
    constraint goals_race_fields check (
        case
            when goal_type = 'race' then race_date is not null and race_distance_m is not null
            else num_nonnulls(race_name, race_date, race_distance_m, race_location, race_target_time_s) = 0
        end
    ),
    constraint goals_performance_fields check (
        case
            when goal_type = 'performance' then performance_metric is not null and performance_target_value is not null
            else num_nonnulls(performance_metric, performance_current_value, performance_target_value) = 0
        end
    ),
    constraint goals_fitness_fields check (
        case
            when goal_type = 'fitness' then fitness_metric is not null and fitness_target_value is not null
            else num_nonnulls(fitness_metric, fitness_target_value) = 0
        end
    ),
    constraint goals_health_fields check (
        case
            when goal_type = 'health' then health_metric is not null and health_target_value is not null
            else num_nonnulls(health_metric, health_target_value) = 0
        end
    ),
    constraint goals_strength_fields check (
        case
            when goal_type = 'strength' then strength_lift is not null and strength_target_kg is not null
            else num_nonnulls(strength_lift, strength_target_kg) = 0
        end
    )
);

comment on table public.goals is
'One row per goal of an athlete: a race, a performance number, fitness, health or strength target, by priority.';
comment on column public.goals.race_distance_m is 'Race distance in metres.';
comment on column public.goals.race_target_time_s is 'Target finishing time in seconds.';

create index goals_athlete_id_status_idx on public.goals (athlete_id, status);

create trigger goals_set_updated_at
before update on public.goals
for each row execute function public.set_updated_at();

-- constraints -----------------------------------------------------------------------------------

create table public.constraints (
    id uuid primary key default gen_random_uuid(),
    athlete_id uuid not null references public.athletes (id) on delete cascade,
    constraint_type text not null,
    description text,
    starts_on date not null default current_date,
    ends_on date,
    status text not null default 'active',
    injury_body_part text,
    injury_severity smallint,
    injury_restrictions text[],
    travel_destination text,
    travel_equipment text[],
    travel_facilities text[],
    availability_hours_per_week numeric(4, 1),
    availability_days smallint[],
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint constraints_constraint_type_check check (constraint_type in ('injury', 'travel', 'availability')),
    constraint constraints_description_length check (char_length(description) <= 2000),
    constraint constraints_dates_check check (ends_on is null or ends_on >= starts_on),
    constraint constraints_status_check check (status in ('active', 'resolved')),
    constraint constraints_injury_body_part_length check (char_length(btrim(injury_body_part)) between 1 and 100),
    constraint constraints_injury_severity_check check (injury_severity between 1 and 10),
    constraint constraints_travel_destination_length check (char_length(btrim(travel_destination)) between 1 and 200),
    constraint constraints_availability_hours_per_week_check check (availability_hours_per_week between 0 and 60),
    constraint constraints_availability_days_check check (
        availability_days <@ array[1, 2, 3, 4, 5, 6, 7]::smallint[]
    ),
    constraint constraints_injury_fields check (
        case
            when constraint_type = 'injury' then injury_body_part is not null and injury_severity is not null
            else num_nonnulls(injury_body_part, injury_severity, injury_restrictions) = 0
        end
    ),
    constraint constraints_travel_fields check (
        case
            when constraint_type = 'travel' then travel_destination is not null
            else num_nonnulls(travel_destination, travel_equipment, travel_facilities) = 0
        end
    ),
    constraint constraints_availability_fields check (
        case
            when constraint_type = 'availability'
                then num_nonnulls(availability_hours_per_week, availability_days) > 0
            else num_nonnulls(availability_hours_per_week, availability_days) = 0
        end
    )
);

comment on table public.constraints is
'One row per limitation on training (an injury, a trip, changed availability) from starts_on to ends_on '
'(null: ongoing).';
comment on column public.constraints.availability_days is 'ISO weekdays available for training, 1 = Monday.';

create index constraints_athlete_id_status_idx on public.constraints (athlete_id, status);

create trigger constraints_set_updated_at
before update on public.constraints
for each row execute function public.set_updated_at();

-- daily_checkins --------------------------------------------------------------------------------

create table public.daily_checkins (
    id uuid primary key default gen_random_uuid(),
    athlete_id uuid not null references public.athletes (id) on delete cascade,
    checkin_date date not null,
    sleep_quality smallint,
    sleep_hours numeric(4, 2),
    energy_level smallint,
    stress_level smallint,
    soreness_level smallint,
    soreness_areas jsonb not null default '{}'::jsonb,
    resting_hr_bpm smallint,
    hrv_ms numeric(5, 1),
    weight_kg numeric(5, 2),
    available_minutes smallint,
    equipment text[],
    travel_status text,
    notes text,
    ai_recommendation jsonb,
    recommendation_response text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint daily_checkins_athlete_id_checkin_date_key unique (athlete_id, checkin_date),
    constraint daily_checkins_sleep_quality_check check (sleep_quality between 1 and 10),
    constraint daily_checkins_sleep_hours_check check (sleep_hours between 0 and 24),
    constraint daily_checkins_energy_level_check check (energy_level between 1 and 10),
    constraint daily_checkins_stress_level_check check (stress_level between 1 and 10),
    constraint daily_checkins_soreness_level_check check (soreness_level between 1 and 10),
    constraint daily_checkins_soreness_areas_is_object check (jsonb_typeof(soreness_areas) = 'object'),
    constraint daily_checkins_resting_hr_bpm_check check (resting_hr_bpm between 20 and 150),
    constraint daily_checkins_hrv_ms_check check (hrv_ms between 1 and 500),
    constraint daily_checkins_weight_kg_check check (weight_kg between 20 and 400),
    constraint daily_checkins_available_minutes_check check (available_minutes between 0 and 1440),
    constraint daily_checkins_travel_status_check check (travel_status in ('home', 'traveling', 'limited')),
    constraint daily_checkins_notes_length check (char_length(notes) <= 2000),
    constraint daily_checkins_ai_recommendation_is_object check (jsonb_typeof(ai_recommendation) = 'object'),
    constraint daily_checkins_recommendation_response_check check (
        recommendation_response in ('accepted', 'modified', 'skipped', 'alternative')
    ),
    constraint daily_checkins_response_needs_recommendation check (
        recommendation_response is null or ai_recommendation is not null
    )
);

comment on table public.daily_checkins is
'One row per athlete per day: how they slept and feel, objective numbers, context, and the coach''s '
'recommendation with the athlete''s response.';
comment on column public.daily_checkins.soreness_areas is 'Sore body parts and how sore (1-10), e.g. {"calves": 6}.';

create trigger daily_checkins_set_updated_at
before update on public.daily_checkins
for each row execute function public.set_updated_at();

-- RLS: the owner writes; the owner and an active coach read. --------------------------------------

alter table public.goals enable row level security;
alter table public.constraints enable row level security;
alter table public.daily_checkins enable row level security;

create policy goals_select_owner_or_coach on public.goals
for select to authenticated
using (athlete_id = any((select khepri_private.accessible_athlete_ids())::uuid[]));

create policy goals_insert_owner on public.goals
for insert to authenticated
with check (athlete_id = (select public.current_athlete_id()));

create policy goals_update_owner on public.goals
for update to authenticated
using (athlete_id = (select public.current_athlete_id()))
with check (athlete_id = (select public.current_athlete_id()));

create policy goals_delete_owner on public.goals
for delete to authenticated
using (athlete_id = (select public.current_athlete_id()));

create policy constraints_select_owner_or_coach on public.constraints
for select to authenticated
using (athlete_id = any((select khepri_private.accessible_athlete_ids())::uuid[]));

create policy constraints_insert_owner on public.constraints
for insert to authenticated
with check (athlete_id = (select public.current_athlete_id()));

create policy constraints_update_owner on public.constraints
for update to authenticated
using (athlete_id = (select public.current_athlete_id()))
with check (athlete_id = (select public.current_athlete_id()));

create policy constraints_delete_owner on public.constraints
for delete to authenticated
using (athlete_id = (select public.current_athlete_id()));

create policy daily_checkins_select_owner_or_coach on public.daily_checkins
for select to authenticated
using (athlete_id = any((select khepri_private.accessible_athlete_ids())::uuid[]));

create policy daily_checkins_insert_owner on public.daily_checkins
for insert to authenticated
with check (athlete_id = (select public.current_athlete_id()));

create policy daily_checkins_update_owner on public.daily_checkins
for update to authenticated
using (athlete_id = (select public.current_athlete_id()))
with check (athlete_id = (select public.current_athlete_id()));

create policy daily_checkins_delete_owner on public.daily_checkins
for delete to authenticated
using (athlete_id = (select public.current_athlete_id()));

revoke all on table public.goals, public.constraints, public.daily_checkins from anon;
revoke truncate, references, trigger on table public.goals, public.constraints, public.daily_checkins
from authenticated;
