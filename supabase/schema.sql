-- Schema dump written by `khepri-db db dump --schema-only`: pg_dump --schema-only of the user schemas
-- (those `supabase db dump` keeps), without pg_dump's version lines and random \restrict keys.
-- It shows what the migrations build, in one place. It is NOT a migration: `khepri-db migrate` and the
-- Supabase CLI read supabase/migrations/ only. Do not edit it by hand; regenerate it after changing a
-- migration: khepri-db db dump --schema-only --from-migrations -f supabase/schema.sql

--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- khepri-db: the default privileges granted at the end of this file are lifted while it is applied.
-- pg_dump writes each object's grants for a database without them (as a full restore creates them
-- last); a Supabase database has them already, so every table and function would otherwise get the
-- privileges a migration revoked (e.g. execute for anon). The statements at the end grant them again.
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public REVOKE ALL ON SEQUENCES FROM anon;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public REVOKE ALL ON SEQUENCES FROM authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public REVOKE ALL ON SEQUENCES FROM service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public REVOKE ALL ON FUNCTIONS FROM anon;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public REVOKE ALL ON FUNCTIONS FROM authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public REVOKE ALL ON FUNCTIONS FROM service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public REVOKE ALL ON TABLES FROM anon;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public REVOKE ALL ON TABLES FROM authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public REVOKE ALL ON TABLES FROM service_role;

--
-- Name: khepri_private; Type: SCHEMA; Schema: -; Owner: postgres
--

CREATE SCHEMA khepri_private;


--
-- Name: SCHEMA khepri_private; Type: COMMENT; Schema: -; Owner: postgres
--

COMMENT ON SCHEMA khepri_private IS 'Helpers for the Khepri RPCs. Not exposed through the Data API; callable by signed-in users only via the RPCs.';


--
-- Name: pg_stat_statements; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pg_stat_statements WITH SCHEMA extensions;


--
-- Name: pgcrypto; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;


--
-- Name: pgsodium; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pgsodium WITH SCHEMA pgsodium;


--
-- Name: supabase_vault; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS supabase_vault WITH SCHEMA vault;


--
-- Name: uuid-ossp; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions;


--
-- Name: accessible_athlete_ids(); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.accessible_athlete_ids() RETURNS uuid[]
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
    select array(
        select a.id from public.athletes as a where a.auth_user_id = (select auth.uid())
        union all
        select l.athlete_id
        from public.coach_links as l
        where l.coach_user_id = (select auth.uid()) and l.status = 'active'
    )
$$;


--
-- Name: FUNCTION accessible_athlete_ids(); Type: COMMENT; Schema: khepri_private; Owner: postgres
--

COMMENT ON FUNCTION khepri_private.accessible_athlete_ids() IS 'Athlete ids whose training data the caller may read: their own and those they coach (active links).';


