-- Khepri schema, part 9: full training plans and workouts, and coach access to them.
--
-- An active coach may read an athlete's plans and workouts and create and change them; deleting
-- stays with the athlete.

alter table public.training_plans
add column goal_id uuid,
add column methodology_id uuid references public.methodologies (id) on delete set null,
add column phases jsonb not null default '[]'::jsonb,
add column weekly_template jsonb not null default '{}'::jsonb,
add column adjustments_log jsonb not null default '[]'::jsonb,
add constraint training_plans_goal_fkey foreign key (goal_id, athlete_id)
references public.goals (id, athlete_id) on delete set null (goal_id),
add constraint training_plans_phases_is_array check (jsonb_typeof(phases) = 'array'),
add constraint training_plans_weekly_template_is_object check (jsonb_typeof(weekly_template) = 'object'),
add constraint training_plans_adjustments_log_is_array check (jsonb_typeof(adjustments_log) = 'array');

comment on column public.training_plans.phases is
'Periodization: [{"name": "base", "weeks": 4, "focus": "..."}, ...] in order.';
comment on column public.training_plans.weekly_template is 'The usual week: {"1": "easy run", "3": "intervals", ...}.';
comment on column public.training_plans.adjustments_log is
'Changes made to the plan after creation: [{"at": "...", "by": "...", "reason": "..."}].';

create index training_plans_goal_id_athlete_id_idx on public.training_plans (goal_id, athlete_id);
create index training_plans_methodology_id_idx on public.training_plans (methodology_id);

alter table public.workouts
add column workout_type text,
add column structure jsonb not null default '{}'::jsonb,
add column planned_load numeric(6, 1),
add column actual_duration_s integer,
add column actual_distance_m integer,
add column rpe smallint,
add column feedback_categories text[],
add column feedback_text text,
add column skip_reason text,
add constraint workouts_workout_type_check check (
    workout_type in (
        'easy', 'recovery', 'tempo', 'threshold', 'intervals', 'long', 'race', 'technique', 'strength',
        'mobility', 'cross_training', 'other'
    )
),
add constraint workouts_structure_is_object check (jsonb_typeof(structure) = 'object'),
add constraint workouts_planned_load_check check (planned_load between 0 and 2000),
add constraint workouts_actual_duration_s_check check (actual_duration_s between 1 and 172800),
add constraint workouts_actual_distance_m_check check (actual_distance_m between 0 and 2000000),
add constraint workouts_rpe_check check (rpe between 1 and 10),
add constraint workouts_feedback_categories_check check (
    feedback_categories <@ array[
        'too_easy', 'too_hard', 'just_right', 'pain', 'fatigue', 'illness', 'time', 'motivation', 'weather',
        'equipment', 'other'
    ]::text[]
),
add constraint workouts_feedback_text_length check (char_length(feedback_text) <= 5000),
add constraint workouts_skip_reason_length check (char_length(btrim(skip_reason)) between 1 and 1000),
add constraint workouts_actuals_only_when_completed check (
    status = 'completed' or num_nonnulls(actual_duration_s, actual_distance_m, rpe) = 0
),
add constraint workouts_skip_reason_only_when_skipped check (status = 'skipped' or skip_reason is null);

comment on column public.workouts.planned_load is 'Planned training load (training stress score).';
comment on column public.workouts.structure is
'Steps of the session: {"steps": [{"duration_s": 600, "target": "Z2"}, ...]}.';
comment on column public.workouts.rpe is 'Rating of perceived exertion after the session, 1-10.';

-- Coach-aware policies replace the owner-only ones for reading, creating and changing.
drop policy training_plans_select_owner on public.training_plans;
drop policy training_plans_insert_owner on public.training_plans;
drop policy training_plans_update_owner on public.training_plans;

create policy training_plans_select_owner_or_coach on public.training_plans
for select to authenticated
using (athlete_id = any((select khepri_private.accessible_athlete_ids())::uuid[]));

create policy training_plans_insert_owner_or_coach on public.training_plans
for insert to authenticated
with check (athlete_id = any((select khepri_private.accessible_athlete_ids())::uuid[]));

create policy training_plans_update_owner_or_coach on public.training_plans
for update to authenticated
using (athlete_id = any((select khepri_private.accessible_athlete_ids())::uuid[]))
with check (athlete_id = any((select khepri_private.accessible_athlete_ids())::uuid[]));

drop policy workouts_select_owner on public.workouts;
drop policy workouts_insert_owner on public.workouts;
drop policy workouts_update_owner on public.workouts;

create policy workouts_select_owner_or_coach on public.workouts
for select to authenticated
using (athlete_id = any((select khepri_private.accessible_athlete_ids())::uuid[]));

create policy workouts_insert_owner_or_coach on public.workouts
for insert to authenticated
with check (athlete_id = any((select khepri_private.accessible_athlete_ids())::uuid[]));

create policy workouts_update_owner_or_coach on public.workouts
for update to authenticated
using (athlete_id = any((select khepri_private.accessible_athlete_ids())::uuid[]))
with check (athlete_id = any((select khepri_private.accessible_athlete_ids())::uuid[]));
