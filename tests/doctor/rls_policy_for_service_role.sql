-- rls_policy_for_service_role: a policy for service_role, which bypasses RLS, so the policy
-- never applies and only suggests it does.
-- expect: public.jobs policy_name=jobs_service
create table public.jobs (id int primary key, owner uuid);
alter table public.jobs enable row level security;
create policy jobs_service on public.jobs to service_role using (true) with check (true);

-- fixed: drop it.
drop policy jobs_service on public.jobs;