--
-- Name: boolean_field(jsonb, text, text); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.boolean_field(input jsonb, field text, path text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $$
begin
    return (khepri_private.typed_value(input, field, path, 'boolean', 'must be true or false') #>> '{}')::boolean;
end;
$$;


--
-- Name: check_fits(numeric, text, text); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.check_fits(value numeric, field text, path text) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION check_fits(value numeric, field text, path text); Type: COMMENT; Schema: khepri_private; Owner: postgres
--

COMMENT ON FUNCTION khepri_private.check_fits(value numeric, field text, path text) IS 'Raises 23514 (the column''s CHECK) or 22023 naming path.field when value does not fit the column it is written to.';


--
-- Name: coach_links_guard(); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.coach_links_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
    v_uid uuid := auth.uid();
begin
    if tg_op = 'INSERT' then
        if v_uid is not null and new.status <> 'pending' then
            raise exception using
                errcode = '42501',
                message = 'a coach link starts pending: the coach accepts it',
                hint = 'Call link_coach(coach_user_id); the coach then calls accept_coach_link(athlete_id).';
        end if;
        new.invited_at := now();
        new.accepted_at := case when new.status = 'active' then now() end;
        new.revoked_at := case when new.status = 'revoked' then now() end;
        return new;
    end if;
    if new.athlete_id <> old.athlete_id or new.coach_user_id <> old.coach_user_id then
        raise exception using errcode = '42501', message = 'the athlete and coach of a coach link cannot change';
    end if;
    if new.status = old.status then
        return new;
    end if;
    if v_uid is not null and new.status = 'active' and (old.status <> 'pending' or v_uid <> old.coach_user_id) then
        raise exception using
            errcode = '42501',
            message = 'only the invited coach can accept a pending coach link';
    end if;
    if v_uid is not null and new.status = 'pending' and (old.status <> 'revoked' or v_uid = old.coach_user_id) then
        raise exception using
            errcode = '42501',
            message = 'only the athlete can invite a coach again, after a revocation';
    end if;
    if new.status = 'pending' then
        new.invited_at := now();
        new.accepted_at := null;
    elsif new.status = 'active' then
        new.accepted_at := now();
    end if;
    new.revoked_at := case when new.status = 'revoked' then now() end;
    return new;
end;
$$;


--
-- Name: date_field(jsonb, text, text); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.date_field(input jsonb, field text, path text) RETURNS date
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $_$
declare
    v_text text := khepri_private.text_field(input, field, path);
begin
    if v_text is null then
        return null;
    end if;
    if v_text !~ '^\d{4}-\d{2}-\d{2}$' then
        perform khepri_private.invalid(path || '.' || field, format('%L is not a date', v_text), 'Use YYYY-MM-DD.');
    end if;
    return v_text::date;
exception
    when datetime_field_overflow or invalid_datetime_format then
        perform khepri_private.invalid(path || '.' || field, format('%L is not a date', v_text), 'Use YYYY-MM-DD.');
        return null;
end;
$_$;


--
-- Name: idempotency_begin(text, text, jsonb); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.idempotency_begin(operation text, key text, request jsonb) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION idempotency_begin(operation text, key text, request jsonb); Type: COMMENT; Schema: khepri_private; Owner: postgres
--

COMMENT ON FUNCTION khepri_private.idempotency_begin(operation text, key text, request jsonb) IS 'Starts an idempotent call: null if new, the stored response on a replay, 22023 if the key was used with other input.';


--
-- Name: idempotency_finish(text, text, jsonb); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.idempotency_finish(operation text, key text, response jsonb) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
    if key is not null then
        update public.idempotency_keys as k
        set response = idempotency_finish.response
        where
            k.user_id = auth.uid() and k.operation = idempotency_finish.operation
            and k.key = idempotency_finish.key;
    end if;
    return response;
end;
$$;


--
-- Name: FUNCTION idempotency_finish(operation text, key text, response jsonb); Type: COMMENT; Schema: khepri_private; Owner: postgres
--

COMMENT ON FUNCTION khepri_private.idempotency_finish(operation text, key text, response jsonb) IS 'Stores the response of an idempotent call under the caller''s key and returns it.';


--
-- Name: input_table(text); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.input_table(path text) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $_$
    select case
        when path = 'checkin' then 'daily_checkins'
        when path = 'profile' then 'athletes'
        when path = 'goal' then 'goals'
        when path = 'plan' then 'training_plans'
        when path = 'workout' or path ~ '^plan\.workouts\[[0-9]+\]$' then 'workouts'
    end
$_$;


--
-- Name: FUNCTION input_table(path text); Type: COMMENT; Schema: khepri_private; Owner: postgres
--

COMMENT ON FUNCTION khepri_private.input_table(path text) IS 'The public table an RPC input path (checkin, profile, goal, plan, workout, plan.workouts[n]) is written to.';


--
-- Name: insert_goal(uuid, jsonb, text); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.insert_goal(target_athlete_id uuid, input jsonb, path text) RETURNS uuid
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION insert_goal(target_athlete_id uuid, input jsonb, path text); Type: COMMENT; Schema: khepri_private; Owner: postgres
--

COMMENT ON FUNCTION khepri_private.insert_goal(target_athlete_id uuid, input jsonb, path text) IS 'Inserts a goal from JSON input for an athlete, with the caller''s rights; returns its id.';


--
-- Name: insert_plan(uuid, jsonb, text, text[]); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.insert_plan(target_athlete_id uuid, input jsonb, path text, allowed text[]) RETURNS uuid
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION insert_plan(target_athlete_id uuid, input jsonb, path text, allowed text[]); Type: COMMENT; Schema: khepri_private; Owner: postgres
--

COMMENT ON FUNCTION khepri_private.insert_plan(target_athlete_id uuid, input jsonb, path text, allowed text[]) IS 'Inserts a draft training plan from JSON input for an athlete, with the caller''s rights; returns its id.';


--
-- Name: integer_array_field(jsonb, text, text); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.integer_array_field(input jsonb, field text, path text) RETURNS integer[]
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $$
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


--
-- Name: integer_field(jsonb, text, text); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.integer_field(input jsonb, field text, path text) RETURNS integer
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $$
declare
    v_value numeric := khepri_private.numeric_field(input, field, path);
begin
    if v_value is null then
        return null;
    end if;
    if v_value <> trunc(v_value) or v_value not between -2147483648 and 2147483647 then
        perform khepri_private.invalid(path || '.' || field, 'must be a whole number');
    end if;
    return v_value::integer;
end;
$$;


--
-- Name: invalid(text, text, text); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.invalid(path text, problem text, hint text DEFAULT NULL::text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
begin
    if hint is null then
        raise exception using errcode = '22023', message = format('%s %s', path, problem);
    end if;
    raise exception using errcode = '22023', message = format('%s %s', path, problem), hint = hint;
end;
$$;


--
-- Name: FUNCTION invalid(path text, problem text, hint text); Type: COMMENT; Schema: khepri_private; Owner: postgres
--

COMMENT ON FUNCTION khepri_private.invalid(path text, problem text, hint text) IS 'Raises SQLSTATE 22023 with the message "<path> <problem>" (and the hint, if given).';


--
-- Name: json_field(jsonb, text, text, text); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.json_field(input jsonb, field text, path text, json_type text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $$
begin
    return khepri_private.typed_value(input, field, path, json_type, format('must be a JSON %s', json_type));
end;
$$;


--
-- Name: keep_athlete_id(); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.keep_athlete_id() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
begin
    if current_user in ('anon', 'authenticated') and new.athlete_id is distinct from old.athlete_id then
        raise exception using
            errcode = '42501',
            message = format('athlete_id of %I.%I cannot change: a row stays with its athlete', tg_table_schema,
                tg_table_name),
            detail = format('The row belongs to athlete %s.', old.athlete_id),
            hint = 'Create the row for the other athlete instead (a coach may create plans and sessions).';
    end if;
    return new;
end;
$$;


--
-- Name: FUNCTION keep_athlete_id(); Type: COMMENT; Schema: khepri_private; Owner: postgres
--

COMMENT ON FUNCTION khepri_private.keep_athlete_id() IS 'Trigger: refuses (42501) a change of athlete_id by anon or authenticated, on every athlete-owned table.';


--
-- Name: make_only_active_plan(uuid, uuid); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.make_only_active_plan(target_athlete_id uuid, plan_id uuid) RETURNS uuid
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION make_only_active_plan(target_athlete_id uuid, plan_id uuid); Type: COMMENT; Schema: khepri_private; Owner: postgres
--

COMMENT ON FUNCTION khepri_private.make_only_active_plan(target_athlete_id uuid, plan_id uuid) IS 'Activates a plan and cancels the athlete''s previous active one, serialised per athlete; returns the previous id.';


--
-- Name: numeric_field(jsonb, text, text); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.numeric_field(input jsonb, field text, path text) RETURNS numeric
    LANGUAGE plpgsql STABLE
    SET search_path TO ''
    AS $$
declare
    v_value numeric := (khepri_private.typed_value(input, field, path, 'number', 'must be a number') #>> '{}')::numeric;
begin
    perform khepri_private.check_fits(v_value, field, path);
    return v_value;
end;
$$;


--
-- Name: object_input(jsonb, text, text[], text[]); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.object_input(input jsonb, path text, allowed text[], required text[] DEFAULT '{}'::text[]) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $$
declare
    v_unknown text;
    v_missing text;
begin
    if input is null or jsonb_typeof(input) = 'null' then
        if cardinality(required) > 0 then
            perform khepri_private.invalid(path, 'is required: a JSON object');
        end if;
        return '{}'::jsonb;
    end if;
    if jsonb_typeof(input) <> 'object' then
        perform khepri_private.invalid(path, 'must be a JSON object');
    end if;
    select string_agg(k, ', ' order by k) into v_unknown
    from jsonb_object_keys(input) as k
    where k <> all(allowed);
    if v_unknown is not null then
        perform khepri_private.invalid(
            path, format('has unknown field(s): %s', v_unknown),
            format('Allowed fields: %s.', array_to_string(allowed, ', '))
        );
    end if;
    select string_agg(r, ', ' order by r) into v_missing
    from unnest(required) as r
    where coalesce(jsonb_typeof(input -> r), 'null') = 'null';
    if v_missing is not null then
        perform khepri_private.invalid(path || '.' || split_part(v_missing, ', ', 1), 'is required');
    end if;
    return input;
end;
$$;


--
-- Name: FUNCTION object_input(input jsonb, path text, allowed text[], required text[]); Type: COMMENT; Schema: khepri_private; Owner: postgres
--

COMMENT ON FUNCTION khepri_private.object_input(input jsonb, path text, allowed text[], required text[]) IS 'Validates that an input is a JSON object with only the allowed keys and all required keys (22023).';


--
-- Name: raise_check_violation(text, text, jsonb); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.raise_check_violation(table_name text, constraint_name text, paths jsonb) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION raise_check_violation(table_name text, constraint_name text, paths jsonb); Type: COMMENT; Schema: khepri_private; Owner: postgres
--

COMMENT ON FUNCTION khepri_private.raise_check_violation(table_name text, constraint_name text, paths jsonb) IS 'Raises SQLSTATE 23514 naming the input field a violated CHECK constraint is about, with the rule it must satisfy.';


--
-- Name: raise_reference_not_found(text, jsonb); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.raise_reference_not_found(constraint_name text, paths jsonb) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $$
declare
    v_field text := coalesce(paths ->> constraint_name, constraint_name);
begin
    raise exception using
        errcode = 'P0002',
        message = format('%s does not exist or is not yours', v_field),
        detail = format('Foreign key %s.', constraint_name);
end;
$$;


--
-- Name: require_athlete(uuid); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.require_athlete(athlete_id uuid) RETURNS uuid
    LANGUAGE plpgsql STABLE
    SET search_path TO ''
    AS $$
begin
    if athlete_id is null then
        raise exception using
            errcode = 'P0002', message = 'you have no athlete profile yet', hint = 'Call finalize_onboarding first.';
    end if;
    return athlete_id;
end;
$$;


--
-- Name: FUNCTION require_athlete(athlete_id uuid); Type: COMMENT; Schema: khepri_private; Owner: postgres
--

COMMENT ON FUNCTION khepri_private.require_athlete(athlete_id uuid) IS 'Returns its argument, or raises P0002 "you have no athlete profile yet" when it is null.';


--
-- Name: require_user(text, text); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.require_user(operation text, hint text DEFAULT NULL::text) RETURNS uuid
    LANGUAGE plpgsql STABLE
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION require_user(operation text, hint text); Type: COMMENT; Schema: khepri_private; Owner: postgres
--

COMMENT ON FUNCTION khepri_private.require_user(operation text, hint text) IS 'Returns auth.uid(), or raises 42501 "<operation> needs a signed-in user" (with the hint, if given) when nobody is.';


--
-- Name: text_array_field(jsonb, text, text); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.text_array_field(input jsonb, field text, path text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $$
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


--
-- Name: text_field(jsonb, text, text); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.text_field(input jsonb, field text, path text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $$
begin
    return khepri_private.typed_value(input, field, path, 'string', 'must be a string') #>> '{}';
end;
$$;


--
-- Name: time_field(jsonb, text, text); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.time_field(input jsonb, field text, path text) RETURNS time without time zone
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $_$
declare
    v_text text := khepri_private.text_field(input, field, path);
begin
    if v_text is null then
        return null;
    end if;
    if v_text !~ '^\d{2}:\d{2}(:\d{2})?$' then
        perform khepri_private.invalid(path || '.' || field, format('%L is not a time of day', v_text), 'Use HH:MM.');
    end if;
    return v_text::time;
exception
    when datetime_field_overflow or invalid_datetime_format then
        perform khepri_private.invalid(path || '.' || field, format('%L is not a time of day', v_text), 'Use HH:MM.');
        return null;
end;
$_$;


--
-- Name: typed_value(jsonb, text, text, text, text); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.typed_value(input jsonb, field text, path text, json_type text, problem text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION typed_value(input jsonb, field text, path text, json_type text, problem text); Type: COMMENT; Schema: khepri_private; Owner: postgres
--

COMMENT ON FUNCTION khepri_private.typed_value(input jsonb, field text, path text, json_type text, problem text) IS 'input.field if its JSON type is json_type, null if absent or JSON null, else 22023 "<path>.<field> <problem>".';


--
-- Name: uuid_field(jsonb, text, text); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.uuid_field(input jsonb, field text, path text) RETURNS uuid
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $$
declare
    v_text text := khepri_private.text_field(input, field, path);
begin
    if v_text is null then
        return null;
    end if;
    return v_text::uuid;
exception
    when invalid_text_representation then
        perform khepri_private.invalid(path || '.' || field, format('%L is not a UUID', v_text));
        return null;
end;
$$;


--
-- Name: workout_columns(jsonb, text); Type: FUNCTION; Schema: khepri_private; Owner: postgres
--

CREATE FUNCTION khepri_private.workout_columns(input jsonb, path text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $$
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


--
-- Name: accept_coach_link(uuid); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.accept_coach_link(athlete_id uuid) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION accept_coach_link(athlete_id uuid); Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON FUNCTION public.accept_coach_link(athlete_id uuid) IS 'The invited coach accepts an athlete''s invitation: the link becomes active. Idempotent. Returns the link row. Errors: P0002 no pending invitation.';


--
-- Name: activate_plan(uuid); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.activate_plan(plan_id uuid) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION activate_plan(plan_id uuid); Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON FUNCTION public.activate_plan(plan_id uuid) IS 'Makes the plan the athlete''s only active plan, atomically (the previous active plan becomes cancelled). Returns {plan_id, status, previous_active_plan_id}. Errors: P0002 unknown plan; 55000 completed plan.';


--
-- Name: cleanup_expired_idempotency_keys(); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.cleanup_expired_idempotency_keys() RETURNS integer
    LANGUAGE sql
    SET search_path TO ''
    AS $$
    with removed as (
        delete from public.idempotency_keys as k
        where k.expires_at <= now()
        returning 1
    )
    select count(*)::integer from removed
$$;


--
-- Name: FUNCTION cleanup_expired_idempotency_keys(); Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON FUNCTION public.cleanup_expired_idempotency_keys() IS 'Deletes idempotency keys past expires_at and returns how many were removed. service_role only.';


--
-- Name: complete_workout(uuid, jsonb, integer, jsonb); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.complete_workout(workout_id uuid, actual jsonb DEFAULT NULL::jsonb, rpe integer DEFAULT NULL::integer, feedback jsonb DEFAULT NULL::jsonb) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION complete_workout(workout_id uuid, actual jsonb, rpe integer, feedback jsonb); Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON FUNCTION public.complete_workout(workout_id uuid, actual jsonb, rpe integer, feedback jsonb) IS 'Marks a workout completed with what was done: actual {duration_s, distance_m}, rpe 1-10, feedback {categories, text}. Repeating it changes nothing but the values given; completed_at keeps its first value. Returns the workout row. Errors: P0002 unknown workout; 22023 invalid field (named).';


--
-- Name: create_plan_with_workouts(jsonb, text); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.create_plan_with_workouts(plan jsonb, idempotency_key text DEFAULT NULL::text) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION create_plan_with_workouts(plan jsonb, idempotency_key text); Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON FUNCTION public.create_plan_with_workouts(plan jsonb, idempotency_key text) IS 'Creates a training plan and all its sessions in one call, for the caller or an athlete they coach (plan.athlete_id). plan: {name, starts_on, ends_on?, total_weeks?, status draft|active, goal_id?, methodology_id?, phases?, weekly_template?, workouts: [{week_number, day_number, slot?, scheduled_on?, sport, workout_type?, title, structure?, planned_duration_s?, planned_distance_m?, planned_load?}]}. A session''s scheduled_on defaults to starts_on + 7 * (week_number - 1) + (day_number - 1). Returns {plan_id, athlete_id, status, workout_ids, workouts}. Idempotent with idempotency_key.';


--
-- Name: current_athlete_id(); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.current_athlete_id() RETURNS uuid
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
    select a.id from public.athletes as a where a.auth_user_id = (select auth.uid())
$$;


--
-- Name: FUNCTION current_athlete_id(); Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON FUNCTION public.current_athlete_id() IS 'The id of the signed-in user''s athlete row, or null. Runs with the caller''s rights (RLS applies).';


--
-- Name: export_my_data(); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.export_my_data() RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION export_my_data(); Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON FUNCTION public.export_my_data() IS 'Every row the signed-in user owns, as one JSON document: {exported_at, user, athlete, goals, constraints, daily_checkins, training_plans, workouts, conversations (with messages), coach_links, idempotency_keys}.';


--
-- Name: finalize_onboarding(jsonb, jsonb, text, jsonb); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.finalize_onboarding(profile jsonb, plan jsonb DEFAULT NULL::jsonb, idempotency_key text DEFAULT NULL::text, goal jsonb DEFAULT NULL::jsonb) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION finalize_onboarding(profile jsonb, plan jsonb, idempotency_key text, goal jsonb); Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON FUNCTION public.finalize_onboarding(profile jsonb, plan jsonb, idempotency_key text, goal jsonb) IS 'Completes onboarding for the signed-in user in one transaction: creates or completes the athlete profile, optionally a first goal and an active training plan, and a welcome conversation. Returns {athlete_id, goal_id, plan_id, conversation_id, welcome_message_id, onboarding_completed_at}. With idempotency_key, a retry by the same user returns the first result. Errors: 42501 not signed in; 22023 invalid field (named); 23514 value out of range (named); P0002 unknown methodology; 55000 already onboarded; 23505 an active plan exists.';


--
-- Name: is_valid_timezone(text); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.is_valid_timezone(tz text) RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path TO ''
    AS $_$
begin
    if tz is null or tz !~ '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$' then
        return false;
    end if;
    perform now() at time zone tz;
    return true;
exception
    when invalid_parameter_value then
        return false;
end;
$_$;


--
-- Name: FUNCTION is_valid_timezone(tz text); Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON FUNCTION public.is_valid_timezone(tz text) IS 'True when the argument is a time zone name Postgres recognises (IANA names such as Europe/Paris).';


--
-- Name: link_coach(uuid); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.link_coach(coach_user_id uuid) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION link_coach(coach_user_id uuid); Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON FUNCTION public.link_coach(coach_user_id uuid) IS 'Invites another user as the signed-in athlete''s coach (status pending until the coach accepts; a revoked link becomes pending again). Idempotent. Returns the link row. Errors: 22023 yourself; P0002 unknown user or no athlete profile.';


--
-- Name: plan_progress(uuid); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.plan_progress(plan_id uuid) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION plan_progress(plan_id uuid); Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON FUNCTION public.plan_progress(plan_id uuid) IS 'Progress of a plan, overall and per week: planned (sessions, rest days excluded), completed, skipped, overdue (still planned, scheduled before today UTC), adherence_rate = completed / (completed + skipped + overdue), average_rpe of completed sessions. Errors: P0002 unknown plan.';


--
-- Name: revoke_coach(uuid); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.revoke_coach(coach_user_id uuid) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION revoke_coach(coach_user_id uuid); Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON FUNCTION public.revoke_coach(coach_user_id uuid) IS 'The athlete ends a coach''s access, at once. Idempotent. Returns the link row. Errors: P0002 no such link.';


--
-- Name: schedule_workout(jsonb, text); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.schedule_workout(workout jsonb, idempotency_key text DEFAULT NULL::text) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION schedule_workout(workout jsonb, idempotency_key text); Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON FUNCTION public.schedule_workout(workout jsonb, idempotency_key text) IS 'Schedules a session. With plan_id, week_number and day_number (and slot, default 1) it creates that session or updates it (date and any given fields): one row per (plan, week, day, slot), whatever the concurrency. Without plan_id it creates an ad-hoc session (scheduled_on, sport and title required; athlete_id for a coach). Returns the workout row. Idempotent with idempotency_key.';


--
-- Name: set_updated_at(); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
begin
    new.updated_at := now();
    return new;
end;
$$;


--
-- Name: FUNCTION set_updated_at(); Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON FUNCTION public.set_updated_at() IS 'Trigger function shared by every Khepri table: sets updated_at to now() on update.';


--
-- Name: skip_workout(uuid, text); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.skip_workout(workout_id uuid, reason text DEFAULT NULL::text) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION skip_workout(workout_id uuid, reason text); Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON FUNCTION public.skip_workout(workout_id uuid, reason text) IS 'Marks a planned workout skipped, with an optional reason. Returns the workout row. Errors: P0002 unknown workout; 55000 already completed.';


--
-- Name: submit_daily_checkin(jsonb); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.submit_daily_checkin(checkin jsonb) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION submit_daily_checkin(checkin jsonb); Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON FUNCTION public.submit_daily_checkin(checkin jsonb) IS 'Records today''s (or checkin_date''s) check-in for the signed-in athlete: one row per athlete per day; a second submission the same day merges into it, given fields winning. Returns the check-in row. Errors: P0002 no athlete profile; 22023 invalid field (named); 23514 value out of range (named).';


--
-- Name: touch_conversation_last_message_at(); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.touch_conversation_last_message_at() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
begin
    update public.conversations as c
    set last_message_at = greatest(coalesce(c.last_message_at, new.created_at), new.created_at)
    where c.id = new.conversation_id;
    return new;
end;
$$;


--
-- Name: FUNCTION touch_conversation_last_message_at(); Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON FUNCTION public.touch_conversation_last_message_at() IS 'Trigger function: after a message is inserted, moves its conversation''s last_message_at forward.';


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: athletes; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.athletes (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    auth_user_id uuid NOT NULL,
    display_name text NOT NULL,
    units text DEFAULT 'metric'::text NOT NULL,
    timezone text DEFAULT 'UTC'::text NOT NULL,
    preferences jsonb DEFAULT '{}'::jsonb NOT NULL,
    onboarding_completed_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    date_of_birth date,
    sex text,
    weight_kg numeric(5,2),
    height_cm numeric(4,1),
    daily_checkin_time time without time zone,
    experience_level text,
    ftp_watts integer,
    threshold_pace_s_per_km integer,
    css_s_per_100m integer,
    resting_hr_bpm integer,
    max_hr_bpm integer,
    threshold_hr_bpm integer,
    one_rm_squat_kg numeric(5,1),
    one_rm_bench_kg numeric(5,1),
    one_rm_deadlift_kg numeric(5,1),
    consent_health_data_at timestamp with time zone,
    consent_ai_coaching_at timestamp with time zone,
    consent_marketing_at timestamp with time zone,
    intervals_icu_athlete_id text,
    intervals_icu_connected boolean DEFAULT false NOT NULL,
    CONSTRAINT athletes_css_s_per_100m_check CHECK (((css_s_per_100m >= 40) AND (css_s_per_100m <= 600))),
    CONSTRAINT athletes_date_of_birth_check CHECK (((date_of_birth >= '1900-01-01'::date) AND (date_of_birth <= '2100-01-01'::date))),
    CONSTRAINT athletes_display_name_length CHECK (((char_length(btrim(display_name)) >= 1) AND (char_length(btrim(display_name)) <= 100))),
    CONSTRAINT athletes_experience_level_check CHECK ((experience_level = ANY (ARRAY['beginner'::text, 'intermediate'::text, 'advanced'::text, 'elite'::text]))),
    CONSTRAINT athletes_ftp_watts_check CHECK (((ftp_watts >= 30) AND (ftp_watts <= 2500))),
    CONSTRAINT athletes_heart_rate_order CHECK ((((resting_hr_bpm IS NULL) OR (threshold_hr_bpm IS NULL) OR (resting_hr_bpm < threshold_hr_bpm)) AND ((threshold_hr_bpm IS NULL) OR (max_hr_bpm IS NULL) OR (threshold_hr_bpm <= max_hr_bpm)) AND ((resting_hr_bpm IS NULL) OR (max_hr_bpm IS NULL) OR (resting_hr_bpm < max_hr_bpm)))),
    CONSTRAINT athletes_height_cm_check CHECK (((height_cm >= (50)::numeric) AND (height_cm <= (280)::numeric))),
    CONSTRAINT athletes_intervals_icu_athlete_id_format CHECK ((intervals_icu_athlete_id ~ '^i[0-9]{1,12}$'::text)),
    CONSTRAINT athletes_intervals_icu_connected_needs_id CHECK (((NOT intervals_icu_connected) OR (intervals_icu_athlete_id IS NOT NULL))),
    CONSTRAINT athletes_max_hr_bpm_check CHECK (((max_hr_bpm >= 80) AND (max_hr_bpm <= 250))),
    CONSTRAINT athletes_one_rm_bench_kg_check CHECK (((one_rm_bench_kg >= (1)::numeric) AND (one_rm_bench_kg <= (500)::numeric))),
    CONSTRAINT athletes_one_rm_deadlift_kg_check CHECK (((one_rm_deadlift_kg >= (1)::numeric) AND (one_rm_deadlift_kg <= (600)::numeric))),
    CONSTRAINT athletes_one_rm_squat_kg_check CHECK (((one_rm_squat_kg >= (1)::numeric) AND (one_rm_squat_kg <= (600)::numeric))),
    CONSTRAINT athletes_preferences_is_object CHECK ((jsonb_typeof(preferences) = 'object'::text)),
    CONSTRAINT athletes_resting_hr_bpm_check CHECK (((resting_hr_bpm >= 20) AND (resting_hr_bpm <= 150))),
    CONSTRAINT athletes_sex_check CHECK ((sex = ANY (ARRAY['female'::text, 'male'::text, 'other'::text, 'undisclosed'::text]))),
    CONSTRAINT athletes_threshold_hr_bpm_check CHECK (((threshold_hr_bpm >= 60) AND (threshold_hr_bpm <= 240))),
    CONSTRAINT athletes_threshold_pace_s_per_km_check CHECK (((threshold_pace_s_per_km >= 120) AND (threshold_pace_s_per_km <= 1200))),
    CONSTRAINT athletes_timezone_check CHECK (public.is_valid_timezone(timezone)),
    CONSTRAINT athletes_units_check CHECK ((units = ANY (ARRAY['metric'::text, 'imperial'::text]))),
    CONSTRAINT athletes_weight_kg_check CHECK (((weight_kg >= (20)::numeric) AND (weight_kg <= (400)::numeric)))
);


--
-- Name: TABLE athletes; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON TABLE public.athletes IS 'One row per signed-in user who coaches themselves with Khepri: profile and preferences.';


--
-- Name: COLUMN athletes.auth_user_id; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.athletes.auth_user_id IS 'The auth.users row this athlete is; unique: one athlete per user.';


--
-- Name: COLUMN athletes.units; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.athletes.units IS 'Display units: metric or imperial. Stored values are always SI.';


--
-- Name: COLUMN athletes.timezone; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.athletes.timezone IS 'IANA time zone name, used to decide what "today" is.';


--
-- Name: COLUMN athletes.onboarding_completed_at; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.athletes.onboarding_completed_at IS 'Set once by finalize_onboarding().';


--
-- Name: COLUMN athletes.weight_kg; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.athletes.weight_kg IS 'Body weight in kg; also the bodyweight strength ratios use.';


--
-- Name: COLUMN athletes.daily_checkin_time; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.athletes.daily_checkin_time IS 'Local time (in timezone) the athlete wants the daily check-in.';


--
-- Name: COLUMN athletes.threshold_pace_s_per_km; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.athletes.threshold_pace_s_per_km IS 'Running threshold pace, seconds per km.';


--
-- Name: COLUMN athletes.css_s_per_100m; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.athletes.css_s_per_100m IS 'Swimming critical swim speed, seconds per 100 m.';


--
-- Name: COLUMN athletes.consent_health_data_at; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.athletes.consent_health_data_at IS 'When health-data processing consent was given; null: not given.';


--
-- Name: COLUMN athletes.consent_ai_coaching_at; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.athletes.consent_ai_coaching_at IS 'When AI-coaching consent was given; null: not given.';


--
-- Name: COLUMN athletes.consent_marketing_at; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.athletes.consent_marketing_at IS 'When marketing consent was given; null: not given.';


--
-- Name: COLUMN athletes.intervals_icu_athlete_id; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.athletes.intervals_icu_athlete_id IS 'The athlete''s intervals.icu id (i123456), if linked.';


--
-- Name: coach_links; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.coach_links (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    athlete_id uuid NOT NULL,
    coach_user_id uuid NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    invited_at timestamp with time zone DEFAULT now() NOT NULL,
    accepted_at timestamp with time zone,
    revoked_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT coach_links_accepted_at_check CHECK (((status <> 'active'::text) OR (accepted_at IS NOT NULL))),
    CONSTRAINT coach_links_revoked_at_check CHECK (((status = 'revoked'::text) = (revoked_at IS NOT NULL))),
    CONSTRAINT coach_links_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'active'::text, 'revoked'::text])))
);


--
-- Name: TABLE coach_links; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON TABLE public.coach_links IS 'One row per (athlete, coach) pair: the athlete''s invitation of another user as coach, and its state.';


--
-- Name: constraints; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.constraints (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    athlete_id uuid NOT NULL,
    constraint_type text NOT NULL,
    description text,
    starts_on date DEFAULT CURRENT_DATE NOT NULL,
    ends_on date,
    status text DEFAULT 'active'::text NOT NULL,
    injury_body_part text,
    injury_severity smallint,
    injury_restrictions text[],
    travel_destination text,
    travel_equipment text[],
    travel_facilities text[],
    availability_hours_per_week numeric(4,1),
    availability_days smallint[],
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT constraints_availability_days_check CHECK ((availability_days <@ ARRAY[(1)::smallint, (2)::smallint, (3)::smallint, (4)::smallint, (5)::smallint, (6)::smallint, (7)::smallint])),
    CONSTRAINT constraints_availability_fields CHECK (
CASE
    WHEN (constraint_type = 'availability'::text) THEN (num_nonnulls(availability_hours_per_week, availability_days) > 0)
    ELSE (num_nonnulls(availability_hours_per_week, availability_days) = 0)
END),
    CONSTRAINT constraints_availability_hours_per_week_check CHECK (((availability_hours_per_week >= (0)::numeric) AND (availability_hours_per_week <= (60)::numeric))),
    CONSTRAINT constraints_constraint_type_check CHECK ((constraint_type = ANY (ARRAY['injury'::text, 'travel'::text, 'availability'::text]))),
    CONSTRAINT constraints_dates_check CHECK (((ends_on IS NULL) OR (ends_on >= starts_on))),
    CONSTRAINT constraints_description_length CHECK ((char_length(description) <= 2000)),
    CONSTRAINT constraints_injury_body_part_length CHECK (((char_length(btrim(injury_body_part)) >= 1) AND (char_length(btrim(injury_body_part)) <= 100))),
    CONSTRAINT constraints_injury_fields CHECK (
CASE
    WHEN (constraint_type = 'injury'::text) THEN ((injury_body_part IS NOT NULL) AND (injury_severity IS NOT NULL))
    ELSE (num_nonnulls(injury_body_part, injury_severity, injury_restrictions) = 0)
END),
    CONSTRAINT constraints_injury_severity_check CHECK (((injury_severity >= 1) AND (injury_severity <= 10))),
    CONSTRAINT constraints_status_check CHECK ((status = ANY (ARRAY['active'::text, 'resolved'::text]))),
    CONSTRAINT constraints_travel_destination_length CHECK (((char_length(btrim(travel_destination)) >= 1) AND (char_length(btrim(travel_destination)) <= 200))),
    CONSTRAINT constraints_travel_fields CHECK (
CASE
    WHEN (constraint_type = 'travel'::text) THEN (travel_destination IS NOT NULL)
    ELSE (num_nonnulls(travel_destination, travel_equipment, travel_facilities) = 0)
END)
);


--
-- Name: TABLE constraints; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON TABLE public.constraints IS 'One row per limitation on training (an injury, a trip, changed availability) from starts_on to ends_on (null: ongoing).';


--
-- Name: COLUMN constraints.availability_days; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.constraints.availability_days IS 'ISO weekdays available for training, 1 = Monday.';


--
-- Name: conversation_messages; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.conversation_messages (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    conversation_id uuid NOT NULL,
    athlete_id uuid NOT NULL,
    role text NOT NULL,
    content text NOT NULL,
    token_count integer,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT conversation_messages_content_length CHECK (((char_length(content) >= 1) AND (char_length(content) <= 100000))),
    CONSTRAINT conversation_messages_metadata_is_object CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT conversation_messages_role_check CHECK ((role = ANY (ARRAY['user'::text, 'assistant'::text, 'system'::text]))),
    CONSTRAINT conversation_messages_token_count_check CHECK ((token_count >= 0))
);


--
-- Name: TABLE conversation_messages; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON TABLE public.conversation_messages IS 'One row per message of a conversation, from the athlete (user), the coach (assistant) or the system.';


--
-- Name: conversations; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.conversations (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    athlete_id uuid NOT NULL,
    title text,
    last_message_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT conversations_title_length CHECK (((char_length(btrim(title)) >= 1) AND (char_length(btrim(title)) <= 200)))
);


--
-- Name: TABLE conversations; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON TABLE public.conversations IS 'One row per conversation between an athlete and the AI coach.';


--
-- Name: COLUMN conversations.last_message_at; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.conversations.last_message_at IS 'created_at of the newest message; kept by a trigger on conversation_messages.';


--
-- Name: daily_checkins; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.daily_checkins (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    athlete_id uuid NOT NULL,
    checkin_date date NOT NULL,
    sleep_quality smallint,
    sleep_hours numeric(4,2),
    energy_level smallint,
    stress_level smallint,
    soreness_level smallint,
    soreness_areas jsonb DEFAULT '{}'::jsonb NOT NULL,
    resting_hr_bpm smallint,
    hrv_ms numeric(5,1),
    weight_kg numeric(5,2),
    available_minutes smallint,
    equipment text[],
    travel_status text,
    notes text,
    ai_recommendation jsonb,
    recommendation_response text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT daily_checkins_ai_recommendation_is_object CHECK ((jsonb_typeof(ai_recommendation) = 'object'::text)),
    CONSTRAINT daily_checkins_available_minutes_check CHECK (((available_minutes >= 0) AND (available_minutes <= 1440))),
    CONSTRAINT daily_checkins_energy_level_check CHECK (((energy_level >= 1) AND (energy_level <= 10))),
    CONSTRAINT daily_checkins_hrv_ms_check CHECK (((hrv_ms >= (1)::numeric) AND (hrv_ms <= (500)::numeric))),
    CONSTRAINT daily_checkins_notes_length CHECK ((char_length(notes) <= 2000)),
    CONSTRAINT daily_checkins_recommendation_response_check CHECK ((recommendation_response = ANY (ARRAY['accepted'::text, 'modified'::text, 'skipped'::text, 'alternative'::text]))),
    CONSTRAINT daily_checkins_response_needs_recommendation CHECK (((recommendation_response IS NULL) OR (ai_recommendation IS NOT NULL))),
    CONSTRAINT daily_checkins_resting_hr_bpm_check CHECK (((resting_hr_bpm >= 20) AND (resting_hr_bpm <= 150))),
    CONSTRAINT daily_checkins_sleep_hours_check CHECK (((sleep_hours >= (0)::numeric) AND (sleep_hours <= (24)::numeric))),
    CONSTRAINT daily_checkins_sleep_quality_check CHECK (((sleep_quality >= 1) AND (sleep_quality <= 10))),
    CONSTRAINT daily_checkins_soreness_areas_is_object CHECK ((jsonb_typeof(soreness_areas) = 'object'::text)),
    CONSTRAINT daily_checkins_soreness_level_check CHECK (((soreness_level >= 1) AND (soreness_level <= 10))),
    CONSTRAINT daily_checkins_stress_level_check CHECK (((stress_level >= 1) AND (stress_level <= 10))),
    CONSTRAINT daily_checkins_travel_status_check CHECK ((travel_status = ANY (ARRAY['home'::text, 'traveling'::text, 'limited'::text]))),
    CONSTRAINT daily_checkins_weight_kg_check CHECK (((weight_kg >= (20)::numeric) AND (weight_kg <= (400)::numeric)))
);


--
-- Name: TABLE daily_checkins; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON TABLE public.daily_checkins IS 'One row per athlete per day: how they slept and feel, objective numbers, context, and the coach''s recommendation with the athlete''s response.';


--
-- Name: COLUMN daily_checkins.soreness_areas; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.daily_checkins.soreness_areas IS 'Sore body parts and how sore (1-10), e.g. {"calves": 6}.';


--
-- Name: goals; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.goals (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    athlete_id uuid NOT NULL,
    goal_type text NOT NULL,
    title text NOT NULL,
    description text,
    priority text DEFAULT 'B'::text NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    target_date date,
    race_name text,
    race_date date,
    race_distance_m integer,
    race_location text,
    race_target_time_s integer,
    performance_metric text,
    performance_current_value numeric(9,2),
    performance_target_value numeric(9,2),
    fitness_metric text,
    fitness_target_value numeric(9,2),
    health_metric text,
    health_target_value numeric(9,2),
    strength_lift text,
    strength_target_kg numeric(5,1),
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT goals_description_length CHECK ((char_length(description) <= 2000)),
    CONSTRAINT goals_fitness_fields CHECK (
CASE
    WHEN (goal_type = 'fitness'::text) THEN ((fitness_metric IS NOT NULL) AND (fitness_target_value IS NOT NULL))
    ELSE (num_nonnulls(fitness_metric, fitness_target_value) = 0)
END),
    CONSTRAINT goals_fitness_metric_check CHECK ((fitness_metric = ANY (ARRAY['weekly_hours'::text, 'weekly_distance_km'::text, 'sessions_per_week'::text, 'longest_session_minutes'::text]))),
    CONSTRAINT goals_goal_type_check CHECK ((goal_type = ANY (ARRAY['race'::text, 'performance'::text, 'fitness'::text, 'health'::text, 'strength'::text]))),
    CONSTRAINT goals_health_fields CHECK (
CASE
    WHEN (goal_type = 'health'::text) THEN ((health_metric IS NOT NULL) AND (health_target_value IS NOT NULL))
    ELSE (num_nonnulls(health_metric, health_target_value) = 0)
END),
    CONSTRAINT goals_health_metric_check CHECK ((health_metric = ANY (ARRAY['weight_kg'::text, 'body_fat_pct'::text, 'resting_hr_bpm'::text, 'sleep_hours'::text, 'hrv_ms'::text]))),
    CONSTRAINT goals_performance_fields CHECK (
CASE
    WHEN (goal_type = 'performance'::text) THEN ((performance_metric IS NOT NULL) AND (performance_target_value IS NOT NULL))
    ELSE (num_nonnulls(performance_metric, performance_current_value, performance_target_value) = 0)
END),
    CONSTRAINT goals_performance_metric_check CHECK ((performance_metric = ANY (ARRAY['ftp_watts'::text, 'threshold_pace_s_per_km'::text, 'css_s_per_100m'::text, 'vo2max'::text, 'time_trial_s'::text]))),
    CONSTRAINT goals_priority_check CHECK ((priority = ANY (ARRAY['A'::text, 'B'::text, 'C'::text]))),
    CONSTRAINT goals_race_distance_m_check CHECK (((race_distance_m >= 100) AND (race_distance_m <= 1000000))),
    CONSTRAINT goals_race_fields CHECK (
CASE
    WHEN (goal_type = 'race'::text) THEN ((race_date IS NOT NULL) AND (race_distance_m IS NOT NULL))
    ELSE (num_nonnulls(race_name, race_date, race_distance_m, race_location, race_target_time_s) = 0)
END),
    CONSTRAINT goals_race_location_length CHECK (((char_length(race_location) >= 1) AND (char_length(race_location) <= 200))),
    CONSTRAINT goals_race_name_length CHECK (((char_length(btrim(race_name)) >= 1) AND (char_length(btrim(race_name)) <= 200))),
    CONSTRAINT goals_race_target_time_s_check CHECK (((race_target_time_s >= 60) AND (race_target_time_s <= 1209600))),
    CONSTRAINT goals_status_check CHECK ((status = ANY (ARRAY['active'::text, 'achieved'::text, 'abandoned'::text]))),
    CONSTRAINT goals_strength_fields CHECK (
CASE
    WHEN (goal_type = 'strength'::text) THEN ((strength_lift IS NOT NULL) AND (strength_target_kg IS NOT NULL))
    ELSE (num_nonnulls(strength_lift, strength_target_kg) = 0)
END),
    CONSTRAINT goals_strength_lift_check CHECK ((strength_lift = ANY (ARRAY['squat'::text, 'bench'::text, 'deadlift'::text, 'overhead_press'::text, 'total'::text]))),
    CONSTRAINT goals_strength_target_kg_check CHECK (((strength_target_kg >= (1)::numeric) AND (strength_target_kg <= (1500)::numeric))),
    CONSTRAINT goals_targets_positive CHECK (((COALESCE(performance_target_value, (1)::numeric) > (0)::numeric) AND (COALESCE(performance_current_value, (1)::numeric) > (0)::numeric) AND (COALESCE(fitness_target_value, (1)::numeric) > (0)::numeric) AND (COALESCE(health_target_value, (1)::numeric) > (0)::numeric))),
    CONSTRAINT goals_title_length CHECK (((char_length(btrim(title)) >= 1) AND (char_length(btrim(title)) <= 200)))
);


--
-- Name: TABLE goals; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON TABLE public.goals IS 'One row per goal of an athlete: a race, a performance number, fitness, health or strength target, by priority.';


--
-- Name: COLUMN goals.race_distance_m; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.goals.race_distance_m IS 'Race distance in metres.';


--
-- Name: COLUMN goals.race_target_time_s; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.goals.race_target_time_s IS 'Target finishing time in seconds.';


--
-- Name: idempotency_keys; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.idempotency_keys (
    user_id uuid NOT NULL,
    operation text NOT NULL,
    key text NOT NULL,
    request_hash text NOT NULL,
    response jsonb,
    expires_at timestamp with time zone DEFAULT (now() + '24:00:00'::interval) NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT idempotency_keys_expiry_after_creation CHECK ((expires_at > created_at)),
    CONSTRAINT idempotency_keys_key_length CHECK (((char_length(key) >= 1) AND (char_length(key) <= 255))),
    CONSTRAINT idempotency_keys_operation_format CHECK ((operation ~ '^[a-z][a-z0-9_]{0,62}$'::text)),
    CONSTRAINT idempotency_keys_request_hash_format CHECK ((request_hash ~ '^[0-9a-f]{64}$'::text))
);


--
-- Name: TABLE idempotency_keys; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON TABLE public.idempotency_keys IS 'One row per (user, operation, client-chosen key): the first result of a retried RPC call, replayed to that same user only, until expires_at. Written only by SECURITY DEFINER RPCs.';


--
-- Name: COLUMN idempotency_keys.request_hash; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.idempotency_keys.request_hash IS 'sha256 of the call''s arguments: the same key with different arguments is refused, not replayed.';


--
-- Name: methodologies; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.methodologies (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    sport text NOT NULL,
    description text NOT NULL,
    principles jsonb DEFAULT '[]'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT methodologies_description_length CHECK (((char_length(description) >= 1) AND (char_length(description) <= 10000))),
    CONSTRAINT methodologies_name_length CHECK (((char_length(btrim(name)) >= 1) AND (char_length(btrim(name)) <= 200))),
    CONSTRAINT methodologies_principles_is_array CHECK ((jsonb_typeof(principles) = 'array'::text)),
    CONSTRAINT methodologies_sport_check CHECK ((sport = ANY (ARRAY['run'::text, 'bike'::text, 'swim'::text, 'triathlon'::text, 'strength'::text, 'general'::text])))
);


--
-- Name: TABLE methodologies; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON TABLE public.methodologies IS 'One row per training methodology (e.g. polarized, 5/3/1): shared reference data every signed-in user may read.';


--
-- Name: training_plans; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.training_plans (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    athlete_id uuid NOT NULL,
    name text NOT NULL,
    status text DEFAULT 'draft'::text NOT NULL,
    starts_on date NOT NULL,
    ends_on date,
    total_weeks integer,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    goal_id uuid,
    methodology_id uuid,
    phases jsonb DEFAULT '[]'::jsonb NOT NULL,
    weekly_template jsonb DEFAULT '{}'::jsonb NOT NULL,
    adjustments_log jsonb DEFAULT '[]'::jsonb NOT NULL,
    CONSTRAINT training_plans_adjustments_log_is_array CHECK ((jsonb_typeof(adjustments_log) = 'array'::text)),
    CONSTRAINT training_plans_dates_check CHECK (((ends_on IS NULL) OR (ends_on >= starts_on))),
    CONSTRAINT training_plans_name_length CHECK (((char_length(btrim(name)) >= 1) AND (char_length(btrim(name)) <= 200))),
    CONSTRAINT training_plans_phases_is_array CHECK ((jsonb_typeof(phases) = 'array'::text)),
    CONSTRAINT training_plans_status_check CHECK ((status = ANY (ARRAY['draft'::text, 'active'::text, 'completed'::text, 'cancelled'::text]))),
    CONSTRAINT training_plans_total_weeks_check CHECK (((total_weeks >= 1) AND (total_weeks <= 104))),
    CONSTRAINT training_plans_weekly_template_is_object CHECK ((jsonb_typeof(weekly_template) = 'object'::text))
);


--
-- Name: TABLE training_plans; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON TABLE public.training_plans IS 'One row per training plan of an athlete; at most one is active at a time.';


--
-- Name: COLUMN training_plans.status; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.training_plans.status IS 'draft, active, completed or cancelled.';


--
-- Name: COLUMN training_plans.phases; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.training_plans.phases IS 'Periodization: [{"name": "base", "weeks": 4, "focus": "..."}, ...] in order.';


--
-- Name: COLUMN training_plans.weekly_template; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.training_plans.weekly_template IS 'The usual week: {"1": "easy run", "3": "intervals", ...}.';


--
-- Name: COLUMN training_plans.adjustments_log; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.training_plans.adjustments_log IS 'Changes made to the plan after creation: [{"at": "...", "by": "...", "reason": "..."}].';


--
-- Name: workouts; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.workouts (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    athlete_id uuid NOT NULL,
    plan_id uuid,
    week_number integer,
    day_number integer,
    slot smallint DEFAULT 1 NOT NULL,
    scheduled_on date,
    sport text NOT NULL,
    title text NOT NULL,
    planned_duration_s integer,
    planned_distance_m integer,
    status text DEFAULT 'planned'::text NOT NULL,
    completed_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    workout_type text,
    structure jsonb DEFAULT '{}'::jsonb NOT NULL,
    planned_load numeric(6,1),
    actual_duration_s integer,
    actual_distance_m integer,
    rpe smallint,
    feedback_categories text[],
    feedback_text text,
    skip_reason text,
    CONSTRAINT workouts_actual_distance_m_check CHECK (((actual_distance_m >= 0) AND (actual_distance_m <= 2000000))),
    CONSTRAINT workouts_actual_duration_s_check CHECK (((actual_duration_s >= 1) AND (actual_duration_s <= 172800))),
    CONSTRAINT workouts_actuals_only_when_completed CHECK (((status = 'completed'::text) OR (num_nonnulls(actual_duration_s, actual_distance_m, rpe) = 0))),
    CONSTRAINT workouts_ad_hoc_needs_date CHECK (((plan_id IS NOT NULL) OR (scheduled_on IS NOT NULL))),
    CONSTRAINT workouts_completed_at_check CHECK (((status = 'completed'::text) = (completed_at IS NOT NULL))),
    CONSTRAINT workouts_day_number_check CHECK (((day_number >= 1) AND (day_number <= 7))),
    CONSTRAINT workouts_feedback_categories_check CHECK ((feedback_categories <@ ARRAY['too_easy'::text, 'too_hard'::text, 'just_right'::text, 'pain'::text, 'fatigue'::text, 'illness'::text, 'time'::text, 'motivation'::text, 'weather'::text, 'equipment'::text, 'other'::text])),
    CONSTRAINT workouts_feedback_text_length CHECK ((char_length(feedback_text) <= 5000)),
    CONSTRAINT workouts_planned_distance_check CHECK (((planned_distance_m >= 1) AND (planned_distance_m <= 1000000))),
    CONSTRAINT workouts_planned_duration_check CHECK (((planned_duration_s >= 1) AND (planned_duration_s <= 86400))),
    CONSTRAINT workouts_planned_load_check CHECK (((planned_load >= (0)::numeric) AND (planned_load <= (2000)::numeric))),
    CONSTRAINT workouts_position_check CHECK (((plan_id IS NULL) OR ((week_number IS NOT NULL) AND (day_number IS NOT NULL)))),
    CONSTRAINT workouts_rpe_check CHECK (((rpe >= 1) AND (rpe <= 10))),
    CONSTRAINT workouts_skip_reason_length CHECK (((char_length(btrim(skip_reason)) >= 1) AND (char_length(btrim(skip_reason)) <= 1000))),
    CONSTRAINT workouts_skip_reason_only_when_skipped CHECK (((status = 'skipped'::text) OR (skip_reason IS NULL))),
    CONSTRAINT workouts_slot_check CHECK (((slot >= 1) AND (slot <= 9))),
    CONSTRAINT workouts_sport_check CHECK ((sport = ANY (ARRAY['run'::text, 'bike'::text, 'swim'::text, 'strength'::text, 'rest'::text, 'other'::text]))),
    CONSTRAINT workouts_status_check CHECK ((status = ANY (ARRAY['planned'::text, 'completed'::text, 'skipped'::text]))),
    CONSTRAINT workouts_structure_is_object CHECK ((jsonb_typeof(structure) = 'object'::text)),
    CONSTRAINT workouts_title_length CHECK (((char_length(btrim(title)) >= 1) AND (char_length(btrim(title)) <= 200))),
    CONSTRAINT workouts_week_number_check CHECK (((week_number >= 1) AND (week_number <= 104))),
    CONSTRAINT workouts_workout_type_check CHECK ((workout_type = ANY (ARRAY['easy'::text, 'recovery'::text, 'tempo'::text, 'threshold'::text, 'intervals'::text, 'long'::text, 'race'::text, 'technique'::text, 'strength'::text, 'mobility'::text, 'cross_training'::text, 'other'::text])))
);


--
-- Name: TABLE workouts; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON TABLE public.workouts IS 'One row per training session: a slot of a plan (plan, week, day, slot) or an ad-hoc session. The unit of progress: its status records completion.';


--
-- Name: COLUMN workouts.planned_duration_s; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.workouts.planned_duration_s IS 'Planned duration in seconds.';


--
-- Name: COLUMN workouts.planned_distance_m; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.workouts.planned_distance_m IS 'Planned distance in metres.';


--
-- Name: COLUMN workouts.structure; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.workouts.structure IS 'Steps of the session: {"steps": [{"duration_s": 600, "target": "Z2"}, ...]}.';


--
-- Name: COLUMN workouts.planned_load; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.workouts.planned_load IS 'Planned training load (training stress score).';


--
-- Name: COLUMN workouts.rpe; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.workouts.rpe IS 'Rating of perceived exertion after the session, 1-10.';


--
-- Name: athletes athletes_auth_user_id_key; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.athletes
    ADD CONSTRAINT athletes_auth_user_id_key UNIQUE (auth_user_id);


--
-- Name: athletes athletes_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.athletes
    ADD CONSTRAINT athletes_pkey PRIMARY KEY (id);


--
-- Name: coach_links coach_links_athlete_id_coach_user_id_key; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.coach_links
    ADD CONSTRAINT coach_links_athlete_id_coach_user_id_key UNIQUE (athlete_id, coach_user_id);


--
-- Name: coach_links coach_links_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.coach_links
    ADD CONSTRAINT coach_links_pkey PRIMARY KEY (id);


--
-- Name: constraints constraints_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.constraints
    ADD CONSTRAINT constraints_pkey PRIMARY KEY (id);


--
-- Name: conversation_messages conversation_messages_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.conversation_messages
    ADD CONSTRAINT conversation_messages_pkey PRIMARY KEY (id);


--
-- Name: conversations conversations_id_athlete_id_key; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_id_athlete_id_key UNIQUE (id, athlete_id);


--
-- Name: conversations conversations_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_pkey PRIMARY KEY (id);


--
-- Name: daily_checkins daily_checkins_athlete_id_checkin_date_key; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.daily_checkins
    ADD CONSTRAINT daily_checkins_athlete_id_checkin_date_key UNIQUE (athlete_id, checkin_date);


--
-- Name: daily_checkins daily_checkins_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.daily_checkins
    ADD CONSTRAINT daily_checkins_pkey PRIMARY KEY (id);


--
-- Name: goals goals_id_athlete_id_key; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.goals
    ADD CONSTRAINT goals_id_athlete_id_key UNIQUE (id, athlete_id);


--
-- Name: goals goals_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.goals
    ADD CONSTRAINT goals_pkey PRIMARY KEY (id);


--
-- Name: idempotency_keys idempotency_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (user_id, operation, key);


--
-- Name: methodologies methodologies_name_key; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.methodologies
    ADD CONSTRAINT methodologies_name_key UNIQUE (name);


--
-- Name: methodologies methodologies_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.methodologies
    ADD CONSTRAINT methodologies_pkey PRIMARY KEY (id);


--
-- Name: training_plans training_plans_id_athlete_id_key; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.training_plans
    ADD CONSTRAINT training_plans_id_athlete_id_key UNIQUE (id, athlete_id);


--
-- Name: training_plans training_plans_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.training_plans
    ADD CONSTRAINT training_plans_pkey PRIMARY KEY (id);


--
-- Name: workouts workouts_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.workouts
    ADD CONSTRAINT workouts_pkey PRIMARY KEY (id);


--
-- Name: workouts workouts_plan_position_key; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.workouts
    ADD CONSTRAINT workouts_plan_position_key UNIQUE (plan_id, week_number, day_number, slot);


--
-- Name: coach_links_coach_user_id_status_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX coach_links_coach_user_id_status_idx ON public.coach_links USING btree (coach_user_id, status);


--
-- Name: constraints_athlete_id_status_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX constraints_athlete_id_status_idx ON public.constraints USING btree (athlete_id, status);


--
-- Name: conversation_messages_athlete_id_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX conversation_messages_athlete_id_idx ON public.conversation_messages USING btree (athlete_id);


--
-- Name: conversation_messages_conversation_id_athlete_id_created_at_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX conversation_messages_conversation_id_athlete_id_created_at_idx ON public.conversation_messages USING btree (conversation_id, athlete_id, created_at);


--
-- Name: conversations_athlete_id_last_message_at_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX conversations_athlete_id_last_message_at_idx ON public.conversations USING btree (athlete_id, last_message_at DESC);


--
-- Name: goals_athlete_id_status_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX goals_athlete_id_status_idx ON public.goals USING btree (athlete_id, status);


--
-- Name: idempotency_keys_expires_at_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX idempotency_keys_expires_at_idx ON public.idempotency_keys USING btree (expires_at);


--
-- Name: training_plans_athlete_id_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX training_plans_athlete_id_idx ON public.training_plans USING btree (athlete_id);


--
-- Name: training_plans_goal_id_athlete_id_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX training_plans_goal_id_athlete_id_idx ON public.training_plans USING btree (goal_id, athlete_id);


--
-- Name: training_plans_methodology_id_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX training_plans_methodology_id_idx ON public.training_plans USING btree (methodology_id);


--
-- Name: training_plans_one_active_per_athlete; Type: INDEX; Schema: public; Owner: postgres
--

CREATE UNIQUE INDEX training_plans_one_active_per_athlete ON public.training_plans USING btree (athlete_id) WHERE (status = 'active'::text);


--
-- Name: workouts_athlete_id_scheduled_on_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX workouts_athlete_id_scheduled_on_idx ON public.workouts USING btree (athlete_id, scheduled_on);


--
-- Name: workouts_plan_id_athlete_id_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX workouts_plan_id_athlete_id_idx ON public.workouts USING btree (plan_id, athlete_id);


--
-- Name: athletes athletes_set_updated_at; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER athletes_set_updated_at BEFORE UPDATE ON public.athletes FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: coach_links coach_links_guard; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER coach_links_guard BEFORE INSERT OR UPDATE ON public.coach_links FOR EACH ROW EXECUTE FUNCTION khepri_private.coach_links_guard();


--
-- Name: coach_links coach_links_set_updated_at; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER coach_links_set_updated_at BEFORE UPDATE ON public.coach_links FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: constraints constraints_keep_athlete_id; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER constraints_keep_athlete_id BEFORE UPDATE OF athlete_id ON public.constraints FOR EACH ROW EXECUTE FUNCTION khepri_private.keep_athlete_id();


--
-- Name: constraints constraints_set_updated_at; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER constraints_set_updated_at BEFORE UPDATE ON public.constraints FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: conversation_messages conversation_messages_keep_athlete_id; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER conversation_messages_keep_athlete_id BEFORE UPDATE OF athlete_id ON public.conversation_messages FOR EACH ROW EXECUTE FUNCTION khepri_private.keep_athlete_id();


--
-- Name: conversation_messages conversation_messages_set_updated_at; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER conversation_messages_set_updated_at BEFORE UPDATE ON public.conversation_messages FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: conversation_messages conversation_messages_touch_conversation; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER conversation_messages_touch_conversation AFTER INSERT ON public.conversation_messages FOR EACH ROW EXECUTE FUNCTION public.touch_conversation_last_message_at();


--
-- Name: conversations conversations_keep_athlete_id; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER conversations_keep_athlete_id BEFORE UPDATE OF athlete_id ON public.conversations FOR EACH ROW EXECUTE FUNCTION khepri_private.keep_athlete_id();


--
-- Name: conversations conversations_set_updated_at; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER conversations_set_updated_at BEFORE UPDATE ON public.conversations FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: daily_checkins daily_checkins_keep_athlete_id; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER daily_checkins_keep_athlete_id BEFORE UPDATE OF athlete_id ON public.daily_checkins FOR EACH ROW EXECUTE FUNCTION khepri_private.keep_athlete_id();


--
-- Name: daily_checkins daily_checkins_set_updated_at; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER daily_checkins_set_updated_at BEFORE UPDATE ON public.daily_checkins FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: goals goals_keep_athlete_id; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER goals_keep_athlete_id BEFORE UPDATE OF athlete_id ON public.goals FOR EACH ROW EXECUTE FUNCTION khepri_private.keep_athlete_id();


--
-- Name: goals goals_set_updated_at; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER goals_set_updated_at BEFORE UPDATE ON public.goals FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: idempotency_keys idempotency_keys_set_updated_at; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER idempotency_keys_set_updated_at BEFORE UPDATE ON public.idempotency_keys FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: methodologies methodologies_set_updated_at; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER methodologies_set_updated_at BEFORE UPDATE ON public.methodologies FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: training_plans training_plans_keep_athlete_id; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER training_plans_keep_athlete_id BEFORE UPDATE OF athlete_id ON public.training_plans FOR EACH ROW EXECUTE FUNCTION khepri_private.keep_athlete_id();


--
-- Name: training_plans training_plans_set_updated_at; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER training_plans_set_updated_at BEFORE UPDATE ON public.training_plans FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: workouts workouts_keep_athlete_id; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER workouts_keep_athlete_id BEFORE UPDATE OF athlete_id ON public.workouts FOR EACH ROW EXECUTE FUNCTION khepri_private.keep_athlete_id();


--
-- Name: workouts workouts_set_updated_at; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER workouts_set_updated_at BEFORE UPDATE ON public.workouts FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: athletes athletes_auth_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.athletes
    ADD CONSTRAINT athletes_auth_user_id_fkey FOREIGN KEY (auth_user_id) REFERENCES auth.users(id) ON DELETE CASCADE;


--
-- Name: coach_links coach_links_athlete_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.coach_links
    ADD CONSTRAINT coach_links_athlete_id_fkey FOREIGN KEY (athlete_id) REFERENCES public.athletes(id) ON DELETE CASCADE;


--
-- Name: coach_links coach_links_coach_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.coach_links
    ADD CONSTRAINT coach_links_coach_user_id_fkey FOREIGN KEY (coach_user_id) REFERENCES auth.users(id) ON DELETE CASCADE;


--
-- Name: constraints constraints_athlete_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.constraints
    ADD CONSTRAINT constraints_athlete_id_fkey FOREIGN KEY (athlete_id) REFERENCES public.athletes(id) ON DELETE CASCADE;


--
-- Name: conversation_messages conversation_messages_athlete_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.conversation_messages
    ADD CONSTRAINT conversation_messages_athlete_id_fkey FOREIGN KEY (athlete_id) REFERENCES public.athletes(id) ON DELETE CASCADE;


--
-- Name: conversation_messages conversation_messages_conversation_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.conversation_messages
    ADD CONSTRAINT conversation_messages_conversation_fkey FOREIGN KEY (conversation_id, athlete_id) REFERENCES public.conversations(id, athlete_id) ON DELETE CASCADE;


--
-- Name: conversations conversations_athlete_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_athlete_id_fkey FOREIGN KEY (athlete_id) REFERENCES public.athletes(id) ON DELETE CASCADE;


--
-- Name: daily_checkins daily_checkins_athlete_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.daily_checkins
    ADD CONSTRAINT daily_checkins_athlete_id_fkey FOREIGN KEY (athlete_id) REFERENCES public.athletes(id) ON DELETE CASCADE;


--
-- Name: goals goals_athlete_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.goals
    ADD CONSTRAINT goals_athlete_id_fkey FOREIGN KEY (athlete_id) REFERENCES public.athletes(id) ON DELETE CASCADE;


--
-- Name: idempotency_keys idempotency_keys_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE;


--
-- Name: training_plans training_plans_athlete_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.training_plans
    ADD CONSTRAINT training_plans_athlete_id_fkey FOREIGN KEY (athlete_id) REFERENCES public.athletes(id) ON DELETE CASCADE;


--
-- Name: training_plans training_plans_goal_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.training_plans
    ADD CONSTRAINT training_plans_goal_fkey FOREIGN KEY (goal_id, athlete_id) REFERENCES public.goals(id, athlete_id) ON DELETE SET NULL (goal_id);


--
-- Name: training_plans training_plans_methodology_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.training_plans
    ADD CONSTRAINT training_plans_methodology_id_fkey FOREIGN KEY (methodology_id) REFERENCES public.methodologies(id) ON DELETE SET NULL;


--
-- Name: workouts workouts_athlete_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.workouts
    ADD CONSTRAINT workouts_athlete_id_fkey FOREIGN KEY (athlete_id) REFERENCES public.athletes(id) ON DELETE CASCADE;


--
-- Name: workouts workouts_plan_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.workouts
    ADD CONSTRAINT workouts_plan_fkey FOREIGN KEY (plan_id, athlete_id) REFERENCES public.training_plans(id, athlete_id) ON DELETE CASCADE;


--
-- Name: athletes; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.athletes ENABLE ROW LEVEL SECURITY;

--
-- Name: athletes athletes_delete_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY athletes_delete_owner ON public.athletes FOR DELETE TO authenticated USING ((auth_user_id = ( SELECT auth.uid() AS uid)));


--
-- Name: athletes athletes_insert_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY athletes_insert_owner ON public.athletes FOR INSERT TO authenticated WITH CHECK ((auth_user_id = ( SELECT auth.uid() AS uid)));


--
-- Name: athletes athletes_select_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY athletes_select_owner ON public.athletes FOR SELECT TO authenticated USING ((auth_user_id = ( SELECT auth.uid() AS uid)));


--
-- Name: athletes athletes_update_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY athletes_update_owner ON public.athletes FOR UPDATE TO authenticated USING ((auth_user_id = ( SELECT auth.uid() AS uid))) WITH CHECK ((auth_user_id = ( SELECT auth.uid() AS uid)));


--
-- Name: coach_links; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.coach_links ENABLE ROW LEVEL SECURITY;

--
-- Name: coach_links coach_links_insert_athlete; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY coach_links_insert_athlete ON public.coach_links FOR INSERT TO authenticated WITH CHECK (((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)) AND (coach_user_id <> ( SELECT auth.uid() AS uid))));


--
-- Name: coach_links coach_links_select_athlete_or_coach; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY coach_links_select_athlete_or_coach ON public.coach_links FOR SELECT TO authenticated USING (((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)) OR (coach_user_id = ( SELECT auth.uid() AS uid))));


--
-- Name: coach_links coach_links_update_athlete_or_coach; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY coach_links_update_athlete_or_coach ON public.coach_links FOR UPDATE TO authenticated USING (((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)) OR (coach_user_id = ( SELECT auth.uid() AS uid)))) WITH CHECK (((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)) OR (coach_user_id = ( SELECT auth.uid() AS uid))));


--
-- Name: constraints; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.constraints ENABLE ROW LEVEL SECURITY;

--
-- Name: constraints constraints_delete_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY constraints_delete_owner ON public.constraints FOR DELETE TO authenticated USING ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)));


