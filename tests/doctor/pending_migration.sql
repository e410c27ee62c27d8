-- pending_migration: a local migration file the history does not record as applied. Here the
-- history row of the first Khepri migration is moved aside into a table of our own.
-- expect: version=20261121100000 name=khepri_foundation
create table public.history_aside as
select
    m.version,
    m.statements,
    m.name
from supabase_migrations.schema_migrations as m
where m.version = '20261121100000';
delete from supabase_migrations.schema_migrations
where version = '20261121100000';

-- fixed: the row is back (as after `khepri-db migrate` or `supabase migration repair --status applied`).
insert into supabase_migrations.schema_migrations (version, statements, name)
select
    h.version,
    h.statements,
    h.name
from public.history_aside as h;
drop table public.history_aside;
