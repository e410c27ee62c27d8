-- Demo data for local development: three athletes (a runner, a triathlete, a lifter), a coach,
-- goals, constraints, two weeks of daily check-ins, active plans with completed and skipped
-- sessions, a coach link and training methodologies.
-- Runs after the migrations with `khepri-db seed`, `khepri-db migrate --include-seed` or
-- `supabase db reset`. Idempotent: fixed ids and dates, and every insert skips existing rows.

insert into auth.users (
    instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
    raw_app_meta_data, raw_user_meta_data, created_at, updated_at
)
values
(
    '00000000-0000-0000-0000-000000000000', '5eed0000-0000-4000-8000-000000000001', 'authenticated',
    'authenticated', 'demo.runner@khepri.test', '', '2026-11-01 08:00+00',
    '{"provider": "email", "providers": ["email"]}', '{"display_name": "Demo Runner"}',
    '2026-11-01 08:00+00', '2026-11-01 08:00+00'
),
(
    '00000000-0000-0000-0000-000000000000', '5eed0000-0000-4000-8000-000000000002', 'authenticated',
    'authenticated', 'demo.triathlete@khepri.test', '', '2026-11-01 08:00+00',
    '{"provider": "email", "providers": ["email"]}', '{"display_name": "Demo Triathlete"}',
    '2026-11-01 08:00+00', '2026-11-01 08:00+00'
),
(
    '00000000-0000-0000-0000-000000000000', '5eed0000-0000-4000-8000-000000000003', 'authenticated',
    'authenticated', 'demo.lifter@khepri.test', '', '2026-11-01 08:00+00',
    '{"provider": "email", "providers": ["email"]}', '{"display_name": "Demo Lifter"}',
    '2026-11-01 08:00+00', '2026-11-01 08:00+00'
),
(
    '00000000-0000-0000-0000-000000000000', '5eed0000-0000-4000-8000-000000000004', 'authenticated',
    'authenticated', 'demo.coach@khepri.test', '', '2026-11-01 08:00+00',
    '{"provider": "email", "providers": ["email"]}', '{"display_name": "Demo Coach"}',
    '2026-11-01 08:00+00', '2026-11-01 08:00+00'
)
on conflict (id) do nothing;

insert into public.methodologies (id, name, sport, description, principles)
values
(
    '5eed0000-0000-4000-8000-0000000000e1', 'Polarized endurance', 'run',
    'About 80% of training time at low intensity, 20% hard, little in between.',
    '["most sessions easy (zone 1-2)", "one or two hard sessions a week", "long run builds aerobic base"]'
),
(
    '5eed0000-0000-4000-8000-0000000000e2', 'Triathlon base building', 'triathlon',
    'Consistent volume across swim, bike and run before race-specific intensity.',
    '["frequency over volume in the water", "brick sessions monthly", "one rest day a week"]'
),
(
    '5eed0000-0000-4000-8000-0000000000e3', '5/3/1', 'strength',
    'Four-week waves on the main lifts from a training max of 90% of the one-rep max.',
    '["start light", "progress slowly", "break personal records on the last set"]'
),
(
    '5eed0000-0000-4000-8000-0000000000e4', 'Sweet spot cycling', 'bike',
    'Intervals at 88-94% of FTP for time-efficient aerobic gains.',
    '["2-3 sweet spot sessions a week", "extend interval length before intensity"]'
)
on conflict (name) do nothing;

