-- Khepri schema, part 5: the khepri_private schema and the helpers every RPC shares.
--
-- khepri_private is not in the Data API's exposed schemas: nothing in it can be called through
-- /rest/v1/rpc. The public RPCs are SECURITY INVOKER (RLS applies to them); they call these
-- helpers for input validation, for turning a CHECK violation into an error that names the input
-- field, and for idempotency keys (the only writes that bypass RLS, hence SECURITY DEFINER).

create schema if not exists khepri_private;

comment on schema khepri_private is
'Helpers for the Khepri RPCs. Not exposed through the Data API; callable by signed-in users only via the RPCs.';

revoke all on schema khepri_private from public;
grant usage on schema khepri_private to authenticated, service_role;

-- Validation errors: SQLSTATE 22023 (invalid_parameter_value), message naming the field path.
create or replace function khepri_private.invalid(path text, problem text, hint text default null)
returns void
language plpgsql
immutable
security invoker
set search_path = ''
as $$
begin
    if hint is null then
        raise exception using errcode = '22023', message = format('%s %s', path, problem);
    end if;
    raise exception using errcode = '22023', message = format('%s %s', path, problem), hint = hint;
end;
$$;

comment on function khepri_private.invalid(text, text, text) is
'Raises SQLSTATE 22023 with the message "<path> <problem>" (and the hint, if given).';

-- An input object: must be a JSON object (or null when nothing is required), with only allowed
-- keys and every required key present and not null. Returns the object ('{}' for null).
create or replace function khepri_private.object_input(
    input jsonb, path text, allowed text[], required text[] default '{}'
)
returns jsonb
language plpgsql
immutable
security invoker
set search_path = ''
as $$
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

comment on function khepri_private.object_input(jsonb, text, text[], text[]) is
'Validates that an input is a JSON object with only the allowed keys and all required keys (22023).';

-- Typed field readers: null when the field is absent or JSON null; 22023 naming path.field when
-- the JSON type is wrong. Ranges and allowed values are checked by the tables' CHECK constraints.
create or replace function khepri_private.text_field(input jsonb, field text, path text)
returns text
language plpgsql
immutable
security invoker
set search_path = ''
as $$
begin
    if coalesce(jsonb_typeof(input -> field), 'null') = 'null' then
        return null;
    end if;
    if jsonb_typeof(input -> field) <> 'string' then
        perform khepri_private.invalid(path || '.' || field, 'must be a string');
    end if;
    return input ->> field;
end;
$$;

create or replace function khepri_private.numeric_field(input jsonb, field text, path text)
returns numeric
language plpgsql
immutable
security invoker
set search_path = ''
as $$
begin
    if coalesce(jsonb_typeof(input -> field), 'null') = 'null' then
        return null;
    end if;
    if jsonb_typeof(input -> field) <> 'number' then
        perform khepri_private.invalid(path || '.' || field, 'must be a number');
    end if;
    return (input ->> field)::numeric;
end;
$$;

create or replace function khepri_private.integer_field(input jsonb, field text, path text)
returns integer
language plpgsql
immutable
security invoker
set search_path = ''
as $$
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

create or replace function khepri_private.boolean_field(input jsonb, field text, path text)
returns boolean
language plpgsql
immutable
security invoker
set search_path = ''
as $$
begin
    if coalesce(jsonb_typeof(input -> field), 'null') = 'null' then
        return null;
    end if;
    if jsonb_typeof(input -> field) <> 'boolean' then
        perform khepri_private.invalid(path || '.' || field, 'must be true or false');
    end if;
    return (input ->> field)::boolean;
end;
$$;

create or replace function khepri_private.date_field(input jsonb, field text, path text)
returns date
language plpgsql
immutable
security invoker
set search_path = ''
as $$
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
$$;

create or replace function khepri_private.time_field(input jsonb, field text, path text)
returns time
language plpgsql
immutable
security invoker
set search_path = ''
as $$
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
$$;

create or replace function khepri_private.uuid_field(input jsonb, field text, path text)
returns uuid
language plpgsql
immutable
security invoker
set search_path = ''
as $$
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

