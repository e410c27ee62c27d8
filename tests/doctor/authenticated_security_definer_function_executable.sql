-- authenticated_security_definer_function_executable: a SECURITY DEFINER function in an exposed
-- schema that every signed-in user can call through /rest/v1/rpc.
-- expect: public.admin_reset
create function public.admin_reset(p_athlete_id uuid) returns void
language sql security definer set search_path = '' as $$
    delete from public.workouts where athlete_id = p_athlete_id;
$$;

-- fixed: only service_role may call it.
revoke execute on function public.admin_reset(uuid) from public, anon, authenticated;
grant execute on function public.admin_reset(uuid) to service_role;
