-- rls_enabled_no_policy: RLS enabled but no policy, so the API roles see no row at all.
-- expect: public.open_notes
create table public.open_notes (id int primary key, owner uuid);
alter table public.open_notes enable row level security;

-- fixed: a policy saying who sees which rows.
create policy open_notes_select_owner on public.open_notes for select to authenticated
using (owner = (select auth.uid()));
