-- khepri-db stand-in for pgsodium 3.1.8 (michelp/pgsodium as Supabase ships it): the roles, types,
-- the key table with its views and key management functions (create_key and the lookups work:
-- they only record key metadata), random bytes and SHA-2 hashes (exact). Every function that
-- needs libsodium's encryption, signing or key derivation raises 0A000.

do $$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'pgsodium_keyiduser') then
        create role pgsodium_keyiduser with nologin noinherit;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'pgsodium_keyholder') then
        create role pgsodium_keyholder with nologin noinherit;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'pgsodium_keymaker') then
        create role pgsodium_keymaker with nologin noinherit;
    end if;
end
$$;

grant pgsodium_keyiduser to pgsodium_keyholder;
grant pgsodium_keyholder to pgsodium_keymaker;

create type pgsodium.key_status as enum ('default', 'valid', 'invalid', 'expired');

create type pgsodium.key_type as enum (
    'aead-ietf', 'aead-det', 'hmacsha512', 'hmacsha256', 'auth', 'shorthash', 'generichash', 'kdf',
    'secretbox', 'secretstream', 'stream_xchacha20'
);

create type pgsodium._key_id_context as (key_id bigint, key_context bytea);

create type pgsodium.crypto_box_keypair as (public bytea, secret bytea);

create type pgsodium.crypto_sign_keypair as (public bytea, secret bytea);

create type pgsodium.crypto_kx_keypair as (public bytea, secret bytea);

create type pgsodium.crypto_kx_session as (rx bytea, tx bytea);

create sequence pgsodium.key_key_id_seq;

create table pgsodium.key (
    id uuid primary key default pg_catalog.gen_random_uuid(),
    status pgsodium.key_status default 'valid',
    created timestamptz not null default current_timestamp,
    expires timestamptz,
    key_type pgsodium.key_type,
    key_id bigint default pg_catalog.nextval('pgsodium.key_key_id_seq'),
    key_context bytea default '\x7067736f6469756d'::bytea,
    name text unique,
    associated_data text default 'associated',
    raw_key bytea,
    raw_key_nonce bytea,
    parent_key uuid references pgsodium.key (id),
    comment text,
    user_data text,
    constraint key_key_context_check check (pg_catalog.length(key_context) = 8),
    constraint pgsodium_raw check (
        case
            when raw_key is not null then key_id is null and key_context is null and parent_key is not null
            else key_id is not null and key_context is not null and parent_key is null
        end
    )
);

comment on table pgsodium.key is 'This table holds metadata for derived keys given a key_id and key_context. '
'The raw key is never stored.';

create index key_status_idx on pgsodium.key (status) where status in ('valid', 'default');

create unique index key_status_idx1 on pgsodium.key (status) where status = 'default';

create unique index pgsodium_key_unique_name on pgsodium.key (name);

create index key_key_id_key_context_key_type_idx on pgsodium.key (key_id, key_context, key_type);

select pg_catalog.pg_extension_config_dump('pgsodium.key', '');

grant select on pgsodium.key to pgsodium_keyiduser;
grant insert, update, delete on pgsodium.key to pgsodium_keymaker;

create view pgsodium.valid_key as
select
    k.id,
    k.name,
    k.status,
    k.key_type,
    k.key_id,
    k.key_context,
    k.created,
    k.expires,
    k.associated_data
from pgsodium.key as k
where
    k.status in ('valid', 'default')
    and case when k.expires is null then true else k.expires > pg_catalog.now() end;

grant select on pgsodium.valid_key to pgsodium_keyiduser;

-- The stand-in cannot decrypt raw keys: decrypted_raw_key is always null.
create view pgsodium.decrypted_key as
select
    k.id,
    k.status,
    k.created,
    k.expires,
    k.key_type,
    k.key_id,
    k.key_context,
    k.name,
    k.associated_data,
    k.raw_key,
    null::bytea as decrypted_raw_key,
    k.raw_key_nonce,
    k.parent_key,
    k.comment
