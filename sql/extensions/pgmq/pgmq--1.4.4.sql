-- khepri-db stand-in for pgmq 1.4.4 (tembo-io/pgmq at v1.4.4): the 1.5.1 stand-in's objects as pgmq had
-- them at 1.4.4, for projects that pin `create extension pgmq ... version '1.4.4'`. What 1.4.5 to 1.5.1
-- changed is not here: no headers (message_record, the queue tables, send's and send_batch's headers and
-- timestamp overloads), no conditional read, no queue_visible_length in metrics, drop_queue(queue_name,
-- partitioned default false) only, and purge_queue deletes rather than truncates.
-- `alter extension pgmq update` moves to 1.5.1 (pgmq--1.4.4--1.5.1.sql).
-- Partitioned queues need pg_partman, which the embedded engine lacks: they raise 0A000.

create table pgmq.meta (
    queue_name varchar unique not null,
    is_partitioned boolean not null,
    is_unlogged boolean not null,
    created_at timestamptz default pg_catalog.now() not null
);

grant usage on schema pgmq to pg_monitor;

grant select on all tables in schema pgmq to pg_monitor;

grant select on all sequences in schema pgmq to pg_monitor;

alter default privileges in schema pgmq grant select on tables to pg_monitor;

alter default privileges in schema pgmq grant select on sequences to pg_monitor;

create type pgmq.message_record as (
    msg_id bigint,
    read_ct integer,
    enqueued_at timestamptz,
    vt timestamptz,
    message jsonb
);

create type pgmq.queue_record as (
    queue_name varchar,
    is_partitioned boolean,
    is_unlogged boolean,
    created_at timestamptz
);

create type pgmq.metrics_result as (
    queue_name text,
    queue_length bigint,
    newest_msg_age_sec integer,
    oldest_msg_age_sec integer,
    total_messages bigint,
    scrape_time timestamptz
);

create function pgmq.acquire_queue_lock(queue_name text)
returns void
language plpgsql
as $$
begin
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pgmq.queue_' || queue_name));
end
$$;

create function pgmq.format_table_name(queue_name text, prefix text)
returns text
language plpgsql
as $$
begin
    if queue_name ~ '\$|;|--|''' then
        raise exception 'queue name contains invalid characters: $, ;, --, or \''';
    end if;
    return pg_catalog.lower(prefix || '_' || queue_name);
end
$$;

create function pgmq.validate_queue_name(queue_name text)
returns void
language plpgsql
as $$
begin
    if pg_catalog.length(queue_name) > 47 then
        raise exception 'queue name is too long, maximum length is 47 characters';
    end if;
end
$$;

create function pgmq._extension_exists(extension_name text)
returns boolean
language sql
as $$
    select exists (select 1 from pg_catalog.pg_extension as e where e.extname = extension_name)
$$;

create function pgmq._belongs_to_pgmq(table_name text)
returns boolean
language sql
as $$
    select exists (
        select 1
        from pg_catalog.pg_depend as d
        where
            d.refobjid = (select e.oid from pg_catalog.pg_extension as e where e.extname = 'pgmq')
            and d.objid = (
                select c.oid from pg_catalog.pg_class as c
                where c.relname = table_name and c.relnamespace = 'pgmq'::regnamespace
            )
    )
$$;

-- Shared by create and create_unlogged: the queue table, its archive, their indexes, the meta row.

create function pgmq._create_queue(queue_name text, unlogged boolean)
returns void
language plpgsql
as $$
declare
    qtable text := pgmq.format_table_name(queue_name, 'q');
    qtable_seq text := qtable || '_msg_id_seq';
    atable text := pgmq.format_table_name(queue_name, 'a');
