-- The access matrix of access.toml, as pgTAP: written by `khepri-db access export --pgtap` on 2026-12-07 20:01 UTC
-- declaration sha256: eed5315bf065ae92138777a414dcc4d65020e70c10f660bbd6b9037ffebc3c06
-- from a verified run (every cell held). Each cell runs as PostgREST would make the request, in a
-- subtransaction its block rolls back; the whole file is rolled back. Regenerate it after changing
-- the declaration; a weakened policy fails the cells it opens. The leak probes stay with verify-access.
begin;
select plan(354);

-- the users and rows of the run
insert into "auth"."users" ("instance_id", "id", "aud", "role", "email", "encrypted_password", "email_confirmed_at", "phone", "raw_app_meta_data", "raw_user_meta_data", "is_anonymous", "created_at", "updated_at") values ('00000000000000000000000000000000'::uuid, '351f39ebf16e47c9bd501bdcb1d5b385'::uuid, 'authenticated', 'authenticated', 'owner-c0a4767c34d6@access.khepri.test', '', now(), NULL, '{"provider": "email", "providers": ["email"]}'::jsonb, '{}'::jsonb, false, now(), now());
insert into "auth"."identities" ("provider_id", "user_id", "identity_data", "provider", "last_sign_in_at", "created_at", "updated_at") values ('351f39eb-f16e-47c9-bd50-1bdcb1d5b385', '351f39ebf16e47c9bd501bdcb1d5b385'::uuid, '{"sub": "351f39eb-f16e-47c9-bd50-1bdcb1d5b385", "email": "owner-c0a4767c34d6@access.khepri.test", "email_verified": true, "phone_verified": false}'::jsonb, 'email', now(), now(), now());
insert into "auth"."users" ("instance_id", "id", "aud", "role", "email", "encrypted_password", "email_confirmed_at", "phone", "raw_app_meta_data", "raw_user_meta_data", "is_anonymous", "created_at", "updated_at") values ('00000000000000000000000000000000'::uuid, '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid, 'authenticated', 'authenticated', 'coach-of-owner-c0a4767c34d6@access.khepri.test', '', now(), NULL, '{"provider": "email", "providers": ["email"]}'::jsonb, '{}'::jsonb, false, now(), now());
insert into "auth"."identities" ("provider_id", "user_id", "identity_data", "provider", "last_sign_in_at", "created_at", "updated_at") values ('1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8', '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid, '{"sub": "1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8", "email": "coach-of-owner-c0a4767c34d6@access.khepri.test", "email_verified": true, "phone_verified": false}'::jsonb, 'email', now(), now(), now());
insert into "auth"."users" ("instance_id", "id", "aud", "role", "email", "encrypted_password", "email_confirmed_at", "phone", "raw_app_meta_data", "raw_user_meta_data", "is_anonymous", "created_at", "updated_at") values ('00000000000000000000000000000000'::uuid, '0c75521e40b1412987b6962b0bbf4018'::uuid, 'authenticated', 'authenticated', 'admin-of-owner-c0a4767c34d6@access.khepri.test', '', now(), NULL, '{"provider": "email", "providers": ["email"], "khepri_role": "admin"}'::jsonb, '{}'::jsonb, false, now(), now());
insert into "auth"."identities" ("provider_id", "user_id", "identity_data", "provider", "last_sign_in_at", "created_at", "updated_at") values ('0c75521e-40b1-4129-87b6-962b0bbf4018', '0c75521e40b1412987b6962b0bbf4018'::uuid, '{"sub": "0c75521e-40b1-4129-87b6-962b0bbf4018", "email": "admin-of-owner-c0a4767c34d6@access.khepri.test", "email_verified": true, "phone_verified": false}'::jsonb, 'email', now(), now(), now());
insert into "auth"."users" ("instance_id", "id", "aud", "role", "email", "encrypted_password", "email_confirmed_at", "phone", "raw_app_meta_data", "raw_user_meta_data", "is_anonymous", "created_at", "updated_at") values ('00000000000000000000000000000000'::uuid, '839b3c00d7894d42b31d7ba68037a6d2'::uuid, 'authenticated', 'authenticated', 'other-c0a4767c34d6@access.khepri.test', '', now(), NULL, '{"provider": "email", "providers": ["email"]}'::jsonb, '{}'::jsonb, false, now(), now());
insert into "auth"."identities" ("provider_id", "user_id", "identity_data", "provider", "last_sign_in_at", "created_at", "updated_at") values ('839b3c00-d789-4d42-b31d-7ba68037a6d2', '839b3c00d7894d42b31d7ba68037a6d2'::uuid, '{"sub": "839b3c00-d789-4d42-b31d-7ba68037a6d2", "email": "other-c0a4767c34d6@access.khepri.test", "email_verified": true, "phone_verified": false}'::jsonb, 'email', now(), now(), now());
insert into "auth"."users" ("instance_id", "id", "aud", "role", "email", "encrypted_password", "email_confirmed_at", "phone", "raw_app_meta_data", "raw_user_meta_data", "is_anonymous", "created_at", "updated_at") values ('00000000000000000000000000000000'::uuid, '58aec5ebfeef4af286c5c1b8549a7164'::uuid, 'authenticated', 'authenticated', 'coach-of-other-c0a4767c34d6@access.khepri.test', '', now(), NULL, '{"provider": "email", "providers": ["email"]}'::jsonb, '{}'::jsonb, false, now(), now());
insert into "auth"."identities" ("provider_id", "user_id", "identity_data", "provider", "last_sign_in_at", "created_at", "updated_at") values ('58aec5eb-feef-4af2-86c5-c1b8549a7164', '58aec5ebfeef4af286c5c1b8549a7164'::uuid, '{"sub": "58aec5eb-feef-4af2-86c5-c1b8549a7164", "email": "coach-of-other-c0a4767c34d6@access.khepri.test", "email_verified": true, "phone_verified": false}'::jsonb, 'email', now(), now(), now());
insert into "auth"."users" ("instance_id", "id", "aud", "role", "email", "encrypted_password", "email_confirmed_at", "phone", "raw_app_meta_data", "raw_user_meta_data", "is_anonymous", "created_at", "updated_at") values ('00000000000000000000000000000000'::uuid, '2e24f122585b43a3a24ecbde80e2f6b8'::uuid, 'authenticated', 'authenticated', 'admin-of-other-c0a4767c34d6@access.khepri.test', '', now(), NULL, '{"provider": "email", "providers": ["email"], "khepri_role": "admin"}'::jsonb, '{}'::jsonb, false, now(), now());
insert into "auth"."identities" ("provider_id", "user_id", "identity_data", "provider", "last_sign_in_at", "created_at", "updated_at") values ('2e24f122-585b-43a3-a24e-cbde80e2f6b8', '2e24f122585b43a3a24ecbde80e2f6b8'::uuid, '{"sub": "2e24f122-585b-43a3-a24e-cbde80e2f6b8", "email": "admin-of-other-c0a4767c34d6@access.khepri.test", "email_verified": true, "phone_verified": false}'::jsonb, 'email', now(), now(), now());
insert into "public"."athletes" ("id", "auth_user_id", "display_name", "units", "timezone", "preferences", "onboarding_completed_at", "created_at", "updated_at", "date_of_birth", "sex", "weight_kg", "height_cm", "daily_checkin_time", "experience_level", "ftp_watts", "threshold_pace_s_per_km", "css_s_per_100m", "resting_hr_bpm", "max_hr_bpm", "threshold_hr_bpm", "one_rm_squat_kg", "one_rm_bench_kg", "one_rm_deadlift_kg", "consent_health_data_at", "consent_ai_coaching_at", "consent_marketing_at", "intervals_icu_athlete_id", "intervals_icu_connected") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid, '351f39ebf16e47c9bd501bdcb1d5b385'::uuid, 'Matrix athlete', 'metric', 'UTC', '{}'::jsonb, NULL, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false);
insert into "public"."athletes" ("id", "auth_user_id", "display_name", "units", "timezone", "preferences", "onboarding_completed_at", "created_at", "updated_at", "date_of_birth", "sex", "weight_kg", "height_cm", "daily_checkin_time", "experience_level", "ftp_watts", "threshold_pace_s_per_km", "css_s_per_100m", "resting_hr_bpm", "max_hr_bpm", "threshold_hr_bpm", "one_rm_squat_kg", "one_rm_bench_kg", "one_rm_deadlift_kg", "consent_health_data_at", "consent_ai_coaching_at", "consent_marketing_at", "intervals_icu_athlete_id", "intervals_icu_connected") values ('605753c375744d158db206ed1aa4e72e'::uuid, '839b3c00d7894d42b31d7ba68037a6d2'::uuid, 'Matrix athlete', 'metric', 'UTC', '{}'::jsonb, NULL, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false);
insert into "public"."idempotency_keys" ("user_id", "operation", "key", "request_hash", "response", "expires_at", "created_at", "updated_at") values ('351f39ebf16e47c9bd501bdcb1d5b385'::uuid, 'access_matrix', 'key-c0a4767c34d6', '0000000000000000000000000000000000000000000000000000000000000000', NULL, '2026-12-08 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz);
insert into "public"."idempotency_keys" ("user_id", "operation", "key", "request_hash", "response", "expires_at", "created_at", "updated_at") values ('839b3c00d7894d42b31d7ba68037a6d2'::uuid, 'access_matrix', 'key-c0a4767c34d6', '0000000000000000000000000000000000000000000000000000000000000000', NULL, '2026-12-08 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz);
insert into "public"."methodologies" ("id", "name", "sport", "description", "principles", "created_at", "updated_at") values ('cb89a82675c945378c0574ca7e788174'::uuid, 'Matrix method c0a4767c34d6', 'run', 'Matrix methodology', '[]'::jsonb, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz);
insert into "public"."coach_links" ("id", "athlete_id", "coach_user_id", "status", "invited_at", "accepted_at", "revoked_at", "created_at", "updated_at") values ('335d53726cf142ee99692f9121a54439'::uuid, 'b379914bf2c54d8aa5a6921bef53f243'::uuid, '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid, 'active', '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz, NULL, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz);
insert into "public"."coach_links" ("id", "athlete_id", "coach_user_id", "status", "invited_at", "accepted_at", "revoked_at", "created_at", "updated_at") values ('594ec1c70c0b4d78812bf631169b3763'::uuid, '605753c375744d158db206ed1aa4e72e'::uuid, '58aec5ebfeef4af286c5c1b8549a7164'::uuid, 'active', '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz, NULL, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz);
insert into "public"."goals" ("id", "athlete_id", "goal_type", "title", "description", "priority", "status", "target_date", "race_name", "race_date", "race_distance_m", "race_location", "race_target_time_s", "performance_metric", "performance_current_value", "performance_target_value", "fitness_metric", "fitness_target_value", "health_metric", "health_target_value", "strength_lift", "strength_target_kg", "created_at", "updated_at") values ('f3137cc9796445cf924df17c5c9006fc'::uuid, 'b379914bf2c54d8aa5a6921bef53f243'::uuid, 'fitness', 'Matrix goal', NULL, 'B', 'active', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'sessions_per_week', 4.00, NULL, NULL, NULL, NULL, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz);
insert into "public"."goals" ("id", "athlete_id", "goal_type", "title", "description", "priority", "status", "target_date", "race_name", "race_date", "race_distance_m", "race_location", "race_target_time_s", "performance_metric", "performance_current_value", "performance_target_value", "fitness_metric", "fitness_target_value", "health_metric", "health_target_value", "strength_lift", "strength_target_kg", "created_at", "updated_at") values ('5a0487061bdf48ac85cfb3e1d03de2b6'::uuid, '605753c375744d158db206ed1aa4e72e'::uuid, 'fitness', 'Matrix goal', NULL, 'B', 'active', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'sessions_per_week', 4.00, NULL, NULL, NULL, NULL, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz);
insert into "public"."constraints" ("id", "athlete_id", "constraint_type", "description", "starts_on", "ends_on", "status", "injury_body_part", "injury_severity", "injury_restrictions", "travel_destination", "travel_equipment", "travel_facilities", "availability_hours_per_week", "availability_days", "created_at", "updated_at") values ('ce33721931694ce39ff4b5ba02b109cc'::uuid, 'b379914bf2c54d8aa5a6921bef53f243'::uuid, 'availability', NULL, '2026-12-07'::date, NULL, 'active', NULL, NULL, NULL, NULL, NULL, NULL, 5.0, NULL, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz);
insert into "public"."constraints" ("id", "athlete_id", "constraint_type", "description", "starts_on", "ends_on", "status", "injury_body_part", "injury_severity", "injury_restrictions", "travel_destination", "travel_equipment", "travel_facilities", "availability_hours_per_week", "availability_days", "created_at", "updated_at") values ('75e2022e4b56499299a9a1d5870d5709'::uuid, '605753c375744d158db206ed1aa4e72e'::uuid, 'availability', NULL, '2026-12-07'::date, NULL, 'active', NULL, NULL, NULL, NULL, NULL, NULL, 5.0, NULL, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz);
insert into "public"."daily_checkins" ("id", "athlete_id", "checkin_date", "sleep_quality", "sleep_hours", "energy_level", "stress_level", "soreness_level", "soreness_areas", "resting_hr_bpm", "hrv_ms", "weight_kg", "available_minutes", "equipment", "travel_status", "notes", "ai_recommendation", "recommendation_response", "created_at", "updated_at") values ('90e0ec7b42cc476cb7819a00297552eb'::uuid, 'b379914bf2c54d8aa5a6921bef53f243'::uuid, '2026-11-20'::date, 7, NULL, NULL, NULL, NULL, '{}'::jsonb, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz);
insert into "public"."daily_checkins" ("id", "athlete_id", "checkin_date", "sleep_quality", "sleep_hours", "energy_level", "stress_level", "soreness_level", "soreness_areas", "resting_hr_bpm", "hrv_ms", "weight_kg", "available_minutes", "equipment", "travel_status", "notes", "ai_recommendation", "recommendation_response", "created_at", "updated_at") values ('3ec35d81615f4b8596a1e932fae508d5'::uuid, '605753c375744d158db206ed1aa4e72e'::uuid, '2026-11-20'::date, 7, NULL, NULL, NULL, NULL, '{}'::jsonb, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz);
insert into "public"."training_plans" ("id", "athlete_id", "name", "status", "starts_on", "ends_on", "total_weeks", "created_at", "updated_at", "goal_id", "methodology_id", "phases", "weekly_template", "adjustments_log") values ('9d044dd8a61442c48401319de3e67c14'::uuid, 'b379914bf2c54d8aa5a6921bef53f243'::uuid, 'Matrix plan', 'draft', '2026-01-05'::date, NULL, NULL, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz, NULL, NULL, '[]'::jsonb, '{}'::jsonb, '[]'::jsonb);
insert into "public"."training_plans" ("id", "athlete_id", "name", "status", "starts_on", "ends_on", "total_weeks", "created_at", "updated_at", "goal_id", "methodology_id", "phases", "weekly_template", "adjustments_log") values ('7316f0ead02744a8a6710ffebeac3f9c'::uuid, '605753c375744d158db206ed1aa4e72e'::uuid, 'Matrix plan', 'draft', '2026-01-05'::date, NULL, NULL, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz, NULL, NULL, '[]'::jsonb, '{}'::jsonb, '[]'::jsonb);
insert into "public"."conversations" ("id", "athlete_id", "title", "last_message_at", "created_at", "updated_at") values ('757c63c6912941f3970aab7c7e52420d'::uuid, 'b379914bf2c54d8aa5a6921bef53f243'::uuid, 'Matrix conversation', NULL, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz);
insert into "public"."conversations" ("id", "athlete_id", "title", "last_message_at", "created_at", "updated_at") values ('c6e0b913d92846bc9a2bc208db8fcbfd'::uuid, '605753c375744d158db206ed1aa4e72e'::uuid, 'Matrix conversation', NULL, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz);
insert into "public"."workouts" ("id", "athlete_id", "plan_id", "week_number", "day_number", "slot", "scheduled_on", "sport", "title", "planned_duration_s", "planned_distance_m", "status", "completed_at", "created_at", "updated_at", "workout_type", "structure", "planned_load", "actual_duration_s", "actual_distance_m", "rpe", "feedback_categories", "feedback_text", "skip_reason") values ('dc8e33ba1bee41e98c1e30ca5babcd55'::uuid, 'b379914bf2c54d8aa5a6921bef53f243'::uuid, '9d044dd8a61442c48401319de3e67c14'::uuid, 1, 1, 1, NULL, 'run', 'Matrix workout', NULL, NULL, 'planned', NULL, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz, NULL, '{}'::jsonb, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
insert into "public"."workouts" ("id", "athlete_id", "plan_id", "week_number", "day_number", "slot", "scheduled_on", "sport", "title", "planned_duration_s", "planned_distance_m", "status", "completed_at", "created_at", "updated_at", "workout_type", "structure", "planned_load", "actual_duration_s", "actual_distance_m", "rpe", "feedback_categories", "feedback_text", "skip_reason") values ('18875ba227a14b7b966d840430024ab2'::uuid, '605753c375744d158db206ed1aa4e72e'::uuid, '7316f0ead02744a8a6710ffebeac3f9c'::uuid, 1, 1, 1, NULL, 'run', 'Matrix workout', NULL, NULL, 'planned', NULL, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz, NULL, '{}'::jsonb, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
insert into "public"."conversation_messages" ("id", "conversation_id", "athlete_id", "role", "content", "token_count", "metadata", "created_at", "updated_at") values ('f737f6c369744eae8c1eb1f931ccf104'::uuid, '757c63c6912941f3970aab7c7e52420d'::uuid, 'b379914bf2c54d8aa5a6921bef53f243'::uuid, 'user', 'Matrix message', NULL, '{}'::jsonb, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz);
insert into "public"."conversation_messages" ("id", "conversation_id", "athlete_id", "role", "content", "token_count", "metadata", "created_at", "updated_at") values ('0eb80fa4b7b64a16806a3fe6ea8a5ce4'::uuid, 'c6e0b913d92846bc9a2bc208db8fcbfd'::uuid, '605753c375744d158db206ed1aa4e72e'::uuid, 'user', 'Matrix message', NULL, '{}'::jsonb, '2026-12-07 20:01:26.658973+00:00'::timestamptz, '2026-12-07 20:01:26.658973+00:00'::timestamptz);

-- public.athletes:anon:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select 1 from "public"."athletes" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.athletes anon select: denied');

-- public.athletes:anon:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."athletes" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$insert into "public"."athletes" ("auth_user_id", "display_name") values ('351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid, 'Matrix athlete'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.athletes anon insert: denied');

-- public.athletes:anon:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$update "public"."athletes" set "display_name" = "display_name" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.athletes anon update: denied');

-- public.athletes:anon:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$delete from "public"."athletes" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.athletes anon delete: denied');

-- public.athletes:owner:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."athletes" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.athletes owner select: allowed');

-- public.athletes:owner:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."athletes" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."athletes" ("auth_user_id", "display_name") values ('351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid, 'Matrix athlete'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.athletes owner insert: allowed');

-- public.athletes:owner:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."athletes" set "display_name" = "display_name" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.athletes owner update: allowed');

-- public.athletes:owner:delete (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."athletes" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.athletes owner delete: allowed');

-- public.athletes:other:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."athletes" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.athletes other select: denied');

-- public.athletes:other:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."athletes" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."athletes" ("auth_user_id", "display_name") values ('351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid, 'Matrix athlete'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.athletes other insert: denied');

-- public.athletes:other:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."athletes" set "display_name" = "display_name" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.athletes other update: denied');

-- public.athletes:other:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."athletes" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.athletes other delete: denied');

-- public.athletes:coach:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."athletes" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.athletes coach select: denied');

-- public.athletes:coach:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."athletes" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."athletes" ("auth_user_id", "display_name") values ('351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid, 'Matrix athlete'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.athletes coach insert: denied');

-- public.athletes:coach:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."athletes" set "display_name" = "display_name" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.athletes coach update: denied');

-- public.athletes:coach:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."athletes" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.athletes coach delete: denied');

-- public.athletes:admin:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."athletes" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.athletes admin select: denied');

-- public.athletes:admin:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."athletes" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."athletes" ("auth_user_id", "display_name") values ('351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid, 'Matrix athlete'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.athletes admin insert: denied');

-- public.athletes:admin:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."athletes" set "display_name" = "display_name" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.athletes admin update: denied');

-- public.athletes:admin:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."athletes" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.athletes admin delete: denied');

-- public.athletes:service_role:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select 1 from "public"."athletes" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.athletes service_role select: allowed');

-- public.athletes:service_role:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."athletes" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$insert into "public"."athletes" ("auth_user_id", "display_name") values ('351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid, 'Matrix athlete'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.athletes service_role insert: allowed');

-- public.athletes:service_role:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$update "public"."athletes" set "display_name" = "display_name" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.athletes service_role update: allowed');

-- public.athletes:service_role:delete (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/athletes', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$delete from "public"."athletes" where "id" = 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.athletes service_role delete: allowed');

-- public.idempotency_keys:anon:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select 1 from "public"."idempotency_keys" where "user_id" = '351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid and "operation" = 'access_matrix'::text and "key" = 'key-c0a4767c34d6'::text$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.idempotency_keys anon select: denied');

-- public.idempotency_keys:anon:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$insert into "public"."idempotency_keys" ("user_id", "operation", "key", "request_hash") values ('351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid, 'access_matrix'::text, 'key-17d259645fc2'::text, '0000000000000000000000000000000000000000000000000000000000000000'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.idempotency_keys anon insert: denied');

-- public.idempotency_keys:anon:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$update "public"."idempotency_keys" set "operation" = "operation", "request_hash" = "request_hash" where "user_id" = '351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid and "operation" = 'access_matrix'::text and "key" = 'key-c0a4767c34d6'::text$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.idempotency_keys anon update: denied');

-- public.idempotency_keys:anon:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$delete from "public"."idempotency_keys" where "user_id" = '351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid and "operation" = 'access_matrix'::text and "key" = 'key-c0a4767c34d6'::text$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.idempotency_keys anon delete: denied');

-- public.idempotency_keys:owner:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."idempotency_keys" where "user_id" = '351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid and "operation" = 'access_matrix'::text and "key" = 'key-c0a4767c34d6'::text$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.idempotency_keys owner select: allowed');

-- public.idempotency_keys:owner:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."idempotency_keys" ("user_id", "operation", "key", "request_hash") values ('351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid, 'access_matrix'::text, 'key-17d259645fc2'::text, '0000000000000000000000000000000000000000000000000000000000000000'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.idempotency_keys owner insert: denied');

-- public.idempotency_keys:owner:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."idempotency_keys" set "operation" = "operation", "request_hash" = "request_hash" where "user_id" = '351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid and "operation" = 'access_matrix'::text and "key" = 'key-c0a4767c34d6'::text$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.idempotency_keys owner update: denied');

-- public.idempotency_keys:owner:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."idempotency_keys" where "user_id" = '351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid and "operation" = 'access_matrix'::text and "key" = 'key-c0a4767c34d6'::text$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.idempotency_keys owner delete: denied');

-- public.idempotency_keys:other:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."idempotency_keys" where "user_id" = '351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid and "operation" = 'access_matrix'::text and "key" = 'key-c0a4767c34d6'::text$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.idempotency_keys other select: denied');

