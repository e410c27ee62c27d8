-- Khepri schema, part 4: finalize_onboarding() and the idempotency-key cleanup.
--
-- finalize_onboarding is the seeds' broken RPC done right: the upsert target auth_user_id has a
-- unique constraint (athletes_auth_user_id_key), the caller's identity comes only from auth.uid(),
-- everything happens in one statement (one transaction), and an idempotency key is scoped to
-- (user, operation), so one user's key can never return another user's result.

create or replace function public.finalize_onboarding(
    profile jsonb,
    plan jsonb default null,
    idempotency_key text default null
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
    v_user_id uuid := auth.uid();
    v_operation constant text := 'finalize_onboarding';
    v_request_hash text;
    v_existing public.idempotency_keys%rowtype;
    v_unknown text;
    v_display_name text;
    v_timezone text;
    v_units text;
    v_preferences jsonb;
    v_plan_name text;
    v_plan_starts_on date;
    v_plan_total_weeks integer;
    v_athlete_id uuid;
    v_plan_id uuid;
    v_conversation_id uuid;
    v_message_id uuid;
    v_now timestamptz := now();
    v_result jsonb;
begin
    -- Identity: only from the verified JWT, never from an argument.
    if v_user_id is null then
        raise exception using
            errcode = '42501',
            message = 'finalize_onboarding needs a signed-in user',
            hint = 'Call it with a user''s session (a JWT whose sub claim is the user id).';
    end if;
    if not exists (select 1 from auth.users as u where u.id = v_user_id and u.deleted_at is null) then
        raise exception using
            errcode = '42501',
            message = 'the signed-in user does not exist',
            detail = format('No auth.users row with id %s.', v_user_id);
    end if;

    -- profile ------------------------------------------------------------------------------------
    if profile is null or jsonb_typeof(profile) <> 'object' then
        raise exception using
            errcode = '22023',
            message = 'profile must be a JSON object',
            hint = 'Pass {"display_name": "...", "timezone": "Europe/Paris", "units": "metric"}.';
    end if;
    select string_agg(k, ', ' order by k) into v_unknown
    from jsonb_object_keys(profile) as k
    where k <> all (array['display_name', 'timezone', 'units', 'preferences']);
    if v_unknown is not null then
        raise exception using
            errcode = '22023',
            message = format('profile has unknown field(s): %s', v_unknown),
            hint = 'Allowed fields: display_name, timezone, units, preferences.';
    end if;

    if jsonb_typeof(profile -> 'display_name') is distinct from 'string'
        or char_length(btrim(profile ->> 'display_name')) not between 1 and 100 then
        raise exception using
            errcode = '22023',
            message = 'profile.display_name is required: a string of 1 to 100 characters';
    end if;
    v_display_name := btrim(profile ->> 'display_name');

    v_timezone := coalesce(profile ->> 'timezone', 'UTC');
    if not public.is_valid_timezone(v_timezone) then
        raise exception using
            errcode = '22023',
            message = format('profile.timezone %L is not a known time zone', v_timezone),
            hint = 'Use an IANA name such as Europe/Paris or America/New_York.';
    end if;

    v_units := coalesce(profile ->> 'units', 'metric');
    if v_units not in ('metric', 'imperial') then
        raise exception using
            errcode = '22023',
            message = format('profile.units must be metric or imperial, got %L', v_units);
    end if;

    v_preferences := coalesce(profile -> 'preferences', '{}'::jsonb);
    if jsonb_typeof(v_preferences) <> 'object' then
        raise exception using errcode = '22023', message = 'profile.preferences must be a JSON object';
    end if;

    -- plan (optional) ----------------------------------------------------------------------------
    if plan is not null and jsonb_typeof(plan) <> 'null' then
        if jsonb_typeof(plan) <> 'object' then
            raise exception using errcode = '22023', message = 'plan must be a JSON object or null';
        end if;
        select string_agg(k, ', ' order by k) into v_unknown
        from jsonb_object_keys(plan) as k
        where k <> all (array['name', 'starts_on', 'total_weeks']);
        if v_unknown is not null then
            raise exception using
                errcode = '22023',
                message = format('plan has unknown field(s): %s', v_unknown),
                hint = 'Allowed fields: name, starts_on, total_weeks.';
        end if;
        if jsonb_typeof(plan -> 'name') is distinct from 'string'
            or char_length(btrim(plan ->> 'name')) not between 1 and 200 then
            raise exception using errcode = '22023', message = 'plan.name is required: a string of 1 to 200 characters';
        end if;
        v_plan_name := btrim(plan ->> 'name');
        begin
            v_plan_starts_on := coalesce((plan ->> 'starts_on')::date, (v_now at time zone v_timezone)::date);
        exception
            when invalid_datetime_format or datetime_field_overflow then
                raise exception using
                    errcode = '22023',
                    message = format('plan.starts_on %L is not a date', plan ->> 'starts_on'),
                    hint = 'Use YYYY-MM-DD.';
        end;
        if plan ? 'total_weeks' and jsonb_typeof(plan -> 'total_weeks') <> 'null' then
            if jsonb_typeof(plan -> 'total_weeks') <> 'number'
                or (plan ->> 'total_weeks')::numeric <> trunc((plan ->> 'total_weeks')::numeric)
                or (plan ->> 'total_weeks')::numeric not between 1 and 104 then
                raise exception using
                    errcode = '22023',
                    message = 'plan.total_weeks must be a whole number of weeks from 1 to 104';
            end if;
            v_plan_total_weeks := (plan ->> 'total_weeks')::integer;
        end if;
    end if;

    -- idempotency: replay the first result of this user's key, refuse the key with other input --
    if idempotency_key is not null then
        if char_length(idempotency_key) not between 1 and 255 then
            raise exception using errcode = '22023', message = 'idempotency_key must be 1 to 255 characters';
        end if;
        v_request_hash := encode(
            sha256(convert_to(jsonb_build_object('profile', profile, 'plan', plan)::text, 'UTF8')), 'hex'
        );
        delete from public.idempotency_keys as k
        where k.user_id = v_user_id and k.operation = v_operation and k.key = idempotency_key
            and k.expires_at <= v_now;
        insert into public.idempotency_keys (user_id, operation, key, request_hash)
        values (v_user_id, v_operation, idempotency_key, v_request_hash)
        on conflict (user_id, operation, key) do nothing;
        if not found then
            select k.* into v_existing
            from public.idempotency_keys as k
            where k.user_id = v_user_id and k.operation = v_operation and k.key = idempotency_key;
            if v_existing.request_hash <> v_request_hash then
                raise exception using
                    errcode = '22023',
                    message = 'idempotency_key was already used with different input',
                    detail = format('Key %L was first used at %s.', idempotency_key, v_existing.created_at),
                    hint = 'Use a new idempotency key for a new request.';
            end if;
            return v_existing.response;
        end if;
    end if;

    -- the athlete: insert, or complete a profile created earlier (upsert on a unique constraint) -
    insert into public.athletes as a (
        auth_user_id, display_name, timezone, units, preferences, onboarding_completed_at
    )
    values (v_user_id, v_display_name, v_timezone, v_units, v_preferences, v_now)
    on conflict (auth_user_id) do update
    set display_name = excluded.display_name,
        timezone = excluded.timezone,
        units = excluded.units,
        preferences = a.preferences || excluded.preferences,
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

    if v_plan_name is not null then
        if exists (
            select 1 from public.training_plans as p where p.athlete_id = v_athlete_id and p.status = 'active'
        ) then
            raise exception using
                errcode = '23505',
                message = 'the athlete already has an active training plan',
                hint = 'Finish or cancel it before onboarding creates a new one.';
        end if;
        insert into public.training_plans (athlete_id, name, status, starts_on, total_weeks)
        values (v_athlete_id, v_plan_name, 'active', v_plan_starts_on, v_plan_total_weeks)
        returning id into v_plan_id;
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
            when v_plan_name is null then format('Welcome to Khepri, %s! Tell me what you are training for.', v_display_name)
            else format('Welcome to Khepri, %s! Your plan "%s" starts on %s.', v_display_name, v_plan_name, v_plan_starts_on)
        end,
        jsonb_build_object('kind', 'welcome')
    )
    returning id into v_message_id;

    v_result := jsonb_build_object(
        'athlete_id', v_athlete_id,
        'plan_id', v_plan_id,
        'conversation_id', v_conversation_id,
        'welcome_message_id', v_message_id,
        'onboarding_completed_at', v_now
    );

    if idempotency_key is not null then
        update public.idempotency_keys as k
        set response = v_result
        where k.user_id = v_user_id and k.operation = v_operation and k.key = idempotency_key;
    end if;

    return v_result;
