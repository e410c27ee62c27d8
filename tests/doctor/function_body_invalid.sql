-- function_body_invalid: a function that worked until a later migration renamed a column it
-- reads; Postgres accepts the rename and every call fails (42703).
-- expect: public.next_goal
-- level: ERROR
create table public.race_goals (id int primary key, athlete_id int, target_date date);
create function public.next_goal(p_athlete int) returns date
language plpgsql stable set search_path = '' as $$
begin
    return (select min(g.target_date) from public.race_goals as g where g.athlete_id = p_athlete);
end $$;
alter table public.race_goals rename column target_date to race_date;

-- fixed: the function reads the column by its new name.
create or replace function public.next_goal(p_athlete int) returns date
language plpgsql stable set search_path = '' as $$
begin
    return (select min(g.race_date) from public.race_goals as g where g.athlete_id = p_athlete);
end $$;