-- public.idempotency_keys:other:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."idempotency_keys" ("user_id", "operation", "key", "request_hash") values ('351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid, 'access_matrix'::text, 'key-17d259645fc2'::text, '0000000000000000000000000000000000000000000000000000000000000000'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.idempotency_keys other insert: denied');

-- public.idempotency_keys:other:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."idempotency_keys" set "operation" = "operation", "request_hash" = "request_hash" where "user_id" = '351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid and "operation" = 'access_matrix'::text and "key" = 'key-c0a4767c34d6'::text$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.idempotency_keys other update: denied');

-- public.idempotency_keys:other:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."idempotency_keys" where "user_id" = '351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid and "operation" = 'access_matrix'::text and "key" = 'key-c0a4767c34d6'::text$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.idempotency_keys other delete: denied');

-- public.idempotency_keys:coach:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."idempotency_keys" where "user_id" = '351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid and "operation" = 'access_matrix'::text and "key" = 'key-c0a4767c34d6'::text$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.idempotency_keys coach select: denied');

-- public.idempotency_keys:coach:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."idempotency_keys" ("user_id", "operation", "key", "request_hash") values ('351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid, 'access_matrix'::text, 'key-17d259645fc2'::text, '0000000000000000000000000000000000000000000000000000000000000000'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.idempotency_keys coach insert: denied');

