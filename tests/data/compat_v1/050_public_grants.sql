-- Supabase's privileges on the public schema: the API roles may use it, and every table,
-- function and sequence the migrating role creates there is granted to all three of them.
-- RLS, not grants, is what keeps rows apart; and a function must have EXECUTE revoked from anon
-- explicitly (revoking from PUBLIC alone leaves these grants in place).
grant usage on schema public to anon, authenticated, service_role;

alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