--
-- Name: constraints constraints_insert_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY constraints_insert_owner ON public.constraints FOR INSERT TO authenticated WITH CHECK ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)));


--
-- Name: constraints constraints_select_owner_or_coach; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY constraints_select_owner_or_coach ON public.constraints FOR SELECT TO authenticated USING ((athlete_id = ANY (( SELECT khepri_private.accessible_athlete_ids() AS accessible_athlete_ids)::uuid[])));


--
-- Name: constraints constraints_update_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY constraints_update_owner ON public.constraints FOR UPDATE TO authenticated USING ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id))) WITH CHECK ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)));


--
-- Name: conversation_messages; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.conversation_messages ENABLE ROW LEVEL SECURITY;

--
-- Name: conversation_messages conversation_messages_delete_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY conversation_messages_delete_owner ON public.conversation_messages FOR DELETE TO authenticated USING ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)));


--
-- Name: conversation_messages conversation_messages_insert_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY conversation_messages_insert_owner ON public.conversation_messages FOR INSERT TO authenticated WITH CHECK ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)));


--
-- Name: conversation_messages conversation_messages_select_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY conversation_messages_select_owner ON public.conversation_messages FOR SELECT TO authenticated USING ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)));


--
-- Name: conversation_messages conversation_messages_update_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY conversation_messages_update_owner ON public.conversation_messages FOR UPDATE TO authenticated USING ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id))) WITH CHECK ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)));