-- public.idempotency_keys:coach:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."idempotency_keys" set "operation" = "operation", "request_hash" = "request_hash" where "user_id" = '351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid and "operation" = 'access_matrix'::text and "key" = 'key-c0a4767c34d6'::text$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.idempotency_keys coach update: denied');

-- public.idempotency_keys:coach:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."idempotency_keys" where "user_id" = '351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid and "operation" = 'access_matrix'::text and "key" = 'key-c0a4767c34d6'::text$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.idempotency_keys coach delete: denied');

-- public.idempotency_keys:admin:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."idempotency_keys" where "user_id" = '351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid and "operation" = 'access_matrix'::text and "key" = 'key-c0a4767c34d6'::text$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.idempotency_keys admin select: denied');

-- public.idempotency_keys:admin:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."idempotency_keys" ("user_id", "operation", "key", "request_hash") values ('351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid, 'access_matrix'::text, 'key-17d259645fc2'::text, '0000000000000000000000000000000000000000000000000000000000000000'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.idempotency_keys admin insert: denied');

-- public.idempotency_keys:admin:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."idempotency_keys" set "operation" = "operation", "request_hash" = "request_hash" where "user_id" = '351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid and "operation" = 'access_matrix'::text and "key" = 'key-c0a4767c34d6'::text$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.idempotency_keys admin update: denied');

-- public.idempotency_keys:admin:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."idempotency_keys" where "user_id" = '351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid and "operation" = 'access_matrix'::text and "key" = 'key-c0a4767c34d6'::text$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.idempotency_keys admin delete: denied');

-- public.idempotency_keys:service_role:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select 1 from "public"."idempotency_keys" where "user_id" = '351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid and "operation" = 'access_matrix'::text and "key" = 'key-c0a4767c34d6'::text$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.idempotency_keys service_role select: allowed');

-- public.idempotency_keys:service_role:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$insert into "public"."idempotency_keys" ("user_id", "operation", "key", "request_hash") values ('351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid, 'access_matrix'::text, 'key-17d259645fc2'::text, '0000000000000000000000000000000000000000000000000000000000000000'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.idempotency_keys service_role insert: allowed');

-- public.idempotency_keys:service_role:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$update "public"."idempotency_keys" set "operation" = "operation", "request_hash" = "request_hash" where "user_id" = '351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid and "operation" = 'access_matrix'::text and "key" = 'key-c0a4767c34d6'::text$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.idempotency_keys service_role update: allowed');

-- public.idempotency_keys:service_role:delete (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$delete from "public"."idempotency_keys" where "user_id" = '351f39ebf16e47c9bd501bdcb1d5b385'::uuid::uuid and "operation" = 'access_matrix'::text and "key" = 'key-c0a4767c34d6'::text$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.idempotency_keys service_role delete: allowed');

-- public.coach_links:anon:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select 1 from "public"."coach_links" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.coach_links anon select: denied');

-- public.coach_links:anon:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."coach_links" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$insert into "public"."coach_links" ("athlete_id", "coach_user_id") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.coach_links anon insert: denied');

-- public.coach_links:anon:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$update "public"."coach_links" set "status" = "status" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.coach_links anon update: denied');

-- public.coach_links:anon:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$delete from "public"."coach_links" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.coach_links anon delete: denied');

-- public.coach_links:owner:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."coach_links" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.coach_links owner select: allowed');

-- public.coach_links:owner:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."coach_links" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."coach_links" ("athlete_id", "coach_user_id") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.coach_links owner insert: allowed');

-- public.coach_links:owner:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."coach_links" set "status" = "status" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.coach_links owner update: allowed');

-- public.coach_links:owner:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."coach_links" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.coach_links owner delete: denied');

-- public.coach_links:other:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."coach_links" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.coach_links other select: denied');

-- public.coach_links:other:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."coach_links" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."coach_links" ("athlete_id", "coach_user_id") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.coach_links other insert: denied');

-- public.coach_links:other:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."coach_links" set "status" = "status" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.coach_links other update: denied');

-- public.coach_links:other:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."coach_links" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.coach_links other delete: denied');

-- public.coach_links:coach:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."coach_links" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.coach_links coach select: allowed');

-- public.coach_links:coach:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."coach_links" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."coach_links" ("athlete_id", "coach_user_id") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.coach_links coach insert: denied');

-- public.coach_links:coach:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."coach_links" set "status" = "status" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.coach_links coach update: allowed');

-- public.coach_links:coach:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."coach_links" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.coach_links coach delete: denied');

-- public.coach_links:admin:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."coach_links" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.coach_links admin select: denied');

-- public.coach_links:admin:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."coach_links" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."coach_links" ("athlete_id", "coach_user_id") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.coach_links admin insert: denied');

-- public.coach_links:admin:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."coach_links" set "status" = "status" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.coach_links admin update: denied');

-- public.coach_links:admin:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."coach_links" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.coach_links admin delete: denied');

-- public.coach_links:service_role:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select 1 from "public"."coach_links" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.coach_links service_role select: allowed');

-- public.coach_links:service_role:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."coach_links" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$insert into "public"."coach_links" ("athlete_id", "coach_user_id") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.coach_links service_role insert: allowed');

-- public.coach_links:service_role:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$update "public"."coach_links" set "status" = "status" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.coach_links service_role update: allowed');

-- public.coach_links:service_role:delete (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/coach_links', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$delete from "public"."coach_links" where "id" = '335d53726cf142ee99692f9121a54439'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.coach_links service_role delete: allowed');

-- public.goals:anon:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select 1 from "public"."goals" where "id" = 'f3137cc9796445cf924df17c5c9006fc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.goals anon select: denied');

-- public.goals:anon:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$insert into "public"."goals" ("athlete_id", "goal_type", "title", "fitness_metric", "fitness_target_value") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'fitness'::text, 'Matrix goal'::text, 'sessions_per_week'::text, 4::numeric(9,2))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.goals anon insert: denied');

-- public.goals:anon:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$update "public"."goals" set "goal_type" = "goal_type", "title" = "title", "fitness_metric" = "fitness_metric", "fitness_target_value" = "fitness_target_value" where "id" = 'f3137cc9796445cf924df17c5c9006fc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.goals anon update: denied');

-- public.goals:anon:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$delete from "public"."goals" where "id" = 'f3137cc9796445cf924df17c5c9006fc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.goals anon delete: denied');

-- public.goals:owner:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."goals" where "id" = 'f3137cc9796445cf924df17c5c9006fc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.goals owner select: allowed');

-- public.goals:owner:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."goals" ("athlete_id", "goal_type", "title", "fitness_metric", "fitness_target_value") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'fitness'::text, 'Matrix goal'::text, 'sessions_per_week'::text, 4::numeric(9,2))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.goals owner insert: allowed');

-- public.goals:owner:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."goals" set "goal_type" = "goal_type", "title" = "title", "fitness_metric" = "fitness_metric", "fitness_target_value" = "fitness_target_value" where "id" = 'f3137cc9796445cf924df17c5c9006fc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.goals owner update: allowed');

-- public.goals:owner:delete (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."goals" where "id" = 'f3137cc9796445cf924df17c5c9006fc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.goals owner delete: allowed');

-- public.goals:other:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."goals" where "id" = 'f3137cc9796445cf924df17c5c9006fc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.goals other select: denied');

