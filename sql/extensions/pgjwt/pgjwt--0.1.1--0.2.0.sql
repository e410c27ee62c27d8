-- pgjwt 0.1.1 -> 0.2.0: verify() also checks the nbf/exp time window.
-- A number, or null for anything that is not one (so a malformed nbf/exp means "no bound").
create function try_cast_double(inp text)
returns double precision
language plpgsql
immutable
as $$
begin
    return inp::double precision;
exception when others then
    return null;
end
$$;

-- 0.2.0: valid also requires now() within [nbf, exp) when the payload has them (seconds since the epoch).
create or replace function verify(token text, secret text, algorithm text default 'HS256')
returns table (header json, payload json, valid boolean)
language sql
immutable
begin atomic
    select
        j.header,
        j.payload,
        j.signature_ok and tstzrange(
            to_timestamp(try_cast_double(j.payload ->> 'nbf')),
            to_timestamp(try_cast_double(j.payload ->> 'exp'))
        ) @> current_timestamp as valid
    from (
        select
            convert_from(url_decode(t.part[1]), 'utf8')::json as header,
            convert_from(url_decode(t.part[2]), 'utf8')::json as payload,
            t.part[3] = algorithm_sign(t.part[1] || '.' || t.part[2], t.secret, t.algorithm) as signature_ok
        from (
            select
                regexp_split_to_array($1, '\.') as part,
                $2 as secret,
                $3 as algorithm
        ) as t
    ) as j;
end;
