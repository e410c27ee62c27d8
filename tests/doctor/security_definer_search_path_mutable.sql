-- security_definer_search_path_mutable: a SECURITY DEFINER function without a fixed search_path,
-- which runs with its owner's rights and resolves names through the caller's search_path.
-- expect: public.whoami
create function public.whoami() returns text language sql security definer as $$ select current_user $$;
revoke execute on function public.whoami() from public, anon, authenticated;

-- fixed: pin the search_path.
alter function public.whoami() set search_path = '';
