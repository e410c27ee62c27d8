-- Khepri schema, part 12: daily check-ins, coach links and data export. SECURITY INVOKER.

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
    if auth.uid() is null then
        raise exception using errcode = '42501', message = 'submit_daily_checkin needs a signed-in user';
    end if;
    v_c := khepri_private.object_input(
        checkin, 'checkin',
        array[
            'checkin_date', 'sleep_quality', 'sleep_hours', 'energy_level', 'stress_level', 'soreness_level',
            'soreness_areas', 'resting_hr_bpm', 'hrv_ms', 'weight_kg', 'available_minutes', 'equipment',
            'travel_status', 'notes', 'ai_recommendation', 'recommendation_response'
        ],
        array[]::text []
    );
    if v_athlete_id is null then
        raise exception using
            errcode = 'P0002', message = 'you have no athlete profile yet', hint = 'Call finalize_onboarding first.';
    end if;
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

comment on function public.submit_daily_checkin(jsonb) is
'Records today''s (or checkin_date''s) check-in for the signed-in athlete: one row per athlete per day; a second '
'submission the same day merges into it, given fields winning. Returns the check-in row. Errors: P0002 no athlete '
'profile; 22023 invalid field (named); 23514 value out of range (named).';

-- Coach links ----------------------------------------------------------------------------------

create or replace function public.link_coach(coach_user_id uuid)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
    v_uid uuid := auth.uid();
    v_athlete_id uuid := public.current_athlete_id();
    v_result jsonb;
begin
    if v_uid is null then
        raise exception using errcode = '42501', message = 'link_coach needs a signed-in user';
    end if;
    if link_coach.coach_user_id is null then
        perform khepri_private.invalid('coach_user_id', 'is required');
    end if;
    if link_coach.coach_user_id = v_uid then
        perform khepri_private.invalid('coach_user_id', 'cannot be yourself');
    end if;
    if v_athlete_id is null then
        raise exception using
            errcode = 'P0002', message = 'you have no athlete profile yet', hint = 'Call finalize_onboarding first.';
    end if;
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

comment on function public.link_coach(uuid) is
'Invites another user as the signed-in athlete''s coach (status pending until the coach accepts; a revoked link '
'becomes pending again). Idempotent. Returns the link row. Errors: 22023 yourself; P0002 unknown user or no athlete '
'profile.';

create or replace function public.accept_coach_link(athlete_id uuid)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
    v_uid uuid := auth.uid();
    v_result jsonb;
begin
    if v_uid is null then
        raise exception using errcode = '42501', message = 'accept_coach_link needs a signed-in user';
    end if;
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

comment on function public.accept_coach_link(uuid) is
'The invited coach accepts an athlete''s invitation: the link becomes active. Idempotent. Returns the link row. '
'Errors: P0002 no pending invitation.';

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
    if auth.uid() is null then
        raise exception using errcode = '42501', message = 'revoke_coach needs a signed-in user';
    end if;
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

comment on function public.revoke_coach(uuid) is
'The athlete ends a coach''s access, at once. Idempotent. Returns the link row. Errors: P0002 no such link.';

-- export_my_data ------------------------------------------------------------------------------------

create or replace function public.export_my_data()
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
    v_uid uuid := auth.uid();
    v_athlete_id uuid := public.current_athlete_id();
begin
    if v_uid is null then
        raise exception using errcode = '42501', message = 'export_my_data needs a signed-in user';
    end if;
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

comment on function public.export_my_data() is
'Every row the signed-in user owns, as one JSON document: {exported_at, user, athlete, goals, constraints, '
'daily_checkins, training_plans, workouts, conversations (with messages), coach_links, idempotency_keys}.';

revoke execute on function public.submit_daily_checkin(jsonb) from public, anon;
revoke execute on function public.link_coach(uuid) from public, anon;
revoke execute on function public.accept_coach_link(uuid) from public, anon;
revoke execute on function public.revoke_coach(uuid) from public, anon;
revoke execute on function public.export_my_data() from public, anon;
grant execute on function public.submit_daily_checkin(jsonb) to authenticated;
grant execute on function public.link_coach(uuid) to authenticated;
grant execute on function public.accept_coach_link(uuid) to authenticated;
grant execute on function public.revoke_coach(uuid) to authenticated;
grant execute on function public.export_my_data() to authenticated;
