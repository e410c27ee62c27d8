-- unsupported_reg_types: a column of a reg* type pg_upgrade cannot carry over (regproc stores an
-- oid), which blocks upgrading the server.
-- expect: public.hooks column=fn
create table public.hooks (id int primary key, fn regproc);

-- fixed: store the name as text.
alter table public.hooks alter column fn type text using fn::text;
