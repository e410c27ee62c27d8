-- rls_policy_reads_auth_users: a policy reading auth.users, which authenticated may not select,
-- so every signed-in read of the table fails (42501).
-- expect: public.coach_notes policy_name=coach_notes_select
-- level: ERROR
create table public.coach_notes (id int primary key, coach_email text, body text);
alter table public.coach_notes enable row level security;
grant select on public.coach_notes to authenticated;
create policy coach_notes_select on public.coach_notes for select to authenticated
using (coach_email = (
    select u.email from auth.users as u
    where u.id = (select auth.uid())
));

-- fixed: read the email from the JWT instead.
alter policy coach_notes_select on public.coach_notes
using (coach_email = (select auth.jwt() ->> 'email'));
