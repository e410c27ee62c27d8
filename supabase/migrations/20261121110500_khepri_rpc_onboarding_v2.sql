-- Khepri schema, part 10: finalize_onboarding with the full profile, an optional first goal and
-- plan, now SECURITY INVOKER (RLS applies; only the idempotency key is written by a definer helper).
--
-- Shared insert helpers for goals and plans live in khepri_private; they run with the caller's
-- rights, so RLS decides what the caller may create.

-- A goal from JSON input: types checked here (22023 naming the field), type-specific fields
-- required for their type and refused for the others; ranges by the table's CHECK constraints.
create or replace function khepri_private.insert_goal(target_athlete_id uuid, input jsonb, path text)
returns uuid
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
    v_fields constant text [] := array[
        'goal_type', 'title', 'description', 'priority', 'target_date',
        'race_name', 'race_date', 'race_distance_m', 'race_location', 'race_target_time_s',
        'performance_metric', 'performance_current_value', 'performance_target_value',
        'fitness_metric', 'fitness_target_value', 'health_metric', 'health_target_value',
        'strength_lift', 'strength_target_kg'
    ];
    v_required constant jsonb := '{
        "race": ["race_date", "race_distance_m"],
        "performance": ["performance_metric", "performance_target_value"],
        "fitness": ["fitness_metric", "fitness_target_value"],
        "health": ["health_metric", "health_target_value"],
        "strength": ["strength_lift", "strength_target_kg"]
    }';
    v_goal jsonb := khepri_private.object_input(input, path, v_fields, array['goal_type', 'title']);
    v_type text := khepri_private.text_field(v_goal, 'goal_type', path);
    v_field text;
    v_id uuid;
begin
    if not v_required ? v_type then
        perform khepri_private.invalid(
            path || '.goal_type', format('%L is not a goal type', v_type),
            'Use race, performance, fitness, health or strength.'
        );
    end if;
    for v_field in select jsonb_array_elements_text(v_required -> v_type) loop
        if coalesce(jsonb_typeof(v_goal -> v_field), 'null') = 'null' then
            perform khepri_private.invalid(path || '.' || v_field, format('is required for a %s goal', v_type));
        end if;
    end loop;
    select k into v_field
    from jsonb_object_keys(v_goal) as k
    where
        split_part(k, '_', 1) in ('race', 'performance', 'fitness', 'health', 'strength')
        and split_part(k, '_', 1) <> v_type
    limit 1;
    if v_field is not null then
        perform khepri_private.invalid(
            path || '.' || v_field, format('is only for %s goals', split_part(v_field, '_', 1))
        );
    end if;
    insert into public.goals (
        athlete_id, goal_type, title, description, priority, target_date,
        race_name, race_date, race_distance_m, race_location, race_target_time_s,
        performance_metric, performance_current_value, performance_target_value,
        fitness_metric, fitness_target_value, health_metric, health_target_value,
        strength_lift, strength_target_kg
    )
    values (
        target_athlete_id,
        v_type,
        khepri_private.text_field(v_goal, 'title', path),
        khepri_private.text_field(v_goal, 'description', path),
        coalesce(khepri_private.text_field(v_goal, 'priority', path), 'B'),
        khepri_private.date_field(v_goal, 'target_date', path),
        khepri_private.text_field(v_goal, 'race_name', path),
        khepri_private.date_field(v_goal, 'race_date', path),
        khepri_private.integer_field(v_goal, 'race_distance_m', path),
        khepri_private.text_field(v_goal, 'race_location', path),
        khepri_private.integer_field(v_goal, 'race_target_time_s', path),
        khepri_private.text_field(v_goal, 'performance_metric', path),
        khepri_private.numeric_field(v_goal, 'performance_current_value', path),
        khepri_private.numeric_field(v_goal, 'performance_target_value', path),
        khepri_private.text_field(v_goal, 'fitness_metric', path),
        khepri_private.numeric_field(v_goal, 'fitness_target_value', path),
        khepri_private.text_field(v_goal, 'health_metric', path),
        khepri_private.numeric_field(v_goal, 'health_target_value', path),
        khepri_private.text_field(v_goal, 'strength_lift', path),
        khepri_private.numeric_field(v_goal, 'strength_target_kg', path)
    )
    returning id into v_id;
    return v_id;
end;
$$;

