-- Supabase Realtime's schema (supabase/realtime tenant migrations up to 20260709120000) as one
-- final state: the enums and composite types, realtime.messages (Broadcast from the database,
-- partitioned by inserted_at as on Supabase), realtime.subscription (Postgres Changes) and the
-- migration history; realtime.send, send_binary, broadcast_changes, topic and to_regrole work as
-- on Supabase. The Realtime server creates one messages partition per day; no server runs
-- here, so a default partition holds the rows instead. The WAL-decoding functions the server
-- calls (apply_rls, list_changes, ...) are not installed (see docs/compat.md).
create schema if not exists realtime;
grant usage on schema realtime to postgres, anon, authenticated, service_role;
grant all on schema realtime to supabase_realtime_admin with grant option;

do $$
begin
    if to_regtype('realtime.action') is null then
        create type realtime.action as enum ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'ERROR');
    end if;
    if to_regtype('realtime.equality_op') is null then
        create type realtime.equality_op as enum (
            'eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'like', 'ilike', 'is', 'match', 'imatch', 'isdistinct'
        );
    end if;
    if to_regtype('realtime.user_defined_filter') is null then
        create type realtime.user_defined_filter as (
            column_name text, op realtime.equality_op, value text, negate boolean
        );
    end if;
    if to_regtype('realtime.wal_column') is null then
        create type realtime.wal_column as (
            name text, type_name text, type_oid oid, value jsonb, is_pkey boolean, is_selectable boolean
        );
    end if;
    if to_regtype('realtime.wal_rls') is null then
        create type realtime.wal_rls as (
            wal jsonb, is_rls_enabled boolean, subscription_ids uuid [], errors text []
        );
    end if;
end
$$;

-- The role a subscription's JWT claims name (used by a generated column of realtime.subscription).
create or replace function realtime.to_regrole(role_name text)
returns regrole
language sql
immutable
as $$
    select role_name::regrole
$$;

-- The topic of the Broadcast message being authorised: Realtime sets realtime.topic before it
-- checks policies on realtime.messages, e.g. using (realtime.topic() = 'room:' || auth.uid()).
create or replace function realtime.topic()
returns text
language sql
stable
as $$
    select nullif(current_setting('realtime.topic', true), '')::text
$$;

create table if not exists realtime.messages (
    topic text not null,
    extension text not null,
    payload jsonb,
    event text,
    private boolean default false,
    updated_at timestamp without time zone default now() not null,
    inserted_at timestamp without time zone default now() not null,
    id uuid default gen_random_uuid() not null,
    binary_payload bytea,
    constraint messages_pkey primary key (id, inserted_at),
    constraint messages_payload_exclusive check (((payload is null) or (binary_payload is null))) not valid
) partition by range (inserted_at);
create index if not exists messages_inserted_at_topic_index on only realtime.messages (inserted_at desc, topic) where (
    (extension = 'broadcast'::text) and (private is true)
);
alter table realtime.messages enable row level security;

create table if not exists realtime.schema_migrations (
    version bigint not null,
    inserted_at timestamp(0) without time zone default now(),
    constraint schema_migrations_pkey primary key (version)
);

