-- function_search_path_mutable: a function without a fixed search_path, whose unqualified names
-- resolve through whatever search_path the caller has.
-- expect: public.plain
create function public.plain() returns int language sql as $$ select 1 $$;

-- fixed: pin the search_path.
alter function public.plain() set search_path = '';
