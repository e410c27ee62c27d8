-- blocking_locks: a session waits on a lock another session holds.
-- The table below is the schema; the waiting is runtime state: the hook `_blocking_locks` in
-- tests/doctor/test_rules.py locks public.ledger in one session (`lock table ... in access
-- exclusive mode`, left open) and runs the update below in a second one, which waits.
-- expect: query="update public.ledger set amount = amount + 1 where id = 1"
create table public.ledger (id int primary key, amount int);
insert into public.ledger values (1, 0);

-- fixed: the hook commits the session holding the lock; the update goes through.
