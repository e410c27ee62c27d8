-- index_usage: a table read mostly by sequential scans although it is large enough for an index.
-- The table below is the schema; the reads are runtime state: the hook `_index_usage` in
-- tests/doctor/test_rules.py resets the statistics and looks rows up by athlete 20 times (judged
-- from 10 scans on, instead of the documented 100). No index serves athlete: 0% index use (WARN).
-- expect: public.workout_log
-- level: WARN
create table public.workout_log (id int primary key, athlete int, note text);
insert into public.workout_log (id, athlete, note)
select
    g as id,
    g % 500 as athlete,
    'n' as note
from generate_series(1, 20000) as g;
analyze public.workout_log;

-- fixed: index the looked-up column; the hook resets the statistics and repeats 200 lookups.
create index workout_log_athlete_idx on public.workout_log (athlete);