create table if not exists realtime.subscription (
    id bigint generated always as identity not null,
    subscription_id uuid not null,
    entity regclass not null,
    filters realtime.user_defined_filter[] default '{}'::realtime.user_defined_filter[] not null,
    claims jsonb not null,
    claims_role regrole generated always as (realtime.to_regrole((claims ->> 'role'::text))) stored not null,
    created_at timestamp without time zone default timezone('utc'::text, now()) not null,
    action_filter text default '*'::text,
    selected_columns text[],
    constraint pk_subscription primary key (id),
    constraint subscription_action_filter_check check (
        (action_filter = any(array['*'::text, 'INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))
    )
);
create index if not exists ix_realtime_subscription_entity on realtime.subscription (entity);
create unique index if not exists subscription_subscription_id_entity_filters_action_filter_selec
on realtime.subscription (
    subscription_id, entity, filters, action_filter, coalesce(selected_columns, '{}'::text[])
);

create table if not exists realtime.messages_default partition of realtime.messages default;

comment on table realtime.messages_default is
'khepri-db: the one partition of realtime.messages (Supabase''s Realtime server creates one per day).';

-- Broadcast a message from the database: one row in realtime.messages (extension 'broadcast').
-- The payload gets an id when it has none. Any failure becomes a warning, never an error, as on
-- Supabase, so a trigger that broadcasts cannot break the write that fired it.
create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void
language plpgsql
as $$
declare
    message_id uuid := gen_random_uuid();
begin
    begin
        perform set_config('realtime.topic', topic, true);
        insert into realtime.messages (id, payload, event, topic, private, extension)
        values (
            message_id,
            case when payload ? 'id' then payload else jsonb_set(payload, '{id}', to_jsonb(message_id)) end,
            event, topic, private, 'broadcast'
        );
    exception when others then
        raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
    end;
end
$$;

create or replace function realtime.send_binary(payload bytea, event text, topic text, private boolean default true)
returns void
language plpgsql
as $$
begin
    begin
        perform set_config('realtime.topic', topic, true);
        insert into realtime.messages (id, binary_payload, event, topic, private, extension)
        values (gen_random_uuid(), payload, event, topic, private, 'broadcast');
    exception when others then
        raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
    end;
end
$$;

-- For row triggers: broadcast {old_record, record, operation, table, schema} under event_name on
-- topic_name, e.g. perform realtime.broadcast_changes('room:' || new.room_id, tg_op, tg_op,
-- tg_table_name, tg_table_schema, new, old).
create or replace function realtime.broadcast_changes(
    topic_name text,
    event_name text,
    operation text,
    table_name text,
    table_schema text,
    new record,
    old record,
    level text default 'ROW'
)
returns void
language plpgsql
as $$
begin
    if level = 'STATEMENT' then
        raise exception using
            errcode = '0A000', message = 'realtime.broadcast_changes can only be called from a row-level trigger';
    end if;
    if operation not in ('INSERT', 'UPDATE', 'DELETE') then
        raise exception using errcode = '22023', message = format('unexpected operation type: %s', operation);
    end if;
    perform realtime.send(
        jsonb_build_object(
            'old_record', old, 'record', new, 'operation', operation, 'table', table_name, 'schema', table_schema
        ),
        event_name,
        topic_name
    );
end
$$;

-- Postgres Changes subscriptions are written by the Realtime server; the check keeps filters
-- to columns the subscribed table has.
create or replace function realtime.subscription_check_filters()
returns trigger
language plpgsql
as $$
declare
    filter realtime.user_defined_filter;
begin
    foreach filter in array coalesce(new.filters, '{}') loop
        if not exists (
            select 1 from pg_catalog.pg_attribute as a
            where a.attrelid = new.entity and a.attname = filter.column_name and a.attnum > 0 and not a.attisdropped
        ) then
            raise exception using
                errcode = '42703', message = format('invalid column for filter %s', filter.column_name);
        end if;
    end loop;
    return new;
end
$$;

create or replace trigger tr_check_filters
before insert or update on realtime.subscription
for each row execute function realtime.subscription_check_filters();

insert into realtime.schema_migrations (version, inserted_at) values
(20211116024918, now()),
(20211116045059, now()),
(20211116050929, now()),
(20211116051442, now()),
(20211116212300, now()),
(20211116213355, now()),
(20211116213934, now()),
(20211116214523, now()),
(20211122062447, now()),
(20211124070109, now()),
(20211202204204, now()),
(20211202204605, now()),
(20211210212804, now()),
(20211228014915, now()),
(20220107221237, now()),
(20220228202821, now()),
(20220312004840, now()),
(20220603231003, now()),
(20220603232444, now()),
(20220615214548, now()),
(20220712093339, now()),
(20220908172859, now()),
(20220916233421, now()),
(20230119133233, now()),
(20230128025114, now()),
(20230128025212, now()),
(20230227211149, now()),
(20230228184745, now()),
(20230308225145, now()),
(20230328144023, now()),
(20231018144023, now()),
(20231204144023, now()),
(20231204144024, now()),
(20231204144025, now()),
(20240108234812, now()),
(20240109165339, now()),
(20240227174441, now()),
(20240311171622, now()),
(20240321100241, now()),
(20240401105812, now()),
(20240418121054, now()),
(20240523004032, now()),
(20240618124746, now()),
(20240801235015, now()),
(20240805133720, now()),
(20240827160934, now()),
(20240919163303, now()),
(20240919163305, now()),
(20241019105805, now()),
(20241030150047, now()),
(20241108114728, now()),
(20241121104152, now()),
(20241130184212, now()),
(20241220035512, now()),
(20241220123912, now()),
(20241224161212, now()),
(20250107150512, now()),
(20250110162412, now()),
(20250123174212, now()),
(20250128220012, now()),
(20250506224012, now()),
(20250523164012, now()),
(20250714121412, now()),
(20250905041441, now()),
(20251103001201, now()),
(20251120212548, now()),
(20251120215549, now()),
(20260218120000, now()),
(20260326120000, now()),
(20260514120000, now()),
(20260527120000, now()),
(20260528120000, now()),
(20260603120000, now()),
(20260605120000, now()),
(20260606110000, now()),
(20260616120000, now()),
(20260624120000, now()),
(20260626120000, now()),
(20260706120000, now()),
(20260707120000, now()),
(20260709120000, now())
on conflict (version) do nothing;

-- Ownership and privileges as on Supabase.
do $$
declare
    obj record;
begin
    for obj in
        select c.oid::regclass as name
        from pg_catalog.pg_class as c
        where c.relnamespace = 'realtime'::regnamespace and c.relkind in ('r', 'p') and c.relname <> 'schema_migrations'
    loop
        execute format('alter table %s owner to supabase_realtime_admin', obj.name);
    end loop;
    for obj in
        select p.oid::regprocedure as name
        from pg_catalog.pg_proc as p
        where p.pronamespace = 'realtime'::regnamespace
    loop
        execute format('alter function %s owner to supabase_realtime_admin', obj.name);
    end loop;
    for obj in
        select t.oid::regtype as name
        from pg_catalog.pg_type as t
        where t.typnamespace = 'realtime'::regnamespace and t.typtype in ('e', 'c')
            and (t.typtype = 'e' or (select c.relkind from pg_catalog.pg_class as c where c.oid = t.typrelid) = 'c')
    loop
        execute format('alter type %s owner to supabase_realtime_admin', obj.name);
    end loop;
end
$$;
alter table realtime.schema_migrations owner to supabase_admin;

grant select, insert, update on table realtime.messages to anon, authenticated, service_role;
grant select on table realtime.subscription to anon, authenticated, service_role;
grant all on table realtime.messages, realtime.subscription to postgres, dashboard_user;
revoke all on table realtime.schema_migrations from anon, authenticated, service_role, postgres;
grant execute on function realtime.to_regrole(text) to anon, authenticated, service_role;
grant execute on function realtime.topic(), realtime.to_regrole(text) to postgres, dashboard_user;
grant execute on function realtime.send(jsonb, text, text, boolean) to postgres, dashboard_user;
grant execute on function realtime.send_binary(bytea, text, text, boolean) to postgres, dashboard_user;
grant execute on function realtime.broadcast_changes(
    text, text, text, text, text, record, record, text
) to postgres, dashboard_user;

-- Supabase Realtime's publication. It starts empty; migrations often add tables to it with
-- `alter publication supabase_realtime add table ...`.
do $$
begin
    if not exists (select 1 from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
        create publication supabase_realtime;
    end if;
end
$$;
