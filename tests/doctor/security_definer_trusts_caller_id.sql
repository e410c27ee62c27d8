-- security_definer_trusts_caller_id: a SECURITY DEFINER RPC callable by anon that takes the
-- athlete id from its argument, so anyone reads any athlete's conversations; and one that takes the
-- user id with paging arguments: only the user id selects rows (page_size and page_number only
-- feed LIMIT and OFFSET, and are not reported).
-- expect: public.get_conversations argument=p_athlete_id
-- expect: public.conversations_page argument=p_user_id
-- level: ERROR
create function public.get_conversations(p_athlete_id uuid) returns setof public.conversations
language sql stable security definer set search_path = '' as $$
    select c.* from public.conversations as c where c.athlete_id = p_athlete_id
$$;
create function public.conversations_page(
    p_user_id uuid, page_size int, page_number int
) returns setof public.conversations
language sql stable security definer set search_path = '' as $$
    select c.* from public.conversations as c
    inner join public.athletes as a on c.athlete_id = a.id
    where a.auth_user_id = p_user_id
    order by c.created_at desc
    limit page_size offset (page_number - 1) * page_size
$$;

-- fixed: the functions also require the id to be the caller's own.
create or replace function public.get_conversations(p_athlete_id uuid) returns setof public.conversations
language sql stable security definer set search_path = '' as $$
    select c.* from public.conversations as c
    where c.athlete_id = p_athlete_id and c.athlete_id = (select public.current_athlete_id())
$$;
create or replace function public.conversations_page(
    p_user_id uuid, page_size int, page_number int
) returns setof public.conversations
language sql stable security definer set search_path = '' as $$
    select c.* from public.conversations as c
    inner join public.athletes as a on c.athlete_id = a.id
    where a.auth_user_id = p_user_id and p_user_id = (select auth.uid())
    order by c.created_at desc
    limit page_size offset (page_number - 1) * page_size
$$;
