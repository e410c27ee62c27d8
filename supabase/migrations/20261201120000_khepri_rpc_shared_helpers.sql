-- Khepri schema: the RPCs' repeated preambles and typed field readers folded into shared helpers.
--
-- Every RPC began with the same sign-in check (auth.uid() null: 42501 "<rpc> needs a signed-in
-- user"), four of them with the same "no athlete profile yet" check (P0002), and each of the ten
-- typed field readers repeated the same two steps (absent or JSON null: null; another JSON type:
-- 22023 "<path>.<field> must be ..."). They are one helper each now, and the RPCs and readers are
-- re-created to call them. Signatures, return shapes, SQLSTATEs, messages, detail and hint, and
-- side effects are those of the definitions replaced (20261121110000, 20261121110500,
-- 20261121110600, 20261121110700, 20261201085000): tests/test_rpc_fold.py compares every RPC's
-- errors for a set of bad payloads before and after this migration.
--
-- create or replace keeps each function's owner, grants and comment.

-- The signed-in user's id (auth.uid()), or 42501 "<operation> needs a signed-in user" (with the
-- hint, if given). STABLE, not IMMUTABLE: it reads the request's JWT, and it raises.
create or replace function khepri_private.require_user(operation text, hint text default null)
returns uuid
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
    v_uid uuid := auth.uid();
begin
    if v_uid is not null then
        return v_uid;
    end if;
    if hint is null then
        raise exception using errcode = '42501', message = format('%s needs a signed-in user', operation);
    end if;
    raise exception using errcode = '42501', message = format('%s needs a signed-in user', operation), hint = hint;
end;
$$;

comment on function khepri_private.require_user(text, text) is
'Returns auth.uid(), or raises 42501 "<operation> needs a signed-in user" (with the hint, if given) when nobody is.';

-- athlete_id itself, or P0002 "you have no athlete profile yet" when it is null (the caller has
-- not onboarded). STABLE, not IMMUTABLE: a call with a constant null must not raise while a
-- statement is planned (see 20261121120000).
create or replace function khepri_private.require_athlete(athlete_id uuid)
returns uuid
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
    if athlete_id is null then
        raise exception using
            errcode = 'P0002', message = 'you have no athlete profile yet', hint = 'Call finalize_onboarding first.';
    end if;
    return athlete_id;
end;
$$;

comment on function khepri_private.require_athlete(uuid) is
'Returns its argument, or raises P0002 "you have no athlete profile yet" when it is null.';

-- The JSON value of input.field: null when the field is absent or JSON null; 22023
-- "<path>.<field> <problem>" when its JSON type is not json_type. What every typed reader does first.
create or replace function khepri_private.typed_value(
    input jsonb, field text, path text, json_type text, problem text
)
returns jsonb
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
    v_value jsonb := input -> field;
begin
    if coalesce(jsonb_typeof(v_value), 'null') = 'null' then
        return null;
    end if;
    if jsonb_typeof(v_value) <> json_type then
        perform khepri_private.invalid(path || '.' || field, problem);
    end if;
    return v_value;
end;
$$;

comment on function khepri_private.typed_value(jsonb, text, text, text, text) is
'input.field if its JSON type is json_type, null if absent or JSON null, else 22023 "<path>.<field> <problem>".';

revoke all on function khepri_private.require_user(text, text) from public, anon;
revoke all on function khepri_private.require_athlete(uuid) from public, anon;
revoke all on function khepri_private.typed_value(jsonb, text, text, text, text) from public, anon;
grant execute on function khepri_private.require_user(text, text) to authenticated, service_role;
grant execute on function khepri_private.require_athlete(uuid) to authenticated, service_role;
grant execute on function khepri_private.typed_value(jsonb, text, text, text, text) to authenticated, service_role;

-- The typed field readers that checked the JSON type themselves, as in 20261121110000 (numeric_field as
-- in 20261201085000), now on typed_value. integer_field, date_field, time_field and uuid_field read
-- through numeric_field and text_field, so they stay as they are.
create or replace function khepri_private.text_field(input jsonb, field text, path text)
returns text
language plpgsql
immutable
security invoker
set search_path = ''
as $$
begin
    return khepri_private.typed_value(input, field, path, 'string', 'must be a string') #>> '{}';
end;
$$;