insert into public.athletes (
    id, auth_user_id, display_name, timezone, units, date_of_birth, sex, weight_kg, height_cm,
    daily_checkin_time, experience_level, ftp_watts, threshold_pace_s_per_km, css_s_per_100m,
    resting_hr_bpm, max_hr_bpm, threshold_hr_bpm, one_rm_squat_kg, one_rm_bench_kg, one_rm_deadlift_kg,
    consent_health_data_at, consent_ai_coaching_at, onboarding_completed_at
)
values
(
    '5eed0000-0000-4000-8000-0000000000a1', '5eed0000-0000-4000-8000-000000000001', 'Demo Runner',
    'Europe/Paris', 'metric', '1992-03-14', 'female', 58.5, 168.0, '07:00', 'intermediate', null, 285, null,
    48, 192, 176, null, null, null, '2026-11-01 08:05+00', '2026-11-01 08:05+00', '2026-11-01 08:05+00'
),
(
    '5eed0000-0000-4000-8000-0000000000a2', '5eed0000-0000-4000-8000-000000000002', 'Demo Triathlete',
    'America/Denver', 'imperial', '1987-09-02', 'male', 72.0, 181.0, '06:15', 'advanced', 280, 255, 92,
    44, 186, 168, null, null, null, '2026-11-01 08:05+00', null, '2026-11-01 08:05+00'
),
(
    '5eed0000-0000-4000-8000-0000000000a3', '5eed0000-0000-4000-8000-000000000003', 'Demo Lifter',
    'Asia/Tokyo', 'metric', '1995-12-20', 'other', 84.0, 176.0, '18:30', 'advanced', null, null, null,
    55, null, null, 170.0, 115.0, 210.0, '2026-11-01 08:05+00', '2026-11-01 08:05+00', '2026-11-01 08:05+00'
)
on conflict (auth_user_id) do nothing;

insert into public.goals (
    id, athlete_id, goal_type, title, priority, race_name, race_date, race_distance_m, race_target_time_s,
    performance_metric, performance_current_value, performance_target_value, strength_lift, strength_target_kg
)
values
(
    '5eed0000-0000-4000-8000-0000000000c1', '5eed0000-0000-4000-8000-0000000000a1', 'race', 'Sub-50 10K', 'A',
    'Paris 10K', '2027-01-17', 10000, 2990, null, null, null, null, null
),
(
    '5eed0000-0000-4000-8000-0000000000c2', '5eed0000-0000-4000-8000-0000000000a2', 'race', 'Olympic triathlon',
    'A', 'Boulder Sprint & Olympic', '2027-06-13', 51500, 9000, null, null, null, null, null
),
(
    '5eed0000-0000-4000-8000-0000000000c3', '5eed0000-0000-4000-8000-0000000000a2', 'performance', 'FTP 300 W',
    'B', null, null, null, null, 'ftp_watts', 280, 300, null, null
),
(
    '5eed0000-0000-4000-8000-0000000000c4', '5eed0000-0000-4000-8000-0000000000a3', 'strength', 'Squat 180 kg',
    'A', null, null, null, null, null, null, null, 'squat', 180.0
)
on conflict (id) do nothing;

insert into public.constraints (
    id, athlete_id, constraint_type, description, starts_on, ends_on, status, injury_body_part, injury_severity,
    injury_restrictions, travel_destination, travel_equipment, travel_facilities, availability_hours_per_week,
    availability_days
)
values
(
    '5eed0000-0000-4000-8000-0000000000d1', '5eed0000-0000-4000-8000-0000000000a1', 'injury',
    'Tight left calf after the long run', '2026-11-10', '2026-11-16', 'resolved', 'left calf', 3,
    '{"no hill sprints"}', null, null, null, null, null
),
(
    '5eed0000-0000-4000-8000-0000000000d2', '5eed0000-0000-4000-8000-0000000000a2', 'travel',
    'Work trip', '2026-11-24', '2026-11-27', 'active', null, null, null, 'Chicago',
    '{"running shoes"}', '{"hotel gym", "25 m pool"}', null, null
),
(
    '5eed0000-0000-4000-8000-0000000000d3', '5eed0000-0000-4000-8000-0000000000a3', 'availability',
    'Evening shifts this month', '2026-11-01', null, 'active', null, null, null, null, null, null, 6.0,
    '{1, 3, 5, 6}'
)
on conflict (id) do nothing;

