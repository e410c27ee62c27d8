-- sequential_scans: a table of 20000 rows read again and again by full scans.
-- The table below is the schema; the reads are runtime state: the hook `_sequential_scans` in
-- tests/doctor/test_rules.py resets the statistics and looks rows up by athlete 20 times
-- (judged from 10 scans on, instead of the documented 100).
-- expect: public.workout_log
create table public.workout_log (id int primary key, athlete int, note text);
insert into public.workout_log (id, athlete, note)
select
    g as id,
    g % 500 as athlete,
    'n' as note
from generate_series(1, 20000) as g;
analyze public.workout_log;

-- fixed: index the looked-up column; the hook resets the table's counters and repeats the lookups.
create index workout_log_athlete_idx on public.workout_log (athlete);
