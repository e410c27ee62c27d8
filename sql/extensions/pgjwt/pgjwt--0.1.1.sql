-- pgjwt 0.1.1 stand-in for khepri-db's embedded engine: michelp/pgjwt's functions and signatures,
-- written as SQL-standard bodies on the pgcrypto stand-in (references bound when created, so pgcrypto
-- may live in any schema). See docs/extensions/pgjwt.md. There is no full 0.2.0 script: PostgreSQL
-- installs the default version 0.2.0 as this script plus pgjwt--0.1.1--0.2.0.sql, the same path
-- `alter extension pgjwt update` takes from 0.1.1.
create function url_encode(data bytea)
returns text
language sql
immutable
return rtrim(translate(replace(encode(data, 'base64'), chr(10), ''), '+/', '-_'), '=');

-- Base64url without padding back to bytes: the '=' padding is restored before decoding.
create function url_decode(data text)
returns bytea
language sql
immutable
return decode(
    translate(data, '-_', '+/') || repeat('=', (4 - length(data) % 4) % 4),
    'base64'
);

-- HS256/HS384/HS512: HMAC-SHA-2 of the signing input, base64url. Any other name reaches hmac() as ''
-- and fails there ('Cannot use "": No such hash algorithm'), as in pgjwt.
create function algorithm_sign(signables text, secret text, algorithm text)
returns text
language sql
immutable
return url_encode(hmac(
    signables,
    secret,
    case algorithm when 'HS256' then 'sha256' when 'HS384' then 'sha384' when 'HS512' then 'sha512' else '' end
));

-- The header is always {"alg":"<algorithm>","typ":"JWT"}; the payload is the json's text as given.
create function sign(payload json, secret text, algorithm text default 'HS256')
returns text
language sql
immutable
begin atomic
    select s.signing_input || '.' || algorithm_sign(s.signing_input, s.secret, s.algorithm)
    from (
        select
            arg.secret,
            arg.algorithm,
            url_encode(convert_to('{"alg":"' || arg.algorithm || '","typ":"JWT"}', 'utf8'))
            || '.' || url_encode(convert_to(arg.payload::text, 'utf8')) as signing_input
        from (
            select
                $1 as payload,
                $2 as secret,
                $3 as algorithm
        ) as arg
    ) as s;
end;

-- 0.1.1: valid means only that the signature matches.
create function verify(token text, secret text, algorithm text default 'HS256')
returns table (header json, payload json, valid boolean)
language sql
immutable
begin atomic
    select
        convert_from(url_decode(t.part[1]), 'utf8')::json as header,
        convert_from(url_decode(t.part[2]), 'utf8')::json as payload,
        t.part[3] = algorithm_sign(t.part[1] || '.' || t.part[2], t.secret, t.algorithm) as valid
    from (
        select
            regexp_split_to_array($1, '\.') as part,
            $2 as secret,
            $3 as algorithm
    ) as t;
end;