create or replace function khepri_private.numeric_field(input jsonb, field text, path text)
returns numeric
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
    v_value numeric := (khepri_private.typed_value(input, field, path, 'number', 'must be a number') #>> '{}')::numeric;
begin
    perform khepri_private.check_fits(v_value, field, path);
    return v_value;
end;
$$;

create or replace function khepri_private.boolean_field(input jsonb, field text, path text)
returns boolean
language plpgsql
immutable
security invoker
set search_path = ''
as $$
begin
    return (khepri_private.typed_value(input, field, path, 'boolean', 'must be true or false') #>> '{}')::boolean;
end;
$$;

create or replace function khepri_private.text_array_field(input jsonb, field text, path text)
returns text[]
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
    v_value jsonb := khepri_private.typed_value(input, field, path, 'array', 'must be an array of strings');
begin
    if v_value is null then
        return null;
    end if;
    if exists (select 1 from jsonb_array_elements(v_value) as e where jsonb_typeof(e) <> 'string') then
        perform khepri_private.invalid(path || '.' || field, 'must be an array of strings');
    end if;
    return array(select jsonb_array_elements_text(v_value));
end;
$$;

create or replace function khepri_private.integer_array_field(input jsonb, field text, path text)
returns integer[]
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
    v_value jsonb := khepri_private.typed_value(input, field, path, 'array', 'must be an array of whole numbers');
begin
    if v_value is null then
        return null;
    end if;
    if exists (
        select 1 from jsonb_array_elements(v_value) as e
        where jsonb_typeof(e) <> 'number' or (e #>> '{}')::numeric <> trunc((e #>> '{}')::numeric)
    ) then
        perform khepri_private.invalid(path || '.' || field, 'must be an array of whole numbers');
    end if;
    return array(select (jsonb_array_elements_text(v_value))::integer);
end;
$$;

create or replace function khepri_private.json_field(input jsonb, field text, path text, json_type text)
returns jsonb
language plpgsql
immutable
security invoker
set search_path = ''
as $$
begin
    return khepri_private.typed_value(input, field, path, json_type, format('must be a JSON %s', json_type));
end;
$$;

-- idempotency_begin, as in 20261121110000, with the sign-in check of require_user.
create or replace function khepri_private.idempotency_begin(operation text, key text, request jsonb)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
    v_user_id uuid;
    v_hash text;
    v_existing public.idempotency_keys%rowtype;
begin
    if key is null then
        return null;
    end if;
    v_user_id := khepri_private.require_user(operation);
    if char_length(key) not between 1 and 255 then
        perform khepri_private.invalid('idempotency_key', 'must be 1 to 255 characters');
    end if;
    v_hash := encode(sha256(convert_to(coalesce(request, 'null'::jsonb)::text, 'UTF8')), 'hex');
    delete from public.idempotency_keys as k
    where
        k.user_id = v_user_id and k.operation = idempotency_begin.operation and k.key = idempotency_begin.key
        and k.expires_at <= now();
    insert into public.idempotency_keys (user_id, operation, key, request_hash)
    values (v_user_id, idempotency_begin.operation, idempotency_begin.key, v_hash)
    on conflict on constraint idempotency_keys_pkey do nothing;
    if found then
        return null;
    end if;
    select k.* into v_existing
    from public.idempotency_keys as k
    where k.user_id = v_user_id and k.operation = idempotency_begin.operation and k.key = idempotency_begin.key;
    if v_existing.request_hash <> v_hash then
        raise exception using
            errcode = '22023',
            message = 'idempotency_key was already used with different input',
            detail = format('Key %L was first used for %s at %s.', key, operation, v_existing.created_at),
            hint = 'Use a new idempotency key for a new request.';
    end if;
    if v_existing.response is null then
        raise exception using
            errcode = '55000',
            message = format('the first %s call with this idempotency_key did not record a result', operation);
    end if;
    return v_existing.response;
end;
$$;

-- finalize_onboarding, as in 20261121110500, on the shared helpers.
create or replace function public.finalize_onboarding(
    profile jsonb,
    plan jsonb default null,
    idempotency_key text default null,
    goal jsonb default null
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
    v_profile_fields constant text [] := array[
        'display_name', 'timezone', 'units', 'preferences', 'date_of_birth', 'sex', 'weight_kg', 'height_cm',
        'daily_checkin_time', 'experience_level', 'ftp_watts', 'threshold_pace_s_per_km', 'css_s_per_100m',
        'resting_hr_bpm', 'max_hr_bpm', 'threshold_hr_bpm', 'one_rm_squat_kg', 'one_rm_bench_kg',
        'one_rm_deadlift_kg', 'consents', 'intervals_icu_athlete_id'
    ];
    v_uid uuid;
    v_now timestamptz := now();
    v_replay jsonb;
    v_profile jsonb;
    v_consents jsonb;
    v_health boolean;
    v_ai boolean;
    v_marketing boolean;
    v_display_name text;
    v_timezone text;
    v_athlete_id uuid;
    v_goal_id uuid;
    v_plan_id uuid;
    v_plan_name text;
    v_plan_starts_on date;
    v_conversation_id uuid;
    v_message_id uuid;
    v_table text;
    v_constraint text;
begin
    v_uid := khepri_private.require_user(
        'finalize_onboarding', 'Call it with a user''s session (a JWT whose sub claim is the user id).'
    );

    -- Validate the shape of every input before writing anything.
    v_profile := khepri_private.object_input(profile, 'profile', v_profile_fields, array['display_name']);
    v_consents := khepri_private.object_input(
        khepri_private.json_field(v_profile, 'consents', 'profile', 'object'), 'profile.consents',
        array['health_data', 'ai_coaching', 'marketing']
    );
    v_health := khepri_private.boolean_field(v_consents, 'health_data', 'profile.consents');
    v_ai := khepri_private.boolean_field(v_consents, 'ai_coaching', 'profile.consents');
    v_marketing := khepri_private.boolean_field(v_consents, 'marketing', 'profile.consents');
    v_display_name := btrim(khepri_private.text_field(v_profile, 'display_name', 'profile'));
    v_timezone := coalesce(khepri_private.text_field(v_profile, 'timezone', 'profile'), 'UTC');
    if not public.is_valid_timezone(v_timezone) then
        perform khepri_private.invalid(
            'profile.timezone', format('%L is not a known time zone', v_timezone),
            'Use an IANA name such as Europe/Paris or America/New_York.'
        );
    end if;
    if plan is not null and jsonb_typeof(plan) <> 'null' then
        perform khepri_private.object_input(
            plan, 'plan', array['name', 'starts_on', 'total_weeks', 'methodology_id', 'phases', 'weekly_template'],
            array['name']
        );
    end if;

    v_replay := khepri_private.idempotency_begin(
        'finalize_onboarding', idempotency_key, jsonb_build_object('profile', profile, 'plan', plan, 'goal', goal)
    );
    if v_replay is not null then
        return v_replay;
    end if;

    insert into public.athletes as a (
        auth_user_id, display_name, timezone, units, preferences, date_of_birth, sex, weight_kg, height_cm,
        daily_checkin_time, experience_level, ftp_watts, threshold_pace_s_per_km, css_s_per_100m,
        resting_hr_bpm, max_hr_bpm, threshold_hr_bpm, one_rm_squat_kg, one_rm_bench_kg, one_rm_deadlift_kg,
        consent_health_data_at, consent_ai_coaching_at, consent_marketing_at, intervals_icu_athlete_id,
        onboarding_completed_at
    )
    values (
        v_uid,
        v_display_name,
        v_timezone,
        coalesce(khepri_private.text_field(v_profile, 'units', 'profile'), 'metric'),
        coalesce(khepri_private.json_field(v_profile, 'preferences', 'profile', 'object'), '{}'::jsonb),
        khepri_private.date_field(v_profile, 'date_of_birth', 'profile'),
        khepri_private.text_field(v_profile, 'sex', 'profile'),
        khepri_private.numeric_field(v_profile, 'weight_kg', 'profile'),
        khepri_private.numeric_field(v_profile, 'height_cm', 'profile'),
        khepri_private.time_field(v_profile, 'daily_checkin_time', 'profile'),
        khepri_private.text_field(v_profile, 'experience_level', 'profile'),
        khepri_private.integer_field(v_profile, 'ftp_watts', 'profile'),
        khepri_private.integer_field(v_profile, 'threshold_pace_s_per_km', 'profile'),
        khepri_private.integer_field(v_profile, 'css_s_per_100m', 'profile'),
        khepri_private.integer_field(v_profile, 'resting_hr_bpm', 'profile'),
        khepri_private.integer_field(v_profile, 'max_hr_bpm', 'profile'),
        khepri_private.integer_field(v_profile, 'threshold_hr_bpm', 'profile'),
        khepri_private.numeric_field(v_profile, 'one_rm_squat_kg', 'profile'),
        khepri_private.numeric_field(v_profile, 'one_rm_bench_kg', 'profile'),
        khepri_private.numeric_field(v_profile, 'one_rm_deadlift_kg', 'profile'),
        case when v_health then v_now end,
        case when v_ai then v_now end,
        case when v_marketing then v_now end,
        khepri_private.text_field(v_profile, 'intervals_icu_athlete_id', 'profile'),
        v_now
    )
    on conflict (auth_user_id) do update
    set display_name = excluded.display_name,
        timezone = excluded.timezone,
        units = excluded.units,
        preferences = a.preferences || excluded.preferences,
        date_of_birth = coalesce(excluded.date_of_birth, a.date_of_birth),
        sex = coalesce(excluded.sex, a.sex),
        weight_kg = coalesce(excluded.weight_kg, a.weight_kg),
        height_cm = coalesce(excluded.height_cm, a.height_cm),
        daily_checkin_time = coalesce(excluded.daily_checkin_time, a.daily_checkin_time),
        experience_level = coalesce(excluded.experience_level, a.experience_level),
        ftp_watts = coalesce(excluded.ftp_watts, a.ftp_watts),
        threshold_pace_s_per_km = coalesce(excluded.threshold_pace_s_per_km, a.threshold_pace_s_per_km),
        css_s_per_100m = coalesce(excluded.css_s_per_100m, a.css_s_per_100m),
        resting_hr_bpm = coalesce(excluded.resting_hr_bpm, a.resting_hr_bpm),
        max_hr_bpm = coalesce(excluded.max_hr_bpm, a.max_hr_bpm),
        threshold_hr_bpm = coalesce(excluded.threshold_hr_bpm, a.threshold_hr_bpm),
        one_rm_squat_kg = coalesce(excluded.one_rm_squat_kg, a.one_rm_squat_kg),
        one_rm_bench_kg = coalesce(excluded.one_rm_bench_kg, a.one_rm_bench_kg),
        one_rm_deadlift_kg = coalesce(excluded.one_rm_deadlift_kg, a.one_rm_deadlift_kg),
        consent_health_data_at = case
            when v_health then coalesce(a.consent_health_data_at, v_now)
            when not v_health then null
            else a.consent_health_data_at
        end,
        consent_ai_coaching_at = case
            when v_ai then coalesce(a.consent_ai_coaching_at, v_now)
            when not v_ai then null
            else a.consent_ai_coaching_at
        end,
        consent_marketing_at = case
            when v_marketing then coalesce(a.consent_marketing_at, v_now)
            when not v_marketing then null
            else a.consent_marketing_at
        end,
        intervals_icu_athlete_id = coalesce(excluded.intervals_icu_athlete_id, a.intervals_icu_athlete_id),
        onboarding_completed_at = excluded.onboarding_completed_at
    where a.onboarding_completed_at is null
    returning a.id into v_athlete_id;

    if v_athlete_id is null then
        raise exception using
            errcode = '55000',
            message = 'onboarding is already completed for this user',
            hint = 'To get the first result again, retry with its idempotency_key; to change the profile, '
            'update public.athletes.';
    end if;

    if goal is not null and jsonb_typeof(goal) <> 'null' then
        v_goal_id := khepri_private.insert_goal(v_athlete_id, goal, 'goal');
    end if;

    if plan is not null and jsonb_typeof(plan) <> 'null' then
        if exists (
            select 1 from public.training_plans as p where p.athlete_id = v_athlete_id and p.status = 'active'
        ) then
            raise exception using
                errcode = '23505',
                message = 'the athlete already has an active training plan',
                hint = 'Finish or cancel it before onboarding creates a new one.';
        end if;
        v_plan_id := khepri_private.insert_plan(
            v_athlete_id,
            plan || jsonb_build_object(
                'starts_on', coalesce(plan ->> 'starts_on', ((v_now at time zone v_timezone)::date)::text),
                'goal_id', v_goal_id
            ),
            'plan',
            array['name', 'starts_on', 'total_weeks', 'methodology_id', 'phases', 'weekly_template', 'goal_id']
        );
        perform khepri_private.make_only_active_plan(v_athlete_id, v_plan_id);
        select p.name, p.starts_on into v_plan_name, v_plan_starts_on
        from public.training_plans as p
        where p.id = v_plan_id;
    end if;

    insert into public.conversations (athlete_id, title)
    values (v_athlete_id, 'Welcome')
    returning id into v_conversation_id;

    insert into public.conversation_messages (conversation_id, athlete_id, role, content, metadata)
    values (
        v_conversation_id,
        v_athlete_id,
        'assistant',
        case
            when v_plan_id is null
                then format('Welcome to Khepri, %s! Tell me what you are training for.', v_display_name)
            else format(
                'Welcome to Khepri, %s! Your plan "%s" starts on %s.', v_display_name, v_plan_name, v_plan_starts_on
            )
        end,
        jsonb_build_object('kind', 'welcome')
    )
    returning id into v_message_id;

    return khepri_private.idempotency_finish(
        'finalize_onboarding',
        idempotency_key,
        jsonb_build_object(
            'athlete_id', v_athlete_id,
            'goal_id', v_goal_id,
            'plan_id', v_plan_id,
            'conversation_id', v_conversation_id,
            'welcome_message_id', v_message_id,
            'onboarding_completed_at', v_now
        )
    );
exception
    when check_violation then
        get stacked diagnostics v_table = table_name, v_constraint = constraint_name;
        perform khepri_private.raise_check_violation(
            v_table, v_constraint, '{"athletes": "profile", "goals": "goal", "training_plans": "plan"}'
        );
        return null;
    when foreign_key_violation then
        get stacked diagnostics v_constraint = constraint_name;
        perform khepri_private.raise_reference_not_found(
            v_constraint, '{"training_plans_methodology_id_fkey": "plan.methodology_id"}'
        );
        return null;
end;
$$;

-- create_plan_with_workouts, as in 20261201085000, on the shared helpers.
create or replace function public.create_plan_with_workouts(plan jsonb, idempotency_key text default null)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
    v_plan jsonb;
    v_replay jsonb;
    v_athlete_id uuid;
    v_plan_id uuid;
    v_status text;
    v_starts_on date;
    v_total_weeks integer;
    v_item record;
    v_w jsonb;
    v_path text;
    v_ids uuid [] := '{}';
    v_id uuid;
    v_duplicate text;
    v_table text;
    v_constraint text;
begin
    perform khepri_private.require_user('create_plan_with_workouts');
    v_plan := khepri_private.object_input(
        plan, 'plan',
        array[
            'athlete_id', 'name', 'starts_on', 'ends_on', 'total_weeks', 'status', 'goal_id', 'methodology_id',
            'phases', 'weekly_template', 'workouts'
        ],
        array['name', 'starts_on']
    );
    v_status := coalesce(khepri_private.text_field(v_plan, 'status', 'plan'), 'draft');
    if v_status not in ('draft', 'active') then
        perform khepri_private.invalid('plan.status', format('%L: a new plan is draft or active', v_status));
    end if;
    v_starts_on := khepri_private.date_field(v_plan, 'starts_on', 'plan');
    v_total_weeks := khepri_private.integer_field(v_plan, 'total_weeks', 'plan');
    if coalesce(jsonb_typeof(v_plan -> 'workouts'), 'array') <> 'array' then
        perform khepri_private.invalid('plan.workouts', 'must be an array of workouts');
    end if;
    -- Positions compare as JSON values (numbers numerically: 1 = 1.0); an absent or null slot is 1.
    select format('week %s day %s slot %s', p.week_number, p.day_number, p.slot)
    into v_duplicate
    from (
        select
            w -> 'week_number' as week_number,
            w -> 'day_number' as day_number,
            case when coalesce(jsonb_typeof(w -> 'slot'), 'null') = 'null' then '1'::jsonb else w -> 'slot' end as slot
        from jsonb_array_elements(coalesce(v_plan -> 'workouts', '[]')) as w
    ) as p
    group by p.week_number, p.day_number, p.slot
    having count(*) > 1
    limit 1;
    if v_duplicate is not null then
        perform khepri_private.invalid('plan.workouts', format('has two sessions for %s', v_duplicate));
    end if;

    v_athlete_id := coalesce(khepri_private.uuid_field(v_plan, 'athlete_id', 'plan'), public.current_athlete_id());
    perform khepri_private.require_athlete(v_athlete_id);
    if not v_athlete_id = any(khepri_private.accessible_athlete_ids()) then
        raise exception using
            errcode = '42501',
            message = format('you may not create plans for athlete %s', v_athlete_id),
            hint = 'Only the athlete and their active coaches may.';
    end if;

    v_replay := khepri_private.idempotency_begin('create_plan_with_workouts', idempotency_key, plan);
    if v_replay is not null then
        return v_replay;
    end if;

    v_plan_id := khepri_private.insert_plan(
        v_athlete_id, v_plan - 'athlete_id' - 'status' - 'workouts', 'plan',
        array['name', 'starts_on', 'ends_on', 'total_weeks', 'goal_id', 'methodology_id', 'phases', 'weekly_template']
    );

    for v_item in
        select w.value, w.ordinality - 1 as position
        from jsonb_array_elements(coalesce(v_plan -> 'workouts', '[]')) with ordinality as w (value, ordinality)
    loop
        v_path := format('plan.workouts[%s]', v_item.position);
        v_w := khepri_private.workout_columns(v_item.value, v_path);
        if v_w ->> 'week_number' is null or v_w ->> 'day_number' is null then
            perform khepri_private.invalid(v_path, 'needs week_number and day_number');
        end if;
        if v_w ->> 'sport' is null or v_w ->> 'title' is null then
            perform khepri_private.invalid(v_path, 'needs sport and title');
        end if;
        if v_w ->> 'plan_id' is not null or v_w ->> 'athlete_id' is not null then
            perform khepri_private.invalid(v_path, 'takes its plan and athlete from the plan');
        end if;
        if v_total_weeks is not null and (v_w ->> 'week_number')::integer > v_total_weeks then
            perform khepri_private.invalid(
                v_path || '.week_number', format('is after the plan''s last week (%s)', v_total_weeks)
            );
        end if;
        insert into public.workouts (
            athlete_id, plan_id, week_number, day_number, slot, scheduled_on, sport, workout_type, title,
            structure, planned_duration_s, planned_distance_m, planned_load
        )
        values (
            v_athlete_id,
            v_plan_id,
            (v_w ->> 'week_number')::integer,
            (v_w ->> 'day_number')::integer,
            coalesce((v_w ->> 'slot')::integer, 1),
            coalesce(
                (v_w ->> 'scheduled_on')::date,
                v_starts_on + ((v_w ->> 'week_number')::integer - 1) * 7 + (v_w ->> 'day_number')::integer - 1
            ),
            v_w ->> 'sport',
            v_w ->> 'workout_type',
            v_w ->> 'title',
            coalesce(v_w -> 'structure', '{}'::jsonb),
            (v_w ->> 'planned_duration_s')::integer,
            (v_w ->> 'planned_distance_m')::integer,
            (v_w ->> 'planned_load')::numeric
        )
        returning id into v_id;
        v_ids := v_ids || v_id;
    end loop;

    if v_status = 'active' then
        perform khepri_private.make_only_active_plan(v_athlete_id, v_plan_id);
    end if;

    return khepri_private.idempotency_finish(
        'create_plan_with_workouts',
        idempotency_key,
        jsonb_build_object(
            'plan_id', v_plan_id, 'athlete_id', v_athlete_id, 'status', v_status,
            'workout_ids', to_jsonb(v_ids), 'workouts', cardinality(v_ids)
        )
    );
exception
    when check_violation then
        get stacked diagnostics v_table = table_name, v_constraint = constraint_name;
        perform khepri_private.raise_check_violation(
            v_table, v_constraint, '{"training_plans": "plan", "workouts": "plan.workouts[]"}'
        );
        return null;
    when unique_violation then
        get stacked diagnostics v_constraint = constraint_name;
        if v_constraint = 'workouts_plan_position_key' then
            perform khepri_private.invalid('plan.workouts', 'has two sessions for the same week, day and slot');
        end if;
        raise;
    when foreign_key_violation then
        get stacked diagnostics v_constraint = constraint_name;
        perform khepri_private.raise_reference_not_found(
            v_constraint,
            '{"training_plans_goal_fkey": "plan.goal_id", "training_plans_methodology_id_fkey": "plan.methodology_id"}'
        );
        return null;
end;
$$;

-- activate_plan, as in 20261121110600, on the shared helpers.
create or replace function public.activate_plan(plan_id uuid)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
    v_athlete_id uuid;
    v_status text;
    v_previous uuid;
begin
    perform khepri_private.require_user('activate_plan');
    select p.athlete_id into v_athlete_id from public.training_plans as p where p.id = activate_plan.plan_id;
    if v_athlete_id is null then
        raise exception using errcode = 'P0002', message = format('training plan %s not found', plan_id);
    end if;
    perform pg_advisory_xact_lock(hashtextextended('khepri.active_plan:' || v_athlete_id::text, 0));
    select p.status into v_status from public.training_plans as p where p.id = activate_plan.plan_id;
    if v_status = 'completed' then
        raise exception using
            errcode = '55000',
            message = format('training plan %s is completed and cannot be activated again', plan_id),
            hint = 'Create a new plan instead.';
    end if;
    if v_status <> 'active' then
        v_previous := khepri_private.make_only_active_plan(v_athlete_id, plan_id);
    end if;
    return jsonb_build_object('plan_id', plan_id, 'status', 'active', 'previous_active_plan_id', v_previous);
end;
$$;

-- schedule_workout, as in 20261121110600, on the shared helpers.
create or replace function public.schedule_workout(workout jsonb, idempotency_key text default null)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
    v_w jsonb;
    v_replay jsonb;
    v_plan_id uuid;
    v_athlete_id uuid;
    v_starts_on date;
    v_week integer;
    v_day integer;
    v_slot integer;
    v_exists boolean;
    v_result jsonb;
    v_table text;
    v_constraint text;
begin
    perform khepri_private.require_user('schedule_workout');
    v_w := khepri_private.workout_columns(workout, 'workout');
    v_plan_id := (v_w ->> 'plan_id')::uuid;
    v_week := (v_w ->> 'week_number')::integer;
    v_day := (v_w ->> 'day_number')::integer;
    v_slot := coalesce((v_w ->> 'slot')::integer, 1);

    v_replay := khepri_private.idempotency_begin('schedule_workout', idempotency_key, workout);
    if v_replay is not null then
        return v_replay;
    end if;

    if v_plan_id is not null then
        -- A session of a plan: get-or-create on (plan, week, day, slot), race-free.
        if v_week is null or v_day is null then
            perform khepri_private.invalid('workout', 'needs week_number and day_number when plan_id is given');
        end if;
        select p.athlete_id, p.starts_on into v_athlete_id, v_starts_on
        from public.training_plans as p
        where p.id = v_plan_id;
        if v_athlete_id is null then
            raise exception using errcode = 'P0002', message = format('training plan %s not found', v_plan_id);
        end if;
        select true into v_exists
        from public.workouts as w
        where w.plan_id = v_plan_id and w.week_number = v_week and w.day_number = v_day and w.slot = v_slot;
        if v_exists is null and (v_w ->> 'sport' is null or v_w ->> 'title' is null) then
            perform khepri_private.invalid('workout', 'needs sport and title to create a new session');
        end if;
        insert into public.workouts as w (
            athlete_id, plan_id, week_number, day_number, slot, scheduled_on, sport, workout_type, title,
            structure, planned_duration_s, planned_distance_m, planned_load
        )
        values (
            v_athlete_id, v_plan_id, v_week, v_day, v_slot,
            coalesce((v_w ->> 'scheduled_on')::date, v_starts_on + (v_week - 1) * 7 + v_day - 1),
            coalesce(v_w ->> 'sport', 'other'), v_w ->> 'workout_type', coalesce(v_w ->> 'title', 'Session'),
            coalesce(v_w -> 'structure', '{}'::jsonb), (v_w ->> 'planned_duration_s')::integer,
            (v_w ->> 'planned_distance_m')::integer, (v_w ->> 'planned_load')::numeric
        )
        on conflict on constraint workouts_plan_position_key do update
        set scheduled_on = coalesce((v_w ->> 'scheduled_on')::date, w.scheduled_on),
            sport = coalesce(v_w ->> 'sport', w.sport),
            workout_type = coalesce(v_w ->> 'workout_type', w.workout_type),
            title = coalesce(v_w ->> 'title', w.title),
            structure = coalesce(v_w -> 'structure', w.structure),
            planned_duration_s = coalesce((v_w ->> 'planned_duration_s')::integer, w.planned_duration_s),
            planned_distance_m = coalesce((v_w ->> 'planned_distance_m')::integer, w.planned_distance_m),
            planned_load = coalesce((v_w ->> 'planned_load')::numeric, w.planned_load)
        returning to_jsonb(w.*) into v_result;
    else
        -- An ad-hoc session, for the caller or an athlete they coach.
        if v_week is not null or v_day is not null then
            perform khepri_private.invalid('workout', 'takes week_number and day_number only with plan_id');
        end if;
        if v_w ->> 'scheduled_on' is null or v_w ->> 'sport' is null or v_w ->> 'title' is null then
            perform khepri_private.invalid('workout', 'needs scheduled_on, sport and title for an ad-hoc session');
        end if;
        v_athlete_id := coalesce((v_w ->> 'athlete_id')::uuid, public.current_athlete_id());
        perform khepri_private.require_athlete(v_athlete_id);
        if not v_athlete_id = any(khepri_private.accessible_athlete_ids()) then
            raise exception using
                errcode = '42501', message = format('you may not schedule workouts for athlete %s', v_athlete_id);
        end if;
        insert into public.workouts as w (
            athlete_id, scheduled_on, sport, workout_type, title, structure, planned_duration_s,
            planned_distance_m, planned_load, slot
        )
        values (
            v_athlete_id, (v_w ->> 'scheduled_on')::date, v_w ->> 'sport', v_w ->> 'workout_type', v_w ->> 'title',
            coalesce(v_w -> 'structure', '{}'::jsonb), (v_w ->> 'planned_duration_s')::integer,
            (v_w ->> 'planned_distance_m')::integer, (v_w ->> 'planned_load')::numeric, v_slot
        )
        returning to_jsonb(w.*) into v_result;
    end if;
    return khepri_private.idempotency_finish('schedule_workout', idempotency_key, v_result);
exception
    when check_violation then
        get stacked diagnostics v_table = table_name, v_constraint = constraint_name;
        perform khepri_private.raise_check_violation(v_table, v_constraint, '{"workouts": "workout"}');
        return null;
end;
$$;

-- complete_workout, as in 20261121110600, on the shared helpers.
create or replace function public.complete_workout(
    workout_id uuid,
    actual jsonb default null,
    rpe integer default null,
    feedback jsonb default null
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
    v_actual jsonb;
    v_feedback jsonb;
    v_duration integer;
    v_distance integer;
    v_categories text [];
    v_text text;
    v_result jsonb;
begin
    perform khepri_private.require_user('complete_workout');
    v_actual := khepri_private.object_input(actual, 'actual', array['duration_s', 'distance_m']);
    v_feedback := khepri_private.object_input(feedback, 'feedback', array['categories', 'text']);
    v_duration := khepri_private.integer_field(v_actual, 'duration_s', 'actual');
    v_distance := khepri_private.integer_field(v_actual, 'distance_m', 'actual');
    v_categories := khepri_private.text_array_field(v_feedback, 'categories', 'feedback');
    v_text := khepri_private.text_field(v_feedback, 'text', 'feedback');
    if complete_workout.rpe is not null and complete_workout.rpe not between 1 and 10 then
        perform khepri_private.invalid('rpe', 'must be from 1 to 10');
    end if;
    if v_duration is not null and v_duration not between 1 and 172800 then
        perform khepri_private.invalid('actual.duration_s', 'must be from 1 to 172800 seconds');
    end if;
    if v_distance is not null and v_distance not between 0 and 2000000 then
        perform khepri_private.invalid('actual.distance_m', 'must be from 0 to 2000000 metres');
    end if;
    if v_categories is not null and not v_categories <@ array[
        'too_easy', 'too_hard', 'just_right', 'pain', 'fatigue', 'illness', 'time', 'motivation', 'weather',
        'equipment', 'other'
    ] then
        perform khepri_private.invalid(
            'feedback.categories', 'has an unknown category',
            'Use too_easy, too_hard, just_right, pain, fatigue, illness, time, motivation, weather, equipment, other.'
        );
    end if;
    if char_length(v_text) > 5000 then
        perform khepri_private.invalid('feedback.text', 'must be at most 5000 characters');
    end if;

    -- One completion, whatever the retries: completed_at keeps its first value.
    update public.workouts as w
    set status = 'completed',
        completed_at = coalesce(w.completed_at, now()),
        skip_reason = null,
        actual_duration_s = coalesce(v_duration, w.actual_duration_s),
        actual_distance_m = coalesce(v_distance, w.actual_distance_m),
        rpe = coalesce(complete_workout.rpe, w.rpe),
        feedback_categories = coalesce(v_categories, w.feedback_categories),
        feedback_text = coalesce(v_text, w.feedback_text)
    where w.id = complete_workout.workout_id
    returning to_jsonb(w.*) into v_result;
    if v_result is null then
        raise exception using errcode = 'P0002', message = format('workout %s not found', workout_id);
    end if;
    return v_result;
end;
$$;

-- skip_workout, as in 20261121110600, on the shared helpers.
create or replace function public.skip_workout(workout_id uuid, reason text default null)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
    v_status text;
    v_reason text := nullif(btrim(reason), '');
    v_result jsonb;
begin
    perform khepri_private.require_user('skip_workout');
    if char_length(v_reason) > 1000 then
        perform khepri_private.invalid('reason', 'must be at most 1000 characters');
    end if;
    select w.status into v_status from public.workouts as w where w.id = skip_workout.workout_id for update;
    if v_status is null then
        raise exception using errcode = 'P0002', message = format('workout %s not found', workout_id);
    end if;
    if v_status = 'completed' then
        raise exception using
            errcode = '55000',
            message = format('workout %s is already completed', workout_id),
            hint = 'A completed workout cannot be skipped.';
    end if;
    update public.workouts as w
    set status = 'skipped', skip_reason = v_reason
    where w.id = skip_workout.workout_id
    returning to_jsonb(w.*) into v_result;
    return v_result;
end;
$$;

-- plan_progress, as in 20261121110600, on the shared helpers.
create or replace function public.plan_progress(plan_id uuid)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
    v_found boolean;
    v_result jsonb;
begin
    perform khepri_private.require_user('plan_progress');
    select true into v_found from public.training_plans as p where p.id = plan_progress.plan_id;
    if v_found is null then
        raise exception using errcode = 'P0002', message = format('training plan %s not found', plan_id);
    end if;
    with sessions as (
        select w.week_number, w.status, w.rpe, w.scheduled_on
        from public.workouts as w
        where w.plan_id = plan_progress.plan_id and w.sport <> 'rest'
    ),

    weeks as (
        select
            s.week_number,
            count(*) as planned,
            count(*) filter (where s.status = 'completed') as completed,
            count(*) filter (where s.status = 'skipped') as skipped,
            count(*) filter (where s.status = 'planned' and s.scheduled_on < current_date) as overdue,
            round(avg(s.rpe) filter (where s.status = 'completed'), 2) as average_rpe
        from sessions as s
        group by s.week_number
    ),

    totals as (
        select
            coalesce(sum(wk.planned), 0)::integer as planned,
            coalesce(sum(wk.completed), 0)::integer as completed,
            coalesce(sum(wk.skipped), 0)::integer as skipped,
            coalesce(sum(wk.overdue), 0)::integer as overdue
        from weeks as wk
    )

    select jsonb_build_object(
        'plan_id', plan_progress.plan_id,
        'planned', t.planned,
        'completed', t.completed,
        'skipped', t.skipped,
        'overdue', t.overdue,
        'adherence_rate', round(t.completed::numeric / nullif(t.completed + t.skipped + t.overdue, 0), 4),
        'average_rpe', (
            select round(avg(s.rpe), 2) from sessions as s where s.status = 'completed'
        ),
        'weeks', coalesce((
            select jsonb_agg(
                jsonb_build_object(
                    'week_number', wk.week_number,
                    'planned', wk.planned,
                    'completed', wk.completed,
                    'skipped', wk.skipped,
                    'overdue', wk.overdue,
                    'adherence_rate', round(wk.completed::numeric / nullif(wk.completed + wk.skipped + wk.overdue, 0), 4),
                    'average_rpe', wk.average_rpe
                )
                order by wk.week_number
            )
            from weeks as wk
        ), '[]'::jsonb)
    )
    into v_result
    from totals as t;
    return v_result;
end;
$$;

-- submit_daily_checkin, as in 20261121110700, on the shared helpers.
create or replace function public.submit_daily_checkin(checkin jsonb)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
    v_c jsonb;
    v_athlete_id uuid := public.current_athlete_id();
    v_timezone text;
    v_today date;
    v_date date;
    v_soreness jsonb;
    v_bad_area text;
    v_result jsonb;
    v_table text;
    v_constraint text;
begin
    perform khepri_private.require_user('submit_daily_checkin');
    v_c := khepri_private.object_input(
        checkin, 'checkin',
        array[
            'checkin_date', 'sleep_quality', 'sleep_hours', 'energy_level', 'stress_level', 'soreness_level',
            'soreness_areas', 'resting_hr_bpm', 'hrv_ms', 'weight_kg', 'available_minutes', 'equipment',
            'travel_status', 'notes', 'ai_recommendation', 'recommendation_response'
        ],
        array[]::text []
    );
    perform khepri_private.require_athlete(v_athlete_id);
    select a.timezone into v_timezone from public.athletes as a where a.id = v_athlete_id;
    v_today := (now() at time zone v_timezone)::date;
    v_date := coalesce(khepri_private.date_field(v_c, 'checkin_date', 'checkin'), v_today);
    if v_date > v_today then
        perform khepri_private.invalid(
            'checkin.checkin_date', format('%s is in the future (today is %s in %s)', v_date, v_today, v_timezone)
        );
    end if;
    v_soreness := khepri_private.json_field(v_c, 'soreness_areas', 'checkin', 'object');
    select area into v_bad_area
    from jsonb_each(coalesce(v_soreness, '{}')) as s (area, level)
    where
        jsonb_typeof(s.level) <> 'number' or (s.level #>> '{}')::numeric not between 1 and 10
        or (s.level #>> '{}')::numeric <> trunc((s.level #>> '{}')::numeric)
    limit 1;
    if v_bad_area is not null then
        perform khepri_private.invalid(format('checkin.soreness_areas.%s', v_bad_area), 'must be a whole number from 1 to 10');
    end if;

    insert into public.daily_checkins as d (
        athlete_id, checkin_date, sleep_quality, sleep_hours, energy_level, stress_level, soreness_level,
        soreness_areas, resting_hr_bpm, hrv_ms, weight_kg, available_minutes, equipment, travel_status, notes,
        ai_recommendation, recommendation_response
    )
    values (
        v_athlete_id,
        v_date,
        khepri_private.integer_field(v_c, 'sleep_quality', 'checkin'),
        khepri_private.numeric_field(v_c, 'sleep_hours', 'checkin'),
        khepri_private.integer_field(v_c, 'energy_level', 'checkin'),
        khepri_private.integer_field(v_c, 'stress_level', 'checkin'),
        khepri_private.integer_field(v_c, 'soreness_level', 'checkin'),
        coalesce(v_soreness, '{}'::jsonb),
        khepri_private.integer_field(v_c, 'resting_hr_bpm', 'checkin'),
        khepri_private.numeric_field(v_c, 'hrv_ms', 'checkin'),
        khepri_private.numeric_field(v_c, 'weight_kg', 'checkin'),
        khepri_private.integer_field(v_c, 'available_minutes', 'checkin'),
        khepri_private.text_array_field(v_c, 'equipment', 'checkin'),
        khepri_private.text_field(v_c, 'travel_status', 'checkin'),
        khepri_private.text_field(v_c, 'notes', 'checkin'),
        khepri_private.json_field(v_c, 'ai_recommendation', 'checkin', 'object'),
        khepri_private.text_field(v_c, 'recommendation_response', 'checkin')
    )
    -- One check-in per athlete per day: a second submission merges into it (given fields win).
    on conflict on constraint daily_checkins_athlete_id_checkin_date_key do update
    set sleep_quality = coalesce(excluded.sleep_quality, d.sleep_quality),
        sleep_hours = coalesce(excluded.sleep_hours, d.sleep_hours),
        energy_level = coalesce(excluded.energy_level, d.energy_level),
        stress_level = coalesce(excluded.stress_level, d.stress_level),
        soreness_level = coalesce(excluded.soreness_level, d.soreness_level),
        soreness_areas = case when v_soreness is null then d.soreness_areas else excluded.soreness_areas end,
        resting_hr_bpm = coalesce(excluded.resting_hr_bpm, d.resting_hr_bpm),
        hrv_ms = coalesce(excluded.hrv_ms, d.hrv_ms),
        weight_kg = coalesce(excluded.weight_kg, d.weight_kg),
        available_minutes = coalesce(excluded.available_minutes, d.available_minutes),
        equipment = coalesce(excluded.equipment, d.equipment),
        travel_status = coalesce(excluded.travel_status, d.travel_status),
        notes = coalesce(excluded.notes, d.notes),
        ai_recommendation = coalesce(excluded.ai_recommendation, d.ai_recommendation),
        recommendation_response = coalesce(excluded.recommendation_response, d.recommendation_response)
    returning to_jsonb(d.*) into v_result;
    return v_result;
exception
    when check_violation then
        get stacked diagnostics v_table = table_name, v_constraint = constraint_name;
        perform khepri_private.raise_check_violation(v_table, v_constraint, '{"daily_checkins": "checkin"}');
        return null;
end;
$$;

-- link_coach, as in 20261121110700, on the shared helpers.
create or replace function public.link_coach(coach_user_id uuid)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
    v_uid uuid;
    v_athlete_id uuid := public.current_athlete_id();
    v_result jsonb;
begin
    v_uid := khepri_private.require_user('link_coach');
    if link_coach.coach_user_id is null then
        perform khepri_private.invalid('coach_user_id', 'is required');
    end if;
    if link_coach.coach_user_id = v_uid then
        perform khepri_private.invalid('coach_user_id', 'cannot be yourself');
    end if;
    perform khepri_private.require_athlete(v_athlete_id);
    insert into public.coach_links as l (athlete_id, coach_user_id)
    values (v_athlete_id, link_coach.coach_user_id)
    on conflict on constraint coach_links_athlete_id_coach_user_id_key do update
    set status = 'pending'
    where l.status = 'revoked'
    returning to_jsonb(l.*) into v_result;
    if v_result is null then
        -- Already pending or active: nothing to change.
        select to_jsonb(l.*) into v_result
        from public.coach_links as l
        where l.athlete_id = v_athlete_id and l.coach_user_id = link_coach.coach_user_id;
    end if;
    return v_result;
exception
    when foreign_key_violation then
        raise exception using errcode = 'P0002', message = format('no user with id %s', coach_user_id);
end;
$$;

-- accept_coach_link, as in 20261121110700, on the shared helpers.
create or replace function public.accept_coach_link(athlete_id uuid)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
    v_uid uuid;
    v_result jsonb;
begin
    v_uid := khepri_private.require_user('accept_coach_link');
    update public.coach_links as l
    set status = 'active'
    where l.athlete_id = accept_coach_link.athlete_id and l.coach_user_id = v_uid and l.status in ('pending', 'active')
    returning to_jsonb(l.*) into v_result;
    if v_result is null then
        raise exception using
            errcode = 'P0002',
            message = format('no pending coach invitation from athlete %s', athlete_id);
    end if;
    return v_result;
end;
$$;

-- revoke_coach, as in 20261121110700, on the shared helpers.
create or replace function public.revoke_coach(coach_user_id uuid)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
    v_result jsonb;
begin
    perform khepri_private.require_user('revoke_coach');
    update public.coach_links as l
    set status = 'revoked'
    where l.athlete_id = (select public.current_athlete_id()) and l.coach_user_id = revoke_coach.coach_user_id
    returning to_jsonb(l.*) into v_result;
    if v_result is null then
        raise exception using errcode = 'P0002', message = format('no coach link with user %s', coach_user_id);
    end if;
    return v_result;
end;
$$;

-- export_my_data, as in 20261121110700, on the shared helpers.
create or replace function public.export_my_data()
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
    v_uid uuid;
    v_athlete_id uuid := public.current_athlete_id();
begin
    v_uid := khepri_private.require_user('export_my_data');
    -- Rows the user owns, selected by ownership (not merely visible: a coach also sees athletes' rows).
    return jsonb_build_object(
        'exported_at', now(),
        'user', jsonb_build_object('id', v_uid, 'email', auth.jwt() ->> 'email'),
        'athlete', (select to_jsonb(a.*) from public.athletes as a where a.id = v_athlete_id),
        'goals', coalesce((
            select jsonb_agg(to_jsonb(g.*) order by g.created_at, g.id)
            from public.goals as g where g.athlete_id = v_athlete_id
        ), '[]'::jsonb),
        'constraints', coalesce((
            select jsonb_agg(to_jsonb(c.*) order by c.created_at, c.id)
            from public.constraints as c where c.athlete_id = v_athlete_id
        ), '[]'::jsonb),
        'daily_checkins', coalesce((
            select jsonb_agg(to_jsonb(d.*) order by d.checkin_date)
            from public.daily_checkins as d where d.athlete_id = v_athlete_id
        ), '[]'::jsonb),
        'training_plans', coalesce((
            select jsonb_agg(to_jsonb(p.*) order by p.created_at, p.id)
            from public.training_plans as p where p.athlete_id = v_athlete_id
        ), '[]'::jsonb),
        'workouts', coalesce((
            select jsonb_agg(to_jsonb(w.*) order by w.scheduled_on, w.id)
            from public.workouts as w where w.athlete_id = v_athlete_id
        ), '[]'::jsonb),
        'conversations', coalesce((
            select jsonb_agg(
                to_jsonb(c.*) || jsonb_build_object('messages', coalesce((
                    select jsonb_agg(to_jsonb(m.*) order by m.created_at, m.id)
                    from public.conversation_messages as m
                    where m.conversation_id = c.id and m.athlete_id = v_athlete_id
                ), '[]'::jsonb))
                order by c.created_at, c.id
            )
            from public.conversations as c where c.athlete_id = v_athlete_id
        ), '[]'::jsonb),
        'coach_links', coalesce((
            select jsonb_agg(to_jsonb(l.*) order by l.created_at, l.id)
            from public.coach_links as l where l.athlete_id = v_athlete_id or l.coach_user_id = v_uid
        ), '[]'::jsonb),
        'idempotency_keys', coalesce((
            select jsonb_agg(to_jsonb(k.*) order by k.created_at, k.operation, k.key)
            from public.idempotency_keys as k where k.user_id = v_uid
        ), '[]'::jsonb)
    );
end;
$$;
