-- multiple_permissive_policies: two permissive SELECT policies for authenticated on one table;
-- Postgres evaluates both for every row.
-- expect: public.notes role=authenticated command=SELECT
create table public.notes (id int primary key, owner uuid, shared boolean);
alter table public.notes enable row level security;
create policy notes_select_owner on public.notes for select to authenticated
using (owner = (select auth.uid()));
create policy notes_select_shared on public.notes for select to authenticated using (shared);

-- fixed: one policy holding both conditions.
drop policy notes_select_shared on public.notes;
alter policy notes_select_owner on public.notes using (owner = (select auth.uid()) or shared);
