-- rls_policy_column_unindexed: a policy for authenticated filters on docs.user_id, which no index
-- leads with, so every query as a user reads the whole table.
-- expect: public.docs column=user_id
create table public.docs (id int primary key, user_id uuid, body text);
alter table public.docs enable row level security;
create policy docs_select_owner on public.docs for select to authenticated
using (user_id = (select auth.uid()));

-- fixed: index the column.
create index docs_user_id_idx on public.docs (user_id);