-- public.goals:other:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."goals" ("athlete_id", "goal_type", "title", "fitness_metric", "fitness_target_value") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'fitness'::text, 'Matrix goal'::text, 'sessions_per_week'::text, 4::numeric(9,2))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.goals other insert: denied');

-- public.goals:other:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."goals" set "goal_type" = "goal_type", "title" = "title", "fitness_metric" = "fitness_metric", "fitness_target_value" = "fitness_target_value" where "id" = 'f3137cc9796445cf924df17c5c9006fc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.goals other update: denied');

-- public.goals:other:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."goals" where "id" = 'f3137cc9796445cf924df17c5c9006fc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.goals other delete: denied');

-- public.goals:coach:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."goals" where "id" = 'f3137cc9796445cf924df17c5c9006fc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.goals coach select: allowed');

-- public.goals:coach:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."goals" ("athlete_id", "goal_type", "title", "fitness_metric", "fitness_target_value") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'fitness'::text, 'Matrix goal'::text, 'sessions_per_week'::text, 4::numeric(9,2))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.goals coach insert: denied');

-- public.goals:coach:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."goals" set "goal_type" = "goal_type", "title" = "title", "fitness_metric" = "fitness_metric", "fitness_target_value" = "fitness_target_value" where "id" = 'f3137cc9796445cf924df17c5c9006fc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.goals coach update: denied');

-- public.goals:coach:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."goals" where "id" = 'f3137cc9796445cf924df17c5c9006fc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.goals coach delete: denied');

-- public.goals:admin:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."goals" where "id" = 'f3137cc9796445cf924df17c5c9006fc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.goals admin select: denied');

-- public.goals:admin:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."goals" ("athlete_id", "goal_type", "title", "fitness_metric", "fitness_target_value") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'fitness'::text, 'Matrix goal'::text, 'sessions_per_week'::text, 4::numeric(9,2))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.goals admin insert: denied');

-- public.goals:admin:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."goals" set "goal_type" = "goal_type", "title" = "title", "fitness_metric" = "fitness_metric", "fitness_target_value" = "fitness_target_value" where "id" = 'f3137cc9796445cf924df17c5c9006fc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.goals admin update: denied');

-- public.goals:admin:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."goals" where "id" = 'f3137cc9796445cf924df17c5c9006fc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.goals admin delete: denied');

-- public.goals:service_role:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select 1 from "public"."goals" where "id" = 'f3137cc9796445cf924df17c5c9006fc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.goals service_role select: allowed');

-- public.goals:service_role:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$insert into "public"."goals" ("athlete_id", "goal_type", "title", "fitness_metric", "fitness_target_value") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'fitness'::text, 'Matrix goal'::text, 'sessions_per_week'::text, 4::numeric(9,2))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.goals service_role insert: allowed');

-- public.goals:service_role:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$update "public"."goals" set "goal_type" = "goal_type", "title" = "title", "fitness_metric" = "fitness_metric", "fitness_target_value" = "fitness_target_value" where "id" = 'f3137cc9796445cf924df17c5c9006fc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.goals service_role update: allowed');

-- public.goals:service_role:delete (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/goals', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$delete from "public"."goals" where "id" = 'f3137cc9796445cf924df17c5c9006fc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.goals service_role delete: allowed');

-- public.constraints:anon:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select 1 from "public"."constraints" where "id" = 'ce33721931694ce39ff4b5ba02b109cc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.constraints anon select: denied');

-- public.constraints:anon:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$insert into "public"."constraints" ("athlete_id", "constraint_type", "availability_hours_per_week") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'availability'::text, 5::numeric(4,1))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.constraints anon insert: denied');

-- public.constraints:anon:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$update "public"."constraints" set "constraint_type" = "constraint_type", "availability_hours_per_week" = "availability_hours_per_week" where "id" = 'ce33721931694ce39ff4b5ba02b109cc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.constraints anon update: denied');

-- public.constraints:anon:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$delete from "public"."constraints" where "id" = 'ce33721931694ce39ff4b5ba02b109cc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.constraints anon delete: denied');

-- public.constraints:owner:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."constraints" where "id" = 'ce33721931694ce39ff4b5ba02b109cc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.constraints owner select: allowed');

-- public.constraints:owner:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."constraints" ("athlete_id", "constraint_type", "availability_hours_per_week") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'availability'::text, 5::numeric(4,1))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.constraints owner insert: allowed');

-- public.constraints:owner:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."constraints" set "constraint_type" = "constraint_type", "availability_hours_per_week" = "availability_hours_per_week" where "id" = 'ce33721931694ce39ff4b5ba02b109cc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.constraints owner update: allowed');

-- public.constraints:owner:delete (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."constraints" where "id" = 'ce33721931694ce39ff4b5ba02b109cc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.constraints owner delete: allowed');

-- public.constraints:other:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."constraints" where "id" = 'ce33721931694ce39ff4b5ba02b109cc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.constraints other select: denied');

-- public.constraints:other:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."constraints" ("athlete_id", "constraint_type", "availability_hours_per_week") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'availability'::text, 5::numeric(4,1))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.constraints other insert: denied');

-- public.constraints:other:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."constraints" set "constraint_type" = "constraint_type", "availability_hours_per_week" = "availability_hours_per_week" where "id" = 'ce33721931694ce39ff4b5ba02b109cc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.constraints other update: denied');

-- public.constraints:other:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."constraints" where "id" = 'ce33721931694ce39ff4b5ba02b109cc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.constraints other delete: denied');

-- public.constraints:coach:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."constraints" where "id" = 'ce33721931694ce39ff4b5ba02b109cc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.constraints coach select: allowed');

-- public.constraints:coach:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."constraints" ("athlete_id", "constraint_type", "availability_hours_per_week") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'availability'::text, 5::numeric(4,1))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.constraints coach insert: denied');

-- public.constraints:coach:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."constraints" set "constraint_type" = "constraint_type", "availability_hours_per_week" = "availability_hours_per_week" where "id" = 'ce33721931694ce39ff4b5ba02b109cc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.constraints coach update: denied');

-- public.constraints:coach:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."constraints" where "id" = 'ce33721931694ce39ff4b5ba02b109cc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.constraints coach delete: denied');

-- public.constraints:admin:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."constraints" where "id" = 'ce33721931694ce39ff4b5ba02b109cc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.constraints admin select: denied');

-- public.constraints:admin:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."constraints" ("athlete_id", "constraint_type", "availability_hours_per_week") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'availability'::text, 5::numeric(4,1))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.constraints admin insert: denied');

-- public.constraints:admin:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."constraints" set "constraint_type" = "constraint_type", "availability_hours_per_week" = "availability_hours_per_week" where "id" = 'ce33721931694ce39ff4b5ba02b109cc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.constraints admin update: denied');

-- public.constraints:admin:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."constraints" where "id" = 'ce33721931694ce39ff4b5ba02b109cc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.constraints admin delete: denied');

-- public.constraints:service_role:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select 1 from "public"."constraints" where "id" = 'ce33721931694ce39ff4b5ba02b109cc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.constraints service_role select: allowed');

-- public.constraints:service_role:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$insert into "public"."constraints" ("athlete_id", "constraint_type", "availability_hours_per_week") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'availability'::text, 5::numeric(4,1))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.constraints service_role insert: allowed');

-- public.constraints:service_role:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$update "public"."constraints" set "constraint_type" = "constraint_type", "availability_hours_per_week" = "availability_hours_per_week" where "id" = 'ce33721931694ce39ff4b5ba02b109cc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.constraints service_role update: allowed');

-- public.constraints:service_role:delete (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/constraints', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$delete from "public"."constraints" where "id" = 'ce33721931694ce39ff4b5ba02b109cc'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.constraints service_role delete: allowed');

-- public.daily_checkins:anon:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select 1 from "public"."daily_checkins" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.daily_checkins anon select: denied');

-- public.daily_checkins:anon:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."daily_checkins" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$insert into "public"."daily_checkins" ("athlete_id", "checkin_date", "sleep_quality") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, '2026-11-20'::date::date, 7::smallint)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.daily_checkins anon insert: denied');

-- public.daily_checkins:anon:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$update "public"."daily_checkins" set "checkin_date" = "checkin_date", "sleep_quality" = "sleep_quality" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.daily_checkins anon update: denied');

-- public.daily_checkins:anon:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$delete from "public"."daily_checkins" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.daily_checkins anon delete: denied');

-- public.daily_checkins:owner:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."daily_checkins" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.daily_checkins owner select: allowed');

-- public.daily_checkins:owner:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."daily_checkins" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."daily_checkins" ("athlete_id", "checkin_date", "sleep_quality") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, '2026-11-20'::date::date, 7::smallint)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.daily_checkins owner insert: allowed');

-- public.daily_checkins:owner:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."daily_checkins" set "checkin_date" = "checkin_date", "sleep_quality" = "sleep_quality" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.daily_checkins owner update: allowed');

-- public.daily_checkins:owner:delete (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."daily_checkins" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.daily_checkins owner delete: allowed');

-- public.daily_checkins:other:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."daily_checkins" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.daily_checkins other select: denied');

-- public.daily_checkins:other:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."daily_checkins" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."daily_checkins" ("athlete_id", "checkin_date", "sleep_quality") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, '2026-11-20'::date::date, 7::smallint)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.daily_checkins other insert: denied');

-- public.daily_checkins:other:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."daily_checkins" set "checkin_date" = "checkin_date", "sleep_quality" = "sleep_quality" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.daily_checkins other update: denied');

-- public.daily_checkins:other:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."daily_checkins" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.daily_checkins other delete: denied');

-- public.daily_checkins:coach:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."daily_checkins" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.daily_checkins coach select: allowed');

-- public.daily_checkins:coach:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."daily_checkins" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."daily_checkins" ("athlete_id", "checkin_date", "sleep_quality") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, '2026-11-20'::date::date, 7::smallint)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.daily_checkins coach insert: denied');

-- public.daily_checkins:coach:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."daily_checkins" set "checkin_date" = "checkin_date", "sleep_quality" = "sleep_quality" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.daily_checkins coach update: denied');

-- public.daily_checkins:coach:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."daily_checkins" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.daily_checkins coach delete: denied');

-- public.daily_checkins:admin:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."daily_checkins" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.daily_checkins admin select: denied');

-- public.daily_checkins:admin:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."daily_checkins" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."daily_checkins" ("athlete_id", "checkin_date", "sleep_quality") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, '2026-11-20'::date::date, 7::smallint)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.daily_checkins admin insert: denied');

-- public.daily_checkins:admin:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."daily_checkins" set "checkin_date" = "checkin_date", "sleep_quality" = "sleep_quality" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.daily_checkins admin update: denied');