begin
    perform pgmq.validate_queue_name(queue_name);
    perform pgmq.acquire_queue_lock(queue_name);
    execute pg_catalog.format(
        $q$
        create %s table if not exists pgmq.%I (
            msg_id bigint primary key generated always as identity,
            read_ct integer default 0 not null,
            enqueued_at timestamptz default pg_catalog.now() not null,
            vt timestamptz not null,
            message jsonb
        )
        $q$,
        case when unlogged then 'unlogged' else '' end,
        qtable
    );
    execute pg_catalog.format(
        $q$
        create table if not exists pgmq.%I (
            msg_id bigint primary key,
            read_ct integer default 0 not null,
            enqueued_at timestamptz default pg_catalog.now() not null,
            archived_at timestamptz default pg_catalog.now() not null,
            vt timestamptz not null,
            message jsonb
        )
        $q$,
        atable
    );
    if pgmq._extension_exists('pgmq') then
        if not pgmq._belongs_to_pgmq(qtable) then
            execute pg_catalog.format('alter extension pgmq add table pgmq.%I', qtable);
            execute pg_catalog.format('alter extension pgmq add sequence pgmq.%I', qtable_seq);
        end if;
        if not pgmq._belongs_to_pgmq(atable) then
            execute pg_catalog.format('alter extension pgmq add table pgmq.%I', atable);
        end if;
    end if;
    execute pg_catalog.format('create index if not exists %I on pgmq.%I (vt asc)', qtable || '_vt_idx', qtable);
    execute pg_catalog.format(
        'create index if not exists %I on pgmq.%I (archived_at)', 'archived_at_idx_' || queue_name, atable
    );
    insert into pgmq.meta (queue_name, is_partitioned, is_unlogged)
    values (queue_name, false, unlogged)
    on conflict do nothing;
end
$$;

create function pgmq.create_non_partitioned(queue_name text)
returns void
language sql
as $$
    select pgmq._create_queue(queue_name, false)
$$;

create function pgmq.create_unlogged(queue_name text)
returns void
language sql
as $$
    select pgmq._create_queue(queue_name, true)
$$;

create function pgmq.create(queue_name text)
returns void
language sql
as $$
    select pgmq._create_queue(queue_name, false)
$$;

create function pgmq.create_partitioned(
    queue_name text,
    partition_interval text default '10000',
    retention_interval text default '100000'
)
returns void
language plpgsql
as $$
begin
    raise exception using
        errcode = '0A000',
        message = pg_catalog.format('pgmq stand-in: partitioned queue %s needs pg_partman, which is not installed', queue_name),
        hint = 'Use pgmq.create() for a plain queue here, or an engine with pgmq and pg_partman '
        || '(pytest --khepri-engine docker, or supabase start).';
end
$$;

create function pgmq.convert_archive_partitioned(
    table_name text,
    partition_interval text default '10000',
    retention_interval text default '100000',
    leading_partition integer default 10
)
returns void
language plpgsql
as $$
begin
    raise exception using
        errcode = '0A000',
        message = pg_catalog.format('pgmq stand-in: partitioning archive %s needs pg_partman, which is not installed', table_name),
        hint = 'Use an engine with pgmq and pg_partman (pytest --khepri-engine docker, or supabase start).';
end
$$;

create function pgmq.send(queue_name text, msg jsonb, delay integer default 0)
returns setof bigint
language plpgsql
as $$
begin
    return query execute pg_catalog.format(
        'insert into pgmq.%I (vt, message) values ($2, $1) returning msg_id',
        pgmq.format_table_name(queue_name, 'q')
    ) using msg, pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => delay);
end
$$;

create function pgmq.send_batch(queue_name text, msgs jsonb[], delay integer default 0)
returns setof bigint
language plpgsql
as $$
begin
    return query execute pg_catalog.format(
        'insert into pgmq.%I (vt, message) select $2, unnest($1) returning msg_id',
        pgmq.format_table_name(queue_name, 'q')
    ) using msgs, pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => delay);
end
$$;

create function pgmq.read(queue_name text, vt integer, qty integer)
returns setof pgmq.message_record
language plpgsql
as $$
declare
    qtable text := pgmq.format_table_name(queue_name, 'q');
