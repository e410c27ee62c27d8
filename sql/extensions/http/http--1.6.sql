-- khepri-db stand-in for http 1.6 (pramsey/pgsql-http as Supabase ships it): the types and
-- functions with pgsql-http's signatures. Helpers that need no network (urlencode, http_header,
-- text_to_bytea, bytea_to_text) work; every request raises 0A000: the stand-in sends nothing.

create domain @extschema@.http_method as text;

create domain @extschema@.content_type as text
check (value ~ '^\S+\/\S+');

create type @extschema@.http_header as (
    field varchar,
    value varchar
);

create type @extschema@.http_response as (
    status integer,
    content_type varchar,
    headers @extschema@.http_header [],
    content varchar
);

create type @extschema@.http_request as (
    method @extschema@.http_method,
    uri varchar,
    headers @extschema@.http_header [],
    content_type varchar,
    content varchar
);

-- curl options only matter to requests, which the stand-in never sends: accepted, not kept.
create function @extschema@.http_set_curlopt(curlopt varchar, value varchar)
returns boolean
language sql
as $$
    select true
$$;

create function @extschema@.http_reset_curlopt()
returns boolean
language sql
as $$
    select true
$$;

create function @extschema@.http_list_curlopt()
returns table (curlopt text, value text)
language sql
as $$
    select null::text, null::text where false
$$;

create function @extschema@.http_header(field varchar, value varchar)
returns @extschema@.http_header
language sql
as $$
    select $1, $2
$$;

create function @extschema@.http(request @extschema@.http_request)
returns @extschema@.http_response
language plpgsql
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

create function @extschema@.http_get(uri varchar)
returns @extschema@.http_response
language sql
as $$
    select @extschema@.http(('GET', $1, null, null, null)::@extschema@.http_request)
$$;

create function @extschema@.http_post(uri varchar, content varchar, content_type varchar)
returns @extschema@.http_response
language sql
as $$
    select @extschema@.http(('POST', $1, null, $3, $2)::@extschema@.http_request)
$$;

create function @extschema@.http_put(uri varchar, content varchar, content_type varchar)
returns @extschema@.http_response
language sql
as $$
    select @extschema@.http(('PUT', $1, null, $3, $2)::@extschema@.http_request)
$$;

create function @extschema@.http_patch(uri varchar, content varchar, content_type varchar)
returns @extschema@.http_response
language sql
as $$
    select @extschema@.http(('PATCH', $1, null, $3, $2)::@extschema@.http_request)
$$;

create function @extschema@.http_delete(uri varchar)
returns @extschema@.http_response
language sql
as $$
    select @extschema@.http(('DELETE', $1, null, null, null)::@extschema@.http_request)
$$;

create function @extschema@.http_delete(uri varchar, content varchar, content_type varchar)
returns @extschema@.http_response
language sql
as $$
    select @extschema@.http(('DELETE', $1, null, $3, $2)::@extschema@.http_request)
$$;

create function @extschema@.http_head(uri varchar)
returns @extschema@.http_response
language sql
as $$
    select @extschema@.http(('HEAD', $1, null, null, null)::@extschema@.http_request)
$$;

-- curl_easy_escape: every byte but A-Z a-z 0-9 - . _ ~ becomes %XX.
create function @extschema@.urlencode(string bytea)
returns text
language sql
immutable strict
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

create function @extschema@.urlencode(string varchar)
returns text
language sql
immutable strict
as $$
    select @extschema@.urlencode(pg_catalog.convert_to(string, 'UTF8'))
$$;

create function @extschema@.urlencode(data jsonb)
returns text
language sql
immutable strict
as $$
    select coalesce(pg_catalog.string_agg(
        @extschema@.urlencode(pg_catalog.convert_to(e.key, 'UTF8')) || '='
        || @extschema@.urlencode(pg_catalog.convert_to(e.value, 'UTF8')),
        '&'
    ), '')
    from pg_catalog.jsonb_each_text(data) as e
$$;

create function @extschema@.http_get(uri varchar, data jsonb)
returns @extschema@.http_response
language sql
as $$
    select @extschema@.http(('GET', $1 || '?' || @extschema@.urlencode($2), null, null, null)::@extschema@.http_request)
$$;

create function @extschema@.http_post(uri varchar, data jsonb)
returns @extschema@.http_response
language sql
as $$
    select @extschema@.http(
        ('POST', $1, null, 'application/x-www-form-urlencoded', @extschema@.urlencode($2))::@extschema@.http_request
    )
$$;

create function @extschema@.text_to_bytea(data text)
returns bytea
language sql
immutable strict
as $$
    select pg_catalog.convert_to(data, 'UTF8')
$$;

create function @extschema@.bytea_to_text(data bytea)
returns text
language sql
immutable strict
as $$
    select pg_catalog.convert_from(data, 'UTF8')
$$;
