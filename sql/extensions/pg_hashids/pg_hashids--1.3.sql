-- pg_hashids 1.3 stand-in for khepri-db's embedded engine (Supabase ships iCyberon/pg_hashids 1.3,
-- a C extension). The same functions, signatures, volatility and strictness, and the same hashes:
-- the hashids algorithm (hashids.org, version 1 of the algorithm) written here in PL/pgSQL, checked
-- against the hashids PyPI package by tests/extensions/test_hashids.py. See docs/extensions/pg_hashids.md.
--
-- Helpers are named _hashids_*. They call only pg_catalog functions, and the public functions are
-- SQL-standard bodies that bind them when the extension is created, so any search_path works and
-- `alter extension pg_hashids set schema ...` keeps everything working (the extension is relocatable,
-- as pg_hashids is).
--
-- Numbers are 64-bit unsigned inside the algorithm, as in pg_hashids: a negative bigint is encoded as
-- 2^64 plus the number, and decoding wraps modulo 2^64 back into a bigint.

-- The alphabet, separators and guards for a salt and an alphabet (null: pg_hashids' default
-- alphabet): {alphabet, separators, guards}.
create function _hashids_setup(salt text, alphabet text)
returns text[]
language plpgsql
immutable parallel safe
as $$
declare
    letters text := '';
    separators text := '';
    guards text;
    ch text;
    chars text[];
    wanted int4;
    salt_length int4 := pg_catalog.length(salt);
    i int4;
    j int4;
    v int4;
    p int8;
    k int4;
    tmp text;
