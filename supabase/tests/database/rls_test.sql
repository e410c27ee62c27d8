-- Every table the Data API exposes has RLS on and one policy per command; pgTAP reads the catalog.
begin;
select plan(20);

select tables_are(
    'public',
    array[
        'athletes', 'coach_links', 'constraints', 'conversation_messages', 'conversations', 'daily_checkins',
        'goals', 'idempotency_keys', 'methodologies', 'training_plans', 'workouts'
    ],
    'public holds exactly the Khepri tables'
);

select ok(c.relrowsecurity, format('RLS is on for public.%s', c.relname))
from pg_catalog.pg_class as c
where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
order by c.relname;

select policies_are(
    'public', 'athletes',
    array['athletes_select_owner', 'athletes_insert_owner', 'athletes_update_owner', 'athletes_delete_owner'],
    'athletes: one policy per command, for the owner'
);
select policy_roles_are('public'::name, 'athletes'::name, 'athletes_select_owner'::name, array['authenticated'::name]);
select policy_cmd_is('public'::name, 'athletes'::name, 'athletes_update_owner'::name, 'update'::text);

select policies_are(
    'public', 'idempotency_keys', array['idempotency_keys_select_owner'],
    'idempotency keys: read by their owner, written only by the RPCs'
);
select policies_are(
    'public', 'methodologies',
    array[
        'methodologies_select_signed_in', 'methodologies_insert_admin', 'methodologies_update_admin',
        'methodologies_delete_admin'
    ]
);

select function_privs_are(
    'public', 'finalize_onboarding', array['jsonb', 'jsonb', 'text', 'jsonb'], 'anon', array[]::text[],
    'anon may not call finalize_onboarding'
);
select function_privs_are(
    'public', 'finalize_onboarding', array['jsonb', 'jsonb', 'text', 'jsonb'], 'authenticated', array['EXECUTE'],
    'a signed-in user may call finalize_onboarding'
);
select isnt_definer(
    'public', 'finalize_onboarding', array['jsonb', 'jsonb', 'text', 'jsonb'],
    'finalize_onboarding is security invoker: RLS applies (its idempotency keys go through khepri_private)'
);

select finish();
rollback;
