-- khepri-db stand-in for pg_net 0.19.5 (supabase/pg_net as Supabase ships it): schema net, its
-- tables, types and functions with pg_net's signatures and defaults. Requests are recorded in
-- net.http_request_queue and never sent: there is no background worker. Test code reads the
-- queue and writes responses into net._http_response (khepri_db.platform.net_requests/respond).

create schema if not exists net;

create domain net.http_method as text
check (
    value ilike 'get'
    or value ilike 'post'
    or value ilike 'delete'
);

create unlogged table net.http_request_queue (
    id bigserial,
    method net.http_method not null,
    url text not null,
    headers jsonb,
    body bytea,
    timeout_milliseconds integer not null
);

create unlogged table net._http_response (
    id bigint,
    status_code integer,
    content_type text,
    headers jsonb,
    content text,
    timed_out boolean,
    error_msg text,
    created timestamptz not null default pg_catalog.now()
);

create index on net._http_response (created);

create type net.request_status as enum ('PENDING', 'SUCCESS', 'ERROR');

create type net.http_response as (
    status_code integer,
    headers jsonb,
    body text
);

create type net.http_response_result as (
    status net.request_status,
    message text,
    response net.http_response
);

create function net.check_worker_is_up()
returns void
language plpgsql
as $$
begin
    -- The stand-in has no worker and needs none: requests wait in the queue for test code.
    return;
end
$$;

comment on function net.check_worker_is_up() is
'raises an exception if the pg_net background worker is not up, otherwise it doesn''t return anything';

create function net._await_response(request_id bigint)
returns boolean
language plpgsql
parallel unsafe
as $$
begin
    if exists (select from net._http_response as r where r.id = request_id) then
        return true;
    end if;
    raise exception using
        errcode = '0A000',
        message = pg_catalog.format('pg_net stand-in: request %s has no response and none will come', request_id),
        detail = 'khepri-db''s pg_net records requests and never sends them.',
        hint = 'Write the response first (khepri_db.platform.respond, or the net_requests pytest fixture), or use '
        || 'an engine with the real pg_net (pytest --khepri-engine docker, or supabase start).';
end
$$;

-- curl_easy_escape: every byte but A-Z a-z 0-9 - . _ ~ becomes %XX.
create function net._urlencode_string(string varchar)
returns text
language sql
immutable
as $$
    select pg_catalog.string_agg(
        case
            when b between 48 and 57 or b between 65 and 90 or b between 97 and 122 or b in (45, 46, 95, 126)
                then pg_catalog.chr(b)
            else '%' || pg_catalog.upper(pg_catalog.lpad(pg_catalog.to_hex(b), 2, '0'))
        end,
        '' order by i
    )
    from (
        select i, pg_catalog.get_byte(pg_catalog.convert_to(string, 'UTF8'), i) as b
        from pg_catalog.generate_series(0, pg_catalog.octet_length(pg_catalog.convert_to(string, 'UTF8')) - 1) as i
    ) as bytes
$$;

-- libcurl's URL API as pg_net uses it: the URL must have a scheme, an empty path becomes '/', and
-- each parameter is appended to the query (before any fragment).
create function net._encode_url_with_params_array(url text, params_array text[])
returns text
language plpgsql
immutable
as $$
declare
    parts text [];
    query text;
    param text;
begin
    if url is null or params_array is null then
        return null;
    end if;
    parts := pg_catalog.regexp_match(url, '^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$');
    if parts is null then
        raise exception using errcode = 'XX000', message = pg_catalog.format('invalid URL "%s": Bad scheme', url);
    end if;
    query := coalesce(parts[4], '');
    foreach param in array params_array loop
        continue when param is null;
        query := case when query = '' then '?' else query || '&' end || param;
    end loop;
    return pg_catalog.lower(parts[1]) || '://' || parts[2] || case when parts[3] = '' then '/' else parts[3] end
        || query || coalesce(parts[5], '');
end
$$;

create function net.worker_restart()
returns boolean
language sql
as $$
    select true
$$;

create function net.wait_until_running()
returns void
language sql
as $$
    select
$$;

comment on function net.wait_until_running() is 'waits until the worker is running';

create function net.wake()
returns void
language sql
as $$
    select
$$;

create function net.http_get(
    url text,
    params jsonb default '{}'::jsonb,
    headers jsonb default '{}'::jsonb,
    timeout_milliseconds integer default 5000
)
returns bigint
language plpgsql
parallel unsafe
as $$
declare
    request_id bigint;
    params_array text [];
