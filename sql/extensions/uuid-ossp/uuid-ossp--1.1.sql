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

create function _uuid_ossp_sha1(bytea)
returns bytea
language plpgsql
immutable strict parallel safe
as $$
declare
    msg bytea;
    w int8[] := array_fill(0::int8, array[80], array[0]);
    h0 int8 := 1732584193;
    h1 int8 := 4023233417;
    h2 int8 := 2562383102;
    h3 int8 := 271733878;
    h4 int8 := 3285377520;
    a int8;
    b int8;
    c int8;
    d int8;
    e int8;
    x int8;
    n integer := length($1);
    o integer;
    i integer;
    j integer;
begin
    -- FIPS 180-4 padding: 0x80, zeros up to 56 mod 64, the length in bits as a 64-bit big-endian integer.
    msg := $1 || '\x80'::bytea || decode(repeat('00', (119 - n % 64) % 64), 'hex') || int8send(n::int8 * 8);
    for o in 0..length(msg) / 64 - 1 loop
        for i in 0..15 loop
            j := o * 64 + 4 * i;
            w[i] := (get_byte(msg, j)::int8 << 24) | (get_byte(msg, j + 1)::int8 << 16)
                | (get_byte(msg, j + 2)::int8 << 8) | get_byte(msg, j + 3)::int8;
        end loop;
        for i in 16..79 loop
            x := w[i - 3] # w[i - 8] # w[i - 14] # w[i - 16];
            w[i] := ((x << 1) | (x >> 31)) & 4294967295;
        end loop;
        a := h0;
        b := h1;
        c := h2;
        d := h3;
        e := h4;
        -- 80 rounds, unrolled; the five working variables are renamed instead of shifted.
            e := (e + ((a << 5) | (a >> 27)) + (d # (b & (c # d))) + 1518500249 + w[0]) & 4294967295;
            b := ((b << 30) | (b >> 2)) & 4294967295;
            d := (d + ((e << 5) | (e >> 27)) + (c # (a & (b # c))) + 1518500249 + w[1]) & 4294967295;
            a := ((a << 30) | (a >> 2)) & 4294967295;
            c := (c + ((d << 5) | (d >> 27)) + (b # (e & (a # b))) + 1518500249 + w[2]) & 4294967295;
            e := ((e << 30) | (e >> 2)) & 4294967295;
            b := (b + ((c << 5) | (c >> 27)) + (a # (d & (e # a))) + 1518500249 + w[3]) & 4294967295;
            d := ((d << 30) | (d >> 2)) & 4294967295;
            a := (a + ((b << 5) | (b >> 27)) + (e # (c & (d # e))) + 1518500249 + w[4]) & 4294967295;
            c := ((c << 30) | (c >> 2)) & 4294967295;
            e := (e + ((a << 5) | (a >> 27)) + (d # (b & (c # d))) + 1518500249 + w[5]) & 4294967295;
            b := ((b << 30) | (b >> 2)) & 4294967295;
            d := (d + ((e << 5) | (e >> 27)) + (c # (a & (b # c))) + 1518500249 + w[6]) & 4294967295;
            a := ((a << 30) | (a >> 2)) & 4294967295;
            c := (c + ((d << 5) | (d >> 27)) + (b # (e & (a # b))) + 1518500249 + w[7]) & 4294967295;
            e := ((e << 30) | (e >> 2)) & 4294967295;
            b := (b + ((c << 5) | (c >> 27)) + (a # (d & (e # a))) + 1518500249 + w[8]) & 4294967295;
            d := ((d << 30) | (d >> 2)) & 4294967295;
            a := (a + ((b << 5) | (b >> 27)) + (e # (c & (d # e))) + 1518500249 + w[9]) & 4294967295;
            c := ((c << 30) | (c >> 2)) & 4294967295;
            e := (e + ((a << 5) | (a >> 27)) + (d # (b & (c # d))) + 1518500249 + w[10]) & 4294967295;
            b := ((b << 30) | (b >> 2)) & 4294967295;
            d := (d + ((e << 5) | (e >> 27)) + (c # (a & (b # c))) + 1518500249 + w[11]) & 4294967295;
            a := ((a << 30) | (a >> 2)) & 4294967295;
            c := (c + ((d << 5) | (d >> 27)) + (b # (e & (a # b))) + 1518500249 + w[12]) & 4294967295;
            e := ((e << 30) | (e >> 2)) & 4294967295;
            b := (b + ((c << 5) | (c >> 27)) + (a # (d & (e # a))) + 1518500249 + w[13]) & 4294967295;
            d := ((d << 30) | (d >> 2)) & 4294967295;
            a := (a + ((b << 5) | (b >> 27)) + (e # (c & (d # e))) + 1518500249 + w[14]) & 4294967295;
            c := ((c << 30) | (c >> 2)) & 4294967295;
            e := (e + ((a << 5) | (a >> 27)) + (d # (b & (c # d))) + 1518500249 + w[15]) & 4294967295;
            b := ((b << 30) | (b >> 2)) & 4294967295;
            d := (d + ((e << 5) | (e >> 27)) + (c # (a & (b # c))) + 1518500249 + w[16]) & 4294967295;
            a := ((a << 30) | (a >> 2)) & 4294967295;
            c := (c + ((d << 5) | (d >> 27)) + (b # (e & (a # b))) + 1518500249 + w[17]) & 4294967295;
            e := ((e << 30) | (e >> 2)) & 4294967295;
            b := (b + ((c << 5) | (c >> 27)) + (a # (d & (e # a))) + 1518500249 + w[18]) & 4294967295;
            d := ((d << 30) | (d >> 2)) & 4294967295;
            a := (a + ((b << 5) | (b >> 27)) + (e # (c & (d # e))) + 1518500249 + w[19]) & 4294967295;
            c := ((c << 30) | (c >> 2)) & 4294967295;
            e := (e + ((a << 5) | (a >> 27)) + (b # c # d) + 1859775393 + w[20]) & 4294967295;
            b := ((b << 30) | (b >> 2)) & 4294967295;
            d := (d + ((e << 5) | (e >> 27)) + (a # b # c) + 1859775393 + w[21]) & 4294967295;
            a := ((a << 30) | (a >> 2)) & 4294967295;
            c := (c + ((d << 5) | (d >> 27)) + (e # a # b) + 1859775393 + w[22]) & 4294967295;
            e := ((e << 30) | (e >> 2)) & 4294967295;
            b := (b + ((c << 5) | (c >> 27)) + (d # e # a) + 1859775393 + w[23]) & 4294967295;
            d := ((d << 30) | (d >> 2)) & 4294967295;
            a := (a + ((b << 5) | (b >> 27)) + (c # d # e) + 1859775393 + w[24]) & 4294967295;
            c := ((c << 30) | (c >> 2)) & 4294967295;
            e := (e + ((a << 5) | (a >> 27)) + (b # c # d) + 1859775393 + w[25]) & 4294967295;
            b := ((b << 30) | (b >> 2)) & 4294967295;
            d := (d + ((e << 5) | (e >> 27)) + (a # b # c) + 1859775393 + w[26]) & 4294967295;
            a := ((a << 30) | (a >> 2)) & 4294967295;
            c := (c + ((d << 5) | (d >> 27)) + (e # a # b) + 1859775393 + w[27]) & 4294967295;
            e := ((e << 30) | (e >> 2)) & 4294967295;
            b := (b + ((c << 5) | (c >> 27)) + (d # e # a) + 1859775393 + w[28]) & 4294967295;
            d := ((d << 30) | (d >> 2)) & 4294967295;
            a := (a + ((b << 5) | (b >> 27)) + (c # d # e) + 1859775393 + w[29]) & 4294967295;
            c := ((c << 30) | (c >> 2)) & 4294967295;
            e := (e + ((a << 5) | (a >> 27)) + (b # c # d) + 1859775393 + w[30]) & 4294967295;
            b := ((b << 30) | (b >> 2)) & 4294967295;
            d := (d + ((e << 5) | (e >> 27)) + (a # b # c) + 1859775393 + w[31]) & 4294967295;
            a := ((a << 30) | (a >> 2)) & 4294967295;
            c := (c + ((d << 5) | (d >> 27)) + (e # a # b) + 1859775393 + w[32]) & 4294967295;
            e := ((e << 30) | (e >> 2)) & 4294967295;
            b := (b + ((c << 5) | (c >> 27)) + (d # e # a) + 1859775393 + w[33]) & 4294967295;
            d := ((d << 30) | (d >> 2)) & 4294967295;
            a := (a + ((b << 5) | (b >> 27)) + (c # d # e) + 1859775393 + w[34]) & 4294967295;
            c := ((c << 30) | (c >> 2)) & 4294967295;
            e := (e + ((a << 5) | (a >> 27)) + (b # c # d) + 1859775393 + w[35]) & 4294967295;
            b := ((b << 30) | (b >> 2)) & 4294967295;
            d := (d + ((e << 5) | (e >> 27)) + (a # b # c) + 1859775393 + w[36]) & 4294967295;
            a := ((a << 30) | (a >> 2)) & 4294967295;
            c := (c + ((d << 5) | (d >> 27)) + (e # a # b) + 1859775393 + w[37]) & 4294967295;
            e := ((e << 30) | (e >> 2)) & 4294967295;
            b := (b + ((c << 5) | (c >> 27)) + (d # e # a) + 1859775393 + w[38]) & 4294967295;
            d := ((d << 30) | (d >> 2)) & 4294967295;
            a := (a + ((b << 5) | (b >> 27)) + (c # d # e) + 1859775393 + w[39]) & 4294967295;
            c := ((c << 30) | (c >> 2)) & 4294967295;
            e := (e + ((a << 5) | (a >> 27)) + ((b & c) | (d & (b | c))) + 2400959708 + w[40]) & 4294967295;
            b := ((b << 30) | (b >> 2)) & 4294967295;
            d := (d + ((e << 5) | (e >> 27)) + ((a & b) | (c & (a | b))) + 2400959708 + w[41]) & 4294967295;
            a := ((a << 30) | (a >> 2)) & 4294967295;
            c := (c + ((d << 5) | (d >> 27)) + ((e & a) | (b & (e | a))) + 2400959708 + w[42]) & 4294967295;
            e := ((e << 30) | (e >> 2)) & 4294967295;
            b := (b + ((c << 5) | (c >> 27)) + ((d & e) | (a & (d | e))) + 2400959708 + w[43]) & 4294967295;
            d := ((d << 30) | (d >> 2)) & 4294967295;
            a := (a + ((b << 5) | (b >> 27)) + ((c & d) | (e & (c | d))) + 2400959708 + w[44]) & 4294967295;
            c := ((c << 30) | (c >> 2)) & 4294967295;
            e := (e + ((a << 5) | (a >> 27)) + ((b & c) | (d & (b | c))) + 2400959708 + w[45]) & 4294967295;
            b := ((b << 30) | (b >> 2)) & 4294967295;
            d := (d + ((e << 5) | (e >> 27)) + ((a & b) | (c & (a | b))) + 2400959708 + w[46]) & 4294967295;
            a := ((a << 30) | (a >> 2)) & 4294967295;
            c := (c + ((d << 5) | (d >> 27)) + ((e & a) | (b & (e | a))) + 2400959708 + w[47]) & 4294967295;
            e := ((e << 30) | (e >> 2)) & 4294967295;
            b := (b + ((c << 5) | (c >> 27)) + ((d & e) | (a & (d | e))) + 2400959708 + w[48]) & 4294967295;
            d := ((d << 30) | (d >> 2)) & 4294967295;
            a := (a + ((b << 5) | (b >> 27)) + ((c & d) | (e & (c | d))) + 2400959708 + w[49]) & 4294967295;
            c := ((c << 30) | (c >> 2)) & 4294967295;
            e := (e + ((a << 5) | (a >> 27)) + ((b & c) | (d & (b | c))) + 2400959708 + w[50]) & 4294967295;
            b := ((b << 30) | (b >> 2)) & 4294967295;
            d := (d + ((e << 5) | (e >> 27)) + ((a & b) | (c & (a | b))) + 2400959708 + w[51]) & 4294967295;
            a := ((a << 30) | (a >> 2)) & 4294967295;
            c := (c + ((d << 5) | (d >> 27)) + ((e & a) | (b & (e | a))) + 2400959708 + w[52]) & 4294967295;
            e := ((e << 30) | (e >> 2)) & 4294967295;
            b := (b + ((c << 5) | (c >> 27)) + ((d & e) | (a & (d | e))) + 2400959708 + w[53]) & 4294967295;
            d := ((d << 30) | (d >> 2)) & 4294967295;
            a := (a + ((b << 5) | (b >> 27)) + ((c & d) | (e & (c | d))) + 2400959708 + w[54]) & 4294967295;
            c := ((c << 30) | (c >> 2)) & 4294967295;
            e := (e + ((a << 5) | (a >> 27)) + ((b & c) | (d & (b | c))) + 2400959708 + w[55]) & 4294967295;
            b := ((b << 30) | (b >> 2)) & 4294967295;
            d := (d + ((e << 5) | (e >> 27)) + ((a & b) | (c & (a | b))) + 2400959708 + w[56]) & 4294967295;
            a := ((a << 30) | (a >> 2)) & 4294967295;
            c := (c + ((d << 5) | (d >> 27)) + ((e & a) | (b & (e | a))) + 2400959708 + w[57]) & 4294967295;
            e := ((e << 30) | (e >> 2)) & 4294967295;
            b := (b + ((c << 5) | (c >> 27)) + ((d & e) | (a & (d | e))) + 2400959708 + w[58]) & 4294967295;
            d := ((d << 30) | (d >> 2)) & 4294967295;
            a := (a + ((b << 5) | (b >> 27)) + ((c & d) | (e & (c | d))) + 2400959708 + w[59]) & 4294967295;
            c := ((c << 30) | (c >> 2)) & 4294967295;
            e := (e + ((a << 5) | (a >> 27)) + (b # c # d) + 3395469782 + w[60]) & 4294967295;
            b := ((b << 30) | (b >> 2)) & 4294967295;
            d := (d + ((e << 5) | (e >> 27)) + (a # b # c) + 3395469782 + w[61]) & 4294967295;
            a := ((a << 30) | (a >> 2)) & 4294967295;
            c := (c + ((d << 5) | (d >> 27)) + (e # a # b) + 3395469782 + w[62]) & 4294967295;
            e := ((e << 30) | (e >> 2)) & 4294967295;
            b := (b + ((c << 5) | (c >> 27)) + (d # e # a) + 3395469782 + w[63]) & 4294967295;
            d := ((d << 30) | (d >> 2)) & 4294967295;
            a := (a + ((b << 5) | (b >> 27)) + (c # d # e) + 3395469782 + w[64]) & 4294967295;
            c := ((c << 30) | (c >> 2)) & 4294967295;
            e := (e + ((a << 5) | (a >> 27)) + (b # c # d) + 3395469782 + w[65]) & 4294967295;
            b := ((b << 30) | (b >> 2)) & 4294967295;
            d := (d + ((e << 5) | (e >> 27)) + (a # b # c) + 3395469782 + w[66]) & 4294967295;
            a := ((a << 30) | (a >> 2)) & 4294967295;
            c := (c + ((d << 5) | (d >> 27)) + (e # a # b) + 3395469782 + w[67]) & 4294967295;
            e := ((e << 30) | (e >> 2)) & 4294967295;
            b := (b + ((c << 5) | (c >> 27)) + (d # e # a) + 3395469782 + w[68]) & 4294967295;
            d := ((d << 30) | (d >> 2)) & 4294967295;
            a := (a + ((b << 5) | (b >> 27)) + (c # d # e) + 3395469782 + w[69]) & 4294967295;
            c := ((c << 30) | (c >> 2)) & 4294967295;
            e := (e + ((a << 5) | (a >> 27)) + (b # c # d) + 3395469782 + w[70]) & 4294967295;
            b := ((b << 30) | (b >> 2)) & 4294967295;
            d := (d + ((e << 5) | (e >> 27)) + (a # b # c) + 3395469782 + w[71]) & 4294967295;
            a := ((a << 30) | (a >> 2)) & 4294967295;
            c := (c + ((d << 5) | (d >> 27)) + (e # a # b) + 3395469782 + w[72]) & 4294967295;
            e := ((e << 30) | (e >> 2)) & 4294967295;
            b := (b + ((c << 5) | (c >> 27)) + (d # e # a) + 3395469782 + w[73]) & 4294967295;
            d := ((d << 30) | (d >> 2)) & 4294967295;
            a := (a + ((b << 5) | (b >> 27)) + (c # d # e) + 3395469782 + w[74]) & 4294967295;
            c := ((c << 30) | (c >> 2)) & 4294967295;
            e := (e + ((a << 5) | (a >> 27)) + (b # c # d) + 3395469782 + w[75]) & 4294967295;
            b := ((b << 30) | (b >> 2)) & 4294967295;
            d := (d + ((e << 5) | (e >> 27)) + (a # b # c) + 3395469782 + w[76]) & 4294967295;
            a := ((a << 30) | (a >> 2)) & 4294967295;
            c := (c + ((d << 5) | (d >> 27)) + (e # a # b) + 3395469782 + w[77]) & 4294967295;
            e := ((e << 30) | (e >> 2)) & 4294967295;
            b := (b + ((c << 5) | (c >> 27)) + (d # e # a) + 3395469782 + w[78]) & 4294967295;
            d := ((d << 30) | (d >> 2)) & 4294967295;
            a := (a + ((b << 5) | (b >> 27)) + (c # d # e) + 3395469782 + w[79]) & 4294967295;
            c := ((c << 30) | (c >> 2)) & 4294967295;
        h0 := (h0 + a) & 4294967295;
        h1 := (h1 + b) & 4294967295;
        h2 := (h2 + c) & 4294967295;
        h3 := (h3 + d) & 4294967295;
        h4 := (h4 + e) & 4294967295;
    end loop;
    return substr(int8send(h0), 5, 4) || substr(int8send(h1), 5, 4) || substr(int8send(h2), 5, 4)
        || substr(int8send(h3), 5, 4) || substr(int8send(h4), 5, 4);
end
$$;

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