comment on function khepri_private.insert_goal(uuid, jsonb, text) is
'Inserts a goal from JSON input for an athlete, with the caller''s rights; returns its id.';

-- Makes plan_id the athlete's only active plan: serialised per athlete with a transaction-level
-- advisory lock, the previous active plan (if any) becomes cancelled. Returns the previous plan's id.
create or replace function khepri_private.make_only_active_plan(target_athlete_id uuid, plan_id uuid)
returns uuid
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
    v_previous uuid;
begin
    perform pg_advisory_xact_lock(hashtextextended('khepri.active_plan:' || target_athlete_id::text, 0));
    update public.training_plans as p
    set status = 'cancelled'
    where p.athlete_id = target_athlete_id and p.status = 'active' and p.id <> make_only_active_plan.plan_id
    returning p.id into v_previous;
    update public.training_plans as p
    set status = 'active'
    where p.id = make_only_active_plan.plan_id;
    return v_previous;
end;
$$;

comment on function khepri_private.make_only_active_plan(uuid, uuid) is
'Activates a plan and cancels the athlete''s previous active one, serialised per athlete; returns the previous id.';

-- A training plan from JSON input (status draft; the caller activates it if needed).
create or replace function khepri_private.insert_plan(target_athlete_id uuid, input jsonb, path text, allowed text[])
returns uuid
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
    v_plan jsonb := khepri_private.object_input(input, path, allowed, array['name']);
    v_id uuid;
begin
    insert into public.training_plans (
        athlete_id, name, status, starts_on, ends_on, total_weeks, goal_id, methodology_id,
        phases, weekly_template
    )
    values (
        target_athlete_id,
        btrim(khepri_private.text_field(v_plan, 'name', path)),
        'draft',
        coalesce(khepri_private.date_field(v_plan, 'starts_on', path), current_date),
        khepri_private.date_field(v_plan, 'ends_on', path),
        khepri_private.integer_field(v_plan, 'total_weeks', path),
        khepri_private.uuid_field(v_plan, 'goal_id', path),
        khepri_private.uuid_field(v_plan, 'methodology_id', path),
        coalesce(khepri_private.json_field(v_plan, 'phases', path, 'array'), '[]'::jsonb),
        coalesce(khepri_private.json_field(v_plan, 'weekly_template', path, 'object'), '{}'::jsonb)
    )
    returning id into v_id;
    return v_id;
end;
$$;

comment on function khepri_private.insert_plan(uuid, jsonb, text, text[]) is
'Inserts a draft training plan from JSON input for an athlete, with the caller''s rights; returns its id.';

-- Foreign-key errors of the Khepri RPCs as "not found" (P0002) naming the input field.
create or replace function khepri_private.raise_reference_not_found(constraint_name text, paths jsonb)
returns void
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
    v_field text := coalesce(paths ->> constraint_name, constraint_name);
begin
    raise exception using
        errcode = 'P0002',
        message = format('%s does not exist or is not yours', v_field),
        detail = format('Foreign key %s.', constraint_name);
end;
$$;

revoke all on all functions in schema khepri_private from public, anon;
grant execute on all functions in schema khepri_private to authenticated, service_role;

-- finalize_onboarding, version 2 ----------------------------------------------------------------

drop function public.finalize_onboarding(jsonb, jsonb, text);

create function public.finalize_onboarding(
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
    v_uid uuid := auth.uid();
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
    if v_uid is null then
        raise exception using
            errcode = '42501',
            message = 'finalize_onboarding needs a signed-in user',
            hint = 'Call it with a user''s session (a JWT whose sub claim is the user id).';
    end if;

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

comment on function public.finalize_onboarding(jsonb, jsonb, text, jsonb) is
'Completes onboarding for the signed-in user in one transaction: creates or completes the athlete profile, '
'optionally a first goal and an active training plan, and a welcome conversation. Returns {athlete_id, goal_id, '
'plan_id, conversation_id, welcome_message_id, onboarding_completed_at}. With idempotency_key, a retry by the '
'same user returns the first result. Errors: 42501 not signed in; 22023 invalid field (named); 23514 value out of '
'range (named); P0002 unknown methodology; 55000 already onboarded; 23505 an active plan exists.';

revoke execute on function public.finalize_onboarding(jsonb, jsonb, text, jsonb) from public, anon;
grant execute on function public.finalize_onboarding(jsonb, jsonb, text, jsonb) to authenticated;
