-- khepri-db stand-in for pgmq: update 1.4.4 to 1.5.1, what tembo-io/pgmq's pgmq--1.4.4--1.4.5,
-- pgmq--1.4.5--1.5.0 and pgmq--1.5.0--1.5.1 change, applied to the stand-in's objects: message headers
-- (a headers column on every existing queue and archive table, the record type, send and send_batch
-- overloads), conditional read, queue_visible_length in metrics, drop_queue(queue_name), purge_queue by
-- truncate. Queues and their messages are kept.

alter type pgmq.message_record add attribute headers jsonb;
alter type pgmq.metrics_result add attribute queue_visible_length bigint;

do $$
declare
    q record;
begin
    for q in select m.queue_name from pgmq.meta as m loop
        execute pg_catalog.format(
            'alter table pgmq.%I add column if not exists headers jsonb', pgmq.format_table_name(q.queue_name, 'q')
        );
        execute pg_catalog.format(
            'alter table pgmq.%I add column if not exists headers jsonb', pgmq.format_table_name(q.queue_name, 'a')
        );
    end loop;
end
$$;

drop function pgmq.send(text, jsonb, integer);
drop function pgmq.send_batch(text, jsonb[], integer);
drop function pgmq.read(text, integer, integer);
drop function pgmq.read_with_poll(text, integer, integer, integer, integer);
drop function pgmq.pop(text);
drop function pgmq.set_vt(text, bigint, integer);
drop function pgmq.archive(text, bigint);
drop function pgmq.archive(text, bigint[]);
drop function pgmq.metrics(text);
drop function pgmq.purge_queue(text);
drop function pgmq.drop_queue(text, boolean);

create or replace function pgmq._create_queue(queue_name text, unlogged boolean)
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
            message jsonb,
            headers jsonb
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
            message jsonb,
            headers jsonb
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

create function pgmq.send(queue_name text, msg jsonb, headers jsonb, delay timestamptz)
returns setof bigint
language plpgsql
as $$
begin
    return query execute pg_catalog.format(
        'insert into pgmq.%I (vt, message, headers) values ($2, $1, $3) returning msg_id',
        pgmq.format_table_name(queue_name, 'q')
    ) using msg, delay, headers;
end
$$;

create function pgmq.send(queue_name text, msg jsonb)
returns setof bigint
language sql
as $$
    select * from pgmq.send(queue_name, msg, null, pg_catalog.clock_timestamp())
$$;

create function pgmq.send(queue_name text, msg jsonb, headers jsonb)
returns setof bigint
language sql
as $$
    select * from pgmq.send(queue_name, msg, headers, pg_catalog.clock_timestamp())
$$;

create function pgmq.send(queue_name text, msg jsonb, delay integer)
returns setof bigint
language sql
as $$
    select * from pgmq.send(queue_name, msg, null, pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => delay))
$$;

create function pgmq.send(queue_name text, msg jsonb, delay timestamptz)
returns setof bigint
language sql
as $$
    select * from pgmq.send(queue_name, msg, null, delay)
$$;

create function pgmq.send(queue_name text, msg jsonb, headers jsonb, delay integer)
returns setof bigint
language sql
as $$
    select * from pgmq.send(
        queue_name, msg, headers, pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => delay)
    )
$$;

create function pgmq.send_batch(queue_name text, msgs jsonb[], headers jsonb[], delay timestamptz)
returns setof bigint
language plpgsql
as $$
begin
    return query execute pg_catalog.format(
        'insert into pgmq.%I (vt, message, headers) '
        || 'select $2, unnest($1), unnest(coalesce($3, array[]::jsonb[])) returning msg_id',
        pgmq.format_table_name(queue_name, 'q')
    ) using msgs, delay, headers;
end
$$;

create function pgmq.send_batch(queue_name text, msgs jsonb[])
returns setof bigint
language sql
as $$
    select * from pgmq.send_batch(queue_name, msgs, null, pg_catalog.clock_timestamp())