from pgsodium.key as k;

grant select on pgsodium.decrypted_key to pgsodium_keyholder;

create function pgsodium._unsupported(function_name text)
returns void
language plpgsql
as $$
begin
    raise exception using
        errcode = '0A000',
        message = pg_catalog.format('pgsodium stand-in: %s needs libsodium, which khepri-db''s pgsodium lacks', function_name),
        hint = 'Use an engine with the real pgsodium (pytest --khepri-engine docker, or supabase start); '
        || 'for secrets, supabase_vault''s stand-in works locally.';
end
$$;

create function pgsodium.create_key(
    key_type pgsodium.key_type default 'aead-det',
    name text default null,
    raw_key bytea default null,
    raw_key_nonce bytea default null,
    parent_key uuid default null,
    key_context bytea default '\x7067736f6469756d'::bytea,
    expires timestamptz default null,
    associated_data text default ''
)
returns pgsodium.valid_key
language plpgsql
security definer
set search_path = ''
as $$
declare
    new_key pgsodium.key;
    valid_key pgsodium.valid_key;
begin
    if raw_key is not null then
        perform pgsodium._unsupported('create_key(raw_key => ...)');
    end if;
    insert into pgsodium.key (key_type, name, key_context, expires, associated_data)
    values (create_key.key_type, create_key.name, create_key.key_context, create_key.expires, create_key.associated_data)
    returning * into new_key;
    select * into valid_key from pgsodium.valid_key as v where v.id = new_key.id;
    return valid_key;
end
$$;

grant execute on function pgsodium.create_key(
    pgsodium.key_type, text, bytea, bytea, uuid, bytea, timestamptz, text
) to pgsodium_keymaker;

create function pgsodium.get_key_by_id(uuid)
returns pgsodium.valid_key
language sql
security definer
set search_path = ''
as $$
    select * from pgsodium.valid_key where id = $1
$$;

create function pgsodium.get_key_by_name(text)
returns pgsodium.valid_key
language sql
security definer
set search_path = ''
as $$
    select * from pgsodium.valid_key where name = $1
$$;

create function pgsodium.get_named_keys(filter text default '%')
returns setof pgsodium.valid_key
language sql
security definer
set search_path = ''
as $$
    select * from pgsodium.valid_key as vk where vk.name ilike filter
$$;

-- Exact without libsodium: random bytes and SHA-2.
create function pgsodium.randombytes_buf(size integer)
returns bytea
language sql
volatile
as $$
    select pg_catalog.substr(
        pg_catalog.decode(
            pg_catalog.string_agg(pg_catalog.replace(pg_catalog.gen_random_uuid()::text, '-', ''), ''), 'hex'
        ),
        1,
        size
    )
    from pg_catalog.generate_series(1, (size + 15) / 16)
$$;

create function pgsodium.randombytes_random()
returns integer
language sql
volatile
as $$
    select ('x' || pg_catalog.encode(pgsodium.randombytes_buf(4), 'hex'))::bit(32)::integer
$$;

create function pgsodium.randombytes_uniform(upper_bound integer)
returns integer
language sql
volatile
as $$
    select ((('x' || pg_catalog.encode(pgsodium.randombytes_buf(8), 'hex'))::bit(64)::bigint & 9223372036854775807)
        % upper_bound)::integer
$$;

create function pgsodium.crypto_hash_sha256(message bytea)
returns bytea
language sql
immutable strict
as $$
    select pg_catalog.sha256(message)
$$;

create function pgsodium.crypto_hash_sha512(message bytea)
returns bytea
language sql
immutable strict
as $$
    select pg_catalog.sha512(message)
$$;

-- Everything else needs libsodium.
create function pgsodium.crypto_aead_det_keygen()
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_aead_det_keygen');
    return null;
end
$$;

create function pgsodium.crypto_aead_det_noncegen()
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_aead_det_noncegen');
    return null;
end
$$;

