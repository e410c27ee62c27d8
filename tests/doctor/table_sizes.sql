-- table_sizes: a table larger than the size threshold, lowered from the documented 1 GiB to 1 MiB.
-- thresholds: table_size_info_bytes=1048576
-- expect: public.blobs
create table public.blobs (id int primary key, body text);
insert into public.blobs (id, body)
select
    g as id,
    repeat(md5(g::text), 20) as body
from generate_series(1, 5000) as g;

-- fixed: the rows are gone.
truncate public.blobs;
