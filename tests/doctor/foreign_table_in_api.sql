-- foreign_table_in_api: a foreign table in an exposed schema, which RLS cannot protect.
-- needs extension: file_fdw
-- expect: public.imports
create extension file_fdw with schema extensions;
create server local_files foreign data wrapper file_fdw;
create foreign table public.imports (line text) server local_files options (filename '/dev/null');

-- fixed: the API roles may no longer read it.
revoke all on public.imports from anon, authenticated;