begin
    return query execute pg_catalog.format(
        $q$
        with cte as (
            select msg_id
            from pgmq.%1$I
            where vt <= pg_catalog.clock_timestamp()
            order by msg_id asc
            limit $1
            for update skip locked
        )
        update pgmq.%1$I as m
        set vt = pg_catalog.clock_timestamp() + %2$L::interval, read_ct = m.read_ct + 1
        from cte
        where m.msg_id = cte.msg_id
        returning m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message
        $q$,
        qtable, pg_catalog.make_interval(secs => vt)
    ) using qty;
end
$$;

create function pgmq.read_with_poll(
    queue_name text,
    vt integer,
    qty integer,
    max_poll_seconds integer default 5,
    poll_interval_ms integer default 100
)
returns setof pgmq.message_record
language plpgsql
as $$
declare
    r pgmq.message_record;
    stop_at timestamptz := pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => max_poll_seconds);
    got boolean;
begin
    loop
        got := false;
        for r in select * from pgmq.read(queue_name, vt, qty) loop
            got := true;
            return next r;
        end loop;
        exit when got or pg_catalog.clock_timestamp() >= stop_at;
        perform pg_catalog.pg_sleep(poll_interval_ms / 1000.0);
    end loop;
end
$$;

create function pgmq.pop(queue_name text)
returns setof pgmq.message_record
language plpgsql
as $$
declare
    qtable text := pgmq.format_table_name(queue_name, 'q');
begin
    return query execute pg_catalog.format(
        $q$
        with cte as (
            select msg_id
            from pgmq.%1$I
            where vt <= pg_catalog.clock_timestamp()
            order by msg_id asc
            limit 1
            for update skip locked
        )
        delete from pgmq.%1$I
        where msg_id = (select cte.msg_id from cte)
        returning msg_id, read_ct, enqueued_at, vt, message
        $q$,
        qtable
    );
end
$$;

create function pgmq.set_vt(queue_name text, msg_id bigint, vt integer)
returns setof pgmq.message_record
language plpgsql
as $$
begin
    return query execute pg_catalog.format(
        'update pgmq.%I set vt = (pg_catalog.clock_timestamp() + %L::interval) where msg_id = $1 '
        || 'returning msg_id, read_ct, enqueued_at, vt, message',
        pgmq.format_table_name(queue_name, 'q'),
        pg_catalog.make_interval(secs => vt)
    ) using msg_id;
end
$$;

create function pgmq.archive(queue_name text, msg_id bigint)
returns boolean
language plpgsql
as $$
declare
    result bigint;
begin
    execute pg_catalog.format(
        $q$
        with archived as (
            delete from pgmq.%I
            where msg_id = $1
            returning msg_id, vt, read_ct, enqueued_at, message
        )
        insert into pgmq.%I (msg_id, vt, read_ct, enqueued_at, message)
        select msg_id, vt, read_ct, enqueued_at, message from archived
        returning msg_id
        $q$,
        pgmq.format_table_name(queue_name, 'q'),
        pgmq.format_table_name(queue_name, 'a')
    ) using msg_id into result;
    return result is not null;
end
$$;

create function pgmq.archive(queue_name text, msg_ids bigint[])
returns setof bigint
language plpgsql
as $$
begin
    return query execute pg_catalog.format(
        $q$
        with archived as (
            delete from pgmq.%I
            where msg_id = any($1)
            returning msg_id, vt, read_ct, enqueued_at, message
        )
        insert into pgmq.%I (msg_id, vt, read_ct, enqueued_at, message)
        select msg_id, vt, read_ct, enqueued_at, message from archived
        returning msg_id
        $q$,
        pgmq.format_table_name(queue_name, 'q'),
        pgmq.format_table_name(queue_name, 'a')
    ) using msg_ids;
end
$$;

create function pgmq.delete(queue_name text, msg_id bigint)
returns boolean
language plpgsql
as $$
declare
    result bigint;
begin
    execute pg_catalog.format(
        'delete from pgmq.%I where msg_id = $1 returning msg_id', pgmq.format_table_name(queue_name, 'q')
    ) using msg_id into result;
    return result is not null;
