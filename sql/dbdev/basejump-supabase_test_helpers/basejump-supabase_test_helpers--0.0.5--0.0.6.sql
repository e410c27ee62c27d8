-- khepri-db's own implementation of basejump-supabase_test_helpers 0.0.5--0.0.6 (database.dev), written from its
-- documented behaviour; see docs/extensions/basejump-supabase_test_helpers.md.
-- Upgrade script from 0.0.5 to 0.0.6.

-- 0.0.6 has exactly the functions, grants and behaviour of 0.0.5 (the package republished it under a
-- new number), so there is nothing to change.
