-- khepri-db's own implementation of basejump-supabase_test_helpers 0.0.1--0.0.2 (database.dev), written from its
-- documented behaviour; see docs/extensions/basejump-supabase_test_helpers.md.
-- Upgrade script from 0.0.1 to 0.0.2.

-- 0.0.2 lets service_role use the helpers as well.
grant usage on schema tests to service_role;
alter default privileges in schema tests grant execute on functions to service_role;
grant execute on function tests.create_supabase_user(text, text, text, jsonb) to service_role;
grant execute on function tests.get_supabase_user(text) to service_role;
grant execute on function tests.get_supabase_uid(text) to service_role;
grant execute on function tests.authenticate_as(text) to service_role;
grant execute on function tests.clear_authentication() to service_role;
grant execute on function tests.rls_enabled(text) to service_role;
grant execute on function tests.rls_enabled(text, text) to service_role;

-- Act as service_role until the transaction ends, with the request claims reset.
create or replace function tests.authenticate_as_service_role()
returns void
language plpgsql
as $$
begin
    perform pg_catalog.set_config('role', 'service_role', true);
    perform pg_catalog.set_config('request.jwt.claims', null, true);
end
$$;
