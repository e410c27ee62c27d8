-- Demo data for local development: one athlete with an active plan and its first week.
-- Runs after the migrations with `khepri-db migrate --include-seed` or `supabase db reset`.
-- Idempotent: every insert skips rows that already exist.

insert into auth.users (
    instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
    raw_app_meta_data, raw_user_meta_data, created_at, updated_at
)
values (
    '00000000-0000-0000-0000-000000000000',
    '5eed0000-0000-4000-8000-000000000001',
    'authenticated',
    'authenticated',
    'demo.runner@khepri.test',
    '',
    now(),
    '{"provider": "email", "providers": ["email"]}',
    '{"display_name": "Demo Runner"}',
    now(),
    now()
)
on conflict (id) do nothing;

insert into public.athletes (id, auth_user_id, display_name, timezone, units, onboarding_completed_at)
values (
    '5eed0000-0000-4000-8000-0000000000a1',
    '5eed0000-0000-4000-8000-000000000001',
    'Demo Runner',
    'Europe/Paris',
    'metric',
    now()
)
on conflict (auth_user_id) do nothing;

insert into public.training_plans (id, athlete_id, name, status, starts_on, total_weeks)
values (
    '5eed0000-0000-4000-8000-0000000000b1',
    '5eed0000-0000-4000-8000-0000000000a1',
    'First 10K',
    'active',
    date '2026-11-23',
    8
)
on conflict (id) do nothing;

insert into public.workouts (
    athlete_id, plan_id, week_number, day_number, scheduled_on, sport, title,
    planned_duration_s, planned_distance_m
)
values
(
    '5eed0000-0000-4000-8000-0000000000a1', '5eed0000-0000-4000-8000-0000000000b1',
    1, 1, date '2026-11-23', 'run', 'Easy run', 1800, 5000
),
(
    '5eed0000-0000-4000-8000-0000000000a1', '5eed0000-0000-4000-8000-0000000000b1',
    1, 3, date '2026-11-25', 'run', 'Intervals: 6 x 400 m', 2700, 6000
),
(
    '5eed0000-0000-4000-8000-0000000000a1', '5eed0000-0000-4000-8000-0000000000b1',
    1, 5, date '2026-11-27', 'strength', 'Runner''s strength circuit', 1800, null
),
(
    '5eed0000-0000-4000-8000-0000000000a1', '5eed0000-0000-4000-8000-0000000000b1',
    1, 7, date '2026-11-29', 'run', 'Long run', 4200, 10000
)
on conflict (plan_id, week_number, day_number, slot) do nothing;
