-- rls_disabled_in_public: a table in an exposed schema without RLS, which the API roles may read.
-- expect: public.open_notes
create table public.open_notes (id int primary key, body text);

-- fixed: enable RLS (and add policies for what the API should see).
alter table public.open_notes enable row level security;
