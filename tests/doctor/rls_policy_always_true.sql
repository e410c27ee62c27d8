-- rls_policy_always_true: an UPDATE policy whose condition is always true ('a' = 'a'), so every
-- signed-in user may change every row. ERROR: authenticated holds the table's update grant
-- (Supabase's default privileges), so a signed-in caller can use the policy.
-- expect: public.boards policy_name=boards_update
-- level: ERROR
create table public.boards (id int primary key, owner uuid);
alter table public.boards enable row level security;
create policy boards_update on public.boards for update to authenticated using ('a' = 'a'); -- noqa: ST10

-- fixed: the policy checks ownership, before and after the update.
alter policy boards_update on public.boards
using (owner = (select auth.uid())) with check (owner = (select auth.uid()));