-- public.daily_checkins:admin:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."daily_checkins" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.daily_checkins admin delete: denied');

-- public.daily_checkins:service_role:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select 1 from "public"."daily_checkins" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.daily_checkins service_role select: allowed');

-- public.daily_checkins:service_role:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."daily_checkins" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$insert into "public"."daily_checkins" ("athlete_id", "checkin_date", "sleep_quality") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, '2026-11-20'::date::date, 7::smallint)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.daily_checkins service_role insert: allowed');

-- public.daily_checkins:service_role:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$update "public"."daily_checkins" set "checkin_date" = "checkin_date", "sleep_quality" = "sleep_quality" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.daily_checkins service_role update: allowed');

-- public.daily_checkins:service_role:delete (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/daily_checkins', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$delete from "public"."daily_checkins" where "id" = '90e0ec7b42cc476cb7819a00297552eb'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.daily_checkins service_role delete: allowed');

-- public.training_plans:anon:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select 1 from "public"."training_plans" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.training_plans anon select: denied');

-- public.training_plans:anon:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."training_plans" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$insert into "public"."training_plans" ("athlete_id", "name", "starts_on") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'Matrix plan'::text, '2026-01-05'::date::date)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.training_plans anon insert: denied');

-- public.training_plans:anon:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$update "public"."training_plans" set "name" = "name", "starts_on" = "starts_on" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.training_plans anon update: denied');

-- public.training_plans:anon:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$delete from "public"."training_plans" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.training_plans anon delete: denied');

-- public.training_plans:owner:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."training_plans" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.training_plans owner select: allowed');

-- public.training_plans:owner:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."training_plans" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."training_plans" ("athlete_id", "name", "starts_on") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'Matrix plan'::text, '2026-01-05'::date::date)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.training_plans owner insert: allowed');

-- public.training_plans:owner:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."training_plans" set "name" = "name", "starts_on" = "starts_on" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.training_plans owner update: allowed');

-- public.training_plans:owner:delete (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."training_plans" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.training_plans owner delete: allowed');

-- public.training_plans:other:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."training_plans" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.training_plans other select: denied');

-- public.training_plans:other:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."training_plans" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."training_plans" ("athlete_id", "name", "starts_on") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'Matrix plan'::text, '2026-01-05'::date::date)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.training_plans other insert: denied');

-- public.training_plans:other:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."training_plans" set "name" = "name", "starts_on" = "starts_on" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.training_plans other update: denied');

-- public.training_plans:other:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."training_plans" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.training_plans other delete: denied');

-- public.training_plans:coach:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."training_plans" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.training_plans coach select: allowed');

-- public.training_plans:coach:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."training_plans" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."training_plans" ("athlete_id", "name", "starts_on") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'Matrix plan'::text, '2026-01-05'::date::date)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.training_plans coach insert: allowed');

-- public.training_plans:coach:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."training_plans" set "name" = "name", "starts_on" = "starts_on" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.training_plans coach update: allowed');

-- public.training_plans:coach:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."training_plans" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.training_plans coach delete: denied');

-- public.training_plans:admin:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."training_plans" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.training_plans admin select: denied');

-- public.training_plans:admin:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."training_plans" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."training_plans" ("athlete_id", "name", "starts_on") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'Matrix plan'::text, '2026-01-05'::date::date)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.training_plans admin insert: denied');

-- public.training_plans:admin:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."training_plans" set "name" = "name", "starts_on" = "starts_on" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.training_plans admin update: denied');

-- public.training_plans:admin:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."training_plans" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.training_plans admin delete: denied');

-- public.training_plans:service_role:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select 1 from "public"."training_plans" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.training_plans service_role select: allowed');

-- public.training_plans:service_role:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."training_plans" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$insert into "public"."training_plans" ("athlete_id", "name", "starts_on") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'Matrix plan'::text, '2026-01-05'::date::date)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.training_plans service_role insert: allowed');

-- public.training_plans:service_role:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$update "public"."training_plans" set "name" = "name", "starts_on" = "starts_on" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.training_plans service_role update: allowed');

-- public.training_plans:service_role:delete (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/training_plans', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$delete from "public"."training_plans" where "id" = '9d044dd8a61442c48401319de3e67c14'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.training_plans service_role delete: allowed');

-- public.workouts:anon:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select 1 from "public"."workouts" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.workouts anon select: denied');

-- public.workouts:anon:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."workouts" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$insert into "public"."workouts" ("athlete_id", "plan_id", "week_number", "day_number", "sport", "title") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, '9d044dd8a61442c48401319de3e67c14'::uuid::uuid, 1::integer, 1::integer, 'run'::text, 'Matrix workout'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.workouts anon insert: denied');

-- public.workouts:anon:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$update "public"."workouts" set "week_number" = "week_number", "day_number" = "day_number", "sport" = "sport", "title" = "title" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.workouts anon update: denied');

-- public.workouts:anon:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$delete from "public"."workouts" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.workouts anon delete: denied');

-- public.workouts:owner:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."workouts" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.workouts owner select: allowed');

-- public.workouts:owner:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."workouts" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."workouts" ("athlete_id", "plan_id", "week_number", "day_number", "sport", "title") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, '9d044dd8a61442c48401319de3e67c14'::uuid::uuid, 1::integer, 1::integer, 'run'::text, 'Matrix workout'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.workouts owner insert: allowed');

-- public.workouts:owner:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."workouts" set "week_number" = "week_number", "day_number" = "day_number", "sport" = "sport", "title" = "title" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.workouts owner update: allowed');

