-- security_definer_trusts_caller_id: a SECURITY DEFINER RPC callable by anon that takes the
-- athlete id from its argument, so anyone reads any athlete's conversations.
-- expect: public.get_conversations argument=p_athlete_id
-- level: ERROR
create function public.get_conversations(p_athlete_id uuid) returns setof public.conversations
language sql stable security definer set search_path = '' as $$
    select c.* from public.conversations as c where c.athlete_id = p_athlete_id
$$;

-- fixed: the function also requires the id to be the caller's own athlete.
create or replace function public.get_conversations(p_athlete_id uuid) returns setof public.conversations
language sql stable security definer set search_path = '' as $$
    select c.* from public.conversations as c
    where c.athlete_id = p_athlete_id and c.athlete_id = (select public.current_athlete_id())
$$;