end
$$;

create function pgmq.delete(queue_name text, msg_ids bigint[])
returns setof bigint
language plpgsql
as $$
begin
    return query execute pg_catalog.format(
        'delete from pgmq.%I where msg_id = any($1) returning msg_id', pgmq.format_table_name(queue_name, 'q')
    ) using msg_ids;
end
$$;

create function pgmq.metrics(queue_name text)
returns pgmq.metrics_result
language plpgsql
as $$
declare
    result_row pgmq.metrics_result;
    qtable text := pgmq.format_table_name(queue_name, 'q');
begin
    execute pg_catalog.format(
        $q$
        with q_summary as (
            select
                count(*) as queue_length,
                extract(epoch from (pg_catalog.now() - max(enqueued_at)))::integer as newest_msg_age_sec,
                extract(epoch from (pg_catalog.now() - min(enqueued_at)))::integer as oldest_msg_age_sec,
                pg_catalog.now() as scrape_time
            from pgmq.%I
        ),
        all_metrics as (
            select case when is_called then last_value else 0 end as total_messages
            from pgmq.%I
        )
        select
            %L as queue_name,
            q_summary.queue_length,
            q_summary.newest_msg_age_sec,
            q_summary.oldest_msg_age_sec,
            all_metrics.total_messages,
            q_summary.scrape_time
        from q_summary, all_metrics
        $q$,
        qtable, qtable || '_msg_id_seq', queue_name
    ) into result_row;
    return result_row;
end
$$;

create function pgmq.metrics_all()
returns setof pgmq.metrics_result
language plpgsql
as $$
declare
    row_name record;
begin
    for row_name in select m.queue_name from pgmq.meta as m loop
        return next pgmq.metrics(row_name.queue_name);
    end loop;
end
$$;

create function pgmq.list_queues()
returns setof pgmq.queue_record
language plpgsql
as $$
begin
    return query select m.queue_name, m.is_partitioned, m.is_unlogged, m.created_at from pgmq.meta as m;
end
$$;

create function pgmq.purge_queue(queue_name text)
returns bigint
language plpgsql
as $$
declare
    deleted_count integer;
begin
    execute pg_catalog.format(
        'with deleted as (delete from pgmq.%I returning msg_id) select count(*) from deleted',
        pgmq.format_table_name(queue_name, 'q')
    ) into deleted_count;
    return deleted_count;
end
$$;

create function pgmq.detach_archive(queue_name text)
returns void
language plpgsql
as $$
begin
    if pgmq._extension_exists('pgmq') then
        execute pg_catalog.format('alter extension pgmq drop table pgmq.%I', pgmq.format_table_name(queue_name, 'a'));
    end if;
end
$$;

create function pgmq.drop_queue(queue_name text, partitioned boolean default false)
returns boolean
language plpgsql
as $$
declare
    qtable text := pgmq.format_table_name(queue_name, 'q');
    atable text := pgmq.format_table_name(queue_name, 'a');
begin
    perform pgmq.acquire_queue_lock(queue_name);
    if not exists (
        select 1 from information_schema.tables as t where t.table_name = qtable and t.table_schema = 'pgmq'
    ) then
        raise notice 'pgmq queue `%` does not exist', queue_name;
        return false;
    end if;
    if pgmq._extension_exists('pgmq') then
        execute pg_catalog.format('alter extension pgmq drop table pgmq.%I', qtable);
        execute pg_catalog.format('alter extension pgmq drop sequence pgmq.%I', qtable || '_msg_id_seq');
        if pgmq._belongs_to_pgmq(atable) then
            execute pg_catalog.format('alter extension pgmq drop table pgmq.%I', atable);
        end if;
    end if;
    execute pg_catalog.format('drop table if exists pgmq.%I', qtable);
    execute pg_catalog.format('drop table if exists pgmq.%I', atable);
    delete from pgmq.meta as m where m.queue_name = drop_queue.queue_name;
    return true;
end
$$;
