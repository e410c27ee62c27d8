-- khepri-db stand-in for supabase_vault 0.3.1 (supabase/vault as Supabase ships it): vault.secrets,
-- vault.decrypted_secrets, vault.create_secret and vault.update_secret with Vault's signatures.
-- NOT ENCRYPTED: the secret column holds the secret base64-encoded (the shape of Vault's
-- ciphertext, readable by anyone who can read the table). For local development and tests only.

create function vault._crypto_aead_det_noncegen()
returns bytea
language sql
volatile
as $$
    select pg_catalog.decode(pg_catalog.replace(pg_catalog.gen_random_uuid()::text, '-', ''), 'hex')
$$;

-- The stand-in's "encryption": base64 of the UTF-8 text. Plaintext at rest.
create function vault._encode_secret(secret text)
returns text
language sql
immutable
as $$
    select pg_catalog.encode(pg_catalog.convert_to(secret, 'utf8'), 'base64')
$$;

create function vault._decode_secret(secret text)
returns text
language plpgsql
immutable
as $$
begin
    return pg_catalog.convert_from(pg_catalog.decode(secret, 'base64'), 'utf8');
exception
    when others then
        return null;  -- not written by create_secret/update_secret
end
$$;

create table vault.secrets (
    id uuid primary key default pg_catalog.gen_random_uuid(),
    name text,
    description text not null default '',
    secret text not null,
    key_id uuid,
    nonce bytea default vault._crypto_aead_det_noncegen(),
    created_at timestamptz not null default current_timestamp,
    updated_at timestamptz not null default current_timestamp
);

comment on table vault.secrets is
'Table with encrypted `secret` column for storing sensitive information on disk. khepri-db stand-in: NOT encrypted.';

create unique index secrets_name_idx on vault.secrets using btree (name) where name is not null;

create view vault.decrypted_secrets as
select
    s.id,
    s.name,
    s.description,
    s.secret,
    vault._decode_secret(s.secret) as decrypted_secret,
    s.key_id,
    s.nonce,
    s.created_at,
    s.updated_at
from vault.secrets as s;

create function vault.create_secret(
    new_secret text,
    new_name text default null,
    new_description text default '',
    new_key_id uuid default null  -- unused, as in Vault 0.3
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
    new_id uuid;
begin
    insert into vault.secrets (secret, name, description)
    values (vault._encode_secret(new_secret), new_name, new_description)
    returning id into new_id;
    return new_id;
end
$$;

create function vault.update_secret(
    secret_id uuid,
    new_secret text default null,
    new_name text default null,
    new_description text default null,
    new_key_id uuid default null  -- unused, as in Vault 0.3
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
    update vault.secrets as s
    set
        secret = case when new_secret is null then s.secret else vault._encode_secret(new_secret) end,
        name = coalesce(new_name, s.name),
        description = coalesce(new_description, s.description),
        updated_at = pg_catalog.now()
    where s.id = secret_id;
end
$$;

revoke all on function vault._crypto_aead_det_noncegen() from public;
revoke all on function vault.create_secret(text, text, text, uuid) from public;
revoke all on function vault.update_secret(uuid, text, text, text, uuid) from public;

select pg_catalog.pg_extension_config_dump('vault.secrets', '');
