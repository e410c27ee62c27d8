-- anon_security_definer_function_executable: a SECURITY DEFINER function in an exposed schema
-- that anon can call through /rest/v1/rpc. New functions are executable by PUBLIC, and Supabase's
-- default privileges grant anon execute on them too.
-- expect: public.admin_reset
create function public.admin_reset(p_athlete_id uuid) returns void
language sql security definer set search_path = '' as $$
    delete from public.workouts where athlete_id = p_athlete_id;
$$;

-- fixed: revoke execute from PUBLIC and from anon (revoking from PUBLIC alone leaves anon's grant).
revoke execute on function public.admin_reset(uuid) from public, anon;
