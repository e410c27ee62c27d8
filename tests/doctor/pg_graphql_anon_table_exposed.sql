-- pg_graphql_anon_table_exposed: with pg_graphql installed, a table anon may select from
-- shows in the GraphQL schema for anon, RLS or not. The Khepri schema turns GraphQL off, so the
-- case turns it back on (khepri-db's stand-in on the embedded engine, as Supabase preinstalls it).
-- needs extension: pg_graphql
-- expect: public.graphql_visible
create extension if not exists pg_graphql with schema graphql;
create table public.graphql_visible (id int primary key);
revoke all on public.graphql_visible from anon, authenticated;
grant select on public.graphql_visible to anon;

-- fixed: anon may no longer select from it.
revoke select on public.graphql_visible from anon;
