-- Supabase Auth's schema as the platform has it today: every table, enum, constraint and index
-- that Supabase Auth's own migrations leave behind (supabase/auth migrations/ up to
-- 20260625000000), written as one final state. Owned by supabase_auth_admin, RLS enabled and no
-- policy, no privilege for the API roles (a policy that reads auth.users fails with "permission
-- denied for table users", exactly as on Supabase); postgres and dashboard_user hold all
-- privileges. auth.schema_migrations lists Supabase Auth's versions, so the schema reads as
-- migrated. Every statement is idempotent: it upgrades layer v1 (auth.users only) in place.
create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;
-- The owner of auth.users needs the schema too: foreign-key checks against auth.users run as it.
grant all on schema auth to supabase_auth_admin;
grant usage on schema auth to dashboard_user, supabase_realtime_admin;
grant create on schema auth to dashboard_user;

do $$
begin
    if to_regtype('auth.aal_level') is null then
        create type auth.aal_level as enum ('aal1', 'aal2', 'aal3');
    end if;
    if to_regtype('auth.code_challenge_method') is null then
        create type auth.code_challenge_method as enum ('s256', 'plain');
    end if;
    if to_regtype('auth.factor_status') is null then
        create type auth.factor_status as enum ('unverified', 'verified');
    end if;
    if to_regtype('auth.factor_type') is null then
        create type auth.factor_type as enum ('totp', 'webauthn', 'phone');
    end if;
    if to_regtype('auth.oauth_authorization_status') is null then
        create type auth.oauth_authorization_status as enum ('pending', 'approved', 'denied', 'expired');
    end if;
    if to_regtype('auth.oauth_client_type') is null then
        create type auth.oauth_client_type as enum ('public', 'confidential');
    end if;
    if to_regtype('auth.oauth_registration_type') is null then
        create type auth.oauth_registration_type as enum ('dynamic', 'manual');
    end if;
    if to_regtype('auth.oauth_response_type') is null then
        create type auth.oauth_response_type as enum ('code');
    end if;
    if to_regtype('auth.one_time_token_type') is null then
        create type auth.one_time_token_type as enum ('confirmation_token', 'reauthentication_token', 'recovery_token', 'email_change_token_new', 'email_change_token_current', 'phone_change_token');
    end if;
end
$$;

create table if not exists auth.audit_log_entries (
    instance_id uuid,
    id uuid not null,
    payload json,
    created_at timestamp with time zone,
    ip_address character varying(64) default ''::character varying not null,
    constraint audit_log_entries_pkey primary key (id)
);
create index if not exists audit_logs_instance_id_idx on auth.audit_log_entries (instance_id);
alter table auth.audit_log_entries enable row level security;
comment on table auth.audit_log_entries is 'One row per Supabase Auth event (sign-in, sign-up, token refresh...).';

create table if not exists auth.custom_oauth_providers (
    id uuid default gen_random_uuid() not null,
    provider_type text not null,
    identifier text not null,
    name text not null,
    client_id text not null,
    client_secret text not null,
    acceptable_client_ids text[] default '{}'::text[] not null,
    scopes text[] default '{}'::text[] not null,
    pkce_enabled boolean default true not null,
    attribute_mapping jsonb default '{}'::jsonb not null,
    authorization_params jsonb default '{}'::jsonb not null,
    enabled boolean default true not null,
    email_optional boolean default false not null,
    issuer text,
    discovery_url text,
    skip_nonce_check boolean default false not null,
    cached_discovery jsonb,
    discovery_cached_at timestamp with time zone,
    authorization_url text,
    token_url text,
    userinfo_url text,
    jwks_uri text,
    created_at timestamp with time zone default now() not null,
    updated_at timestamp with time zone default now() not null,
    custom_claims_allowlist text[] default '{}'::text[] not null,
    constraint custom_oauth_providers_pkey primary key (id),
    constraint custom_oauth_providers_identifier_key unique (identifier),
    constraint custom_oauth_providers_authorization_url_https check (
        ((authorization_url is null) or (authorization_url ~~ 'https://%'::text))
    ),
    constraint custom_oauth_providers_authorization_url_length check (
        ((authorization_url is null) or (char_length(authorization_url) <= 2048))
    ),
    constraint custom_oauth_providers_client_id_length check (
        ((char_length(client_id) >= 1) and (char_length(client_id) <= 512))
    ),
    constraint custom_oauth_providers_discovery_url_length check (
        ((discovery_url is null) or (char_length(discovery_url) <= 2048))
    ),
    constraint custom_oauth_providers_identifier_format check (
        (identifier ~ '^[a-z0-9][a-z0-9:-]{0,48}[a-z0-9]$'::text)
    ),
    constraint custom_oauth_providers_issuer_length check (
        ((issuer is null) or ((char_length(issuer) >= 1) and (char_length(issuer) <= 2048)))
    ),
    constraint custom_oauth_providers_jwks_uri_https check (((jwks_uri is null) or (jwks_uri ~~ 'https://%'::text))),
    constraint custom_oauth_providers_jwks_uri_length check (((jwks_uri is null) or (char_length(jwks_uri) <= 2048))),
    constraint custom_oauth_providers_name_length check (((char_length(name) >= 1) and (char_length(name) <= 100))),
    constraint custom_oauth_providers_oauth2_requires_endpoints check (
        (
            (provider_type <> 'oauth2'::text)
            or ((authorization_url is not null) and (token_url is not null) and (userinfo_url is not null))
        )
    ),
    constraint custom_oauth_providers_oidc_discovery_url_https check (
        ((provider_type <> 'oidc'::text) or (discovery_url is null) or (discovery_url ~~ 'https://%'::text))
    ),
    constraint custom_oauth_providers_oidc_issuer_https check (
        ((provider_type <> 'oidc'::text) or (issuer is null) or (issuer ~~ 'https://%'::text))
    ),
    constraint custom_oauth_providers_oidc_requires_issuer check (
        ((provider_type <> 'oidc'::text) or (issuer is not null))
    ),
    constraint custom_oauth_providers_provider_type_check check (
        (provider_type = any(array['oauth2'::text, 'oidc'::text]))
    ),
    constraint custom_oauth_providers_token_url_https check (((token_url is null) or (token_url ~~ 'https://%'::text))),
    constraint custom_oauth_providers_token_url_length check (
        ((token_url is null) or (char_length(token_url) <= 2048))
    ),
    constraint custom_oauth_providers_userinfo_url_https check (
        ((userinfo_url is null) or (userinfo_url ~~ 'https://%'::text))
    ),
    constraint custom_oauth_providers_userinfo_url_length check (
        ((userinfo_url is null) or (char_length(userinfo_url) <= 2048))
    )
);
create index if not exists custom_oauth_providers_created_at_idx on auth.custom_oauth_providers (created_at);
create index if not exists custom_oauth_providers_enabled_idx on auth.custom_oauth_providers (enabled);
create index if not exists custom_oauth_providers_identifier_idx on auth.custom_oauth_providers (identifier);
create index if not exists custom_oauth_providers_provider_type_idx on auth.custom_oauth_providers (provider_type);

create table if not exists auth.flow_state (
    id uuid not null,
    user_id uuid,
    auth_code text,
    code_challenge_method auth.code_challenge_method,
    code_challenge text,
    provider_type text not null,
    provider_access_token text,
    provider_refresh_token text,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    authentication_method text not null,
    auth_code_issued_at timestamp with time zone,
    invite_token text,
    referrer text,
    oauth_client_state_id uuid,
    linking_target_id uuid,
    email_optional boolean default false not null,
    constraint flow_state_pkey primary key (id)
);
create index if not exists flow_state_created_at_idx on auth.flow_state (created_at desc);
create index if not exists idx_auth_code on auth.flow_state (auth_code);
create index if not exists idx_user_id_auth_method on auth.flow_state (user_id, authentication_method);
alter table auth.flow_state enable row level security;
comment on table auth.flow_state is 'One row per OAuth, SSO or PKCE sign-in in progress.';

create table if not exists auth.users (
    instance_id uuid,
    id uuid not null,
    aud character varying(255),
    role character varying(255),
    email character varying(255),
    encrypted_password character varying(255),
    email_confirmed_at timestamp with time zone,
    invited_at timestamp with time zone,
    confirmation_token character varying(255),
    confirmation_sent_at timestamp with time zone,
    recovery_token character varying(255),
    recovery_sent_at timestamp with time zone,
    email_change_token_new character varying(255),
    email_change character varying(255),
    email_change_sent_at timestamp with time zone,
    last_sign_in_at timestamp with time zone,
    raw_app_meta_data jsonb,
    raw_user_meta_data jsonb,
    is_super_admin boolean,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    phone text default null::character varying,
    phone_confirmed_at timestamp with time zone,
    phone_change text default ''::character varying,
    phone_change_token character varying(255) default ''::character varying,
    phone_change_sent_at timestamp with time zone,
    confirmed_at timestamp with time zone generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
    email_change_token_current character varying(255) default ''::character varying,
    email_change_confirm_status smallint default 0,
    banned_until timestamp with time zone,
    reauthentication_token character varying(255) default ''::character varying,
    reauthentication_sent_at timestamp with time zone,
    is_sso_user boolean default false not null,
    deleted_at timestamp with time zone,
    is_anonymous boolean default false not null,
    constraint users_pkey primary key (id),
    constraint users_phone_key unique (phone),
    constraint users_email_change_confirm_status_check check (
        ((email_change_confirm_status >= 0) and (email_change_confirm_status <= 2))
    )
);
create index if not exists users_instance_id_email_idx on auth.users (instance_id, lower((email)::text));
create index if not exists users_instance_id_idx on auth.users (instance_id);
create index if not exists users_is_anonymous_idx on auth.users (is_anonymous);
-- Layer v1 created these two columns with text defaults; Supabase's are varchar literals.
alter table auth.users alter column phone set default null::character varying;
alter table auth.users alter column phone_change set default ''::character varying;
create unique index if not exists confirmation_token_idx on auth.users (confirmation_token) where (
    (confirmation_token)::text !~ '^[0-9 ]*$'::text
);
create unique index if not exists email_change_token_current_idx on auth.users (email_change_token_current) where (
    (email_change_token_current)::text !~ '^[0-9 ]*$'::text
);
create unique index if not exists email_change_token_new_idx on auth.users (email_change_token_new) where (
    (email_change_token_new)::text !~ '^[0-9 ]*$'::text
);
create unique index if not exists reauthentication_token_idx on auth.users (reauthentication_token) where (
    (reauthentication_token)::text !~ '^[0-9 ]*$'::text
);
create unique index if not exists recovery_token_idx on auth.users (recovery_token) where (
    (recovery_token)::text !~ '^[0-9 ]*$'::text
);
create unique index if not exists users_email_partial_key on auth.users (email) where (is_sso_user = false);
alter table auth.users enable row level security;
comment on table auth.users is 'One row per user account (Supabase Auth).';
comment on column auth.users.is_sso_user is
'True for accounts created through SSO, which may share an email with another account.';

create table if not exists auth.identities (
    provider_id text not null,
    user_id uuid not null,
    identity_data jsonb not null,
    provider text not null,
    last_sign_in_at timestamp with time zone,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    email text generated always as (lower((identity_data ->> 'email'::text))) stored,
    id uuid default gen_random_uuid() not null,
    constraint identities_pkey primary key (id),
    constraint identities_provider_id_provider_unique unique (provider_id, provider),
    constraint identities_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade
);
create index if not exists identities_email_idx on auth.identities (email text_pattern_ops);
create index if not exists identities_user_id_idx on auth.identities (user_id);
alter table auth.identities enable row level security;
comment on table auth.identities is 'One row per way a user signs in (email, phone, an OAuth provider).';
comment on column auth.identities.email is 'Generated: the lower-cased email of identity_data, when it has one.';

create table if not exists auth.instances (
    id uuid not null,
    uuid uuid,
    raw_base_config text,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    constraint instances_pkey primary key (id)
);
alter table auth.instances enable row level security;
comment on table auth.instances is 'Legacy multi-site table of Supabase Auth; unused by current versions.';

create table if not exists auth.oauth_clients (
    id uuid not null,
    client_secret_hash text,
    registration_type auth.oauth_registration_type not null,
    redirect_uris text not null,
    grant_types text not null,
    client_name text,
    client_uri text,
    logo_uri text,
    created_at timestamp with time zone default now() not null,
    updated_at timestamp with time zone default now() not null,
    deleted_at timestamp with time zone,
    client_type auth.oauth_client_type default 'confidential'::auth.oauth_client_type not null,
    token_endpoint_auth_method text not null,
    constraint oauth_clients_pkey primary key (id),
    constraint oauth_clients_client_name_length check ((char_length(client_name) <= 1024)),
    constraint oauth_clients_client_uri_length check ((char_length(client_uri) <= 2048)),
    constraint oauth_clients_logo_uri_length check ((char_length(logo_uri) <= 2048)),
    constraint oauth_clients_token_endpoint_auth_method_check check (
        (token_endpoint_auth_method = any(array['client_secret_basic'::text, 'client_secret_post'::text, 'none'::text]))
    )
);
create index if not exists oauth_clients_deleted_at_idx on auth.oauth_clients (deleted_at);

create table if not exists auth.sessions (
    id uuid not null,
    user_id uuid not null,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    factor_id uuid,
    aal auth.aal_level,
    not_after timestamp with time zone,
    refreshed_at timestamp without time zone,
    user_agent text,
    ip inet,
    tag text,
    oauth_client_id uuid,
    refresh_token_hmac_key text,
    refresh_token_counter bigint,
    scopes text,
    constraint sessions_pkey primary key (id),
    constraint sessions_scopes_length check ((char_length(scopes) <= 4096)),
    constraint sessions_oauth_client_id_fkey foreign key (oauth_client_id) references auth.oauth_clients (
        id
    ) on delete cascade,
    constraint sessions_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade
);
create index if not exists sessions_not_after_idx on auth.sessions (not_after desc);
create index if not exists sessions_oauth_client_id_idx on auth.sessions (oauth_client_id);
create index if not exists sessions_user_id_idx on auth.sessions (user_id);
create index if not exists user_id_created_at_idx on auth.sessions (user_id, created_at);
alter table auth.sessions enable row level security;
comment on table auth.sessions is 'One row per signed-in session of a user.';
comment on column auth.sessions.not_after is 'When set, the session counts as expired after this time.';
comment on column auth.sessions.refresh_token_hmac_key is
'Per-session key that signs its refresh tokens (HMAC-SHA256).';
comment on column auth.sessions.refresh_token_counter is
'Counter of the most recent refresh token issued for the session.';

create table if not exists auth.mfa_amr_claims (
    session_id uuid not null,
    created_at timestamp with time zone not null,
    updated_at timestamp with time zone not null,
    authentication_method text not null,
    id uuid not null,
    constraint amr_id_pk primary key (id),
    constraint mfa_amr_claims_session_id_authentication_method_pkey unique (session_id, authentication_method),
    constraint mfa_amr_claims_session_id_fkey foreign key (session_id) references auth.sessions (id) on delete cascade
);
alter table auth.mfa_amr_claims enable row level security;
comment on table auth.mfa_amr_claims is 'Authentication methods (amr claim) each session has completed.';

create table if not exists auth.mfa_factors (
    id uuid not null,
    user_id uuid not null,
    friendly_name text,
    factor_type auth.factor_type not null,
    status auth.factor_status not null,
    created_at timestamp with time zone not null,
    updated_at timestamp with time zone not null,
    secret text,
    phone text,
    last_challenged_at timestamp with time zone,
    web_authn_credential jsonb,
    web_authn_aaguid uuid,
    last_webauthn_challenge_data jsonb,
    constraint mfa_factors_pkey primary key (id),
    constraint mfa_factors_last_challenged_at_key unique (last_challenged_at),
    constraint mfa_factors_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade
);
create index if not exists factor_id_created_at_idx on auth.mfa_factors (user_id, created_at);
create index if not exists mfa_factors_user_id_idx on auth.mfa_factors (user_id);
create unique index if not exists mfa_factors_user_friendly_name_unique on auth.mfa_factors (
    friendly_name, user_id
) where (trim(both from friendly_name) <> ''::text);
create unique index if not exists unique_phone_factor_per_user on auth.mfa_factors (user_id, phone);
alter table auth.mfa_factors enable row level security;
comment on table auth.mfa_factors is 'One row per MFA factor (TOTP, phone, WebAuthn) of a user.';
comment on column auth.mfa_factors.last_webauthn_challenge_data is 'The most recent WebAuthn challenge of this factor.';

create table if not exists auth.mfa_challenges (
    id uuid not null,
    factor_id uuid not null,
    created_at timestamp with time zone not null,
    verified_at timestamp with time zone,
    ip_address inet not null,
    otp_code text,
    web_authn_session_data jsonb,
    constraint mfa_challenges_pkey primary key (id),
    constraint mfa_challenges_auth_factor_id_fkey foreign key (factor_id) references auth.mfa_factors (
        id
    ) on delete cascade
);
create index if not exists mfa_challenge_created_at_idx on auth.mfa_challenges (created_at desc);
alter table auth.mfa_challenges enable row level security;
comment on table auth.mfa_challenges is 'One row per MFA challenge issued for a factor.';

create table if not exists auth.oauth_authorizations (
    id uuid not null,
    authorization_id text not null,
    client_id uuid not null,
    user_id uuid,
    redirect_uri text not null,
    scope text not null,
    state text,
    resource text,
    code_challenge text,
    code_challenge_method auth.code_challenge_method,
    response_type auth.oauth_response_type default 'code'::auth.oauth_response_type not null,
    status auth.oauth_authorization_status default 'pending'::auth.oauth_authorization_status not null,
    authorization_code text,
    created_at timestamp with time zone default now() not null,
    expires_at timestamp with time zone default (now() + '00:03:00'::interval) not null,
    approved_at timestamp with time zone,
    nonce text,
    constraint oauth_authorizations_pkey primary key (id),
    constraint oauth_authorizations_authorization_code_key unique (authorization_code),
    constraint oauth_authorizations_authorization_id_key unique (authorization_id),
    constraint oauth_authorizations_authorization_code_length check ((char_length(authorization_code) <= 255)),
    constraint oauth_authorizations_code_challenge_length check ((char_length(code_challenge) <= 128)),
    constraint oauth_authorizations_expires_at_future check ((expires_at > created_at)),
    constraint oauth_authorizations_nonce_length check ((char_length(nonce) <= 255)),
    constraint oauth_authorizations_redirect_uri_length check ((char_length(redirect_uri) <= 2048)),
    constraint oauth_authorizations_resource_length check ((char_length(resource) <= 2048)),
    constraint oauth_authorizations_scope_length check ((char_length(scope) <= 4096)),
    constraint oauth_authorizations_state_length check ((char_length(state) <= 4096)),
    constraint oauth_authorizations_client_id_fkey foreign key (client_id) references auth.oauth_clients (
        id
    ) on delete cascade,
    constraint oauth_authorizations_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade
);
create index if not exists oauth_auth_pending_exp_idx on auth.oauth_authorizations (expires_at) where (
    status = 'pending'::auth.oauth_authorization_status
);

create table if not exists auth.oauth_client_states (
    id uuid not null,
    provider_type text not null,
    code_verifier text,
    created_at timestamp with time zone not null,
    constraint oauth_client_states_pkey primary key (id)
);
create index if not exists idx_oauth_client_states_created_at on auth.oauth_client_states (created_at);
comment on table auth.oauth_client_states is
'State of sign-ins where Supabase Auth is the client of a third-party OAuth provider.';

create table if not exists auth.oauth_consents (
    id uuid not null,
    user_id uuid not null,
    client_id uuid not null,
    scopes text not null,
    granted_at timestamp with time zone default now() not null,
    revoked_at timestamp with time zone,
    constraint oauth_consents_pkey primary key (id),
    constraint oauth_consents_user_client_unique unique (user_id, client_id),
    constraint oauth_consents_revoked_after_granted check (((revoked_at is null) or (revoked_at >= granted_at))),
    constraint oauth_consents_scopes_length check ((char_length(scopes) <= 2048)),
    constraint oauth_consents_scopes_not_empty check ((char_length(trim(both from scopes)) > 0)),
    constraint oauth_consents_client_id_fkey foreign key (client_id) references auth.oauth_clients (
        id
    ) on delete cascade,
    constraint oauth_consents_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade
);
create index if not exists oauth_consents_active_client_idx on auth.oauth_consents (client_id) where (
    revoked_at is null
);
create index if not exists oauth_consents_active_user_client_idx on auth.oauth_consents (user_id, client_id) where (
    revoked_at is null
);
create index if not exists oauth_consents_user_order_idx on auth.oauth_consents (user_id, granted_at desc);

create table if not exists auth.one_time_tokens (
    id uuid not null,
    user_id uuid not null,
    token_type auth.one_time_token_type not null,
    token_hash text not null,
    relates_to text not null,
    created_at timestamp without time zone default now() not null,
    updated_at timestamp without time zone default now() not null,
    constraint one_time_tokens_pkey primary key (id),
    constraint one_time_tokens_token_hash_check check ((char_length(token_hash) > 0)),
    constraint one_time_tokens_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade
);
create index if not exists one_time_tokens_relates_to_hash_idx on auth.one_time_tokens using hash (relates_to);
create index if not exists one_time_tokens_token_hash_hash_idx on auth.one_time_tokens using hash (token_hash);
create unique index if not exists one_time_tokens_user_id_token_type_key on auth.one_time_tokens (user_id, token_type);
alter table auth.one_time_tokens enable row level security;

create table if not exists auth.refresh_tokens (
    instance_id uuid,
    id bigserial,
    token character varying(255),
    user_id character varying(255),
    revoked boolean,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    parent character varying(255),
    session_id uuid,
    constraint refresh_tokens_pkey primary key (id),
    constraint refresh_tokens_token_unique unique (token),
    constraint refresh_tokens_session_id_fkey foreign key (session_id) references auth.sessions (id) on delete cascade
);
create index if not exists refresh_tokens_instance_id_idx on auth.refresh_tokens (instance_id);
create index if not exists refresh_tokens_instance_id_user_id_idx on auth.refresh_tokens (instance_id, user_id);
create index if not exists refresh_tokens_parent_idx on auth.refresh_tokens (parent);
create index if not exists refresh_tokens_session_id_revoked_idx on auth.refresh_tokens (session_id, revoked);
create index if not exists refresh_tokens_updated_at_idx on auth.refresh_tokens (updated_at desc);
alter table auth.refresh_tokens enable row level security;
comment on table auth.refresh_tokens is 'Refresh tokens issued to sessions (legacy format).';

create table if not exists auth.sso_providers (
    id uuid not null,
    resource_id text,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    disabled boolean,
    constraint sso_providers_pkey primary key (id),
    constraint "resource_id not empty" check ( -- noqa: RF05
        ((resource_id = null::text) or (char_length(resource_id) > 0))
    )
);
create index if not exists sso_providers_resource_id_pattern_idx on auth.sso_providers (resource_id text_pattern_ops);
create unique index if not exists sso_providers_resource_id_idx on auth.sso_providers (lower(resource_id));
alter table auth.sso_providers enable row level security;
comment on table auth.sso_providers is 'One row per SSO identity provider; SAML details are in auth.saml_providers.';
comment on column auth.sso_providers.resource_id is
'Optional user-chosen, case-insensitive unique name of the provider.';

create table if not exists auth.saml_providers (
    id uuid not null,
    sso_provider_id uuid not null,
    entity_id text not null,
    metadata_xml text not null,
    metadata_url text,
    attribute_mapping jsonb,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    name_id_format text,
    constraint saml_providers_pkey primary key (id),
    constraint saml_providers_entity_id_key unique (entity_id),
    constraint "entity_id not empty" check ((char_length(entity_id) > 0)), -- noqa: RF05
    constraint "metadata_url not empty" check ( -- noqa: RF05
        ((metadata_url = null::text) or (char_length(metadata_url) > 0))
    ),
    constraint "metadata_xml not empty" check ((char_length(metadata_xml) > 0)), -- noqa: RF05
    constraint saml_providers_sso_provider_id_fkey foreign key (sso_provider_id) references auth.sso_providers (
        id
    ) on delete cascade
);
create index if not exists saml_providers_sso_provider_id_idx on auth.saml_providers (sso_provider_id);
alter table auth.saml_providers enable row level security;
comment on table auth.saml_providers is 'SAML connection details of an SSO provider.';

create table if not exists auth.saml_relay_states (
    id uuid not null,
    sso_provider_id uuid not null,
    request_id text not null,
    for_email text,
    redirect_to text,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    flow_state_id uuid,
    constraint saml_relay_states_pkey primary key (id),
    constraint "request_id not empty" check ((char_length(request_id) > 0)), -- noqa: RF05
    constraint saml_relay_states_flow_state_id_fkey foreign key (flow_state_id) references auth.flow_state (
        id
    ) on delete cascade,
    constraint saml_relay_states_sso_provider_id_fkey foreign key (sso_provider_id) references auth.sso_providers (
        id
    ) on delete cascade
);
create index if not exists saml_relay_states_created_at_idx on auth.saml_relay_states (created_at desc);
create index if not exists saml_relay_states_for_email_idx on auth.saml_relay_states (for_email);
create index if not exists saml_relay_states_sso_provider_id_idx on auth.saml_relay_states (sso_provider_id);
alter table auth.saml_relay_states enable row level security;
comment on table auth.saml_relay_states is 'Relay state of a SAML sign-in started by Supabase Auth.';

create table if not exists auth.schema_migrations (
    version character varying(255) not null,
    constraint schema_migrations_pkey primary key (version)
);
alter table auth.schema_migrations enable row level security;
comment on table auth.schema_migrations is 'Supabase Auth''s migration history.';

create table if not exists auth.sso_domains (
    id uuid not null,
    sso_provider_id uuid not null,
    domain text not null,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    constraint sso_domains_pkey primary key (id),
    constraint "domain not empty" check ((char_length(domain) > 0)), -- noqa: RF05
    constraint sso_domains_sso_provider_id_fkey foreign key (sso_provider_id) references auth.sso_providers (
        id
    ) on delete cascade
);
create index if not exists sso_domains_sso_provider_id_idx on auth.sso_domains (sso_provider_id);
create unique index if not exists sso_domains_domain_idx on auth.sso_domains (lower(domain));
alter table auth.sso_domains enable row level security;
comment on table auth.sso_domains is 'Email domains that sign in through an SSO provider.';

create table if not exists auth.webauthn_challenges (
    id uuid default gen_random_uuid() not null,
    user_id uuid,
    challenge_type text not null,
    session_data jsonb not null,
    created_at timestamp with time zone default now() not null,
    expires_at timestamp with time zone not null,
    constraint webauthn_challenges_pkey primary key (id),
    constraint webauthn_challenges_challenge_type_check check (
        (challenge_type = any(array['signup'::text, 'registration'::text, 'authentication'::text]))
    ),
    constraint webauthn_challenges_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade
);
create index if not exists webauthn_challenges_expires_at_idx on auth.webauthn_challenges (expires_at);
create index if not exists webauthn_challenges_user_id_idx on auth.webauthn_challenges (user_id);

create table if not exists auth.webauthn_credentials (
    id uuid default gen_random_uuid() not null,
    user_id uuid not null,
    credential_id bytea not null,
    public_key bytea not null,
    attestation_type text default ''::text not null,
    aaguid uuid,
    sign_count bigint default 0 not null,
    transports jsonb default '[]'::jsonb not null,
    backup_eligible boolean default false not null,
    backed_up boolean default false not null,
    friendly_name text default ''::text not null,
    created_at timestamp with time zone default now() not null,
    updated_at timestamp with time zone default now() not null,
    last_used_at timestamp with time zone,
    constraint webauthn_credentials_pkey primary key (id),
    constraint webauthn_credentials_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade
);
create index if not exists webauthn_credentials_user_id_idx on auth.webauthn_credentials (user_id);
create unique index if not exists webauthn_credentials_credential_id_key on auth.webauthn_credentials (credential_id);

-- Request identity. PostgREST puts the verified JWT's claims in request.jwt.claims; older
-- PostgREST versions set one request.jwt.claim.<name> setting per claim. Like Supabase's own
-- definitions, the legacy per-claim setting is read first, and an empty setting counts as unset.
create or replace function auth.uid()
returns uuid
language sql
stable
set search_path = ''
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim.sub', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
    )::uuid
