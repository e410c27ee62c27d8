-- khepri-db's own implementation of basejump-supabase_test_helpers 0.0.4--0.0.5 (database.dev), written from its
-- documented behaviour; see docs/extensions/basejump-supabase_test_helpers.md.
-- Upgrade script from 0.0.4 to 0.0.5.

-- Since 0.0.5 the API roles may use test_overrides, so frozen time applies to them too (without
-- usage, PostgreSQL skips the schema in their search_path and they keep pg_catalog.now()).
grant usage on schema test_overrides to anon, authenticated, service_role;
alter default privileges in schema test_overrides revoke execute on functions from public;
alter default privileges in schema test_overrides grant execute on functions to anon, authenticated, service_role;

grant execute on function test_overrides.now() to anon, authenticated, service_role;
