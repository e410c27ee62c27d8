-- vacuum_stats: 4000 dead rows in a table autovacuum is turned off for (WARN).
-- expect: public.inbox_items
-- level: WARN
create table public.inbox_items (id int primary key, body text) with (autovacuum_enabled = false);
insert into public.inbox_items (id, body)
select
    g as id,
    'x' as body
from generate_series(1, 5000) as g;
delete from public.inbox_items
where id > 1000;

-- fixed: vacuum it (one statement: vacuum cannot run inside the batch's transaction).
vacuum public.inbox_items;