create function pgsodium.crypto_aead_det_encrypt(message bytea, additional bytea, key bytea, nonce bytea default null)
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_aead_det_encrypt');
    return null;
end
$$;

create function pgsodium.crypto_aead_det_encrypt(
    message bytea, additional bytea, key_id bigint, context bytea default 'pgsodium', nonce bytea default null
)
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_aead_det_encrypt');
    return null;
end
$$;

create function pgsodium.crypto_aead_det_encrypt(message bytea, additional bytea, key_uuid uuid)
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_aead_det_encrypt');
    return null;
end
$$;

create function pgsodium.crypto_aead_det_encrypt(message bytea, additional bytea, key_uuid uuid, nonce bytea)
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_aead_det_encrypt');
    return null;
end
$$;

create function pgsodium.crypto_aead_det_decrypt(message bytea, additional bytea, key bytea, nonce bytea default null)
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_aead_det_decrypt');
    return null;
end
$$;

create function pgsodium.crypto_aead_det_decrypt(
    message bytea, additional bytea, key_id bigint, context bytea default 'pgsodium', nonce bytea default null
)
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_aead_det_decrypt');
    return null;
end
$$;

create function pgsodium.crypto_aead_det_decrypt(message bytea, additional bytea, key_uuid uuid)
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_aead_det_decrypt');
    return null;
end
$$;

create function pgsodium.crypto_aead_det_decrypt(message bytea, additional bytea, key_uuid uuid, nonce bytea)
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_aead_det_decrypt');
    return null;
end
$$;

create function pgsodium.crypto_aead_ietf_keygen()
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_aead_ietf_keygen');
    return null;
end
$$;

create function pgsodium.crypto_aead_ietf_noncegen()
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_aead_ietf_noncegen');
    return null;
end
$$;

create function pgsodium.crypto_aead_ietf_encrypt(message bytea, additional bytea, nonce bytea, key bytea)
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_aead_ietf_encrypt');
    return null;
end
$$;

create function pgsodium.crypto_aead_ietf_decrypt(message bytea, additional bytea, nonce bytea, key bytea)
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_aead_ietf_decrypt');
    return null;
end
$$;

create function pgsodium.crypto_secretbox_keygen()
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_secretbox_keygen');
    return null;
end
$$;

create function pgsodium.crypto_secretbox_noncegen()
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_secretbox_noncegen');
    return null;
end
$$;

create function pgsodium.crypto_secretbox(message bytea, nonce bytea, key bytea)
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_secretbox');
    return null;
end
$$;

create function pgsodium.crypto_secretbox_open(ciphertext bytea, nonce bytea, key bytea)
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_secretbox_open');
    return null;
end
$$;

create function pgsodium.crypto_box_new_keypair()
returns pgsodium.crypto_box_keypair
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_box_new_keypair');
    return null;
end
$$;

create function pgsodium.crypto_sign_new_keypair()
returns pgsodium.crypto_sign_keypair
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_sign_new_keypair');
    return null;
end
$$;

create function pgsodium.crypto_generichash(message bytea, key bytea default null)
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_generichash');
    return null;
end
$$;

create function pgsodium.crypto_pwhash_str(password bytea)
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_pwhash_str');
    return null;
end
$$;

create function pgsodium.crypto_pwhash_str_verify(hashed_password bytea, password bytea)
returns boolean
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_pwhash_str_verify');
    return null;
end
$$;

create function pgsodium.crypto_auth_hmacsha256(message bytea, secret bytea)
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_auth_hmacsha256');
    return null;
end
$$;

create function pgsodium.crypto_auth_hmacsha512(message bytea, secret bytea)
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('crypto_auth_hmacsha512');
    return null;
end
$$;

create function pgsodium.derive_key(key_id bigint, key_len integer default 32, context bytea default 'pgsodium')
returns bytea
language plpgsql
as $$
begin
    perform pgsodium._unsupported('derive_key');
    return null;
end
$$;
