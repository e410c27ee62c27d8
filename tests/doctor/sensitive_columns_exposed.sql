-- sensitive_columns_exposed: a table without RLS in an exposed schema with columns named like
-- secrets (api_token, password_hash).
-- expect: public.integrations
-- level: ERROR
create table public.integrations (id int primary key, name text, api_token text, password_hash text);

-- fixed: enable RLS.
alter table public.integrations enable row level security;
