-- materialized_view_in_api: a materialized view in an exposed schema, readable by the API roles
-- although RLS cannot apply to it.
-- expect: public.plan_counts
create materialized view public.plan_counts as select count(*) as n from public.training_plans;

-- fixed: the API roles may no longer read it.
revoke all on public.plan_counts from anon, authenticated;