$$;

create or replace function auth.role()
returns text
language sql
stable
set search_path = ''
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim.role', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
    )::text
$$;

create or replace function auth.email()
returns text
language sql
stable
set search_path = ''
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim.email', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
    )::text
$$;

create or replace function auth.jwt()
returns jsonb
language sql
stable
set search_path = ''
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$$;

comment on function auth.uid() is 'The signed-in user''s id: the sub claim of the request JWT, or null.';
comment on function auth.role() is 'The role claim of the request JWT (anon, authenticated, service_role), or null.';
comment on function auth.email() is 'The email claim of the request JWT, or null.';
comment on function auth.jwt() is 'All claims of the request JWT as jsonb, or null outside a request.';

-- Supabase Auth's migration history: the image's legacy versions and every migration of
-- supabase/auth up to 20260625000000, so tools that read it see a migrated Auth schema.
insert into auth.schema_migrations (version) values
('00'), ('20171026211738'), ('20171026211808'), ('20171026211834'), ('20180103212743'),
('20180108183307'), ('20180119214651'), ('20180125194653'), ('20210710035447'), ('20210722035447'),
('20210730183235'), ('20210909172000'), ('20210927181326'), ('20211122151130'), ('20211124214934'),
('20211202183645'), ('20220114185221'), ('20220114185340'), ('20220224000811'), ('20220323170000'),
('20220429102000'), ('20220531120530'), ('20220614074223'), ('20220811173540'), ('20221003041349'),
('20221003041400'), ('20221011041400'), ('20221020193600'), ('20221021073300'), ('20221021082433'),
('20221027105023'), ('20221114143122'), ('20221114143410'), ('20221125140132'), ('20221208132122'),
('20221215195500'), ('20221215195800'), ('20221215195900'), ('20230116124310'), ('20230116124412'),
('20230131181311'), ('20230322519590'), ('20230402418590'), ('20230411005111'), ('20230508135423'),
('20230523124323'), ('20230818113222'), ('20230914180801'), ('20231027141322'), ('20231114161723'),
('20231117164230'), ('20240115144230'), ('20240214120130'), ('20240306115329'), ('20240314092811'),
('20240427152123'), ('20240612123726'), ('20240729123726'), ('20240802193726'), ('20240806073726'),
('20241009103726'), ('20250717082212'), ('20250731150234'), ('20250804100000'), ('20250901200500'),
('20250903112500'), ('20250904133000'), ('20250925093508'), ('20251007112900'), ('20251104100000'),
('20251111201300'), ('20251201000000'), ('20260115000000'), ('20260121000000'), ('20260219120000'),
('20260302000000'), ('20260625000000')
on conflict (version) do nothing;

