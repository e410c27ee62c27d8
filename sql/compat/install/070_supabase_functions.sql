-- Database webhooks (supabase_functions), as the supabase/postgres image creates them since
-- 2024-08: the hooks audit table, the migrations table, and the trigger function a webhook
-- installs, e.g.
--   create trigger t after insert on public.orders for each row execute function
--   supabase_functions.http_request('https://example.test/hook', 'POST', '{}', '{}', '5000');
-- The function calls net.http_post / net.http_get (pg_net, or khepri-db's pg_net stand-in,
-- which records the request and sends nothing). PL/pgSQL resolves net.* when a trigger fires,
-- so this schema installs without pg_net; a trigger firing without it fails naming net.http_post.
create schema if not exists supabase_functions;
grant usage on schema supabase_functions to postgres, anon, authenticated, service_role;
grant all on schema supabase_functions to supabase_functions_admin;

create table if not exists supabase_functions.migrations (
    version text not null,
    inserted_at timestamp with time zone default now() not null,
    constraint migrations_pkey primary key (version)
);

insert into supabase_functions.migrations (version) values
('initial'), ('20210809183423_update_grants'), ('20240125163000_add_retry_to_http_request')
on conflict (version) do nothing;

create table if not exists supabase_functions.hooks (
    id bigserial not null,
    hook_table_id integer not null,
    hook_name text not null,
    created_at timestamp with time zone default now() not null,
    request_id bigint,
    constraint hooks_pkey primary key (id)
);
create index if not exists supabase_functions_hooks_request_id_idx on supabase_functions.hooks (request_id);
create index if not exists supabase_functions_hooks_h_table_id_h_name_idx
on supabase_functions.hooks (hook_table_id, hook_name);
comment on table supabase_functions.hooks is
'One row per database webhook call: the table, the trigger and pg_net''s request id.';

-- Trigger arguments, as the Dashboard writes them: url, method ('GET' or 'POST'), headers
-- (jsonb text, default Content-Type: application/json), params (jsonb text), timeout in ms.
-- POST sends {type, table, schema, record, old_record}; GET sends params. Each call is logged
-- in supabase_functions.hooks with pg_net's request id. Supabase's retries (a sixth argument)
-- wait for a response; pg_net stand-ins never answer, so this sends once.
create or replace function supabase_functions.http_request()
returns trigger
language plpgsql
security definer
set search_path = supabase_functions
as $$
declare
    request_id bigint;
    url text := tg_argv[0]::text;
    method text := tg_argv[1]::text;
    headers jsonb := coalesce(nullif(tg_argv[2], 'null')::jsonb, '{"Content-Type": "application/json"}'::jsonb);
    params jsonb := coalesce(nullif(tg_argv[3], 'null')::jsonb, '{}'::jsonb);
    timeout_ms integer := nullif(tg_argv[4], 'null')::integer;
begin
    if url is null or url = 'null' then
        raise exception using errcode = '22023', message = 'url argument is missing';
    end if;
    if method = 'GET' then
        select net.http_get(url, params, headers, coalesce(timeout_ms, 5000)) into request_id;
    elsif method = 'POST' then
        select net.http_post(
            url,
            jsonb_build_object(
                'old_record', old, 'record', new, 'type', tg_op, 'table', tg_table_name, 'schema', tg_table_schema
            ),
            params,
            headers,
            coalesce(timeout_ms, 5000)
        ) into request_id;
    else
        raise exception using errcode = '22023', message = format('method argument %s is invalid', method);
    end if;
    insert into supabase_functions.hooks (hook_table_id, hook_name, request_id)
    values (tg_relid, tg_name, request_id);
    return new;
end
$$;

alter table supabase_functions.migrations owner to supabase_functions_admin;
alter table supabase_functions.hooks owner to supabase_functions_admin;
alter function supabase_functions.http_request() owner to supabase_functions_admin;
revoke all on function supabase_functions.http_request() from public;
grant execute on function supabase_functions.http_request() to postgres, anon, authenticated, service_role;
grant all on all tables in schema supabase_functions to postgres, anon, authenticated, service_role;
grant all on all sequences in schema supabase_functions to postgres, anon, authenticated, service_role;
alter default privileges in schema supabase_functions grant all on tables to postgres,
anon,
authenticated,
service_role;
alter default privileges in schema supabase_functions
grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges in schema supabase_functions
grant all on sequences to postgres, anon, authenticated, service_role;

-- pg_net's schema must be usable by supabase_functions_admin (http_request runs as it) and the
-- API roles. The image grants it when pg_net is created (event trigger issue_pg_net_access) and,
-- for a pg_net created earlier, at once; both here. Creating an event trigger needs a superuser.
create or replace function extensions.grant_pg_net_access()
returns event_trigger
language plpgsql
set search_path = ''
as $$
begin
    if exists (
        select 1
        from pg_catalog.pg_event_trigger_ddl_commands() as ev
        inner join pg_catalog.pg_extension as ext on ev.objid = ext.oid
        where ext.extname = 'pg_net'
    ) then
        grant usage on schema net to supabase_functions_admin, postgres, anon, authenticated, service_role;
    end if;
end
$$;
comment on function extensions.grant_pg_net_access() is 'Grants usage on schema net when pg_net is created.';

do $$
begin
    if (select r.rolsuper from pg_catalog.pg_roles as r where r.rolname = current_user)
        and not exists (select 1 from pg_catalog.pg_event_trigger as et where et.evtname = 'issue_pg_net_access')
    then
        create event trigger issue_pg_net_access on ddl_command_end
        when tag in ('CREATE EXTENSION')
        execute function extensions.grant_pg_net_access();
    end if;
    if to_regnamespace('net') is not null then
        grant usage on schema net to supabase_functions_admin, postgres, anon, authenticated, service_role;
    end if;
end
$$;
