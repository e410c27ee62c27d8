-- finalize_onboarding as PostgREST calls it: role authenticated and the user's JWT claims for the
-- transaction. The seeds' headline bug was an upsert with no unique index behind it: every call failed.
begin;
select plan(9);

insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data)
values
('a11ce000-0000-4000-8000-000000000001', 'authenticated', 'authenticated', 'alice@khepri.test', '{}', '{}'),
('b0b00000-0000-4000-8000-000000000002', 'authenticated', 'authenticated', 'bob@khepri.test', '{}', '{}');

-- Alice, signed in
set local role authenticated;
select set_config(
    'request.jwt.claims',
    '{"sub": "a11ce000-0000-4000-8000-000000000001", "role": "authenticated", "aud": "authenticated"}',
    true
);

create temporary table alice_onboarding on commit drop as
select public.finalize_onboarding('{"display_name": "Alice"}', null, 'onboarding-alice') as result;

select isnt((select result ->> 'athlete_id' from alice_onboarding), null, 'a new user finalizes onboarding');
select is(
    (select id::text from public.athletes),
    (select result ->> 'athlete_id' from alice_onboarding),
    'Alice sees her athlete row'
);
select is(
    public.finalize_onboarding('{"display_name": "Alice"}', null, 'onboarding-alice'),
    (select result from alice_onboarding),
    'a retry with the same key returns the first result, identical'
);
select is((select count(*)::int from public.athletes), 1, 'the retry made no second athlete');
select throws_ok(
    $$ select public.finalize_onboarding('{"display_name": ""}', null, 'onboarding-alice-2') $$,
    '23514',
    null,
    'an empty display name is refused, naming the field'
);

-- Bob, signed in: none of Alice's rows, and his own result for the same key
select set_config(
    'request.jwt.claims',
    '{"sub": "b0b00000-0000-4000-8000-000000000002", "role": "authenticated", "aud": "authenticated"}',
    true
);
select is_empty($$ select 1 from public.athletes $$, 'Bob sees none of Alice''s rows');
select isnt(
    public.finalize_onboarding('{"display_name": "Bob"}', null, 'onboarding-alice') ->> 'athlete_id',
    (select result ->> 'athlete_id' from alice_onboarding),
    'Bob gets an athlete of his own for the same idempotency key, never Alice''s'
);
select is((select count(*)::int from public.athletes), 1, 'Bob sees exactly his own athlete');

-- A visitor with the anon key
reset role;
set local role anon;
select set_config('request.jwt.claims', '{"role": "anon"}', true);
select throws_ok(
    $$ select public.finalize_onboarding('{"display_name": "Eve"}') $$,
    '42501',
    'permission denied for function finalize_onboarding',
    'anon cannot call finalize_onboarding'
);

select finish();
rollback;
