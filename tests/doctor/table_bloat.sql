-- table_bloat: a table of which about 90% is dead space, left behind by deleting 9 rows in 10
-- with autovacuum off. That is only ~8 MB, so the minimum waste is lowered from the documented
-- 200 MB to 1 MiB.
-- thresholds: table_bloat_min_wasted_bytes=1048576
-- expect: public.events_log
create table public.events_log (id int primary key, payload text) with (autovacuum_enabled = false);
insert into public.events_log (id, payload)
select
    g as id,
    repeat('x', 200) as payload
from generate_series(1, 40000) as g;
delete from public.events_log
where id % 10 <> 0;
analyze public.events_log;

-- fixed: rewrite the table (one statement: vacuum cannot run inside the batch's transaction).
vacuum (full, analyze) public.events_log;