insert into public.training_plans (
    id, athlete_id, name, status, starts_on, ends_on, total_weeks, goal_id, methodology_id, phases,
    weekly_template
)
values
(
    '5eed0000-0000-4000-8000-0000000000b1', '5eed0000-0000-4000-8000-0000000000a1', 'Sub-50 10K block', 'active',
    '2026-11-09', '2027-01-17', 10, '5eed0000-0000-4000-8000-0000000000c1', '5eed0000-0000-4000-8000-0000000000e1',
    '[{"name": "base", "weeks": 4}, {"name": "build", "weeks": 4}, {"name": "taper", "weeks": 2}]',
    '{"1": "easy", "2": "intervals", "4": "tempo", "6": "long", "7": "rest"}'
),
(
    '5eed0000-0000-4000-8000-0000000000b2', '5eed0000-0000-4000-8000-0000000000a2', 'Olympic base', 'active',
    '2026-11-09', null, 12, '5eed0000-0000-4000-8000-0000000000c2', '5eed0000-0000-4000-8000-0000000000e2',
    '[{"name": "base", "weeks": 8}, {"name": "race prep", "weeks": 4}]', '{}'
),
(
    '5eed0000-0000-4000-8000-0000000000b3', '5eed0000-0000-4000-8000-0000000000a3', '5/3/1 cycle', 'draft',
    '2026-11-30', null, 4, '5eed0000-0000-4000-8000-0000000000c4', '5eed0000-0000-4000-8000-0000000000e3',
    '[{"name": "wave", "weeks": 4}]', '{"1": "squat", "3": "bench", "5": "deadlift"}'
)
on conflict (id) do nothing;

insert into public.workouts (
    athlete_id, plan_id, week_number, day_number, scheduled_on, sport, workout_type, title,
    planned_duration_s, planned_distance_m, status, completed_at, actual_duration_s, actual_distance_m, rpe,
    feedback_categories, skip_reason
)
values
(
    '5eed0000-0000-4000-8000-0000000000a1', '5eed0000-0000-4000-8000-0000000000b1', 1, 1, '2026-11-09', 'run',
    'easy', 'Easy run', 2400, 6000, 'completed', '2026-11-09 07:45+00', 2460, 6100, 3, '{"just_right"}', null
),
(
    '5eed0000-0000-4000-8000-0000000000a1', '5eed0000-0000-4000-8000-0000000000b1', 1, 2, '2026-11-10', 'run',
    'intervals', '6 x 800 m', 3000, 8000, 'completed', '2026-11-10 07:50+00', 3050, 8050, 8, '{"too_hard"}', null
),
(
    '5eed0000-0000-4000-8000-0000000000a1', '5eed0000-0000-4000-8000-0000000000b1', 1, 4, '2026-11-12', 'run',
    'tempo', 'Tempo 20 min', 2700, 7000, 'skipped', null, null, null, null, null, 'tight calf'
),
(
    '5eed0000-0000-4000-8000-0000000000a1', '5eed0000-0000-4000-8000-0000000000b1', 1, 6, '2026-11-14', 'run',
    'long', 'Long run', 4500, 12000, 'completed', '2026-11-14 09:30+00', 4620, 12100, 6, '{"fatigue"}', null
),
(
    '5eed0000-0000-4000-8000-0000000000a1', '5eed0000-0000-4000-8000-0000000000b1', 1, 7, '2026-11-15', 'rest',
    null, 'Rest day', null, null, 'planned', null, null, null, null, null, null
),
(
    '5eed0000-0000-4000-8000-0000000000a1', '5eed0000-0000-4000-8000-0000000000b1', 2, 1, '2026-11-16', 'run',
    'easy', 'Easy run', 2400, 6000, 'completed', '2026-11-16 07:40+00', 2380, 6000, 3, '{"just_right"}', null
),
(
    '5eed0000-0000-4000-8000-0000000000a1', '5eed0000-0000-4000-8000-0000000000b1', 2, 2, '2026-11-17', 'run',
    'intervals', '5 x 1 km', 3300, 9000, 'skipped', null, null, null, null, null, 'late meeting'
),
(
    '5eed0000-0000-4000-8000-0000000000a1', '5eed0000-0000-4000-8000-0000000000b1', 2, 4, '2026-11-19', 'run',
    'tempo', 'Tempo 25 min', 3000, 7500, 'completed', '2026-11-19 07:55+00', 3010, 7600, 7, '{"just_right"}', null
),
(
    '5eed0000-0000-4000-8000-0000000000a1', '5eed0000-0000-4000-8000-0000000000b1', 2, 6, '2026-11-21', 'run',
    'long', 'Long run', 4800, 13000, 'planned', null, null, null, null, null, null
),
(
    '5eed0000-0000-4000-8000-0000000000a2', '5eed0000-0000-4000-8000-0000000000b2', 1, 1, '2026-11-09', 'swim',
    'technique', 'Drills 2000 m', 2700, 2000, 'completed', '2026-11-09 13:00+00', 2800, 2000, 4, null, null
),
(
    '5eed0000-0000-4000-8000-0000000000a2', '5eed0000-0000-4000-8000-0000000000b2', 1, 2, '2026-11-10', 'bike',
    'threshold', 'Sweet spot 3 x 12', 3600, null, 'completed', '2026-11-10 13:30+00', 3650, 31000, 7, null, null
),
(
    '5eed0000-0000-4000-8000-0000000000a2', '5eed0000-0000-4000-8000-0000000000b2', 1, 4, '2026-11-12', 'run',
    'easy', 'Easy run', 2700, 7000, 'skipped', null, null, null, null, null, 'snow'
),
(
    '5eed0000-0000-4000-8000-0000000000a3', '5eed0000-0000-4000-8000-0000000000b3', 1, 1, '2026-11-30',
    'strength', 'strength', 'Squat 5/5/5+', 3600, null, 'planned', null, null, null, null, null, null
)
on conflict (plan_id, week_number, day_number, slot) do nothing;