-- public.workouts:owner:delete (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."workouts" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.workouts owner delete: allowed');

-- public.workouts:other:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."workouts" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.workouts other select: denied');

-- public.workouts:other:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."workouts" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."workouts" ("athlete_id", "plan_id", "week_number", "day_number", "sport", "title") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, '9d044dd8a61442c48401319de3e67c14'::uuid::uuid, 1::integer, 1::integer, 'run'::text, 'Matrix workout'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.workouts other insert: denied');

-- public.workouts:other:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."workouts" set "week_number" = "week_number", "day_number" = "day_number", "sport" = "sport", "title" = "title" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.workouts other update: denied');

-- public.workouts:other:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."workouts" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.workouts other delete: denied');

-- public.workouts:coach:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."workouts" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.workouts coach select: allowed');

-- public.workouts:coach:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."workouts" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."workouts" ("athlete_id", "plan_id", "week_number", "day_number", "sport", "title") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, '9d044dd8a61442c48401319de3e67c14'::uuid::uuid, 1::integer, 1::integer, 'run'::text, 'Matrix workout'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.workouts coach insert: allowed');

-- public.workouts:coach:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."workouts" set "week_number" = "week_number", "day_number" = "day_number", "sport" = "sport", "title" = "title" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.workouts coach update: allowed');

-- public.workouts:coach:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."workouts" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.workouts coach delete: denied');

-- public.workouts:admin:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."workouts" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.workouts admin select: denied');

-- public.workouts:admin:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."workouts" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."workouts" ("athlete_id", "plan_id", "week_number", "day_number", "sport", "title") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, '9d044dd8a61442c48401319de3e67c14'::uuid::uuid, 1::integer, 1::integer, 'run'::text, 'Matrix workout'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.workouts admin insert: denied');

-- public.workouts:admin:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."workouts" set "week_number" = "week_number", "day_number" = "day_number", "sport" = "sport", "title" = "title" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.workouts admin update: denied');

-- public.workouts:admin:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."workouts" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.workouts admin delete: denied');

-- public.workouts:service_role:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select 1 from "public"."workouts" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.workouts service_role select: allowed');

-- public.workouts:service_role:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        execute $cell$delete from "public"."workouts" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$insert into "public"."workouts" ("athlete_id", "plan_id", "week_number", "day_number", "sport", "title") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, '9d044dd8a61442c48401319de3e67c14'::uuid::uuid, 1::integer, 1::integer, 'run'::text, 'Matrix workout'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.workouts service_role insert: allowed');

-- public.workouts:service_role:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$update "public"."workouts" set "week_number" = "week_number", "day_number" = "day_number", "sport" = "sport", "title" = "title" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.workouts service_role update: allowed');

-- public.workouts:service_role:delete (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$delete from "public"."workouts" where "id" = 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.workouts service_role delete: allowed');

-- public.methodologies:anon:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select 1 from "public"."methodologies" where "id" = 'cb89a82675c945378c0574ca7e788174'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.methodologies anon select: denied');

-- public.methodologies:anon:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$insert into "public"."methodologies" ("name", "sport", "description") values ('Matrix method b1584bb4bdea'::text, 'run'::text, 'Matrix methodology'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.methodologies anon insert: denied');

-- public.methodologies:anon:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$update "public"."methodologies" set "sport" = "sport", "description" = "description" where "id" = 'cb89a82675c945378c0574ca7e788174'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.methodologies anon update: denied');

-- public.methodologies:anon:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$delete from "public"."methodologies" where "id" = 'cb89a82675c945378c0574ca7e788174'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.methodologies anon delete: denied');

-- public.methodologies:owner:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."methodologies" where "id" = 'cb89a82675c945378c0574ca7e788174'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.methodologies owner select: allowed');

-- public.methodologies:owner:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."methodologies" ("name", "sport", "description") values ('Matrix method b1584bb4bdea'::text, 'run'::text, 'Matrix methodology'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.methodologies owner insert: denied');

-- public.methodologies:owner:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."methodologies" set "sport" = "sport", "description" = "description" where "id" = 'cb89a82675c945378c0574ca7e788174'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.methodologies owner update: denied');

-- public.methodologies:owner:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."methodologies" where "id" = 'cb89a82675c945378c0574ca7e788174'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.methodologies owner delete: denied');

-- public.methodologies:other:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."methodologies" where "id" = 'cb89a82675c945378c0574ca7e788174'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.methodologies other select: allowed');

-- public.methodologies:other:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."methodologies" ("name", "sport", "description") values ('Matrix method b1584bb4bdea'::text, 'run'::text, 'Matrix methodology'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.methodologies other insert: denied');

-- public.methodologies:other:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."methodologies" set "sport" = "sport", "description" = "description" where "id" = 'cb89a82675c945378c0574ca7e788174'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.methodologies other update: denied');

-- public.methodologies:other:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."methodologies" where "id" = 'cb89a82675c945378c0574ca7e788174'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.methodologies other delete: denied');

-- public.methodologies:coach:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."methodologies" where "id" = 'cb89a82675c945378c0574ca7e788174'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.methodologies coach select: allowed');

-- public.methodologies:coach:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."methodologies" ("name", "sport", "description") values ('Matrix method b1584bb4bdea'::text, 'run'::text, 'Matrix methodology'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.methodologies coach insert: denied');

-- public.methodologies:coach:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."methodologies" set "sport" = "sport", "description" = "description" where "id" = 'cb89a82675c945378c0574ca7e788174'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.methodologies coach update: denied');

-- public.methodologies:coach:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."methodologies" where "id" = 'cb89a82675c945378c0574ca7e788174'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.methodologies coach delete: denied');

-- public.methodologies:admin:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."methodologies" where "id" = 'cb89a82675c945378c0574ca7e788174'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.methodologies admin select: allowed');

-- public.methodologies:admin:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."methodologies" ("name", "sport", "description") values ('Matrix method b1584bb4bdea'::text, 'run'::text, 'Matrix methodology'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.methodologies admin insert: allowed');

-- public.methodologies:admin:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."methodologies" set "sport" = "sport", "description" = "description" where "id" = 'cb89a82675c945378c0574ca7e788174'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.methodologies admin update: allowed');

-- public.methodologies:admin:delete (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."methodologies" where "id" = 'cb89a82675c945378c0574ca7e788174'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.methodologies admin delete: allowed');

-- public.methodologies:service_role:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select 1 from "public"."methodologies" where "id" = 'cb89a82675c945378c0574ca7e788174'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.methodologies service_role select: allowed');

-- public.methodologies:service_role:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$insert into "public"."methodologies" ("name", "sport", "description") values ('Matrix method b1584bb4bdea'::text, 'run'::text, 'Matrix methodology'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.methodologies service_role insert: allowed');

-- public.methodologies:service_role:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$update "public"."methodologies" set "sport" = "sport", "description" = "description" where "id" = 'cb89a82675c945378c0574ca7e788174'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.methodologies service_role update: allowed');

-- public.methodologies:service_role:delete (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/methodologies', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$delete from "public"."methodologies" where "id" = 'cb89a82675c945378c0574ca7e788174'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.methodologies service_role delete: allowed');

-- public.conversations:anon:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select 1 from "public"."conversations" where "id" = '757c63c6912941f3970aab7c7e52420d'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.conversations anon select: denied');

-- public.conversations:anon:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$insert into "public"."conversations" ("athlete_id", "title") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'Matrix conversation'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.conversations anon insert: denied');

-- public.conversations:anon:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$update "public"."conversations" set "title" = "title" where "id" = '757c63c6912941f3970aab7c7e52420d'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.conversations anon update: denied');

-- public.conversations:anon:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$delete from "public"."conversations" where "id" = '757c63c6912941f3970aab7c7e52420d'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.conversations anon delete: denied');

-- public.conversations:owner:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."conversations" where "id" = '757c63c6912941f3970aab7c7e52420d'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.conversations owner select: allowed');

-- public.conversations:owner:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."conversations" ("athlete_id", "title") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'Matrix conversation'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.conversations owner insert: allowed');

-- public.conversations:owner:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."conversations" set "title" = "title" where "id" = '757c63c6912941f3970aab7c7e52420d'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.conversations owner update: allowed');

-- public.conversations:owner:delete (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."conversations" where "id" = '757c63c6912941f3970aab7c7e52420d'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.conversations owner delete: allowed');

-- public.conversations:other:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."conversations" where "id" = '757c63c6912941f3970aab7c7e52420d'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.conversations other select: denied');

-- public.conversations:other:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."conversations" ("athlete_id", "title") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'Matrix conversation'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.conversations other insert: denied');

-- public.conversations:other:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."conversations" set "title" = "title" where "id" = '757c63c6912941f3970aab7c7e52420d'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.conversations other update: denied');

-- public.conversations:other:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."conversations" where "id" = '757c63c6912941f3970aab7c7e52420d'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.conversations other delete: denied');

-- public.conversations:coach:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."conversations" where "id" = '757c63c6912941f3970aab7c7e52420d'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.conversations coach select: denied');

-- public.conversations:coach:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."conversations" ("athlete_id", "title") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'Matrix conversation'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.conversations coach insert: denied');

-- public.conversations:coach:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."conversations" set "title" = "title" where "id" = '757c63c6912941f3970aab7c7e52420d'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.conversations coach update: denied');

-- public.conversations:coach:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."conversations" where "id" = '757c63c6912941f3970aab7c7e52420d'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.conversations coach delete: denied');

-- public.conversations:admin:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."conversations" where "id" = '757c63c6912941f3970aab7c7e52420d'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.conversations admin select: denied');

-- public.conversations:admin:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."conversations" ("athlete_id", "title") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'Matrix conversation'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.conversations admin insert: denied');

-- public.conversations:admin:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."conversations" set "title" = "title" where "id" = '757c63c6912941f3970aab7c7e52420d'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.conversations admin update: denied');

-- public.conversations:admin:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."conversations" where "id" = '757c63c6912941f3970aab7c7e52420d'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.conversations admin delete: denied');

-- public.conversations:service_role:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select 1 from "public"."conversations" where "id" = '757c63c6912941f3970aab7c7e52420d'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.conversations service_role select: allowed');

-- public.conversations:service_role:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$insert into "public"."conversations" ("athlete_id", "title") values ('b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'Matrix conversation'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.conversations service_role insert: allowed');

-- public.conversations:service_role:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$update "public"."conversations" set "title" = "title" where "id" = '757c63c6912941f3970aab7c7e52420d'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.conversations service_role update: allowed');

-- public.conversations:service_role:delete (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/conversations', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$delete from "public"."conversations" where "id" = '757c63c6912941f3970aab7c7e52420d'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.conversations service_role delete: allowed');

-- public.conversation_messages:anon:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select 1 from "public"."conversation_messages" where "id" = 'f737f6c369744eae8c1eb1f931ccf104'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.conversation_messages anon select: denied');

-- public.conversation_messages:anon:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$insert into "public"."conversation_messages" ("conversation_id", "athlete_id", "role", "content") values ('757c63c6912941f3970aab7c7e52420d'::uuid::uuid, 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'user'::text, 'Matrix message'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.conversation_messages anon insert: denied');

-- public.conversation_messages:anon:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$update "public"."conversation_messages" set "role" = "role", "content" = "content" where "id" = 'f737f6c369744eae8c1eb1f931ccf104'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.conversation_messages anon update: denied');

-- public.conversation_messages:anon:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$delete from "public"."conversation_messages" where "id" = 'f737f6c369744eae8c1eb1f931ccf104'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.conversation_messages anon delete: denied');

-- public.conversation_messages:owner:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."conversation_messages" where "id" = 'f737f6c369744eae8c1eb1f931ccf104'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.conversation_messages owner select: allowed');

-- public.conversation_messages:owner:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."conversation_messages" ("conversation_id", "athlete_id", "role", "content") values ('757c63c6912941f3970aab7c7e52420d'::uuid::uuid, 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'user'::text, 'Matrix message'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.conversation_messages owner insert: allowed');

-- public.conversation_messages:owner:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."conversation_messages" set "role" = "role", "content" = "content" where "id" = 'f737f6c369744eae8c1eb1f931ccf104'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.conversation_messages owner update: allowed');

-- public.conversation_messages:owner:delete (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."conversation_messages" where "id" = 'f737f6c369744eae8c1eb1f931ccf104'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.conversation_messages owner delete: allowed');

-- public.conversation_messages:other:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."conversation_messages" where "id" = 'f737f6c369744eae8c1eb1f931ccf104'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.conversation_messages other select: denied');

-- public.conversation_messages:other:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."conversation_messages" ("conversation_id", "athlete_id", "role", "content") values ('757c63c6912941f3970aab7c7e52420d'::uuid::uuid, 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'user'::text, 'Matrix message'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.conversation_messages other insert: denied');

-- public.conversation_messages:other:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."conversation_messages" set "role" = "role", "content" = "content" where "id" = 'f737f6c369744eae8c1eb1f931ccf104'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.conversation_messages other update: denied');

-- public.conversation_messages:other:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."conversation_messages" where "id" = 'f737f6c369744eae8c1eb1f931ccf104'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.conversation_messages other delete: denied');

-- public.conversation_messages:coach:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."conversation_messages" where "id" = 'f737f6c369744eae8c1eb1f931ccf104'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.conversation_messages coach select: denied');

-- public.conversation_messages:coach:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."conversation_messages" ("conversation_id", "athlete_id", "role", "content") values ('757c63c6912941f3970aab7c7e52420d'::uuid::uuid, 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'user'::text, 'Matrix message'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.conversation_messages coach insert: denied');

-- public.conversation_messages:coach:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."conversation_messages" set "role" = "role", "content" = "content" where "id" = 'f737f6c369744eae8c1eb1f931ccf104'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.conversation_messages coach update: denied');

-- public.conversation_messages:coach:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."conversation_messages" where "id" = 'f737f6c369744eae8c1eb1f931ccf104'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.conversation_messages coach delete: denied');

-- public.conversation_messages:admin:select (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select 1 from "public"."conversation_messages" where "id" = 'f737f6c369744eae8c1eb1f931ccf104'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.conversation_messages admin select: denied');

-- public.conversation_messages:admin:insert (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$insert into "public"."conversation_messages" ("conversation_id", "athlete_id", "role", "content") values ('757c63c6912941f3970aab7c7e52420d'::uuid::uuid, 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'user'::text, 'Matrix message'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.conversation_messages admin insert: denied');

-- public.conversation_messages:admin:update (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$update "public"."conversation_messages" set "role" = "role", "content" = "content" where "id" = 'f737f6c369744eae8c1eb1f931ccf104'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.conversation_messages admin update: denied');

-- public.conversation_messages:admin:delete (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$delete from "public"."conversation_messages" where "id" = 'f737f6c369744eae8c1eb1f931ccf104'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate') || ' ' || pg_catalog.current_setting('khepri.cell_rows')::bigint, ' 0', 'public.conversation_messages admin delete: denied');

-- public.conversation_messages:service_role:select (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'GET', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select 1 from "public"."conversation_messages" where "id" = 'f737f6c369744eae8c1eb1f931ccf104'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.conversation_messages service_role select: allowed');

-- public.conversation_messages:service_role:insert (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$insert into "public"."conversation_messages" ("conversation_id", "athlete_id", "role", "content") values ('757c63c6912941f3970aab7c7e52420d'::uuid::uuid, 'b379914bf2c54d8aa5a6921bef53f243'::uuid::uuid, 'user'::text, 'Matrix message'::text)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.conversation_messages service_role insert: allowed');

-- public.conversation_messages:service_role:update (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'PATCH', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$update "public"."conversation_messages" set "role" = "role", "content" = "content" where "id" = 'f737f6c369744eae8c1eb1f931ccf104'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.conversation_messages service_role update: allowed');

-- public.conversation_messages:service_role:delete (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'DELETE', true);
        perform pg_catalog.set_config('request.path', '/conversation_messages', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$delete from "public"."conversation_messages" where "id" = 'f737f6c369744eae8c1eb1f931ccf104'::uuid::uuid$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select ok(pg_catalog.current_setting('khepri.cell_sqlstate') = '' and pg_catalog.current_setting('khepri.cell_rows')::bigint > 0, 'public.conversation_messages service_role delete: allowed');

-- public.finalize_onboarding:anon:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/finalize_onboarding', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select public.finalize_onboarding(profile => '{"display_name": "Matrix"}'::jsonb)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.finalize_onboarding anon execute: denied');

-- public.finalize_onboarding:owner:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/finalize_onboarding', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.finalize_onboarding(profile => '{"display_name": "Matrix"}'::jsonb)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.finalize_onboarding owner execute: allowed');

-- public.finalize_onboarding:other:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/finalize_onboarding', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.finalize_onboarding(profile => '{"display_name": "Matrix"}'::jsonb)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.finalize_onboarding other execute: allowed');

-- public.finalize_onboarding:coach:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/finalize_onboarding', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.finalize_onboarding(profile => '{"display_name": "Matrix"}'::jsonb)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.finalize_onboarding coach execute: allowed');

-- public.finalize_onboarding:admin:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/finalize_onboarding', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.finalize_onboarding(profile => '{"display_name": "Matrix"}'::jsonb)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.finalize_onboarding admin execute: allowed');

-- public.finalize_onboarding:service_role:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/finalize_onboarding', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select public.finalize_onboarding(profile => '{"display_name": "Matrix"}'::jsonb)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.finalize_onboarding service_role execute: denied');

-- public.create_plan_with_workouts:anon:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/create_plan_with_workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select public.create_plan_with_workouts(plan => jsonb_build_object('athlete_id', 'b379914bf2c54d8aa5a6921bef53f243'::uuid, 'name', 'Matrix', 'starts_on', '2027-01-04', 'workouts', '[{"week_number": 1, "day_number": 2, "sport": "run", "title": "x"}]'::jsonb))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.create_plan_with_workouts anon execute: denied');

-- public.create_plan_with_workouts:owner:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/create_plan_with_workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.create_plan_with_workouts(plan => jsonb_build_object('athlete_id', 'b379914bf2c54d8aa5a6921bef53f243'::uuid, 'name', 'Matrix', 'starts_on', '2027-01-04', 'workouts', '[{"week_number": 1, "day_number": 2, "sport": "run", "title": "x"}]'::jsonb))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.create_plan_with_workouts owner execute: allowed');

-- public.create_plan_with_workouts:other:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/create_plan_with_workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.create_plan_with_workouts(plan => jsonb_build_object('athlete_id', 'b379914bf2c54d8aa5a6921bef53f243'::uuid, 'name', 'Matrix', 'starts_on', '2027-01-04', 'workouts', '[{"week_number": 1, "day_number": 2, "sport": "run", "title": "x"}]'::jsonb))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.create_plan_with_workouts other execute: denied');

-- public.create_plan_with_workouts:coach:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/create_plan_with_workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.create_plan_with_workouts(plan => jsonb_build_object('athlete_id', 'b379914bf2c54d8aa5a6921bef53f243'::uuid, 'name', 'Matrix', 'starts_on', '2027-01-04', 'workouts', '[{"week_number": 1, "day_number": 2, "sport": "run", "title": "x"}]'::jsonb))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.create_plan_with_workouts coach execute: allowed');

-- public.create_plan_with_workouts:admin:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/create_plan_with_workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.create_plan_with_workouts(plan => jsonb_build_object('athlete_id', 'b379914bf2c54d8aa5a6921bef53f243'::uuid, 'name', 'Matrix', 'starts_on', '2027-01-04', 'workouts', '[{"week_number": 1, "day_number": 2, "sport": "run", "title": "x"}]'::jsonb))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.create_plan_with_workouts admin execute: denied');

-- public.create_plan_with_workouts:service_role:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/create_plan_with_workouts', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select public.create_plan_with_workouts(plan => jsonb_build_object('athlete_id', 'b379914bf2c54d8aa5a6921bef53f243'::uuid, 'name', 'Matrix', 'starts_on', '2027-01-04', 'workouts', '[{"week_number": 1, "day_number": 2, "sport": "run", "title": "x"}]'::jsonb))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.create_plan_with_workouts service_role execute: denied');

-- public.activate_plan:anon:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/activate_plan', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select public.activate_plan(plan_id => '9d044dd8a61442c48401319de3e67c14'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.activate_plan anon execute: denied');

-- public.activate_plan:owner:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/activate_plan', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.activate_plan(plan_id => '9d044dd8a61442c48401319de3e67c14'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.activate_plan owner execute: allowed');

-- public.activate_plan:other:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/activate_plan', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.activate_plan(plan_id => '9d044dd8a61442c48401319de3e67c14'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), 'P0002', 'public.activate_plan other execute: denied');

-- public.activate_plan:coach:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/activate_plan', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.activate_plan(plan_id => '9d044dd8a61442c48401319de3e67c14'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.activate_plan coach execute: allowed');

-- public.activate_plan:admin:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/activate_plan', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.activate_plan(plan_id => '9d044dd8a61442c48401319de3e67c14'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), 'P0002', 'public.activate_plan admin execute: denied');

-- public.activate_plan:service_role:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/activate_plan', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select public.activate_plan(plan_id => '9d044dd8a61442c48401319de3e67c14'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.activate_plan service_role execute: denied');

-- public.schedule_workout:anon:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/schedule_workout', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select public.schedule_workout(workout => jsonb_build_object('plan_id', '9d044dd8a61442c48401319de3e67c14'::uuid, 'week_number', 1, 'day_number', 1, 'scheduled_on', '2026-01-06'))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.schedule_workout anon execute: denied');

-- public.schedule_workout:owner:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/schedule_workout', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.schedule_workout(workout => jsonb_build_object('plan_id', '9d044dd8a61442c48401319de3e67c14'::uuid, 'week_number', 1, 'day_number', 1, 'scheduled_on', '2026-01-06'))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.schedule_workout owner execute: allowed');

-- public.schedule_workout:other:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/schedule_workout', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.schedule_workout(workout => jsonb_build_object('plan_id', '9d044dd8a61442c48401319de3e67c14'::uuid, 'week_number', 1, 'day_number', 1, 'scheduled_on', '2026-01-06'))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), 'P0002', 'public.schedule_workout other execute: denied');

-- public.schedule_workout:coach:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/schedule_workout', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.schedule_workout(workout => jsonb_build_object('plan_id', '9d044dd8a61442c48401319de3e67c14'::uuid, 'week_number', 1, 'day_number', 1, 'scheduled_on', '2026-01-06'))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.schedule_workout coach execute: allowed');

-- public.schedule_workout:admin:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/schedule_workout', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.schedule_workout(workout => jsonb_build_object('plan_id', '9d044dd8a61442c48401319de3e67c14'::uuid, 'week_number', 1, 'day_number', 1, 'scheduled_on', '2026-01-06'))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), 'P0002', 'public.schedule_workout admin execute: denied');

-- public.schedule_workout:service_role:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/schedule_workout', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select public.schedule_workout(workout => jsonb_build_object('plan_id', '9d044dd8a61442c48401319de3e67c14'::uuid, 'week_number', 1, 'day_number', 1, 'scheduled_on', '2026-01-06'))$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.schedule_workout service_role execute: denied');

-- public.complete_workout:anon:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/complete_workout', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select public.complete_workout(workout_id => 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid, rpe => 5)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.complete_workout anon execute: denied');

-- public.complete_workout:owner:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/complete_workout', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.complete_workout(workout_id => 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid, rpe => 5)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.complete_workout owner execute: allowed');

-- public.complete_workout:other:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/complete_workout', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.complete_workout(workout_id => 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid, rpe => 5)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), 'P0002', 'public.complete_workout other execute: denied');

-- public.complete_workout:coach:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/complete_workout', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.complete_workout(workout_id => 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid, rpe => 5)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.complete_workout coach execute: allowed');

-- public.complete_workout:admin:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/complete_workout', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.complete_workout(workout_id => 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid, rpe => 5)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), 'P0002', 'public.complete_workout admin execute: denied');

-- public.complete_workout:service_role:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/complete_workout', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select public.complete_workout(workout_id => 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid, rpe => 5)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.complete_workout service_role execute: denied');

-- public.skip_workout:anon:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/skip_workout', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select public.skip_workout(workout_id => 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid, reason => 'matrix')$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.skip_workout anon execute: denied');

-- public.skip_workout:owner:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/skip_workout', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.skip_workout(workout_id => 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid, reason => 'matrix')$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.skip_workout owner execute: allowed');

-- public.skip_workout:other:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/skip_workout', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.skip_workout(workout_id => 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid, reason => 'matrix')$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), 'P0002', 'public.skip_workout other execute: denied');

-- public.skip_workout:coach:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/skip_workout', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.skip_workout(workout_id => 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid, reason => 'matrix')$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.skip_workout coach execute: allowed');

-- public.skip_workout:admin:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/skip_workout', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.skip_workout(workout_id => 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid, reason => 'matrix')$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), 'P0002', 'public.skip_workout admin execute: denied');

-- public.skip_workout:service_role:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/skip_workout', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select public.skip_workout(workout_id => 'dc8e33ba1bee41e98c1e30ca5babcd55'::uuid, reason => 'matrix')$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.skip_workout service_role execute: denied');

-- public.plan_progress:anon:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/plan_progress', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select public.plan_progress(plan_id => '9d044dd8a61442c48401319de3e67c14'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.plan_progress anon execute: denied');

