-- rls_update_policy_without_check: an UPDATE policy whose WITH CHECK is always true, so a user may
-- hand their row to another user (set user_id to someone else's id).
-- expect: public.entries policy_name=entries_update
create table public.entries (id int primary key, user_id uuid, body text);
alter table public.entries enable row level security;
create policy entries_update on public.entries for update to authenticated
using (user_id = (select auth.uid())) with check (true);

-- fixed: WITH CHECK repeats the ownership condition.
alter policy entries_update on public.entries with check (user_id = (select auth.uid()));
