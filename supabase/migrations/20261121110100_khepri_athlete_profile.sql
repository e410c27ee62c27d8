-- Khepri schema, part 6: the full athlete profile.
--
-- Units are SI and named in the column (kg, cm, watts, s/km, s/100 m, bpm). Consents are the
-- time each was given; null means not given, and nothing defaults to given (the seeds stored
-- consent as true for users who never gave it).

alter table public.athletes
add column date_of_birth date,
add column sex text,
add column weight_kg numeric(5, 2),
add column height_cm numeric(4, 1),
add column daily_checkin_time time,
add column experience_level text,
add column ftp_watts integer,
add column threshold_pace_s_per_km integer,
add column css_s_per_100m integer,
add column resting_hr_bpm integer,
add column max_hr_bpm integer,
add column threshold_hr_bpm integer,
add column one_rm_squat_kg numeric(5, 1),
add column one_rm_bench_kg numeric(5, 1),
add column one_rm_deadlift_kg numeric(5, 1),
add column consent_health_data_at timestamptz,
add column consent_ai_coaching_at timestamptz,
add column consent_marketing_at timestamptz,
add column intervals_icu_athlete_id text,
add column intervals_icu_connected boolean not null default false,
add constraint athletes_date_of_birth_check check (date_of_birth between date '1900-01-01' and date '2100-01-01'),
add constraint athletes_sex_check check (sex in ('female', 'male', 'other', 'undisclosed')),
add constraint athletes_weight_kg_check check (weight_kg between 20 and 400),
add constraint athletes_height_cm_check check (height_cm between 50 and 280),
add constraint athletes_experience_level_check check (
    experience_level in ('beginner', 'intermediate', 'advanced', 'elite')
),
add constraint athletes_ftp_watts_check check (ftp_watts between 30 and 2500),
add constraint athletes_threshold_pace_s_per_km_check check (threshold_pace_s_per_km between 120 and 1200),
add constraint athletes_css_s_per_100m_check check (css_s_per_100m between 40 and 600),
add constraint athletes_resting_hr_bpm_check check (resting_hr_bpm between 20 and 150),
add constraint athletes_max_hr_bpm_check check (max_hr_bpm between 80 and 250),
add constraint athletes_threshold_hr_bpm_check check (threshold_hr_bpm between 60 and 240),
add constraint athletes_heart_rate_order check (
    (resting_hr_bpm is null or threshold_hr_bpm is null or resting_hr_bpm < threshold_hr_bpm)
    and (threshold_hr_bpm is null or max_hr_bpm is null or threshold_hr_bpm <= max_hr_bpm)
    and (resting_hr_bpm is null or max_hr_bpm is null or resting_hr_bpm < max_hr_bpm)
),
add constraint athletes_one_rm_squat_kg_check check (one_rm_squat_kg between 1 and 600),
add constraint athletes_one_rm_bench_kg_check check (one_rm_bench_kg between 1 and 500),
add constraint athletes_one_rm_deadlift_kg_check check (one_rm_deadlift_kg between 1 and 600),
add constraint athletes_intervals_icu_athlete_id_format check (intervals_icu_athlete_id ~ '^i[0-9]{1,12}$'),
add constraint athletes_intervals_icu_connected_needs_id check (
    not intervals_icu_connected or intervals_icu_athlete_id is not null
);

comment on column public.athletes.weight_kg is 'Body weight in kg; also the bodyweight strength ratios use.';
comment on column public.athletes.daily_checkin_time is
'Local time (in timezone) the athlete wants the daily check-in.';
comment on column public.athletes.threshold_pace_s_per_km is 'Running threshold pace, seconds per km.';
comment on column public.athletes.css_s_per_100m is 'Swimming critical swim speed, seconds per 100 m.';
comment on column public.athletes.consent_health_data_at is
'When health-data processing consent was given; null: not given.';
comment on column public.athletes.consent_ai_coaching_at is 'When AI-coaching consent was given; null: not given.';
comment on column public.athletes.consent_marketing_at is 'When marketing consent was given; null: not given.';
comment on column public.athletes.intervals_icu_athlete_id is 'The athlete''s intervals.icu id (i123456), if linked.';
