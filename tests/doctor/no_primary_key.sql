-- no_primary_key: a table without a primary key (logical replication and the Data API's
-- updates need one).
-- expect: public.tags
create table public.tags (name text);

-- fixed: add one.
alter table public.tags add primary key (name);