$$;

create function pgmq.send_batch(queue_name text, msgs jsonb[], headers jsonb[])
returns setof bigint
language sql
as $$
    select * from pgmq.send_batch(queue_name, msgs, headers, pg_catalog.clock_timestamp())
$$;

create function pgmq.send_batch(queue_name text, msgs jsonb[], delay integer)
returns setof bigint
language sql
as $$
    select * from pgmq.send_batch(
        queue_name, msgs, null, pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => delay)
    )
$$;

create function pgmq.send_batch(queue_name text, msgs jsonb[], delay timestamptz)
returns setof bigint
language sql
as $$
    select * from pgmq.send_batch(queue_name, msgs, null, delay)
$$;

create function pgmq.send_batch(queue_name text, msgs jsonb[], headers jsonb[], delay integer)
returns setof bigint
language sql
as $$
    select * from pgmq.send_batch(
        queue_name, msgs, headers, pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => delay)
    )
$$;

create function pgmq.read(queue_name text, vt integer, qty integer, conditional jsonb default '{}')
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
            where vt <= pg_catalog.clock_timestamp() and (%2$L::jsonb = '{}'::jsonb or message @> %2$L::jsonb)
            order by msg_id asc
            limit $1
            for update skip locked
        )
        update pgmq.%1$I as m
        set vt = pg_catalog.clock_timestamp() + %3$L::interval, read_ct = m.read_ct + 1
        from cte
        where m.msg_id = cte.msg_id
        returning m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message, m.headers
        $q$,
        qtable, conditional, pg_catalog.make_interval(secs => vt)
    ) using qty;
end
$$;

create function pgmq.read_with_poll(
    queue_name text,
    vt integer,
    qty integer,
    max_poll_seconds integer default 5,
    poll_interval_ms integer default 100,
    conditional jsonb default '{}'
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
        for r in select * from pgmq.read(queue_name, vt, qty, conditional) loop
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
        returning msg_id, read_ct, enqueued_at, vt, message, headers
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
        || 'returning msg_id, read_ct, enqueued_at, vt, message, headers',
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
            returning msg_id, vt, read_ct, enqueued_at, message, headers
        )
        insert into pgmq.%I (msg_id, vt, read_ct, enqueued_at, message, headers)
        select msg_id, vt, read_ct, enqueued_at, message, headers from archived
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
            returning msg_id, vt, read_ct, enqueued_at, message, headers
        )
        insert into pgmq.%I (msg_id, vt, read_ct, enqueued_at, message, headers)
        select msg_id, vt, read_ct, enqueued_at, message, headers from archived
        returning msg_id
        $q$,
        pgmq.format_table_name(queue_name, 'q'),
        pgmq.format_table_name(queue_name, 'a')
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
                count(case when vt <= pg_catalog.now() then 1 end) as queue_visible_length,
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
            q_summary.scrape_time,
            q_summary.queue_visible_length
        from q_summary, all_metrics
        $q$,
        qtable, qtable || '_msg_id_seq', queue_name
    ) into result_row;
    return result_row;
end
$$;

create function pgmq.purge_queue(queue_name text)
returns bigint
language plpgsql
as $$
declare
    deleted_count integer;
    qtable text := pgmq.format_table_name(queue_name, 'q');
begin
    execute pg_catalog.format('select count(*) from pgmq.%I', qtable) into deleted_count;
    execute pg_catalog.format('truncate table pgmq.%I', qtable);
    return deleted_count;
end
$$;

create function pgmq.drop_queue(queue_name text)
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

create function pgmq.drop_queue(queue_name text, partitioned boolean)
returns boolean
language plpgsql
as $$
begin
    raise warning using message = 'drop_queue(queue_name, partitioned) is deprecated and will be removed in PGMQ v2.0. '
    || 'Use drop_queue(queue_name) instead';
    perform pgmq.drop_queue(queue_name);
    return true;
end
$$;
