-- Khepri schema, part 3: coach conversations and their messages.

create table public.conversations (
    id uuid primary key default gen_random_uuid(),
    athlete_id uuid not null references public.athletes (id) on delete cascade,
    title text,
    last_message_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint conversations_id_athlete_id_key unique (id, athlete_id),
    constraint conversations_title_length check (char_length(btrim(title)) between 1 and 200)
);

comment on table public.conversations is
'One row per conversation between an athlete and the AI coach.';
comment on column public.conversations.last_message_at is
'created_at of the newest message; kept by a trigger on conversation_messages.';

create index conversations_athlete_id_last_message_at_idx
on public.conversations (athlete_id, last_message_at desc);

create trigger conversations_set_updated_at
before update on public.conversations
for each row execute function public.set_updated_at();

alter table public.conversations enable row level security;

create policy conversations_select_owner on public.conversations
for select to authenticated
using (athlete_id = (select public.current_athlete_id()));

create policy conversations_insert_owner on public.conversations
for insert to authenticated
with check (athlete_id = (select public.current_athlete_id()));

create policy conversations_update_owner on public.conversations
for update to authenticated
using (athlete_id = (select public.current_athlete_id()))
with check (athlete_id = (select public.current_athlete_id()));

create policy conversations_delete_owner on public.conversations
for delete to authenticated
using (athlete_id = (select public.current_athlete_id()));

-- conversation_messages -------------------------------------------------------------------------

create table public.conversation_messages (
    id uuid primary key default gen_random_uuid(),
    conversation_id uuid not null,
    athlete_id uuid not null references public.athletes (id) on delete cascade,
    role text not null,
    content text not null,
    token_count integer,
    metadata jsonb not null default '{}'::jsonb,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint conversation_messages_conversation_fkey foreign key (conversation_id, athlete_id)
    references public.conversations (id, athlete_id) on delete cascade,
    constraint conversation_messages_role_check check (role in ('user', 'assistant', 'system')),
    constraint conversation_messages_content_length check (char_length(content) between 1 and 100000),
    constraint conversation_messages_token_count_check check (token_count >= 0),
    constraint conversation_messages_metadata_is_object check (jsonb_typeof(metadata) = 'object')
);

comment on table public.conversation_messages is
'One row per message of a conversation, from the athlete (user), the coach (assistant) or the system.';

create index conversation_messages_conversation_id_athlete_id_created_at_idx
on public.conversation_messages (conversation_id, athlete_id, created_at);
create index conversation_messages_athlete_id_idx on public.conversation_messages (athlete_id);

create trigger conversation_messages_set_updated_at
before update on public.conversation_messages
for each row execute function public.set_updated_at();

-- Keeps conversations.last_message_at equal to the newest message's created_at.
create or replace function public.touch_conversation_last_message_at()
returns trigger
language plpgsql
security invoker
set search_path = ''
as $$
begin
    update public.conversations as c
    set last_message_at = greatest(coalesce(c.last_message_at, new.created_at), new.created_at)
    where c.id = new.conversation_id;
    return new;
end;
$$;

comment on function public.touch_conversation_last_message_at() is
'Trigger function: after a message is inserted, moves its conversation''s last_message_at forward.';

revoke execute on function public.touch_conversation_last_message_at() from public, anon, authenticated;

create trigger conversation_messages_touch_conversation
after insert on public.conversation_messages
for each row execute function public.touch_conversation_last_message_at();

alter table public.conversation_messages enable row level security;

create policy conversation_messages_select_owner on public.conversation_messages
for select to authenticated
using (athlete_id = (select public.current_athlete_id()));

create policy conversation_messages_insert_owner on public.conversation_messages
for insert to authenticated
with check (athlete_id = (select public.current_athlete_id()));

create policy conversation_messages_update_owner on public.conversation_messages
for update to authenticated
using (athlete_id = (select public.current_athlete_id()))
with check (athlete_id = (select public.current_athlete_id()));

create policy conversation_messages_delete_owner on public.conversation_messages
for delete to authenticated
using (athlete_id = (select public.current_athlete_id()));

revoke all on table public.conversations, public.conversation_messages from anon;
revoke truncate, references, trigger on table public.conversations, public.conversation_messages
from authenticated;