-- Ownership and privileges as on Supabase: everything belongs to supabase_auth_admin; postgres
-- and dashboard_user may do anything except rewrite the history table; the API roles may only
-- call the functions.
do $$
declare
    rel record;
begin
    for rel in
        select c.oid::regclass as name
        from pg_catalog.pg_class as c
        where c.relnamespace = 'auth'::regnamespace and c.relkind in ('r', 'p', 'v')
    loop
        execute format('alter table %s owner to supabase_auth_admin', rel.name);
    end loop;
end
$$;

alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
alter function auth.jwt() owner to supabase_auth_admin;
alter type auth.aal_level owner to supabase_auth_admin;
alter type auth.code_challenge_method owner to supabase_auth_admin;
alter type auth.factor_status owner to supabase_auth_admin;
alter type auth.factor_type owner to supabase_auth_admin;
alter type auth.oauth_authorization_status owner to supabase_auth_admin;
alter type auth.oauth_client_type owner to supabase_auth_admin;
alter type auth.oauth_registration_type owner to supabase_auth_admin;
alter type auth.oauth_response_type owner to supabase_auth_admin;
alter type auth.one_time_token_type owner to supabase_auth_admin;

grant all on all tables in schema auth to postgres, dashboard_user;
grant all on all sequences in schema auth to postgres, dashboard_user;
grant all on all routines in schema auth to postgres, dashboard_user;
revoke all on auth.schema_migrations from postgres, dashboard_user;
grant execute on all functions in schema auth to supabase_realtime_admin;
alter default privileges for role supabase_auth_admin in schema auth grant all on tables to postgres, dashboard_user;
alter default privileges for role supabase_auth_admin in schema auth
grant all on sequences to postgres, dashboard_user;
alter default privileges for role supabase_auth_admin in schema auth
grant all on routines to postgres, dashboard_user;