-- public.plan_progress:owner:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/plan_progress', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.plan_progress(plan_id => '9d044dd8a61442c48401319de3e67c14'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.plan_progress owner execute: allowed');

-- public.plan_progress:other:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/plan_progress', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.plan_progress(plan_id => '9d044dd8a61442c48401319de3e67c14'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), 'P0002', 'public.plan_progress other execute: denied');

-- public.plan_progress:coach:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/plan_progress', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.plan_progress(plan_id => '9d044dd8a61442c48401319de3e67c14'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.plan_progress coach execute: allowed');

-- public.plan_progress:admin:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/plan_progress', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.plan_progress(plan_id => '9d044dd8a61442c48401319de3e67c14'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), 'P0002', 'public.plan_progress admin execute: denied');

-- public.plan_progress:service_role:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/plan_progress', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select public.plan_progress(plan_id => '9d044dd8a61442c48401319de3e67c14'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.plan_progress service_role execute: denied');

-- public.submit_daily_checkin:anon:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/submit_daily_checkin', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select public.submit_daily_checkin(checkin => '{"checkin_date": "2026-11-19", "sleep_quality": 6}'::jsonb)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.submit_daily_checkin anon execute: denied');

-- public.submit_daily_checkin:owner:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/submit_daily_checkin', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.submit_daily_checkin(checkin => '{"checkin_date": "2026-11-19", "sleep_quality": 6}'::jsonb)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.submit_daily_checkin owner execute: allowed');