begin
    alphabet := coalesce(alphabet, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ1234567890');
    if pg_catalog.octet_length(salt) <> salt_length
        or pg_catalog.octet_length(alphabet) <> pg_catalog.length(alphabet) then
        raise exception using
            errcode = '0A000',
            message = 'pg_hashids stand-in: the salt and the alphabet must be ASCII',
            detail = 'pg_hashids works on the bytes of the salt and alphabet as signed C chars; khepri-db''s '
                'stand-in reproduces it only for ASCII text.',
            hint = 'Use an ASCII salt and alphabet, or the real pg_hashids (a Supabase database via --db-url).';
    end if;
    -- The alphabet's unique characters, in order of first appearance.
    foreach ch in array pg_catalog.string_to_array(alphabet, null) loop
        if pg_catalog.strpos(letters, ch) = 0 then
            letters := letters || ch;
        end if;
    end loop;
    if pg_catalog.length(letters) < 16 then
        raise exception using errcode = '22023', message = 'alphabet is too short';
    end if;
    if pg_catalog.strpos(letters, ' ') > 0 or pg_catalog.strpos(letters, e'\t') > 0 then
        raise exception using errcode = '22023', message = 'alphabet contains whitespace characters';
    end if;
    -- The default separators the alphabet contains become separators, in their own order.
    foreach ch in array pg_catalog.string_to_array('cfhistuCFHISTU', null) loop
        if pg_catalog.strpos(letters, ch) > 0 then
            separators := separators || ch;
            letters := pg_catalog.replace(letters, ch, '');
        end if;
    end loop;
    -- Consistent shuffle of the separators by the salt.
    if salt_length > 0 and pg_catalog.length(separators) > 1 then
        chars := pg_catalog.string_to_array(separators, null);
        v := 0;
        p := 0;
        for i in reverse pg_catalog.cardinality(chars) - 1 .. 1 loop
            k := pg_catalog.ascii(pg_catalog.substr(salt, v + 1, 1));
            p := p + k;
            j := (k + v + p) % i;
            tmp := chars[i + 1];
            chars[i + 1] := chars[j + 1];
            chars[j + 1] := tmp;
            v := (v + 1) % salt_length;
        end loop;
        separators := pg_catalog.array_to_string(chars, '');
    end if;
    -- At least one separator per 3.5 letters: take the missing ones from the front of the alphabet.
    wanted := pg_catalog.ceil(pg_catalog.length(letters) / 3.5)::int4;
    if wanted > pg_catalog.length(separators) then
        k := wanted - pg_catalog.length(separators);
        separators := separators || pg_catalog.left(letters, k);
        letters := pg_catalog.substr(letters, k + 1);
    end if;
    -- Consistent shuffle of the alphabet by the salt.
    if salt_length > 0 and pg_catalog.length(letters) > 1 then
        chars := pg_catalog.string_to_array(letters, null);
        v := 0;
        p := 0;
        for i in reverse pg_catalog.cardinality(chars) - 1 .. 1 loop
            k := pg_catalog.ascii(pg_catalog.substr(salt, v + 1, 1));
            p := p + k;
            j := (k + v + p) % i;
            tmp := chars[i + 1];
            chars[i + 1] := chars[j + 1];
            chars[j + 1] := tmp;
            v := (v + 1) % salt_length;
        end loop;
        letters := pg_catalog.array_to_string(chars, '');
    end if;
    -- One guard per 12 letters, from the alphabet (from the separators when fewer than 3 letters remain).
    k := pg_catalog.ceil(pg_catalog.length(letters) / 12.0)::int4;
    if pg_catalog.length(letters) < 3 then
        guards := pg_catalog.left(separators, k);
        separators := pg_catalog.substr(separators, k + 1);
    else
        guards := pg_catalog.left(letters, k);
        letters := pg_catalog.substr(letters, k + 1);
    end if;
    return array[letters, separators, guards];
end
$$;

-- The hashid of numbers (as pg_hashids, the first dimension's count of the array's elements).
create function _hashids_encode(numbers bigint[], salt text, min_length int4, setup text[])
returns text
language plpgsql
immutable strict parallel safe
as $$
declare
    alphabet text := setup[1];
    separators text := setup[2];
    guards text := setup[3];
    alphabet_length int4 := pg_catalog.length(setup[1]);
    unsigned_numbers numeric[];
    value numeric;
    numbers_count int4 := pg_catalog.array_length(numbers, 1);
    numbers_hash numeric := 0;
    lottery text;
    encoded text;
    part text;
    salt_buffer text;
    chars text[];
    split_at int4;
    excess int4;
    n int4;
    i int4;
    j int4;
    v int4;
    p int8;
    k int4;
    tmp text;
begin
    if min_length < 0 then
        raise exception using
            errcode = '22023',
            message = pg_catalog.format('minimum hash length must not be negative (got %s)', min_length);
    end if;
    if numbers_count is null then
        return '';
    end if;
    if exists (select from pg_catalog.unnest(numbers) as u (x) where x is null) then
        raise exception using errcode = '22004', message = 'null value not allowed for array element';
    end if;
    -- As unsigned 64-bit integers, the first dimension's count of them.
    unsigned_numbers := array(
        select case when x < 0 then x + 18446744073709551616 else x end
        from pg_catalog.unnest(numbers) with ordinality as u (x, o)
        order by o
        limit numbers_count
    );
    for n in 0 .. numbers_count - 1 loop
        numbers_hash := numbers_hash + unsigned_numbers[n + 1] % (n + 100);
    end loop;
    lottery := pg_catalog.substr(alphabet, (numbers_hash % alphabet_length)::int4 + 1, 1);
    encoded := lottery;
    for n in 0 .. numbers_count - 1 loop
        value := unsigned_numbers[n + 1];
        -- Shuffle the alphabet by the lottery, the salt and the alphabet itself.
        salt_buffer := pg_catalog.left(lottery || salt || alphabet, alphabet_length);
        chars := pg_catalog.string_to_array(alphabet, null);
        v := 0;
        p := 0;
        for i in reverse alphabet_length - 1 .. 1 loop
            k := pg_catalog.ascii(pg_catalog.substr(salt_buffer, v + 1, 1));
            p := p + k;
            j := (k + v + p) % i;
            tmp := chars[i + 1];
            chars[i + 1] := chars[j + 1];
            chars[j + 1] := tmp;
            v := (v + 1) % alphabet_length;
        end loop;
        alphabet := pg_catalog.array_to_string(chars, '');
        -- The number in base alphabet_length, most significant digit first.
        part := '';
        loop
            part := pg_catalog.substr(alphabet, (value % alphabet_length)::int4 + 1, 1) || part;
            value := pg_catalog.div(value, alphabet_length);
            exit when value = 0;
        end loop;
        encoded := encoded || part;
        if n + 1 < numbers_count then
            value := unsigned_numbers[n + 1] % (pg_catalog.ascii(part) + n);
            encoded := encoded || pg_catalog.substr(separators, (value % pg_catalog.length(separators))::int4 + 1, 1);
        end if;
    end loop;
    if pg_catalog.length(encoded) < min_length then
        k := ((numbers_hash + pg_catalog.ascii(encoded)) % pg_catalog.length(guards))::int4;
        encoded := pg_catalog.substr(guards, k + 1, 1) || encoded;
        if pg_catalog.length(encoded) < min_length then
            k := pg_catalog.ascii(pg_catalog.substr(encoded, 3, 1));
            k := ((numbers_hash + k) % pg_catalog.length(guards))::int4;
            encoded := encoded || pg_catalog.substr(guards, k + 1, 1);
        end if;
        -- Pad with the alphabet, shuffled by itself each round, half on each side.
        split_at := alphabet_length / 2;
        while pg_catalog.length(encoded) < min_length loop
            chars := pg_catalog.string_to_array(alphabet, null);
            v := 0;
            p := 0;
            for i in reverse alphabet_length - 1 .. 1 loop
                k := pg_catalog.ascii(pg_catalog.substr(alphabet, v + 1, 1));
                p := p + k;
                j := (k + v + p) % i;
                tmp := chars[i + 1];
                chars[i + 1] := chars[j + 1];
                chars[j + 1] := tmp;
                v := (v + 1) % alphabet_length;
            end loop;
            alphabet := pg_catalog.array_to_string(chars, '');
            encoded := pg_catalog.substr(alphabet, split_at + 1) || encoded || pg_catalog.left(alphabet, split_at);
            excess := pg_catalog.length(encoded) - min_length;
            if excess > 0 then
                encoded := pg_catalog.substr(encoded, excess / 2 + 1, min_length);
            end if;
        end loop;
    end if;
    return encoded;
end
$$;

-- The numbers a hashid holds, as pg_hashids reads them: no check that the hash is one encode makes.
-- max_count: stop after that many numbers (1 for id_decode_once), null for all.
create function _hashids_decode(hash text, salt text, min_length int4, setup text[], max_count int4)
returns bigint[]
language plpgsql
immutable parallel safe
as $$
declare
    alphabet text := setup[1];
    separators text := setup[2];
    guards text := setup[3];
    alphabet_length int4 := pg_catalog.length(setup[1]);
    rest text := hash;
    ch text;
    numbers_count int4 := 1;
    wanted int4;
    lottery text;
    salt_buffer text;
    chars text[];
    number numeric := 0;
    found numeric[] := '{}';
    at int4;
    i int4;
    j int4;
    v int4;
    p int8;
    k int4;
    tmp text;
begin
    -- With a minimum length, the hash proper follows the first guard (if there is one).
    if min_length <> 0 then
        for i in 1 .. pg_catalog.length(rest) loop
            if pg_catalog.strpos(guards, pg_catalog.substr(rest, i, 1)) > 0 then
                rest := pg_catalog.substr(rest, i + 1);
                exit;
            end if;
        end loop;
    end if;
    -- How many numbers: one more than the separators before the next guard; any other character is invalid.
    foreach ch in array coalesce(pg_catalog.string_to_array(rest, null), '{}') loop
        exit when pg_catalog.strpos(guards, ch) > 0;
        if pg_catalog.strpos(separators, ch) > 0 then
            numbers_count := numbers_count + 1;
        elsif pg_catalog.strpos(alphabet, ch) = 0 then
            raise exception using errcode = '22023', message = 'invalid hash';
        end if;
    end loop;
    if rest = '' then
        raise exception using errcode = '22023', message = 'invalid hash';
    end if;
    wanted := least(numbers_count, coalesce(max_count, numbers_count));
    lottery := pg_catalog.left(rest, 1);
    rest := pg_catalog.substr(rest, 2);
    salt_buffer := pg_catalog.left(lottery || salt || alphabet, alphabet_length);
    <<parse>>
    loop
        -- Shuffle the alphabet as encode did for this number.
        chars := pg_catalog.string_to_array(alphabet, null);
        v := 0;
        p := 0;
        for i in reverse alphabet_length - 1 .. 1 loop
            k := pg_catalog.ascii(pg_catalog.substr(salt_buffer, v + 1, 1));
            p := p + k;
            j := (k + v + p) % i;
            tmp := chars[i + 1];
            chars[i + 1] := chars[j + 1];
            chars[j + 1] := tmp;
            v := (v + 1) % alphabet_length;
        end loop;
        alphabet := pg_catalog.array_to_string(chars, '');
        loop
            ch := pg_catalog.left(rest, 1);
            rest := pg_catalog.substr(rest, 2);
            exit parse when ch = '' or pg_catalog.strpos(guards, ch) > 0;
            if pg_catalog.strpos(separators, ch) > 0 then
                found := found || number;
                if pg_catalog.cardinality(found) >= wanted then
                    number := null;
                    exit parse;
                end if;
                number := 0;
                salt_buffer := pg_catalog.left(lottery || salt || alphabet, alphabet_length);
                exit;
            end if;
            at := pg_catalog.strpos(alphabet, ch);
            if at = 0 then
                -- Only reachable when the lottery character was a guard; pg_hashids then keeps what it read.
                if max_count = 1 then
                    raise exception using errcode = '22023', message = 'invalid hash';
                end if;
                number := null;
                exit parse;
            end if;
            number := (number * alphabet_length + at - 1) % 18446744073709551616;
        end loop;
    end loop;
    if number is not null then
        found := found || number;
    end if;
    -- pg_hashids returns as many numbers as it counted: zeros where the hash held fewer.
    while pg_catalog.cardinality(found) < wanted loop
        found := found || 0::numeric;
    end loop;
    return array(
        select (case when x >= 9223372036854775808 then x - 18446744073709551616 else x end)::int8
        from pg_catalog.unnest(found) with ordinality as u (x, o)
        order by o
    );
end
$$;

-- v1 names, kept by pg_hashids 1.3 (hash_decode returns the low 32 bits of the number, as pg_hashids'
-- int4 declaration of its 64-bit C result does).
create function hash_encode(bigint)
returns text
language sql
immutable strict
return _hashids_encode(array[$1], '', 0, _hashids_setup('', null));

create function hash_encode(bigint, text)
returns text
language sql
immutable strict
return _hashids_encode(array[$1], $2, 0, _hashids_setup($2, null));

create function hash_encode(bigint, text, integer)
returns text
language sql
immutable strict
return _hashids_encode(array[$1], $2, $3, _hashids_setup($2, null));

create function hash_decode(text, text, integer)
returns integer
language sql
immutable strict
return (
    select ((x & 4294967295) - case when (x & 2147483648) <> 0 then 4294967296 else 0 end)::int4
    from (
        select (_hashids_decode($1, $2, $3, _hashids_setup($2, null), 1))[1] as x
    ) as once
);

-- v1.3
create function id_encode(bigint)
returns text
language sql
immutable strict
return _hashids_encode(array[$1], '', 0, _hashids_setup('', null));

create function id_encode(bigint, text)
returns text
language sql
immutable strict
return _hashids_encode(array[$1], $2, 0, _hashids_setup($2, null));

create function id_encode(bigint, text, integer)
returns text
language sql
immutable strict
return _hashids_encode(array[$1], $2, $3, _hashids_setup($2, null));

create function id_encode(bigint, text, integer, text)
returns text
language sql
immutable strict
return _hashids_encode(array[$1], $2, $3, _hashids_setup($2, $4));

create function id_encode(bigint[])
returns text
language sql
immutable strict
return _hashids_encode($1, '', 0, _hashids_setup('', null));

create function id_encode(bigint[], text)
returns text
language sql
immutable strict
return _hashids_encode($1, $2, 0, _hashids_setup($2, null));

create function id_encode(bigint[], text, integer)
returns text
language sql
immutable strict
return _hashids_encode($1, $2, $3, _hashids_setup($2, null));

create function id_encode(bigint[], text, integer, text)
returns text
language sql
immutable strict
return _hashids_encode($1, $2, $3, _hashids_setup($2, $4));

create function id_decode(text)
returns bigint[]
language sql
immutable strict
return _hashids_decode($1, '', 0, _hashids_setup('', null), null);

create function id_decode(text, text)
returns bigint[]
language sql
immutable strict
return _hashids_decode($1, $2, 0, _hashids_setup($2, null), null);

create function id_decode(text, text, integer)
returns bigint[]
language sql
immutable strict
return _hashids_decode($1, $2, $3, _hashids_setup($2, null), null);

create function id_decode(text, text, integer, text)
returns bigint[]
language sql
immutable strict
return _hashids_decode($1, $2, $3, _hashids_setup($2, $4), null);

create function id_decode_once(text)
returns bigint
language sql
immutable strict
return (_hashids_decode($1, '', 0, _hashids_setup('', null), 1))[1];

create function id_decode_once(text, text)
returns bigint
language sql
immutable strict
return (_hashids_decode($1, $2, 0, _hashids_setup($2, null), 1))[1];

create function id_decode_once(text, text, integer)
returns bigint
language sql
immutable strict
return (_hashids_decode($1, $2, $3, _hashids_setup($2, null), 1))[1];

create function id_decode_once(text, text, integer, text)
returns bigint
language sql
immutable strict
return (_hashids_decode($1, $2, $3, _hashids_setup($2, $4), 1))[1];