--
-- Name: conversations; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.conversations ENABLE ROW LEVEL SECURITY;

--
-- Name: conversations conversations_delete_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY conversations_delete_owner ON public.conversations FOR DELETE TO authenticated USING ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)));


--
-- Name: conversations conversations_insert_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY conversations_insert_owner ON public.conversations FOR INSERT TO authenticated WITH CHECK ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)));


--
-- Name: conversations conversations_select_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY conversations_select_owner ON public.conversations FOR SELECT TO authenticated USING ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)));


--
-- Name: conversations conversations_update_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY conversations_update_owner ON public.conversations FOR UPDATE TO authenticated USING ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id))) WITH CHECK ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)));


--
-- Name: daily_checkins; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.daily_checkins ENABLE ROW LEVEL SECURITY;

--
-- Name: daily_checkins daily_checkins_delete_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY daily_checkins_delete_owner ON public.daily_checkins FOR DELETE TO authenticated USING ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)));


--
-- Name: daily_checkins daily_checkins_insert_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY daily_checkins_insert_owner ON public.daily_checkins FOR INSERT TO authenticated WITH CHECK ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)));


--
-- Name: daily_checkins daily_checkins_select_owner_or_coach; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY daily_checkins_select_owner_or_coach ON public.daily_checkins FOR SELECT TO authenticated USING ((athlete_id = ANY (( SELECT khepri_private.accessible_athlete_ids() AS accessible_athlete_ids)::uuid[])));


