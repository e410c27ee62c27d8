-- on_conflict_without_unique_index: the seeds' bug. An upsert on profiles.auth_user_id, which has
-- an index but no unique constraint; Postgres accepts the function and fails every call.
-- expect: public.seed_finalize_onboarding
-- level: ERROR
create table public.profiles (
    id uuid primary key default gen_random_uuid(),
    auth_user_id uuid references auth.users (id),
    display_name text
);
create index profiles_auth_user_id_idx on public.profiles (auth_user_id);
create function public.seed_finalize_onboarding(p_display_name text) returns uuid
language plpgsql security definer set search_path = public as $$
declare v_id uuid;
begin
    insert into profiles (auth_user_id, display_name)
    values (auth.uid(), p_display_name)
    on conflict (auth_user_id) do update set display_name = excluded.display_name
    returning id into v_id;
    return v_id;
end $$;
revoke execute on function public.seed_finalize_onboarding(text) from public, anon;

-- fixed: the conflict target gets its unique constraint.
alter table public.profiles add constraint profiles_auth_user_id_key unique (auth_user_id);
