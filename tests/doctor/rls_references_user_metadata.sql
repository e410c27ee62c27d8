-- rls_references_user_metadata: an admin check read from user_metadata, which every user can set
-- for themselves (supabase.auth.updateUser).
-- expect: public.plans_admin policy_name=plans_admin_select
-- level: ERROR
create table public.plans_admin (id int primary key);
alter table public.plans_admin enable row level security;
create policy plans_admin_select on public.plans_admin for select to authenticated
using ((select auth.jwt() -> 'user_metadata' ->> 'role') = 'admin');

-- fixed: read the role from app_metadata, which only the server can set.
alter policy plans_admin_select on public.plans_admin
using ((select auth.jwt() -> 'app_metadata' ->> 'role') = 'admin');
