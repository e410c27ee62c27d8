-- Khepri schema, part 11: training RPCs. All SECURITY INVOKER: RLS decides whose plans and
-- workouts the caller may touch (their own, or an athlete's they actively coach).
--
-- Errors: 42501 not signed in or not allowed; 22023 invalid input (the field is named);
-- 23514 a value out of range (the field is named); P0002 not found (or not visible: the two are
-- not told apart, so ids of other users' rows leak nothing); 55000 wrong state.

-- A workout from JSON input (one element of create_plan_with_workouts' workouts, or an ad-hoc one).
create or replace function khepri_private.workout_columns(input jsonb, path text)
returns jsonb
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
    v_workout jsonb := khepri_private.object_input(
        input, path,
        array[
            'week_number', 'day_number', 'slot', 'scheduled_on', 'sport', 'workout_type', 'title', 'structure',
            'planned_duration_s', 'planned_distance_m', 'planned_load', 'plan_id', 'athlete_id'
        ]
    );
begin
    -- Typed values, checked once; returned as JSON for the insert/upsert that uses them. Absent
    -- fields are left out (not JSON null) so that `->` gives SQL null for them.
    return (
        select coalesce(jsonb_object_agg(f.key, f.value), '{}'::jsonb)
        from jsonb_each(jsonb_build_object(
        'week_number', khepri_private.integer_field(v_workout, 'week_number', path),
        'day_number', khepri_private.integer_field(v_workout, 'day_number', path),
        'slot', khepri_private.integer_field(v_workout, 'slot', path),
        'scheduled_on', khepri_private.date_field(v_workout, 'scheduled_on', path),
        'sport', khepri_private.text_field(v_workout, 'sport', path),
        'workout_type', khepri_private.text_field(v_workout, 'workout_type', path),
        'title', btrim(khepri_private.text_field(v_workout, 'title', path)),
        'structure', khepri_private.json_field(v_workout, 'structure', path, 'object'),
        'planned_duration_s', khepri_private.integer_field(v_workout, 'planned_duration_s', path),
        'planned_distance_m', khepri_private.integer_field(v_workout, 'planned_distance_m', path),
        'planned_load', khepri_private.numeric_field(v_workout, 'planned_load', path),
        'plan_id', khepri_private.uuid_field(v_workout, 'plan_id', path),
        'athlete_id', khepri_private.uuid_field(v_workout, 'athlete_id', path)
        )) as f (key, value)
        where jsonb_typeof(f.value) <> 'null'
    );
end;
$$;

revoke all on function khepri_private.workout_columns(jsonb, text) from public, anon;
grant execute on function khepri_private.workout_columns(jsonb, text) to authenticated, service_role;

-- create_plan_with_workouts ---------------------------------------------------------------------

create or replace function public.create_plan_with_workouts(plan jsonb, idempotency_key text default null)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
    v_uid uuid := auth.uid();
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
    if v_uid is null then
        raise exception using errcode = '42501', message = 'create_plan_with_workouts needs a signed-in user';
    end if;
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
    select format('week %s day %s slot %s', w ->> 'week_number', w ->> 'day_number', coalesce(w ->> 'slot', '1'))
    into v_duplicate
    from jsonb_array_elements(coalesce(v_plan -> 'workouts', '[]')) as w
    group by w ->> 'week_number', w ->> 'day_number', coalesce(w ->> 'slot', '1')
    having count(*) > 1
    limit 1;
    if v_duplicate is not null then
        perform khepri_private.invalid('plan.workouts', format('has two sessions for %s', v_duplicate));
    end if;

    v_athlete_id := coalesce(khepri_private.uuid_field(v_plan, 'athlete_id', 'plan'), public.current_athlete_id());
    if v_athlete_id is null then
        raise exception using
            errcode = 'P0002', message = 'you have no athlete profile yet', hint = 'Call finalize_onboarding first.';
    end if;
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
    when foreign_key_violation then
        get stacked diagnostics v_constraint = constraint_name;
        perform khepri_private.raise_reference_not_found(
            v_constraint,
            '{"training_plans_goal_fkey": "plan.goal_id", "training_plans_methodology_id_fkey": "plan.methodology_id"}'
        );
        return null;
end;
$$;

comment on function public.create_plan_with_workouts(jsonb, text) is
'Creates a training plan and all its sessions in one call, for the caller or an athlete they coach '
'(plan.athlete_id). plan: {name, starts_on, ends_on?, total_weeks?, status draft|active, goal_id?, '
'methodology_id?, phases?, weekly_template?, workouts: [{week_number, day_number, slot?, scheduled_on?, sport, '
'workout_type?, title, structure?, planned_duration_s?, planned_distance_m?, planned_load?}]}. A session''s '
'scheduled_on defaults to starts_on + 7 * (week_number - 1) + (day_number - 1). Returns {plan_id, athlete_id, '
'status, workout_ids, workouts}. Idempotent with idempotency_key.';

-- activate_plan --------------------------------------------------------------------------------------

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
    if auth.uid() is null then
        raise exception using errcode = '42501', message = 'activate_plan needs a signed-in user';
    end if;
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

comment on function public.activate_plan(uuid) is
'Makes the plan the athlete''s only active plan, atomically (the previous active plan becomes cancelled). '
'Returns {plan_id, status, previous_active_plan_id}. Errors: P0002 unknown plan; 55000 completed plan.';

-- schedule_workout -------------------------------------------------------------------------------

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
    if auth.uid() is null then
        raise exception using errcode = '42501', message = 'schedule_workout needs a signed-in user';
    end if;
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
        if v_athlete_id is null then
            raise exception using
                errcode = 'P0002', message = 'you have no athlete profile yet', hint = 'Call finalize_onboarding first.';
        end if;
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

comment on function public.schedule_workout(jsonb, text) is
'Schedules a session. With plan_id, week_number and day_number (and slot, default 1) it creates that session '
'or updates it (date and any given fields): one row per (plan, week, day, slot), whatever the concurrency. '
'Without plan_id it creates an ad-hoc session (scheduled_on, sport and title required; athlete_id for a '
'coach). Returns the workout row. Idempotent with idempotency_key.';

-- complete_workout / skip_workout ------------------------------------------------------------------

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
    if auth.uid() is null then
        raise exception using errcode = '42501', message = 'complete_workout needs a signed-in user';
    end if;
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

comment on function public.complete_workout(uuid, jsonb, integer, jsonb) is
'Marks a workout completed with what was done: actual {duration_s, distance_m}, rpe 1-10, feedback '
'{categories, text}. Repeating it changes nothing but the values given; completed_at keeps its first value. '
'Returns the workout row. Errors: P0002 unknown workout; 22023 invalid field (named).';

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
    if auth.uid() is null then
        raise exception using errcode = '42501', message = 'skip_workout needs a signed-in user';
    end if;
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

comment on function public.skip_workout(uuid, text) is
'Marks a planned workout skipped, with an optional reason. Returns the workout row. '
'Errors: P0002 unknown workout; 55000 already completed.';

-- plan_progress ----------------------------------------------------------------------------------

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
    if auth.uid() is null then
        raise exception using errcode = '42501', message = 'plan_progress needs a signed-in user';
    end if;
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

comment on function public.plan_progress(uuid) is
'Progress of a plan, overall and per week: planned (sessions, rest days excluded), completed, skipped, overdue '
'(still planned, scheduled before today UTC), adherence_rate = completed / (completed + skipped + overdue), '
'average_rpe of completed sessions. Errors: P0002 unknown plan.';

-- Grants: signed-in users only. ------------------------------------------------------------------

revoke execute on function public.create_plan_with_workouts(jsonb, text) from public, anon;
revoke execute on function public.activate_plan(uuid) from public, anon;
revoke execute on function public.schedule_workout(jsonb, text) from public, anon;
revoke execute on function public.complete_workout(uuid, jsonb, integer, jsonb) from public, anon;
revoke execute on function public.skip_workout(uuid, text) from public, anon;
revoke execute on function public.plan_progress(uuid) from public, anon;
grant execute on function public.create_plan_with_workouts(jsonb, text) to authenticated;
grant execute on function public.activate_plan(uuid) to authenticated;
grant execute on function public.schedule_workout(jsonb, text) to authenticated;
grant execute on function public.complete_workout(uuid, jsonb, integer, jsonb) to authenticated;
grant execute on function public.skip_workout(uuid, text) to authenticated;
grant execute on function public.plan_progress(uuid) to authenticated;
