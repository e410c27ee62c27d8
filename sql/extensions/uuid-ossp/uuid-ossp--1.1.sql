-- uuid-ossp 1.1 stand-in for khepri-db's embedded engine (PostgreSQL 18 without libuuid).
-- Same functions, argument names, volatility and parallel safety as contrib's uuid-ossp 1.1, in SQL and
-- PL/pgSQL. Exact: the constants (RFC 4122 appendix C), v3 (MD5) and v5 (SHA-1) name-based UUIDs, v4.
-- v1 and v1mc are RFC 4122 time-based UUIDs from clock_timestamp(); see docs/extensions/uuid-ossp.md.
-- As in the real extension, only the public functions are executable by PUBLIC: the _uuid_ossp_*
-- helpers are revoked (end of file), and the public functions that call one are SECURITY DEFINER with
-- search_path = '' (their references are bound at creation; their own ACL stays the real one's).

create function uuid_nil()
returns uuid
language sql
immutable strict parallel safe
return '00000000-0000-0000-0000-000000000000'::uuid;

create function uuid_ns_dns()
returns uuid
language sql
immutable strict parallel safe
return '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::uuid;

create function uuid_ns_url()
returns uuid
language sql
immutable strict parallel safe
return '6ba7b811-9dad-11d1-80b4-00c04fd430c8'::uuid;

create function uuid_ns_oid()
returns uuid
language sql
immutable strict parallel safe
return '6ba7b812-9dad-11d1-80b4-00c04fd430c8'::uuid;

create function uuid_ns_x500()
returns uuid
language sql
immutable strict parallel safe
return '6ba7b814-9dad-11d1-80b4-00c04fd430c8'::uuid;

-- khepri-db include: sha1.sql as _uuid_ossp_sha1

-- RFC 4122 section 4.3: the hash of the namespace's 16 bytes and the name's bytes, with the version
-- nibble (byte 6) and the variant bits (byte 8) overwritten.
create function _uuid_ossp_from_hash(bytea, integer)
returns uuid
language sql
immutable strict parallel safe
return encode(
    set_byte(set_byte(substr($1, 1, 16), 6, (get_byte($1, 6) & 15) | ($2 << 4)), 8, (get_byte($1, 8) & 63) | 128),
    'hex'
)::uuid;

create function uuid_generate_v3(namespace uuid, name text)
returns uuid
language sql
immutable strict parallel safe
security definer
set search_path = ''
return _uuid_ossp_from_hash(decode(md5(uuid_send(namespace) || convert_to(name, getdatabaseencoding())), 'hex'), 3);

create function uuid_generate_v5(namespace uuid, name text)
returns uuid
language sql
immutable strict parallel safe
security definer
set search_path = ''
return _uuid_ossp_from_hash(_uuid_ossp_sha1(uuid_send(namespace) || convert_to(name, getdatabaseencoding())), 5);

create function uuid_generate_v4()
returns uuid
language sql
volatile strict parallel safe
return pg_catalog.gen_random_uuid();

-- RFC 4122 section 4.2: a 60-bit count of 100 ns since 1582-10-15 (from clock_timestamp(), microsecond
-- resolution), a 14-bit clock sequence and a 48-bit node. The server has no MAC address to offer, so,
-- as section 4.5 allows, each session draws a random node with the multicast bit set and a random clock
-- sequence, and remembers the last timestamp it used (setting khepri_uuid_ossp.v1_state): a timestamp
-- that is not later than the last one is bumped by one tick, so a session never repeats a UUID.
-- multicast = true gives v1mc: a fresh random node for every UUID, multicast and local bits set.
create function _uuid_ossp_v1(multicast boolean)
returns uuid
language plpgsql
volatile strict parallel restricted
set search_path = pg_catalog
as $$
declare
    state text[] := string_to_array(nullif(current_setting('khepri_uuid_ossp.v1_state', true), ''), ',');
    ts int8 := (extract(epoch from clock_timestamp()) * 10000000)::int8 + 122192928000000000;
    clock_seq integer;
    node bytea;
    random bytea := uuid_send(gen_random_uuid());
begin
    if state is null then
        clock_seq := ((get_byte(random, 0) << 8) | get_byte(random, 1)) & 16383;
        node := set_byte(substr(random, 10, 6), 0, get_byte(random, 9) | 1);
        state := array[ts::text, clock_seq::text, encode(node, 'hex')];
    elsif ts <= state[1]::int8 then
        ts := state[1]::int8 + 1;
    end if;
    clock_seq := state[2]::integer;
    node := decode(state[3], 'hex');
    if multicast then
        node := set_byte(substr(random, 2, 6), 0, get_byte(random, 1) | 3);
    end if;
    perform set_config('khepri_uuid_ossp.v1_state', concat_ws(',', ts, state[2], state[3]), false);
    return encode(
        substr(int8send(ts), 5, 4)
        || substr(int8send(ts), 3, 2)
        || int2send((((ts >> 48) & 4095) | 4096)::smallint)
        || int2send((((clock_seq & 16383) | 32768) - 65536)::smallint)
        || node,
        'hex'
    )::uuid;
end
$$;

create function uuid_generate_v1()
returns uuid
language sql
volatile strict parallel restricted
security definer
set search_path = ''
return _uuid_ossp_v1(false);

create function uuid_generate_v1mc()
returns uuid
language sql
volatile strict parallel restricted
security definer
set search_path = ''
return _uuid_ossp_v1(true);

revoke all on function _uuid_ossp_sha1(bytea) from public;
revoke all on function _uuid_ossp_from_hash(bytea, integer) from public;
revoke all on function _uuid_ossp_v1(boolean) from public;