--
-- Name: daily_checkins daily_checkins_update_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY daily_checkins_update_owner ON public.daily_checkins FOR UPDATE TO authenticated USING ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id))) WITH CHECK ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)));


--
-- Name: goals; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.goals ENABLE ROW LEVEL SECURITY;

--
-- Name: goals goals_delete_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY goals_delete_owner ON public.goals FOR DELETE TO authenticated USING ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)));


--
-- Name: goals goals_insert_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY goals_insert_owner ON public.goals FOR INSERT TO authenticated WITH CHECK ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)));


--
-- Name: goals goals_select_owner_or_coach; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY goals_select_owner_or_coach ON public.goals FOR SELECT TO authenticated USING ((athlete_id = ANY (( SELECT khepri_private.accessible_athlete_ids() AS accessible_athlete_ids)::uuid[])));


--
-- Name: goals goals_update_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY goals_update_owner ON public.goals FOR UPDATE TO authenticated USING ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id))) WITH CHECK ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)));


--
-- Name: idempotency_keys; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.idempotency_keys ENABLE ROW LEVEL SECURITY;

--
-- Name: idempotency_keys idempotency_keys_select_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY idempotency_keys_select_owner ON public.idempotency_keys FOR SELECT TO authenticated USING ((user_id = ( SELECT auth.uid() AS uid)));


