-- auth_rls_initplan: a policy calling auth.uid() bare, so Postgres evaluates it once per row
-- instead of once per statement.
-- expect: public.notes
create table public.notes (id int primary key, owner uuid);
alter table public.notes enable row level security;
create policy notes_select_owner on public.notes for select to authenticated
using (owner = auth.uid());

-- fixed: wrap the call in a scalar subquery, which the planner runs once (an InitPlan).
alter policy notes_select_owner on public.notes using (owner = (select auth.uid()));
