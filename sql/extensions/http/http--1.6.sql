-- khepri-db stand-in for http 1.6 (pramsey/pgsql-http as Supabase ships it): the types and
-- functions with pgsql-http's signatures. Helpers that need no network (urlencode, http_header,
-- text_to_bytea, bytea_to_text) work; every request raises 0A000: the stand-in sends nothing.

create domain http_method as text;

create domain content_type as text
check (value ~ '^\S+\/\S+');

create type http_header as (
    field varchar,
    value varchar
);

create type http_response as (
    status integer,
    content_type varchar,
    headers http_header [],
    content varchar
);

create type http_request as (
    method http_method,
    uri varchar,
    headers http_header [],
    content_type varchar,
    content varchar
);

-- curl options only matter to requests, which the stand-in never sends: accepted, not kept.
create function http_set_curlopt(curlopt varchar, value varchar)
returns boolean
language sql
set search_path from current
as $$
    select true
$$;

create function http_reset_curlopt()
returns boolean
language sql
set search_path from current
as $$
    select true
$$;

create function http_list_curlopt()
returns table (curlopt text, value text)
language sql
set search_path from current
as $$
    select null::text, null::text where false
$$;

create function http_header(field varchar, value varchar)
returns http_header
language sql
set search_path from current
as $$
    select $1, $2
$$;

create function http(request http_request)
returns http_response
language plpgsql
set search_path from current
as $$
begin
    raise exception using
        errcode = '0A000',
        message = pg_catalog.format(
            'http stand-in: %s %s was not sent: khepri-db''s http extension sends no requests',
            (request).method, (request).uri
        ),
        hint = 'Use an engine with the real http extension (pytest --khepri-engine docker, or supabase start), '
        || 'or --engine system with Debian''s postgresql-15-http package.';
end
$$;

create function http_get(uri varchar)
returns http_response
language sql
set search_path from current
as $$
    select http(('GET', $1, null, null, null)::http_request)
$$;

create function http_post(uri varchar, content varchar, content_type varchar)
returns http_response
language sql
set search_path from current
as $$
    select http(('POST', $1, null, $3, $2)::http_request)
$$;

create function http_put(uri varchar, content varchar, content_type varchar)
returns http_response
language sql
set search_path from current
as $$
    select http(('PUT', $1, null, $3, $2)::http_request)
$$;

create function http_patch(uri varchar, content varchar, content_type varchar)
returns http_response
language sql
set search_path from current
as $$
    select http(('PATCH', $1, null, $3, $2)::http_request)
$$;

create function http_delete(uri varchar)
returns http_response
language sql
set search_path from current
as $$
    select http(('DELETE', $1, null, null, null)::http_request)
$$;

create function http_delete(uri varchar, content varchar, content_type varchar)
returns http_response
language sql
set search_path from current
as $$
    select http(('DELETE', $1, null, $3, $2)::http_request)
$$;

create function http_head(uri varchar)
returns http_response
language sql
set search_path from current
as $$
    select http(('HEAD', $1, null, null, null)::http_request)
$$;

-- curl_easy_escape: every byte but A-Z a-z 0-9 - . _ ~ becomes %XX.
create function urlencode(string bytea)
returns text
language sql
immutable strict
set search_path from current
as $$
    select coalesce(pg_catalog.string_agg(
        case
            when b between 48 and 57 or b between 65 and 90 or b between 97 and 122 or b in (45, 46, 95, 126)
                then pg_catalog.chr(b)
            else '%' || pg_catalog.upper(pg_catalog.lpad(pg_catalog.to_hex(b), 2, '0'))
        end,
        '' order by i
    ), '')
    from (
        select i, pg_catalog.get_byte(string, i) as b
        from pg_catalog.generate_series(0, pg_catalog.octet_length(string) - 1) as i
    ) as bytes
$$;

create function urlencode(string varchar)
returns text
language sql
immutable strict
set search_path from current
as $$
    select urlencode(pg_catalog.convert_to(string, 'UTF8'))
$$;

create function urlencode(data jsonb)
returns text
language sql
immutable strict
set search_path from current
as $$
    select coalesce(pg_catalog.string_agg(
        urlencode(pg_catalog.convert_to(e.key, 'UTF8')) || '='
        || urlencode(pg_catalog.convert_to(e.value, 'UTF8')),
        '&'
    ), '')
    from pg_catalog.jsonb_each_text(data) as e
$$;

create function http_get(uri varchar, data jsonb)
returns http_response
language sql
set search_path from current
as $$
    select http(('GET', $1 || '?' || urlencode($2), null, null, null)::http_request)
$$;

create function http_post(uri varchar, data jsonb)
returns http_response
language sql
set search_path from current
as $$
    select http(
        ('POST', $1, null, 'application/x-www-form-urlencoded', urlencode($2))::http_request
    )
$$;

create function text_to_bytea(data text)
returns bytea
language sql
immutable strict
set search_path from current
as $$
    select pg_catalog.convert_to(data, 'UTF8')
$$;

create function bytea_to_text(data bytea)
returns text
language sql
immutable strict
set search_path from current
as $$
    select pg_catalog.convert_from(data, 'UTF8')
$$;