--
-- Name: methodologies; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.methodologies ENABLE ROW LEVEL SECURITY;

--
-- Name: methodologies methodologies_delete_admin; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY methodologies_delete_admin ON public.methodologies FOR DELETE TO authenticated USING ((((( SELECT auth.jwt() AS jwt) -> 'app_metadata'::text) ->> 'khepri_role'::text) = 'admin'::text));


--
-- Name: methodologies methodologies_insert_admin; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY methodologies_insert_admin ON public.methodologies FOR INSERT TO authenticated WITH CHECK ((((( SELECT auth.jwt() AS jwt) -> 'app_metadata'::text) ->> 'khepri_role'::text) = 'admin'::text));


--
-- Name: methodologies methodologies_select_signed_in; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY methodologies_select_signed_in ON public.methodologies FOR SELECT TO authenticated USING (true);


--
-- Name: methodologies methodologies_update_admin; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY methodologies_update_admin ON public.methodologies FOR UPDATE TO authenticated USING ((((( SELECT auth.jwt() AS jwt) -> 'app_metadata'::text) ->> 'khepri_role'::text) = 'admin'::text)) WITH CHECK ((((( SELECT auth.jwt() AS jwt) -> 'app_metadata'::text) ->> 'khepri_role'::text) = 'admin'::text));


--
-- Name: training_plans; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.training_plans ENABLE ROW LEVEL SECURITY;

--
-- Name: training_plans training_plans_delete_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY training_plans_delete_owner ON public.training_plans FOR DELETE TO authenticated USING ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)));


--
-- Name: training_plans training_plans_insert_owner_or_coach; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY training_plans_insert_owner_or_coach ON public.training_plans FOR INSERT TO authenticated WITH CHECK ((athlete_id = ANY (( SELECT khepri_private.accessible_athlete_ids() AS accessible_athlete_ids)::uuid[])));


--
-- Name: training_plans training_plans_select_owner_or_coach; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY training_plans_select_owner_or_coach ON public.training_plans FOR SELECT TO authenticated USING ((athlete_id = ANY (( SELECT khepri_private.accessible_athlete_ids() AS accessible_athlete_ids)::uuid[])));


--
-- Name: training_plans training_plans_update_owner_or_coach; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY training_plans_update_owner_or_coach ON public.training_plans FOR UPDATE TO authenticated USING ((athlete_id = ANY (( SELECT khepri_private.accessible_athlete_ids() AS accessible_athlete_ids)::uuid[]))) WITH CHECK ((athlete_id = ANY (( SELECT khepri_private.accessible_athlete_ids() AS accessible_athlete_ids)::uuid[])));


--
-- Name: workouts; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.workouts ENABLE ROW LEVEL SECURITY;

--
-- Name: workouts workouts_delete_owner; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY workouts_delete_owner ON public.workouts FOR DELETE TO authenticated USING ((athlete_id = ( SELECT public.current_athlete_id() AS current_athlete_id)));


--
-- Name: workouts workouts_insert_owner_or_coach; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY workouts_insert_owner_or_coach ON public.workouts FOR INSERT TO authenticated WITH CHECK ((athlete_id = ANY (( SELECT khepri_private.accessible_athlete_ids() AS accessible_athlete_ids)::uuid[])));


--
-- Name: workouts workouts_select_owner_or_coach; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY workouts_select_owner_or_coach ON public.workouts FOR SELECT TO authenticated USING ((athlete_id = ANY (( SELECT khepri_private.accessible_athlete_ids() AS accessible_athlete_ids)::uuid[])));


--
-- Name: workouts workouts_update_owner_or_coach; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY workouts_update_owner_or_coach ON public.workouts FOR UPDATE TO authenticated USING ((athlete_id = ANY (( SELECT khepri_private.accessible_athlete_ids() AS accessible_athlete_ids)::uuid[]))) WITH CHECK ((athlete_id = ANY (( SELECT khepri_private.accessible_athlete_ids() AS accessible_athlete_ids)::uuid[])));


--
-- Name: SCHEMA khepri_private; Type: ACL; Schema: -; Owner: postgres
--

GRANT USAGE ON SCHEMA khepri_private TO authenticated;
GRANT USAGE ON SCHEMA khepri_private TO service_role;


--
-- Name: SCHEMA public; Type: ACL; Schema: -; Owner: pg_database_owner
--

GRANT USAGE ON SCHEMA public TO anon;
GRANT USAGE ON SCHEMA public TO authenticated;
GRANT USAGE ON SCHEMA public TO service_role;


--
-- Name: FUNCTION accessible_athlete_ids(); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.accessible_athlete_ids() FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.accessible_athlete_ids() TO authenticated;
GRANT ALL ON FUNCTION khepri_private.accessible_athlete_ids() TO service_role;


--
-- Name: FUNCTION boolean_field(input jsonb, field text, path text); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.boolean_field(input jsonb, field text, path text) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.boolean_field(input jsonb, field text, path text) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.boolean_field(input jsonb, field text, path text) TO service_role;


--
-- Name: FUNCTION check_fits(value numeric, field text, path text); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.check_fits(value numeric, field text, path text) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.check_fits(value numeric, field text, path text) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.check_fits(value numeric, field text, path text) TO service_role;


--
-- Name: FUNCTION coach_links_guard(); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.coach_links_guard() FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.coach_links_guard() TO authenticated;
GRANT ALL ON FUNCTION khepri_private.coach_links_guard() TO service_role;


--
-- Name: FUNCTION date_field(input jsonb, field text, path text); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.date_field(input jsonb, field text, path text) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.date_field(input jsonb, field text, path text) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.date_field(input jsonb, field text, path text) TO service_role;