end;
$$;

comment on function public.finalize_onboarding(jsonb, jsonb, text) is
'Completes onboarding for the signed-in user in one transaction: creates or completes the athlete, '
'optionally an active training plan, and a welcome conversation. Returns {athlete_id, plan_id, '
'conversation_id, welcome_message_id, onboarding_completed_at}. With idempotency_key, a retry by '
'the same user returns the first result. Errors: 42501 not signed in; 22023 invalid field (named); '
'55000 already onboarded; 23505 an active plan exists.';

revoke execute on function public.finalize_onboarding(jsonb, jsonb, text) from public, anon;
grant execute on function public.finalize_onboarding(jsonb, jsonb, text) to authenticated;

-- Maintenance: delete expired idempotency keys. service_role bypasses RLS, so this needs no
-- SECURITY DEFINER; nobody else may run it.
create or replace function public.cleanup_expired_idempotency_keys()
returns integer
language sql
volatile
security invoker
set search_path = ''
as $$
    with removed as (
        delete from public.idempotency_keys as k
        where k.expires_at <= now()
        returning 1
    )
    select count(*)::integer from removed
$$;

comment on function public.cleanup_expired_idempotency_keys() is
'Deletes idempotency keys past expires_at and returns how many were removed. service_role only.';

revoke execute on function public.cleanup_expired_idempotency_keys() from public, anon, authenticated;
grant execute on function public.cleanup_expired_idempotency_keys() to service_role;
