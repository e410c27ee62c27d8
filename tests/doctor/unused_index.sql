-- unused_index: an index never scanned on a table that is read through its other indexes (the
-- lookups by device below use readings_device_idx; nothing reads by taken_on).
-- expect: public.readings index=readings_taken_on_idx
create table public.readings (id int primary key, device int, taken_on date);
create index readings_device_idx on public.readings (device);
create index readings_taken_on_idx on public.readings (taken_on);
insert into public.readings (id, device, taken_on)
select
    g as id,
    g % 100 as device,
    date '2026-01-01' + g % 365 as taken_on
from generate_series(1, 5000) as g;
analyze public.readings;
select count(*) as n from public.readings
where device = 1;
select count(*) as n from public.readings
where device = 2;

-- fixed: drop the unused index.
drop index public.readings_taken_on_idx;
