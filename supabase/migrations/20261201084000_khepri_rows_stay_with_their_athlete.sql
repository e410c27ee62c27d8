-- Khepri schema: the athlete a row belongs to never changes through the Data API.
--
-- The coach policies on training_plans and workouts (20261121110400) let an active coach update
-- any row whose athlete_id is one they reach, and their with check only asks the same of the new
-- row: a coach could move an athlete's plan or session to their own athlete row or to another
-- athlete they coach (the athlete loses it, another gains it). A user who coaches someone could
-- do the same with their own rows. No RPC re-parents rows, so athlete_id is fixed on every
-- athlete-owned table for signed-in and anonymous requests; service_role (trusted, bypasses RLS
-- anyway) and the migrating role keep the power to fix data.
create or replace function khepri_private.keep_athlete_id()
returns trigger
language plpgsql
security invoker
set search_path = ''
as $$
begin
    if current_user in ('anon', 'authenticated') and new.athlete_id is distinct from old.athlete_id then
        raise exception using
            errcode = '42501',
            message = format('athlete_id of %I.%I cannot change: a row stays with its athlete', tg_table_schema,
                tg_table_name),
            detail = format('The row belongs to athlete %s.', old.athlete_id),
            hint = 'Create the row for the other athlete instead (a coach may create plans and sessions).';
    end if;
    return new;
end;
$$;

comment on function khepri_private.keep_athlete_id() is
'Trigger: refuses (42501) a change of athlete_id by anon or authenticated, on every athlete-owned table.';

revoke all on function khepri_private.keep_athlete_id() from public, anon, authenticated;

create trigger training_plans_keep_athlete_id
before update of athlete_id on public.training_plans
for each row execute function khepri_private.keep_athlete_id();

create trigger workouts_keep_athlete_id
before update of athlete_id on public.workouts
for each row execute function khepri_private.keep_athlete_id();

create trigger goals_keep_athlete_id
before update of athlete_id on public.goals
for each row execute function khepri_private.keep_athlete_id();

create trigger constraints_keep_athlete_id
before update of athlete_id on public.constraints
for each row execute function khepri_private.keep_athlete_id();

create trigger daily_checkins_keep_athlete_id
before update of athlete_id on public.daily_checkins
for each row execute function khepri_private.keep_athlete_id();

create trigger conversations_keep_athlete_id
before update of athlete_id on public.conversations
for each row execute function khepri_private.keep_athlete_id();

create trigger conversation_messages_keep_athlete_id
before update of athlete_id on public.conversation_messages
for each row execute function khepri_private.keep_athlete_id();
