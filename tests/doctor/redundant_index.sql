-- redundant_index: an index whose columns lead another index of the same table, which serves
-- every query the first one serves.
-- expect: public.sessions index=sessions_athlete_idx
create table public.sessions (id int primary key, athlete_id int, day date);
create index sessions_athlete_idx on public.sessions (athlete_id);
create index sessions_athlete_day_idx on public.sessions (athlete_id, day);

-- fixed: drop the covered index.
drop index public.sessions_athlete_idx;
