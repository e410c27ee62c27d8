-- Khepri schema: clients never choose or change a row's id, so ids cannot be probed.
--
-- With an id of its own choosing, a signed-in user could ask whether a row it cannot see exists:
-- an insert with another user's id answered 23505 (duplicate key) where a fresh id succeeded, and
-- an upsert onto it (PostgREST's Prefer: resolution=merge-duplicates, on conflict (id)) answered
-- 42501 (the hidden row fails the update policy) where a fresh id inserted. Ids are now always
-- the column default (gen_random_uuid()): authenticated may insert and update every column but
-- id, so any statement naming id is refused (42501, permission denied) whatever the id is.
-- service_role keeps every privilege.
--
-- A later migration that adds a column to one of these tables must grant insert and update on it
-- to authenticated (tests/test_schema.py checks that every column but id is granted).
do $$
declare
    v_table text;
    v_columns text;
begin
    foreach v_table in array array[
        'athletes', 'goals', 'constraints', 'daily_checkins', 'training_plans', 'workouts', 'methodologies',
        'conversations', 'conversation_messages'
    ] loop
        select string_agg(format('%I', a.attname), ', ' order by a.attnum)
        into v_columns
        from pg_catalog.pg_attribute as a
        where
            a.attrelid = pg_catalog.to_regclass(format('public.%I', v_table))
            and a.attnum > 0 and not a.attisdropped and a.attgenerated = '' and a.attname <> 'id';
        execute format('revoke insert, update on table public.%I from authenticated', v_table);
        execute format(
            'grant insert (%s), update (%s) on table public.%I to authenticated', v_columns, v_columns, v_table
        );
    end loop;
end;
$$;
