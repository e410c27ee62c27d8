-- Khepri's clients use the Data API (PostgREST) and its RPCs, never GraphQL. Supabase preinstalls
-- pg_graphql, whose introspection shows every table a signed-in user may read (its names,
-- columns and relationships), RLS or not: Supabase's linter 0026/0027 report each one. Supabase's
-- documented way to turn GraphQL off is to drop the extension; `create extension pg_graphql with
-- schema graphql` turns it back on.
drop extension if exists pg_graphql;
