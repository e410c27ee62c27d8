-- insecure_queue_exposed_in_api: a Supabase Queues (pgmq) queue table without RLS while the
-- pgmq_public schema is exposed, so anyone with the anon key reads its messages. pgmq itself is
-- not installed: these are the tables it creates.
-- exposed_schemas: public, pgmq_public
-- expect: pgmq.q_emails
create schema pgmq;
create table pgmq.q_emails (msg_id bigint primary key, message jsonb);
grant usage on schema pgmq to anon, authenticated;
grant select on pgmq.q_emails to anon;
create schema pgmq_public;

-- fixed: enable RLS on the queue table.
alter table pgmq.q_emails enable row level security;
