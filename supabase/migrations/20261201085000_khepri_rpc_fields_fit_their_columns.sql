-- Khepri schema: a number that does not fit its column is an error naming the field.
--
-- The typed readers return integer or numeric, while many columns are smallint or numeric(p, s):
-- a value such as sleep_quality 40000 or weight_kg 1000 failed the cast into the column (22003,
-- "smallint out of range", "numeric field overflow") before the column's CHECK could name it.
-- numeric_field (which integer_field calls) now checks the value against the column the field is
-- written to, found from the input path (checkin -> daily_checkins, profile -> athletes, goal ->
-- goals, plan -> training_plans, workout and plan.workouts[n] -> workouts), and raises what the
-- CHECK would (23514 naming the field and the rule), or 22023 when the column has none.
--
-- create_plan_with_workouts compared sessions' positions as text, so week_number 1 and 1.0 were
-- two sessions until the unique key refused the second (a raw 23505): positions are compared as
-- JSON numbers now, and a position taken twice is the RPC's own 22023 either way.

-- raise_check_violation, as in 20261121110000, now also naming the table and constraint in the
-- error's fields, so an RPC's own check_violation handler can map a violation check_fits raised.
create or replace function khepri_private.raise_check_violation(table_name text, constraint_name text, paths jsonb)
returns void
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
    v_definition text;
    v_columns text [];
    v_path text := coalesce(paths ->> table_name, table_name);
begin
    select
        pg_get_constraintdef(c.oid),
        array(
            select a.attname::text
            from pg_catalog.pg_attribute as a
            where a.attrelid = c.conrelid and a.attnum = any(c.conkey)
            order by a.attnum
        )
    into v_definition, v_columns
    from pg_catalog.pg_constraint as c
    where
        c.conname = raise_check_violation.constraint_name
        and c.conrelid = to_regclass(format('public.%I', raise_check_violation.table_name));
    if cardinality(v_columns) = 1 then
        raise exception using
            errcode = '23514',
            message = format('%s.%s is not allowed: it must satisfy %s', v_path, v_columns[1], v_definition),
            detail = format('Constraint %s on public.%s.', constraint_name, table_name),
            schema = 'public',
            table = table_name,
            column = v_columns[1],
            constraint = constraint_name;
    end if;
    raise exception using
        errcode = '23514',
        message = format(
            '%s: the fields %s violate %s: %s', v_path, array_to_string(v_columns, ', '), constraint_name,
            coalesce(v_definition, 'a check')
        ),
        detail = format('Constraint %s on public.%s.', constraint_name, table_name),
        schema = 'public',
        table = table_name,
        constraint = constraint_name;
end;
$$;

-- The table an input path's fields are written to (null: none known, nothing to check).
create or replace function khepri_private.input_table(path text)
returns text
language sql
immutable
security invoker
set search_path = ''
as $$
    select case
        when path = 'checkin' then 'daily_checkins'
        when path = 'profile' then 'athletes'
        when path = 'goal' then 'goals'
        when path = 'plan' then 'training_plans'
        when path = 'workout' or path ~ '^plan\.workouts\[[0-9]+\]$' then 'workouts'
    end
$$;

comment on function khepri_private.input_table(text) is
'The public table an RPC input path (checkin, profile, goal, plan, workout, plan.workouts[n]) is written to.';

-- Raises when value does not fit the column path.field is written to (smallint, integer or
-- numeric(p, s), after rounding to s places as the cast would): the column's single-column CHECK
-- as 23514 naming the field (see raise_check_violation), else 22023.
create or replace function khepri_private.check_fits(value numeric, field text, path text)
returns void
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
    v_table text := khepri_private.input_table(path);
    v_attnum smallint;
    v_type oid;
    v_typmod integer;
    v_type_name text;
    v_fits boolean := true;
    v_constraint text;
begin
    if value is null or v_table is null then
        return;
    end if;
    select a.attnum, a.atttypid, a.atttypmod, pg_catalog.format_type(a.atttypid, a.atttypmod)
    into v_attnum, v_type, v_typmod, v_type_name
    from pg_catalog.pg_attribute as a
    where
        a.attrelid = pg_catalog.to_regclass(format('public.%I', v_table))
        and a.attname = field and a.attnum > 0 and not a.attisdropped;
    if v_type = 'pg_catalog.int2'::pg_catalog.regtype then
        v_fits := round(value) between -32768 and 32767;
    elsif v_type = 'pg_catalog.int4'::pg_catalog.regtype then
        v_fits := round(value) between -2147483648 and 2147483647;
    elsif v_type = 'pg_catalog.numeric'::pg_catalog.regtype and v_typmod >= 4 then
        -- numeric(p, s): typmod = (p << 16 | s) + 4; at most p - s digits before the point.
        v_fits := abs(round(value, (v_typmod - 4) & 65535))
            < 10::numeric ^ (((v_typmod - 4) >> 16) - ((v_typmod - 4) & 65535));
    end if;
    if v_fits then
        return;
    end if;
    select c.conname into v_constraint
    from pg_catalog.pg_constraint as c
    where
        c.conrelid = pg_catalog.to_regclass(format('public.%I', v_table))
        and c.contype = 'c' and c.conkey = array[v_attnum]
    order by c.conname
    limit 1;
    if v_constraint is not null then
        perform khepri_private.raise_check_violation(v_table, v_constraint, jsonb_build_object(v_table, path));
    end if;
    perform khepri_private.invalid(path || '.' || field, format('is out of range for %s', v_type_name));
end;
$$;

comment on function khepri_private.check_fits(numeric, text, text) is
'Raises 23514 (the column''s CHECK) or 22023 naming path.field when value does not fit the column it is written to.';

create or replace function khepri_private.numeric_field(input jsonb, field text, path text)
returns numeric
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
    v_value numeric;
begin
    if coalesce(jsonb_typeof(input -> field), 'null') = 'null' then
        return null;
    end if;
    if jsonb_typeof(input -> field) <> 'number' then
        perform khepri_private.invalid(path || '.' || field, 'must be a number');
    end if;
    v_value := (input ->> field)::numeric;
    perform khepri_private.check_fits(v_value, field, path);
    return v_value;
end;
$$;

revoke all on function khepri_private.input_table(text) from public, anon;
revoke all on function khepri_private.check_fits(numeric, text, text) from public, anon;
grant execute on function khepri_private.input_table(text) to authenticated, service_role;
grant execute on function khepri_private.check_fits(numeric, text, text) to authenticated, service_role;

-- create_plan_with_workouts, as in 20261121110600, with positions compared as numbers.
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