create or replace function khepri_private.text_array_field(input jsonb, field text, path text)
returns text[]
language plpgsql
immutable
security invoker
set search_path = ''
as $$
begin
    if coalesce(jsonb_typeof(input -> field), 'null') = 'null' then
        return null;
    end if;
    if jsonb_typeof(input -> field) <> 'array'
        or exists (select 1 from jsonb_array_elements(input -> field) as e where jsonb_typeof(e) <> 'string') then
        perform khepri_private.invalid(path || '.' || field, 'must be an array of strings');
    end if;
    return array(select jsonb_array_elements_text(input -> field));
end;
$$;

create or replace function khepri_private.integer_array_field(input jsonb, field text, path text)
returns integer[]
language plpgsql
immutable
security invoker
set search_path = ''
as $$
begin
    if coalesce(jsonb_typeof(input -> field), 'null') = 'null' then
        return null;
    end if;
    if jsonb_typeof(input -> field) <> 'array'
        or exists (
            select 1 from jsonb_array_elements(input -> field) as e
            where jsonb_typeof(e) <> 'number' or (e #>> '{}')::numeric <> trunc((e #>> '{}')::numeric)
        ) then
        perform khepri_private.invalid(path || '.' || field, 'must be an array of whole numbers');
    end if;
    return array(select (jsonb_array_elements_text(input -> field))::integer);
end;
$$;

-- A nested JSON value of a given JSON type ('object' or 'array'), or null.
create or replace function khepri_private.json_field(input jsonb, field text, path text, json_type text)
returns jsonb
language plpgsql
immutable
security invoker
set search_path = ''
as $$
begin
    if coalesce(jsonb_typeof(input -> field), 'null') = 'null' then
        return null;
    end if;
    if jsonb_typeof(input -> field) <> json_type then
        perform khepri_private.invalid(path || '.' || field, format('must be a JSON %s', json_type));
    end if;
    return input -> field;
end;
$$;

-- Re-raises a CHECK violation (23514) so that the message names the input field: the column the
-- constraint checks (pg_constraint.conkey), prefixed with the input path of that table's fields
-- (paths maps table names to paths, e.g. {"athletes": "profile"}).
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
            detail = format('Constraint %s on public.%s.', constraint_name, table_name);
    end if;
    raise exception using
        errcode = '23514',
        message = format(
            '%s: the fields %s violate %s: %s', v_path, array_to_string(v_columns, ', '), constraint_name,
            coalesce(v_definition, 'a check')
        ),
        detail = format('Constraint %s on public.%s.', constraint_name, table_name);
end;
$$;

comment on function khepri_private.raise_check_violation(text, text, jsonb) is
'Raises SQLSTATE 23514 naming the input field a violated CHECK constraint is about, with the rule it must satisfy.';

-- Idempotency keys. begin: null for a new (user, operation, key), the first response for a
-- replay of the same input, 22023 for the same key with different input. finish: stores the
-- response. Identity only from auth.uid(); keys are scoped per user and operation, so one user's
-- key never returns another user's result. SECURITY DEFINER because users cannot write
-- public.idempotency_keys directly.
create or replace function khepri_private.idempotency_begin(operation text, key text, request jsonb)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
    v_user_id uuid := auth.uid();
    v_hash text;
    v_existing public.idempotency_keys%rowtype;
begin
    if key is null then
        return null;
    end if;
    if v_user_id is null then
        raise exception using errcode = '42501', message = format('%s needs a signed-in user', operation);
    end if;
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

create or replace function khepri_private.idempotency_finish(operation text, key text, response jsonb)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
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

comment on function khepri_private.idempotency_begin(text, text, jsonb) is
'Starts an idempotent call: null if new, the stored response on a replay, 22023 if the key was used with other input.';
comment on function khepri_private.idempotency_finish(text, text, jsonb) is
'Stores the response of an idempotent call under the caller''s key and returns it.';

-- Everything here is for signed-in users (through the RPCs) and service_role only.
revoke all on all functions in schema khepri_private from public, anon;
grant execute on all functions in schema khepri_private to authenticated, service_role;
