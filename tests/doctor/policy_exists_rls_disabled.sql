-- policy_exists_rls_disabled: a table with a policy but RLS disabled, so the policy does nothing
-- and every API role reads every row.
-- expect: public.diary
-- level: ERROR
create table public.diary (id int primary key, owner uuid);
create policy diary_select_owner on public.diary for select to authenticated
using (owner = (select auth.uid()));

-- fixed: enable RLS.
alter table public.diary enable row level security;