begin
    select coalesce(pg_catalog.array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
    into params_array
    from pg_catalog.jsonb_each_text(params);

    insert into net.http_request_queue (method, url, headers, timeout_milliseconds)
    values ('GET', net._encode_url_with_params_array(url, params_array), headers, timeout_milliseconds)
    returning id into request_id;

    perform net.wake();
    return request_id;
end
$$;

create function net.http_post(
    url text,
    body jsonb default '{}'::jsonb,
    params jsonb default '{}'::jsonb,
    headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
    timeout_milliseconds integer default 5000
)
returns bigint
language plpgsql
parallel unsafe
as $$
declare
    request_id bigint;
    params_array text [];
    content_type text;
begin
    select h.header_value into content_type
    from pg_catalog.jsonb_each_text(coalesce(headers, '{}'::jsonb)) as h (header_name, header_value)
    where pg_catalog.lower(h.header_name) = 'content-type'
    limit 1;

    if content_type is null then
        headers := headers || '{"Content-Type": "application/json"}'::jsonb;
    end if;

    if content_type <> 'application/json' then
        raise exception 'Content-Type header must be "application/json"';
    end if;

    select coalesce(pg_catalog.array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
    into params_array
    from pg_catalog.jsonb_each_text(params);

    insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
    values (
        'POST',
        net._encode_url_with_params_array(url, params_array),
        headers,
        pg_catalog.convert_to(body::text, 'UTF8'),
        timeout_milliseconds
    )
    returning id into request_id;

    perform net.wake();
    return request_id;
end
$$;

create function net.http_delete(
    url text,
    params jsonb default '{}'::jsonb,
    headers jsonb default '{}'::jsonb,
    timeout_milliseconds integer default 5000,
    body jsonb default null
)
returns bigint
language plpgsql
parallel unsafe
as $$
declare
    request_id bigint;
    params_array text [];
begin
    select coalesce(pg_catalog.array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
    into params_array
    from pg_catalog.jsonb_each_text(params);

    insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
    values (
        'DELETE',
        net._encode_url_with_params_array(url, params_array),
        headers,
        pg_catalog.convert_to(body::text, 'UTF8'),
        timeout_milliseconds
    )
    returning id into request_id;

    perform net.wake();
    return request_id;
end
$$;

create function net._http_collect_response(request_id bigint, async boolean default true)
returns net.http_response_result
language plpgsql
parallel unsafe
as $$
declare
    rec net._http_response;
begin
    if not async then
        perform net._await_response(request_id);
    end if;

    select * into rec from net._http_response as r where r.id = request_id;

    if rec is null or rec.error_msg is not null then
        return (
            'ERROR', coalesce(rec.error_msg, 'request matching request_id not found'), null
        )::net.http_response_result;
    end if;

    return (
        'SUCCESS', 'ok', (rec.status_code, rec.headers, rec.content)::net.http_response
    )::net.http_response_result;
end
$$;

create function net.http_collect_response(request_id bigint, async boolean default true)
returns net.http_response_result
language plpgsql
parallel unsafe
as $$
begin
    raise notice 'The net.http_collect_response function is deprecated.';
    return net._http_collect_response(request_id, async);
end
$$;

grant usage on schema net to public;
grant all on all sequences in schema net to public;
grant all on all tables in schema net to public;

-- What Supabase's platform does when pg_net is enabled (supabase/postgres, grant_pg_net_access):
-- the API roles may call http_get and http_post, which run as their owner with search_path net.
do $$
declare
    api_roles text;
begin
    select pg_catalog.string_agg(pg_catalog.quote_ident(r.rolname), ', ' order by r.rolname) into api_roles
    from pg_catalog.pg_roles as r
    where r.rolname in ('supabase_functions_admin', 'postgres', 'anon', 'authenticated', 'service_role');
    alter function net.http_get(text, jsonb, jsonb, integer) security definer;
    alter function net.http_post(text, jsonb, jsonb, jsonb, integer) security definer;
    alter function net.http_get(text, jsonb, jsonb, integer) set search_path = net;
    alter function net.http_post(text, jsonb, jsonb, jsonb, integer) set search_path = net;
    revoke all on function net.http_get(text, jsonb, jsonb, integer) from public;
    revoke all on function net.http_post(text, jsonb, jsonb, jsonb, integer) from public;
    if api_roles is not null then
        execute 'grant usage on schema net to ' || api_roles;
        execute 'grant execute on function net.http_get(text, jsonb, jsonb, integer) to ' || api_roles;
        execute 'grant execute on function net.http_post(text, jsonb, jsonb, jsonb, integer) to ' || api_roles;
    end if;
end
$$;