-- Two weeks of daily check-ins for the runner and the triathlete (1-10 scores, deterministic).
insert into public.daily_checkins (
    athlete_id, checkin_date, sleep_quality, sleep_hours, energy_level, stress_level, soreness_level,
    soreness_areas, resting_hr_bpm, hrv_ms, available_minutes, travel_status, ai_recommendation,
    recommendation_response
)
select
    a.athlete_id,
    date '2026-11-08' + d.day_offset as checkin_date,
    5 + (d.day_offset * 3 + a.seed) % 5 as sleep_quality,
    6.5 + ((d.day_offset + a.seed) % 4) * 0.5 as sleep_hours,
    4 + (d.day_offset * 7 + a.seed) % 6 as energy_level,
    2 + (d.day_offset * 5 + a.seed) % 6 as stress_level,
    1 + (d.day_offset * 2 + a.seed) % 7 as soreness_level,
    case when d.day_offset % 4 = 0 then '{"calves": 4}'::jsonb else '{}'::jsonb end as soreness_areas,
    a.resting_hr + (d.day_offset % 3) as resting_hr_bpm,
    55 + (d.day_offset * 4 + a.seed) % 20 as hrv_ms,
    45 + (d.day_offset % 3) * 15 as available_minutes,
    'home' as travel_status,
    jsonb_build_object(
        'session', case when d.day_offset % 3 = 0 then 'easy' else 'as planned' end
    ) as ai_recommendation,
    case when d.day_offset % 5 = 0 then 'modified' else 'accepted' end as recommendation_response
from (
    values
    ('5eed0000-0000-4000-8000-0000000000a1'::uuid, 1, 48),
    ('5eed0000-0000-4000-8000-0000000000a2'::uuid, 2, 44)
) as a (athlete_id, seed, resting_hr)
cross join generate_series(0, 13) as d (day_offset)
on conflict (athlete_id, checkin_date) do nothing;

-- The coach coaches the runner (an accepted invitation).
insert into public.coach_links (id, athlete_id, coach_user_id, status)
values (
    '5eed0000-0000-4000-8000-0000000000f1', '5eed0000-0000-4000-8000-0000000000a1',
    '5eed0000-0000-4000-8000-000000000004', 'active'
)
on conflict (athlete_id, coach_user_id) do nothing;