-- public.submit_daily_checkin:other:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/submit_daily_checkin', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.submit_daily_checkin(checkin => '{"checkin_date": "2026-11-19", "sleep_quality": 6}'::jsonb)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.submit_daily_checkin other execute: allowed');

-- public.submit_daily_checkin:coach:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/submit_daily_checkin', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.submit_daily_checkin(checkin => '{"checkin_date": "2026-11-19", "sleep_quality": 6}'::jsonb)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), 'P0002', 'public.submit_daily_checkin coach execute: denied');

-- public.submit_daily_checkin:admin:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/submit_daily_checkin', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.submit_daily_checkin(checkin => '{"checkin_date": "2026-11-19", "sleep_quality": 6}'::jsonb)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), 'P0002', 'public.submit_daily_checkin admin execute: denied');

-- public.submit_daily_checkin:service_role:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/submit_daily_checkin', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select public.submit_daily_checkin(checkin => '{"checkin_date": "2026-11-19", "sleep_quality": 6}'::jsonb)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.submit_daily_checkin service_role execute: denied');

-- public.link_coach:anon:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/link_coach', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select public.link_coach(coach_user_id => '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.link_coach anon execute: denied');

-- public.link_coach:owner:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/link_coach', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.link_coach(coach_user_id => '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.link_coach owner execute: allowed');

-- public.link_coach:other:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/link_coach', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.link_coach(coach_user_id => '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.link_coach other execute: allowed');

-- public.link_coach:coach:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/link_coach', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.link_coach(coach_user_id => '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '22023', 'public.link_coach coach execute: denied');

-- public.link_coach:admin:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/link_coach', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.link_coach(coach_user_id => '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), 'P0002', 'public.link_coach admin execute: denied');

-- public.link_coach:service_role:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/link_coach', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select public.link_coach(coach_user_id => '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.link_coach service_role execute: denied');

-- public.accept_coach_link:anon:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/accept_coach_link', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select public.accept_coach_link(athlete_id => 'b379914bf2c54d8aa5a6921bef53f243'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.accept_coach_link anon execute: denied');

-- public.accept_coach_link:owner:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/accept_coach_link', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.accept_coach_link(athlete_id => 'b379914bf2c54d8aa5a6921bef53f243'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), 'P0002', 'public.accept_coach_link owner execute: denied');

-- public.accept_coach_link:other:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/accept_coach_link', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.accept_coach_link(athlete_id => 'b379914bf2c54d8aa5a6921bef53f243'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), 'P0002', 'public.accept_coach_link other execute: denied');

-- public.accept_coach_link:coach:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/accept_coach_link', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.accept_coach_link(athlete_id => 'b379914bf2c54d8aa5a6921bef53f243'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.accept_coach_link coach execute: allowed');

-- public.accept_coach_link:admin:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/accept_coach_link', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.accept_coach_link(athlete_id => 'b379914bf2c54d8aa5a6921bef53f243'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), 'P0002', 'public.accept_coach_link admin execute: denied');

-- public.accept_coach_link:service_role:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/accept_coach_link', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select public.accept_coach_link(athlete_id => 'b379914bf2c54d8aa5a6921bef53f243'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.accept_coach_link service_role execute: denied');

-- public.revoke_coach:anon:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/revoke_coach', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select public.revoke_coach(coach_user_id => '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.revoke_coach anon execute: denied');

-- public.revoke_coach:owner:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/revoke_coach', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.revoke_coach(coach_user_id => '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.revoke_coach owner execute: allowed');

-- public.revoke_coach:other:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/revoke_coach', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.revoke_coach(coach_user_id => '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), 'P0002', 'public.revoke_coach other execute: denied');

-- public.revoke_coach:coach:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/revoke_coach', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.revoke_coach(coach_user_id => '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), 'P0002', 'public.revoke_coach coach execute: denied');

-- public.revoke_coach:admin:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/revoke_coach', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.revoke_coach(coach_user_id => '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), 'P0002', 'public.revoke_coach admin execute: denied');

-- public.revoke_coach:service_role:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/revoke_coach', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select public.revoke_coach(coach_user_id => '1de8ccb930bd4873bbe76c35aa32f7f8'::uuid)$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.revoke_coach service_role execute: denied');

-- public.export_my_data:anon:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/export_my_data', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select "public"."export_my_data"()$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.export_my_data anon execute: denied');

-- public.export_my_data:owner:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/export_my_data', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select "public"."export_my_data"()$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.export_my_data owner execute: allowed');

-- public.export_my_data:other:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/export_my_data', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select "public"."export_my_data"()$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.export_my_data other execute: allowed');

-- public.export_my_data:coach:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/export_my_data', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select "public"."export_my_data"()$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.export_my_data coach execute: allowed');

-- public.export_my_data:admin:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/export_my_data', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select "public"."export_my_data"()$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.export_my_data admin execute: allowed');

-- public.export_my_data:service_role:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/export_my_data', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select "public"."export_my_data"()$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.export_my_data service_role execute: denied');

-- public.cleanup_expired_idempotency_keys:anon:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/cleanup_expired_idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select "public"."cleanup_expired_idempotency_keys"()$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.cleanup_expired_idempotency_keys anon execute: denied');

-- public.cleanup_expired_idempotency_keys:owner:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/cleanup_expired_idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select "public"."cleanup_expired_idempotency_keys"()$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.cleanup_expired_idempotency_keys owner execute: denied');

-- public.cleanup_expired_idempotency_keys:other:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/cleanup_expired_idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select "public"."cleanup_expired_idempotency_keys"()$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.cleanup_expired_idempotency_keys other execute: denied');

-- public.cleanup_expired_idempotency_keys:coach:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/cleanup_expired_idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select "public"."cleanup_expired_idempotency_keys"()$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.cleanup_expired_idempotency_keys coach execute: denied');

-- public.cleanup_expired_idempotency_keys:admin:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/cleanup_expired_idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select "public"."cleanup_expired_idempotency_keys"()$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.cleanup_expired_idempotency_keys admin execute: denied');

-- public.cleanup_expired_idempotency_keys:service_role:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/cleanup_expired_idempotency_keys', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select "public"."cleanup_expired_idempotency_keys"()$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.cleanup_expired_idempotency_keys service_role execute: allowed');

-- public.current_athlete_id:anon:execute (denied)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/current_athlete_id', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select "public"."current_athlete_id"()$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '42501', 'public.current_athlete_id anon execute: denied');

-- public.current_athlete_id:owner:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/current_athlete_id', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select "public"."current_athlete_id"()$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.current_athlete_id owner execute: allowed');

-- public.current_athlete_id:other:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/current_athlete_id', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select "public"."current_athlete_id"()$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.current_athlete_id other execute: allowed');

-- public.current_athlete_id:coach:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/current_athlete_id', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select "public"."current_athlete_id"()$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.current_athlete_id coach execute: allowed');

-- public.current_athlete_id:admin:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/current_athlete_id', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select "public"."current_athlete_id"()$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.current_athlete_id admin execute: allowed');

-- public.current_athlete_id:service_role:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/current_athlete_id', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select "public"."current_athlete_id"()$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.current_athlete_id service_role execute: allowed');

-- public.is_valid_timezone:anon:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'anon', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"anon","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/is_valid_timezone', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '3s', true);
        execute $cell$select public.is_valid_timezone('Europe/Paris')$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.is_valid_timezone anon execute: allowed');

-- public.is_valid_timezone:owner:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"351f39eb-f16e-47c9-bd50-1bdcb1d5b385","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"388fdf89-186d-4831-89b8-e64e63cda11d","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/is_valid_timezone', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.is_valid_timezone('Europe/Paris')$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.is_valid_timezone owner execute: allowed');

-- public.is_valid_timezone:other:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"839b3c00-d789-4d42-b31d-7ba68037a6d2","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"other-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"02a05993-c687-47be-bf45-4acdab2acac4","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/is_valid_timezone', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.is_valid_timezone('Europe/Paris')$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.is_valid_timezone other execute: allowed');

-- public.is_valid_timezone:coach:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"1de8ccb9-30bd-4873-bbe7-6c35aa32f7f8","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"coach-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"7a218798-e3c2-4785-b0d5-71cac537992f","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/is_valid_timezone', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.is_valid_timezone('Europe/Paris')$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.is_valid_timezone coach execute: allowed');

-- public.is_valid_timezone:admin:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'authenticated', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"http://127.0.0.1:54321/auth/v1","sub":"0c75521e-40b1-4129-87b6-962b0bbf4018","aud":"authenticated","exp":2112033687,"iat":1796673687,"email":"admin-of-owner-c0a4767c34d6@access.khepri.test","phone":"","app_metadata":{"provider":"email","providers":["email"],"khepri_role":"admin"},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1796673687}],"session_id":"6779a63e-594b-418c-bb38-b43c0fc9d078","is_anonymous":false}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/is_valid_timezone', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        perform pg_catalog.set_config('statement_timeout', '8s', true);
        execute $cell$select public.is_valid_timezone('Europe/Paris')$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.is_valid_timezone admin execute: allowed');

-- public.is_valid_timezone:service_role:execute (allowed)
do $khepri$
declare
    affected bigint := 0;
    failed text := '';
begin
    begin
        perform pg_catalog.set_config('role', 'service_role', true);
        perform pg_catalog.set_config('request.jwt.claims', '{"iss":"supabase","role":"service_role","iat":1796673687,"exp":2112033687}', true);
        perform pg_catalog.set_config('request.method', 'POST', true);
        perform pg_catalog.set_config('request.path', '/rpc/is_valid_timezone', true);
        perform pg_catalog.set_config('request.headers', '{}', true);
        perform pg_catalog.set_config('request.cookies', '{}', true);
        perform pg_catalog.set_config('search_path', '"public", "extensions"', true);
        execute $cell$select public.is_valid_timezone('Europe/Paris')$cell$;
        get diagnostics affected = row_count;
        raise exception using errcode = 'KH001';
    exception
        when sqlstate 'KH001' then null;
        when others then failed := sqlstate;
    end;
    perform pg_catalog.set_config('khepri.cell_sqlstate', failed, true);
    perform pg_catalog.set_config('khepri.cell_rows', affected::text, true);
end $khepri$;
select is(pg_catalog.current_setting('khepri.cell_sqlstate'), '', 'public.is_valid_timezone service_role execute: allowed');

select finish();
rollback;
