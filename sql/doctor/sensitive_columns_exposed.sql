-- name: sensitive_columns_exposed
-- title: Sensitive Columns Exposed
-- level: ERROR
-- facing: EXTERNAL
-- categories: SECURITY
-- splinter: 0023
-- Same rule as Supabase's linter 0023 (tables without RLS in exposed schemas whose column names
-- suggest credentials, personal identifiers, payment or health data), with our own list of
-- names, matched as the whole column name or its last words (`reset_token`, `user_password`,
-- `stripe_secret_key`), exposure from khepri.exposed_schemas, and reachability through any of
-- SELECT, INSERT, UPDATE or DELETE (an exposed password column can be overwritten, too).
with patterns (pattern) as (
    select unnest(array[
        'password', 'passwd', 'password_hash', 'password_digest', 'pwd', 'passphrase', 'pin_code',
        'secret', 'client_secret', 'secret_key', 'private_key', 'signing_key', 'encryption_key', 'api_key',
        'apikey', 'access_key', 'token', 'access_token', 'refresh_token', 'id_token', 'auth_token',
        'session_token', 'bearer_token', 'session_id', 'otp', 'otp_secret', 'totp_secret', 'mfa_secret',
        'recovery_code', 'recovery_codes', 'backup_codes', 'verification_code', 'reset_code',
        'ssn', 'social_security_number', 'national_id', 'national_id_number', 'tax_id', 'passport_number',
        'drivers_license', 'driver_license_number', 'credit_card', 'credit_card_number', 'card_number', 'cvv',
        'cvc', 'iban', 'bank_account', 'bank_account_number', 'account_number', 'routing_number', 'swift',
        'medical_record', 'medical_record_number', 'health_record', 'diagnosis', 'insurance_number'
    ])
),

exposed_tables as (
    select
        c.oid,
        n.nspname as schema_name,
        c.relname as table_name
    from pg_catalog.pg_class as c
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where
        c.relkind in ('r', 'p')
        and not c.relispartition
        and not c.relrowsecurity
        and n.nspname = any(string_to_array(current_setting('khepri.exposed_schemas'), ','))
        and n.nspname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
        and exists (
            select 1 from pg_catalog.pg_roles as r
            where
                r.rolname in ('anon', 'authenticated')
                and pg_catalog.has_table_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, DELETE')
        )
),

matches as (
    select
        t.schema_name,
        t.table_name,
        a.attname::text as column_name,
        p.pattern
    from exposed_tables as t
    inner join pg_catalog.pg_attribute as a on t.oid = a.attrelid and a.attnum > 0 and not a.attisdropped
    inner join patterns as p
        on
            replace(lower(a.attname), '-', '_') = p.pattern
            or replace(lower(a.attname), '-', '_') like '%\_' || p.pattern
)

select
    'sensitive_columns_exposed' as name,
    'Sensitive Columns Exposed' as title,
    'ERROR' as level,
    'EXTERNAL' as facing,
    array['SECURITY'] as categories,
    'Detects tables the Data API exposes without row level security that hold columns named like '
    || 'credentials, personal identifiers, payment or health data: anyone with the anon key can read them.'
        as description,
    format(
        'Table `%s.%s` is exposed through the Data API without RLS and has sensitive-looking column(s): %s. '
        || 'Enable RLS with policies, or move those columns out of the exposed schema.',
        m.schema_name,
        m.table_name,
        string_agg(distinct m.column_name, ', ')
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0023_sensitive_columns_exposed' as remediation,
    jsonb_build_object(
        'schema', m.schema_name,
        'name', m.table_name,
        'type', 'table',
        'sensitive_columns', jsonb_agg(distinct m.column_name),
        'matched_patterns', jsonb_agg(distinct m.pattern)
    ) as metadata,
    format('sensitive_columns_exposed_%s_%s', m.schema_name, m.table_name) as cache_key
from matches as m
group by m.schema_name, m.table_name
order by m.schema_name, m.table_name