--
-- Name: FUNCTION idempotency_begin(operation text, key text, request jsonb); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.idempotency_begin(operation text, key text, request jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.idempotency_begin(operation text, key text, request jsonb) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.idempotency_begin(operation text, key text, request jsonb) TO service_role;


--
-- Name: FUNCTION idempotency_finish(operation text, key text, response jsonb); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.idempotency_finish(operation text, key text, response jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.idempotency_finish(operation text, key text, response jsonb) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.idempotency_finish(operation text, key text, response jsonb) TO service_role;


--
-- Name: FUNCTION input_table(path text); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.input_table(path text) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.input_table(path text) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.input_table(path text) TO service_role;


--
-- Name: FUNCTION insert_goal(target_athlete_id uuid, input jsonb, path text); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.insert_goal(target_athlete_id uuid, input jsonb, path text) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.insert_goal(target_athlete_id uuid, input jsonb, path text) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.insert_goal(target_athlete_id uuid, input jsonb, path text) TO service_role;


--
-- Name: FUNCTION insert_plan(target_athlete_id uuid, input jsonb, path text, allowed text[]); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.insert_plan(target_athlete_id uuid, input jsonb, path text, allowed text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.insert_plan(target_athlete_id uuid, input jsonb, path text, allowed text[]) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.insert_plan(target_athlete_id uuid, input jsonb, path text, allowed text[]) TO service_role;


--
-- Name: FUNCTION integer_array_field(input jsonb, field text, path text); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.integer_array_field(input jsonb, field text, path text) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.integer_array_field(input jsonb, field text, path text) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.integer_array_field(input jsonb, field text, path text) TO service_role;


--
-- Name: FUNCTION integer_field(input jsonb, field text, path text); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.integer_field(input jsonb, field text, path text) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.integer_field(input jsonb, field text, path text) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.integer_field(input jsonb, field text, path text) TO service_role;


--
-- Name: FUNCTION invalid(path text, problem text, hint text); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.invalid(path text, problem text, hint text) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.invalid(path text, problem text, hint text) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.invalid(path text, problem text, hint text) TO service_role;


--
-- Name: FUNCTION json_field(input jsonb, field text, path text, json_type text); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.json_field(input jsonb, field text, path text, json_type text) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.json_field(input jsonb, field text, path text, json_type text) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.json_field(input jsonb, field text, path text, json_type text) TO service_role;


--
-- Name: FUNCTION keep_athlete_id(); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.keep_athlete_id() FROM PUBLIC;


--
-- Name: FUNCTION make_only_active_plan(target_athlete_id uuid, plan_id uuid); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.make_only_active_plan(target_athlete_id uuid, plan_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.make_only_active_plan(target_athlete_id uuid, plan_id uuid) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.make_only_active_plan(target_athlete_id uuid, plan_id uuid) TO service_role;


--
-- Name: FUNCTION numeric_field(input jsonb, field text, path text); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.numeric_field(input jsonb, field text, path text) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.numeric_field(input jsonb, field text, path text) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.numeric_field(input jsonb, field text, path text) TO service_role;


--
-- Name: FUNCTION object_input(input jsonb, path text, allowed text[], required text[]); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.object_input(input jsonb, path text, allowed text[], required text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.object_input(input jsonb, path text, allowed text[], required text[]) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.object_input(input jsonb, path text, allowed text[], required text[]) TO service_role;


--
-- Name: FUNCTION raise_check_violation(table_name text, constraint_name text, paths jsonb); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.raise_check_violation(table_name text, constraint_name text, paths jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.raise_check_violation(table_name text, constraint_name text, paths jsonb) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.raise_check_violation(table_name text, constraint_name text, paths jsonb) TO service_role;


--
-- Name: FUNCTION raise_reference_not_found(constraint_name text, paths jsonb); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.raise_reference_not_found(constraint_name text, paths jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.raise_reference_not_found(constraint_name text, paths jsonb) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.raise_reference_not_found(constraint_name text, paths jsonb) TO service_role;


--
-- Name: FUNCTION require_athlete(athlete_id uuid); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.require_athlete(athlete_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.require_athlete(athlete_id uuid) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.require_athlete(athlete_id uuid) TO service_role;


--
-- Name: FUNCTION require_user(operation text, hint text); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.require_user(operation text, hint text) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.require_user(operation text, hint text) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.require_user(operation text, hint text) TO service_role;


--
-- Name: FUNCTION text_array_field(input jsonb, field text, path text); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.text_array_field(input jsonb, field text, path text) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.text_array_field(input jsonb, field text, path text) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.text_array_field(input jsonb, field text, path text) TO service_role;


--
-- Name: FUNCTION text_field(input jsonb, field text, path text); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.text_field(input jsonb, field text, path text) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.text_field(input jsonb, field text, path text) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.text_field(input jsonb, field text, path text) TO service_role;


--
-- Name: FUNCTION time_field(input jsonb, field text, path text); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.time_field(input jsonb, field text, path text) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.time_field(input jsonb, field text, path text) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.time_field(input jsonb, field text, path text) TO service_role;


--
-- Name: FUNCTION typed_value(input jsonb, field text, path text, json_type text, problem text); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.typed_value(input jsonb, field text, path text, json_type text, problem text) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.typed_value(input jsonb, field text, path text, json_type text, problem text) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.typed_value(input jsonb, field text, path text, json_type text, problem text) TO service_role;


--
-- Name: FUNCTION uuid_field(input jsonb, field text, path text); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.uuid_field(input jsonb, field text, path text) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.uuid_field(input jsonb, field text, path text) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.uuid_field(input jsonb, field text, path text) TO service_role;


--
-- Name: FUNCTION workout_columns(input jsonb, path text); Type: ACL; Schema: khepri_private; Owner: postgres
--

REVOKE ALL ON FUNCTION khepri_private.workout_columns(input jsonb, path text) FROM PUBLIC;
GRANT ALL ON FUNCTION khepri_private.workout_columns(input jsonb, path text) TO authenticated;
GRANT ALL ON FUNCTION khepri_private.workout_columns(input jsonb, path text) TO service_role;


--
-- Name: FUNCTION accept_coach_link(athlete_id uuid); Type: ACL; Schema: public; Owner: postgres
--

REVOKE ALL ON FUNCTION public.accept_coach_link(athlete_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.accept_coach_link(athlete_id uuid) TO authenticated;
GRANT ALL ON FUNCTION public.accept_coach_link(athlete_id uuid) TO service_role;


--
-- Name: FUNCTION activate_plan(plan_id uuid); Type: ACL; Schema: public; Owner: postgres
--

REVOKE ALL ON FUNCTION public.activate_plan(plan_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.activate_plan(plan_id uuid) TO authenticated;
GRANT ALL ON FUNCTION public.activate_plan(plan_id uuid) TO service_role;


--
-- Name: FUNCTION cleanup_expired_idempotency_keys(); Type: ACL; Schema: public; Owner: postgres
--

REVOKE ALL ON FUNCTION public.cleanup_expired_idempotency_keys() FROM PUBLIC;
GRANT ALL ON FUNCTION public.cleanup_expired_idempotency_keys() TO service_role;


--
-- Name: FUNCTION complete_workout(workout_id uuid, actual jsonb, rpe integer, feedback jsonb); Type: ACL; Schema: public; Owner: postgres
--

REVOKE ALL ON FUNCTION public.complete_workout(workout_id uuid, actual jsonb, rpe integer, feedback jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.complete_workout(workout_id uuid, actual jsonb, rpe integer, feedback jsonb) TO authenticated;
GRANT ALL ON FUNCTION public.complete_workout(workout_id uuid, actual jsonb, rpe integer, feedback jsonb) TO service_role;


--
-- Name: FUNCTION create_plan_with_workouts(plan jsonb, idempotency_key text); Type: ACL; Schema: public; Owner: postgres
--

REVOKE ALL ON FUNCTION public.create_plan_with_workouts(plan jsonb, idempotency_key text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.create_plan_with_workouts(plan jsonb, idempotency_key text) TO authenticated;
GRANT ALL ON FUNCTION public.create_plan_with_workouts(plan jsonb, idempotency_key text) TO service_role;


--
-- Name: FUNCTION current_athlete_id(); Type: ACL; Schema: public; Owner: postgres
--

REVOKE ALL ON FUNCTION public.current_athlete_id() FROM PUBLIC;
GRANT ALL ON FUNCTION public.current_athlete_id() TO authenticated;
GRANT ALL ON FUNCTION public.current_athlete_id() TO service_role;


--
-- Name: FUNCTION export_my_data(); Type: ACL; Schema: public; Owner: postgres
--

REVOKE ALL ON FUNCTION public.export_my_data() FROM PUBLIC;
GRANT ALL ON FUNCTION public.export_my_data() TO authenticated;
GRANT ALL ON FUNCTION public.export_my_data() TO service_role;


--
-- Name: FUNCTION finalize_onboarding(profile jsonb, plan jsonb, idempotency_key text, goal jsonb); Type: ACL; Schema: public; Owner: postgres
--

REVOKE ALL ON FUNCTION public.finalize_onboarding(profile jsonb, plan jsonb, idempotency_key text, goal jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.finalize_onboarding(profile jsonb, plan jsonb, idempotency_key text, goal jsonb) TO authenticated;
GRANT ALL ON FUNCTION public.finalize_onboarding(profile jsonb, plan jsonb, idempotency_key text, goal jsonb) TO service_role;


--
-- Name: FUNCTION is_valid_timezone(tz text); Type: ACL; Schema: public; Owner: postgres
--

GRANT ALL ON FUNCTION public.is_valid_timezone(tz text) TO anon;
GRANT ALL ON FUNCTION public.is_valid_timezone(tz text) TO authenticated;
GRANT ALL ON FUNCTION public.is_valid_timezone(tz text) TO service_role;


--
-- Name: FUNCTION link_coach(coach_user_id uuid); Type: ACL; Schema: public; Owner: postgres
--

REVOKE ALL ON FUNCTION public.link_coach(coach_user_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.link_coach(coach_user_id uuid) TO authenticated;
GRANT ALL ON FUNCTION public.link_coach(coach_user_id uuid) TO service_role;


--
-- Name: FUNCTION plan_progress(plan_id uuid); Type: ACL; Schema: public; Owner: postgres
--

REVOKE ALL ON FUNCTION public.plan_progress(plan_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.plan_progress(plan_id uuid) TO authenticated;
GRANT ALL ON FUNCTION public.plan_progress(plan_id uuid) TO service_role;


--
-- Name: FUNCTION revoke_coach(coach_user_id uuid); Type: ACL; Schema: public; Owner: postgres
--

REVOKE ALL ON FUNCTION public.revoke_coach(coach_user_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.revoke_coach(coach_user_id uuid) TO authenticated;
GRANT ALL ON FUNCTION public.revoke_coach(coach_user_id uuid) TO service_role;


--
-- Name: FUNCTION schedule_workout(workout jsonb, idempotency_key text); Type: ACL; Schema: public; Owner: postgres
--

REVOKE ALL ON FUNCTION public.schedule_workout(workout jsonb, idempotency_key text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.schedule_workout(workout jsonb, idempotency_key text) TO authenticated;
GRANT ALL ON FUNCTION public.schedule_workout(workout jsonb, idempotency_key text) TO service_role;


--
-- Name: FUNCTION set_updated_at(); Type: ACL; Schema: public; Owner: postgres
--

REVOKE ALL ON FUNCTION public.set_updated_at() FROM PUBLIC;
GRANT ALL ON FUNCTION public.set_updated_at() TO service_role;


--
-- Name: FUNCTION skip_workout(workout_id uuid, reason text); Type: ACL; Schema: public; Owner: postgres
--

REVOKE ALL ON FUNCTION public.skip_workout(workout_id uuid, reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.skip_workout(workout_id uuid, reason text) TO authenticated;
GRANT ALL ON FUNCTION public.skip_workout(workout_id uuid, reason text) TO service_role;


--
-- Name: FUNCTION submit_daily_checkin(checkin jsonb); Type: ACL; Schema: public; Owner: postgres
--

REVOKE ALL ON FUNCTION public.submit_daily_checkin(checkin jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.submit_daily_checkin(checkin jsonb) TO authenticated;
GRANT ALL ON FUNCTION public.submit_daily_checkin(checkin jsonb) TO service_role;


--
-- Name: FUNCTION touch_conversation_last_message_at(); Type: ACL; Schema: public; Owner: postgres
--

REVOKE ALL ON FUNCTION public.touch_conversation_last_message_at() FROM PUBLIC;
GRANT ALL ON FUNCTION public.touch_conversation_last_message_at() TO service_role;


--
-- Name: TABLE athletes; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT,DELETE,MAINTAIN ON TABLE public.athletes TO authenticated;
GRANT ALL ON TABLE public.athletes TO service_role;


--
-- Name: COLUMN athletes.auth_user_id; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(auth_user_id),UPDATE(auth_user_id) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.display_name; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(display_name),UPDATE(display_name) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.units; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(units),UPDATE(units) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.timezone; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(timezone),UPDATE(timezone) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.preferences; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(preferences),UPDATE(preferences) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.onboarding_completed_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(onboarding_completed_at),UPDATE(onboarding_completed_at) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.created_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.updated_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.date_of_birth; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(date_of_birth),UPDATE(date_of_birth) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.sex; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(sex),UPDATE(sex) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.weight_kg; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(weight_kg),UPDATE(weight_kg) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.height_cm; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(height_cm),UPDATE(height_cm) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.daily_checkin_time; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(daily_checkin_time),UPDATE(daily_checkin_time) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.experience_level; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(experience_level),UPDATE(experience_level) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.ftp_watts; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(ftp_watts),UPDATE(ftp_watts) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.threshold_pace_s_per_km; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(threshold_pace_s_per_km),UPDATE(threshold_pace_s_per_km) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.css_s_per_100m; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(css_s_per_100m),UPDATE(css_s_per_100m) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.resting_hr_bpm; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(resting_hr_bpm),UPDATE(resting_hr_bpm) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.max_hr_bpm; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(max_hr_bpm),UPDATE(max_hr_bpm) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.threshold_hr_bpm; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(threshold_hr_bpm),UPDATE(threshold_hr_bpm) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.one_rm_squat_kg; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(one_rm_squat_kg),UPDATE(one_rm_squat_kg) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.one_rm_bench_kg; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(one_rm_bench_kg),UPDATE(one_rm_bench_kg) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.one_rm_deadlift_kg; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(one_rm_deadlift_kg),UPDATE(one_rm_deadlift_kg) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.consent_health_data_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(consent_health_data_at),UPDATE(consent_health_data_at) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.consent_ai_coaching_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(consent_ai_coaching_at),UPDATE(consent_ai_coaching_at) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.consent_marketing_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(consent_marketing_at),UPDATE(consent_marketing_at) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.intervals_icu_athlete_id; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(intervals_icu_athlete_id),UPDATE(intervals_icu_athlete_id) ON TABLE public.athletes TO authenticated;


--
-- Name: COLUMN athletes.intervals_icu_connected; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(intervals_icu_connected),UPDATE(intervals_icu_connected) ON TABLE public.athletes TO authenticated;


--
-- Name: TABLE coach_links; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT,MAINTAIN ON TABLE public.coach_links TO authenticated;
GRANT ALL ON TABLE public.coach_links TO service_role;


--
-- Name: COLUMN coach_links.athlete_id; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(athlete_id) ON TABLE public.coach_links TO authenticated;


--
-- Name: COLUMN coach_links.coach_user_id; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(coach_user_id) ON TABLE public.coach_links TO authenticated;


--
-- Name: COLUMN coach_links.status; Type: ACL; Schema: public; Owner: postgres
--

GRANT UPDATE(status) ON TABLE public.coach_links TO authenticated;


--
-- Name: TABLE constraints; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT,DELETE,MAINTAIN ON TABLE public.constraints TO authenticated;
GRANT ALL ON TABLE public.constraints TO service_role;


--
-- Name: COLUMN constraints.athlete_id; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(athlete_id),UPDATE(athlete_id) ON TABLE public.constraints TO authenticated;


--
-- Name: COLUMN constraints.constraint_type; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(constraint_type),UPDATE(constraint_type) ON TABLE public.constraints TO authenticated;


--
-- Name: COLUMN constraints.description; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(description),UPDATE(description) ON TABLE public.constraints TO authenticated;


--
-- Name: COLUMN constraints.starts_on; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(starts_on),UPDATE(starts_on) ON TABLE public.constraints TO authenticated;


--
-- Name: COLUMN constraints.ends_on; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(ends_on),UPDATE(ends_on) ON TABLE public.constraints TO authenticated;


--
-- Name: COLUMN constraints.status; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(status),UPDATE(status) ON TABLE public.constraints TO authenticated;


--
-- Name: COLUMN constraints.injury_body_part; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(injury_body_part),UPDATE(injury_body_part) ON TABLE public.constraints TO authenticated;


--
-- Name: COLUMN constraints.injury_severity; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(injury_severity),UPDATE(injury_severity) ON TABLE public.constraints TO authenticated;


--
-- Name: COLUMN constraints.injury_restrictions; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(injury_restrictions),UPDATE(injury_restrictions) ON TABLE public.constraints TO authenticated;


--
-- Name: COLUMN constraints.travel_destination; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(travel_destination),UPDATE(travel_destination) ON TABLE public.constraints TO authenticated;


--
-- Name: COLUMN constraints.travel_equipment; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(travel_equipment),UPDATE(travel_equipment) ON TABLE public.constraints TO authenticated;


--
-- Name: COLUMN constraints.travel_facilities; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(travel_facilities),UPDATE(travel_facilities) ON TABLE public.constraints TO authenticated;


--
-- Name: COLUMN constraints.availability_hours_per_week; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(availability_hours_per_week),UPDATE(availability_hours_per_week) ON TABLE public.constraints TO authenticated;


--
-- Name: COLUMN constraints.availability_days; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(availability_days),UPDATE(availability_days) ON TABLE public.constraints TO authenticated;


--
-- Name: COLUMN constraints.created_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.constraints TO authenticated;


--
-- Name: COLUMN constraints.updated_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.constraints TO authenticated;


--
-- Name: TABLE conversation_messages; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT,DELETE,MAINTAIN ON TABLE public.conversation_messages TO authenticated;
GRANT ALL ON TABLE public.conversation_messages TO service_role;


--
-- Name: COLUMN conversation_messages.conversation_id; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(conversation_id),UPDATE(conversation_id) ON TABLE public.conversation_messages TO authenticated;


--
-- Name: COLUMN conversation_messages.athlete_id; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(athlete_id),UPDATE(athlete_id) ON TABLE public.conversation_messages TO authenticated;


--
-- Name: COLUMN conversation_messages.role; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(role),UPDATE(role) ON TABLE public.conversation_messages TO authenticated;


--
-- Name: COLUMN conversation_messages.content; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(content),UPDATE(content) ON TABLE public.conversation_messages TO authenticated;


--
-- Name: COLUMN conversation_messages.token_count; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(token_count),UPDATE(token_count) ON TABLE public.conversation_messages TO authenticated;


--
-- Name: COLUMN conversation_messages.metadata; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(metadata),UPDATE(metadata) ON TABLE public.conversation_messages TO authenticated;


--
-- Name: COLUMN conversation_messages.created_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.conversation_messages TO authenticated;


--
-- Name: COLUMN conversation_messages.updated_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.conversation_messages TO authenticated;


--
-- Name: TABLE conversations; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT,DELETE,MAINTAIN ON TABLE public.conversations TO authenticated;
GRANT ALL ON TABLE public.conversations TO service_role;


--
-- Name: COLUMN conversations.athlete_id; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(athlete_id),UPDATE(athlete_id) ON TABLE public.conversations TO authenticated;


--
-- Name: COLUMN conversations.title; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(title),UPDATE(title) ON TABLE public.conversations TO authenticated;


--
-- Name: COLUMN conversations.last_message_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(last_message_at),UPDATE(last_message_at) ON TABLE public.conversations TO authenticated;


--
-- Name: COLUMN conversations.created_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.conversations TO authenticated;


--
-- Name: COLUMN conversations.updated_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.conversations TO authenticated;


--
-- Name: TABLE daily_checkins; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT,DELETE,MAINTAIN ON TABLE public.daily_checkins TO authenticated;
GRANT ALL ON TABLE public.daily_checkins TO service_role;


--
-- Name: COLUMN daily_checkins.athlete_id; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(athlete_id),UPDATE(athlete_id) ON TABLE public.daily_checkins TO authenticated;


--
-- Name: COLUMN daily_checkins.checkin_date; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(checkin_date),UPDATE(checkin_date) ON TABLE public.daily_checkins TO authenticated;


--
-- Name: COLUMN daily_checkins.sleep_quality; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(sleep_quality),UPDATE(sleep_quality) ON TABLE public.daily_checkins TO authenticated;


--
-- Name: COLUMN daily_checkins.sleep_hours; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(sleep_hours),UPDATE(sleep_hours) ON TABLE public.daily_checkins TO authenticated;


--
-- Name: COLUMN daily_checkins.energy_level; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(energy_level),UPDATE(energy_level) ON TABLE public.daily_checkins TO authenticated;


--
-- Name: COLUMN daily_checkins.stress_level; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(stress_level),UPDATE(stress_level) ON TABLE public.daily_checkins TO authenticated;


--
-- Name: COLUMN daily_checkins.soreness_level; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(soreness_level),UPDATE(soreness_level) ON TABLE public.daily_checkins TO authenticated;


--
-- Name: COLUMN daily_checkins.soreness_areas; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(soreness_areas),UPDATE(soreness_areas) ON TABLE public.daily_checkins TO authenticated;


--
-- Name: COLUMN daily_checkins.resting_hr_bpm; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(resting_hr_bpm),UPDATE(resting_hr_bpm) ON TABLE public.daily_checkins TO authenticated;


--
-- Name: COLUMN daily_checkins.hrv_ms; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(hrv_ms),UPDATE(hrv_ms) ON TABLE public.daily_checkins TO authenticated;


--
-- Name: COLUMN daily_checkins.weight_kg; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(weight_kg),UPDATE(weight_kg) ON TABLE public.daily_checkins TO authenticated;


--
-- Name: COLUMN daily_checkins.available_minutes; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(available_minutes),UPDATE(available_minutes) ON TABLE public.daily_checkins TO authenticated;


--
-- Name: COLUMN daily_checkins.equipment; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(equipment),UPDATE(equipment) ON TABLE public.daily_checkins TO authenticated;


--
-- Name: COLUMN daily_checkins.travel_status; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(travel_status),UPDATE(travel_status) ON TABLE public.daily_checkins TO authenticated;


--
-- Name: COLUMN daily_checkins.notes; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(notes),UPDATE(notes) ON TABLE public.daily_checkins TO authenticated;


--
-- Name: COLUMN daily_checkins.ai_recommendation; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(ai_recommendation),UPDATE(ai_recommendation) ON TABLE public.daily_checkins TO authenticated;


--
-- Name: COLUMN daily_checkins.recommendation_response; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(recommendation_response),UPDATE(recommendation_response) ON TABLE public.daily_checkins TO authenticated;


--
-- Name: COLUMN daily_checkins.created_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.daily_checkins TO authenticated;


--
-- Name: COLUMN daily_checkins.updated_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.daily_checkins TO authenticated;


--
-- Name: TABLE goals; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT,DELETE,MAINTAIN ON TABLE public.goals TO authenticated;
GRANT ALL ON TABLE public.goals TO service_role;


--
-- Name: COLUMN goals.athlete_id; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(athlete_id),UPDATE(athlete_id) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.goal_type; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(goal_type),UPDATE(goal_type) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.title; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(title),UPDATE(title) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.description; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(description),UPDATE(description) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.priority; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(priority),UPDATE(priority) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.status; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(status),UPDATE(status) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.target_date; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(target_date),UPDATE(target_date) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.race_name; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(race_name),UPDATE(race_name) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.race_date; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(race_date),UPDATE(race_date) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.race_distance_m; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(race_distance_m),UPDATE(race_distance_m) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.race_location; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(race_location),UPDATE(race_location) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.race_target_time_s; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(race_target_time_s),UPDATE(race_target_time_s) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.performance_metric; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(performance_metric),UPDATE(performance_metric) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.performance_current_value; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(performance_current_value),UPDATE(performance_current_value) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.performance_target_value; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(performance_target_value),UPDATE(performance_target_value) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.fitness_metric; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(fitness_metric),UPDATE(fitness_metric) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.fitness_target_value; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(fitness_target_value),UPDATE(fitness_target_value) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.health_metric; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(health_metric),UPDATE(health_metric) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.health_target_value; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(health_target_value),UPDATE(health_target_value) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.strength_lift; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(strength_lift),UPDATE(strength_lift) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.strength_target_kg; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(strength_target_kg),UPDATE(strength_target_kg) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.created_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.goals TO authenticated;


--
-- Name: COLUMN goals.updated_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.goals TO authenticated;


--
-- Name: TABLE idempotency_keys; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT,MAINTAIN ON TABLE public.idempotency_keys TO authenticated;
GRANT ALL ON TABLE public.idempotency_keys TO service_role;


--
-- Name: TABLE methodologies; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT,DELETE,MAINTAIN ON TABLE public.methodologies TO authenticated;
GRANT ALL ON TABLE public.methodologies TO service_role;


--
-- Name: COLUMN methodologies.name; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(name),UPDATE(name) ON TABLE public.methodologies TO authenticated;


--
-- Name: COLUMN methodologies.sport; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(sport),UPDATE(sport) ON TABLE public.methodologies TO authenticated;


--
-- Name: COLUMN methodologies.description; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(description),UPDATE(description) ON TABLE public.methodologies TO authenticated;


--
-- Name: COLUMN methodologies.principles; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(principles),UPDATE(principles) ON TABLE public.methodologies TO authenticated;


--
-- Name: COLUMN methodologies.created_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.methodologies TO authenticated;


--
-- Name: COLUMN methodologies.updated_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.methodologies TO authenticated;


--
-- Name: TABLE training_plans; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT,DELETE,MAINTAIN ON TABLE public.training_plans TO authenticated;
GRANT ALL ON TABLE public.training_plans TO service_role;


--
-- Name: COLUMN training_plans.athlete_id; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(athlete_id),UPDATE(athlete_id) ON TABLE public.training_plans TO authenticated;


--
-- Name: COLUMN training_plans.name; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(name),UPDATE(name) ON TABLE public.training_plans TO authenticated;


--
-- Name: COLUMN training_plans.status; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(status),UPDATE(status) ON TABLE public.training_plans TO authenticated;


--
-- Name: COLUMN training_plans.starts_on; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(starts_on),UPDATE(starts_on) ON TABLE public.training_plans TO authenticated;


--
-- Name: COLUMN training_plans.ends_on; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(ends_on),UPDATE(ends_on) ON TABLE public.training_plans TO authenticated;


--
-- Name: COLUMN training_plans.total_weeks; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(total_weeks),UPDATE(total_weeks) ON TABLE public.training_plans TO authenticated;


--
-- Name: COLUMN training_plans.created_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.training_plans TO authenticated;


--
-- Name: COLUMN training_plans.updated_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.training_plans TO authenticated;


--
-- Name: COLUMN training_plans.goal_id; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(goal_id),UPDATE(goal_id) ON TABLE public.training_plans TO authenticated;


--
-- Name: COLUMN training_plans.methodology_id; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(methodology_id),UPDATE(methodology_id) ON TABLE public.training_plans TO authenticated;


--
-- Name: COLUMN training_plans.phases; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(phases),UPDATE(phases) ON TABLE public.training_plans TO authenticated;


--
-- Name: COLUMN training_plans.weekly_template; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(weekly_template),UPDATE(weekly_template) ON TABLE public.training_plans TO authenticated;


--
-- Name: COLUMN training_plans.adjustments_log; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(adjustments_log),UPDATE(adjustments_log) ON TABLE public.training_plans TO authenticated;


--
-- Name: TABLE workouts; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT,DELETE,MAINTAIN ON TABLE public.workouts TO authenticated;
GRANT ALL ON TABLE public.workouts TO service_role;


--
-- Name: COLUMN workouts.athlete_id; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(athlete_id),UPDATE(athlete_id) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.plan_id; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(plan_id),UPDATE(plan_id) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.week_number; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(week_number),UPDATE(week_number) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.day_number; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(day_number),UPDATE(day_number) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.slot; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(slot),UPDATE(slot) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.scheduled_on; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(scheduled_on),UPDATE(scheduled_on) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.sport; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(sport),UPDATE(sport) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.title; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(title),UPDATE(title) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.planned_duration_s; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(planned_duration_s),UPDATE(planned_duration_s) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.planned_distance_m; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(planned_distance_m),UPDATE(planned_distance_m) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.status; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(status),UPDATE(status) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.completed_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(completed_at),UPDATE(completed_at) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.created_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.updated_at; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.workout_type; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(workout_type),UPDATE(workout_type) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.structure; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(structure),UPDATE(structure) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.planned_load; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(planned_load),UPDATE(planned_load) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.actual_duration_s; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(actual_duration_s),UPDATE(actual_duration_s) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.actual_distance_m; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(actual_distance_m),UPDATE(actual_distance_m) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.rpe; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(rpe),UPDATE(rpe) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.feedback_categories; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(feedback_categories),UPDATE(feedback_categories) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.feedback_text; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(feedback_text),UPDATE(feedback_text) ON TABLE public.workouts TO authenticated;


--
-- Name: COLUMN workouts.skip_reason; Type: ACL; Schema: public; Owner: postgres
--

GRANT INSERT(skip_reason),UPDATE(skip_reason) ON TABLE public.workouts TO authenticated;


--
-- Name: DEFAULT PRIVILEGES FOR SEQUENCES; Type: DEFAULT ACL; Schema: public; Owner: postgres
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES TO anon;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES TO authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES TO service_role;


--
-- Name: DEFAULT PRIVILEGES FOR FUNCTIONS; Type: DEFAULT ACL; Schema: public; Owner: postgres
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON FUNCTIONS TO authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON FUNCTIONS TO service_role;


--
-- Name: DEFAULT PRIVILEGES FOR TABLES; Type: DEFAULT ACL; Schema: public; Owner: postgres
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES TO anon;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES TO authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES TO service_role;


--
-- PostgreSQL database dump complete
--
