-- khepri-db stand-in for http 1.6 (pramsey/pgsql-http as Supabase ships it): the types and
-- functions with pgsql-http's signatures. Helpers that need no network (urlencode, http_header,
-- text_to_bytea, bytea_to_text) work. The stand-in sends nothing: requests to database.dev's API
-- (api.database.dev/rest/v1/ packages, package_versions, package_upgrades) are answered offline from
-- khepri-db's own catalogue (sql/dbdev/, staged by the engine as khepri_dbdev.json beside the
-- extension files), so the dbdev install snippet and dbdev.install work without a network; every
-- other request raises 0A000.

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

-- -- database.dev offline ---------------------------------------------------------------------------

-- khepri-db's database.dev catalogue: khepri_dbdev.json, which the engine writes beside the staged
-- extension files (PostgreSQL 18+: <extension_control_path entry>/extension; before 18:
-- <SHAREDIR>/extension). Null on a server khepri-db did not start. Reading server files needs
-- superuser, hence security definer; it takes no argument and reads that one file, so anyone who may
-- call http() may call it.
create function _khepri_dbdev_catalogue()
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    directories text[];
    directory text;
    path text;
begin
    if pg_catalog.current_setting('server_version_num')::integer < 180000 then
        directories := array[(select c.setting from pg_catalog.pg_config as c where c.name = 'SHAREDIR') || '/extension'];
    else
        select pg_catalog.array_agg(pg_catalog.rtrim(t.entry, '/') || '/extension' order by t.n)
        into directories
        from pg_catalog.unnest(
            pg_catalog.string_to_array(pg_catalog.current_setting('extension_control_path'), ':')
        ) with ordinality as t (entry, n)
        where t.entry not in ('$system', '');
    end if;
    foreach directory in array coalesce(directories, '{}') loop
        path := directory || '/khepri_dbdev.json';
        if (pg_catalog.pg_stat_file(path, true)).size is not null then
            return pg_catalog.convert_from(pg_catalog.pg_read_binary_file(path), 'UTF8')::jsonb;
        end if;
    end loop;
    return null;
end
$$;

-- A query-string component, decoded as PostgREST's server does (%XX escapes, + is a space).
create function _khepri_urldecode(value text)
returns text
language plpgsql
immutable
strict
set search_path from current
as $$
declare
    bytes bytea := '';
    i integer := 1;
    c text;
begin
    while i <= pg_catalog.length(value) loop
        c := pg_catalog.substr(value, i, 1);
        if c = '%' and pg_catalog.substr(value, i + 1, 2) ~ '^[0-9A-Fa-f]{2}$' then
            bytes := bytes || pg_catalog.decode(pg_catalog.substr(value, i + 1, 2), 'hex');
            i := i + 3;
        else
            bytes := bytes || pg_catalog.convert_to(case when c = '+' then ' ' else c end, 'UTF8');
            i := i + 1;
        end if;
    end loop;
    return pg_catalog.convert_from(bytes, 'UTF8');
end
$$;

-- The columns of database.dev's API views, in the views' order (supabase/dbdev's migrations).
create function _khepri_dbdev_columns(resource text)
returns text[]
language sql
immutable
strict
set search_path from current
as $$
    select case resource
        when 'packages' then array[
            'id', 'package_name', 'handle', 'partial_name', 'latest_version', 'description_md',
            'control_description', 'control_requires', 'created_at', 'default_version', 'package_alias'
        ]
        when 'package_versions' then array[
            'id', 'package_id', 'package_name', 'version', 'sql', 'description_md', 'control_description',
            'control_requires', 'created_at', 'package_alias'
        ]
        when 'package_upgrades' then array[
            'id', 'package_id', 'package_name', 'from_version', 'to_version', 'sql', 'created_at', 'package_alias'
        ]
    end
$$;

-- The rows of one view, built from the catalogue, in catalogue order. Ids are stable uuids derived
-- from the names; created_at is null (the catalogue has no dates); package_alias is database.dev's
-- new name form, handle@partial_name.
create function _khepri_dbdev_rows(catalogue jsonb, resource text)
returns table (r jsonb, n bigint)
language sql
stable
set search_path from current
as $$
    with packages as (
        select
            p.value as package,
            p.ordinality as package_n,
            pg_catalog.md5('khepri-dbdev:' || (p.value ->> 'package_name'))::uuid as package_id,
            (p.value ->> 'handle') || '@' || (p.value ->> 'partial_name') as package_alias
        from pg_catalog.jsonb_array_elements(catalogue -> 'packages') with ordinality as p
    )
    select
        pg_catalog.jsonb_build_object(
            'id', package_id,
            'package_name', package ->> 'package_name',
            'handle', package ->> 'handle',
            'partial_name', package ->> 'partial_name',
            'latest_version', (
                select v.value ->> 'version'
                from pg_catalog.jsonb_array_elements(package -> 'versions') as v
                order by
                    pg_catalog.string_to_array(
                        pg_catalog.substring(v.value ->> 'version', '^[0-9]+(?:\.[0-9]+)*'), '.'
                    )::integer[] desc
                limit 1
            ),
            'description_md', package -> 'description_md',
            'control_description', package -> 'control_description',
            'control_requires', coalesce(package -> 'control_requires', '[]'),
            'created_at', null,
            'default_version', package -> 'default_version',
            'package_alias', package_alias
        ),
        package_n
    from packages
    where resource = 'packages'
    union all
    select
        pg_catalog.jsonb_build_object(
            'id', pg_catalog.md5('khepri-dbdev:' || (package ->> 'package_name') || '--' || (v.value ->> 'version'))::uuid,
            'package_id', package_id,
            'package_name', package ->> 'package_name',
            'version', v.value ->> 'version',
            'sql', v.value ->> 'sql',
            'description_md', package -> 'description_md',
            'control_description', package -> 'control_description',
            'control_requires', coalesce(package -> 'control_requires', '[]'),
            'created_at', null,
            'package_alias', package_alias
        ),
        package_n * 100000 + v.ordinality
    from packages
    cross join pg_catalog.jsonb_array_elements(package -> 'versions') with ordinality as v
    where resource = 'package_versions'
    union all
    select
        pg_catalog.jsonb_build_object(
            'id', pg_catalog.md5(
                'khepri-dbdev:' || (package ->> 'package_name') || '--' || (u.value ->> 'from_version')
                || '--' || (u.value ->> 'to_version')
            )::uuid,
            'package_id', package_id,
            'package_name', package ->> 'package_name',
            'from_version', u.value ->> 'from_version',
            'to_version', u.value ->> 'to_version',
            'sql', u.value ->> 'sql',
            'created_at', null,
            'package_alias', package_alias
        ),
        package_n * 100000 + u.ordinality
    from packages
    cross join pg_catalog.jsonb_array_elements(package -> 'upgrades') with ordinality as u
    where resource = 'package_upgrades'
$$;

-- PostgREST's 400 answer for a column the view does not have.
create function _khepri_dbdev_no_column(resource text, column_name text)
returns http_response
language sql
immutable
set search_path from current
as $$
    select (
        400,
        'application/json; charset=utf-8',
        array[('content-type', 'application/json; charset=utf-8')::http_header],
        '{"code":"42703","details":null,"hint":null,"message":'
        || pg_catalog.to_json(pg_catalog.format('column %s.%s does not exist', resource, column_name))::text || '}'
    )::http_response
$$;

-- Answer a request to database.dev's REST API (https://api.database.dev/rest/v1/...) as PostgREST
-- would, from the catalogue: GET packages, package_versions and package_upgrades with the query
-- syntax dbdev and the install snippet use (select=, <column>=eq.<value>, or=(<column>.eq.<value>,...),
-- order=<column>[.asc|.desc][.nullsfirst|.nullslast], limit=, offset=), and POST rpc/register_download
-- (204, nothing recorded). Null for any other URL. Raises 0A000 for a request it cannot answer
-- faithfully, and for a package the catalogue lacks (naming the packages it has).
create function _khepri_dbdev_response(request http_request)
returns http_response
language plpgsql
stable
set search_path from current
as $$
declare
    parts text[] := pg_catalog.regexp_match((request).uri, '^https://api\.database\.dev/rest/v1/([^?#]*)(?:\?([^#]*))?$');
    method text := pg_catalog.upper((request).method);
    resource text;
    columns text[];
    catalogue jsonb;
    selected text[];
    groups jsonb := '[]';
    group_ jsonb;
    identity_groups jsonb;
    order_terms text[] := '{}';
    row_limit integer;
    row_offset integer := 0;
    param text;
    key text;
    value text;
    term text;
    term_parts text[];
    alternative text;
    alternative_parts text[];
    rows_ jsonb[];
    body text;
    known text;
begin
    if parts is null then
        return null;
    end if;
    resource := parts[1];
    if resource = 'rpc/register_download' and method = 'POST' then
        return (204, null, '{}', '')::http_response;
    end if;
    columns := _khepri_dbdev_columns(resource);
    if columns is null or method <> 'GET' then
        raise exception using
            errcode = '0A000',
            message = pg_catalog.format(
                'http stand-in: %s %s was not sent: khepri-db answers database.dev offline only for GET %s',
                (request).method, (request).uri, 'packages, package_versions and package_upgrades'
            ),
            hint = 'Use an engine with the real http extension (pytest --khepri-engine docker, or supabase start).';
    end if;
    catalogue := _khepri_dbdev_catalogue();
    if catalogue is null then
        raise exception using
            errcode = '0A000',
            message = pg_catalog.format(
                'http stand-in: %s %s was not sent, and this server has no offline database.dev catalogue',
                (request).method, (request).uri
            ),
            detail = 'khepri-db''s engines write khepri_dbdev.json beside the extension stand-ins when they start the server.',
            hint = 'Restart the server with khepri-db (khepri-db db stop, then start), or use an engine with the real http extension.';
    end if;

    foreach param in array pg_catalog.string_to_array(coalesce(parts[2], ''), '&') loop
        continue when param = '';
        key := _khepri_urldecode(pg_catalog.split_part(param, '=', 1));
        value := case
            when pg_catalog.strpos(param, '=') > 0 then _khepri_urldecode(pg_catalog.substr(param, pg_catalog.strpos(param, '=') + 1))
            else ''
        end;
        if key = 'select' then
            selected := '{}';
            foreach term in array pg_catalog.string_to_array(value, ',') loop
                term := pg_catalog.btrim(term);
                if term = '*' then
                    selected := selected || columns;
                elsif term !~ '^[a-z_]+$' then
                    raise exception using
                        errcode = '0A000',
                        message = pg_catalog.format('http stand-in: select=%s is not answered offline (only plain column names)', value);
                elsif not term = any(columns) then
                    return _khepri_dbdev_no_column(resource, term);
                else
                    selected := selected || term;
                end if;
            end loop;
        elsif key = 'order' then
            foreach term in array pg_catalog.string_to_array(value, ',') loop
                term_parts := pg_catalog.regexp_match(
                    pg_catalog.btrim(term), '^([a-z_]+)(?:\.(asc|desc))?(?:\.(nullsfirst|nullslast))?$'
                );
                if term_parts is null then
                    raise exception using
                        errcode = '0A000',
                        message = pg_catalog.format('http stand-in: order=%s is not answered offline', value);
                elsif not term_parts[1] = any(columns) then
                    return _khepri_dbdev_no_column(resource, term_parts[1]);
                end if;
                order_terms := order_terms || pg_catalog.format(
                    '(r ->> %L) collate "C" %s nulls %s',
                    term_parts[1],
                    coalesce(term_parts[2], 'asc'),
                    case
                        when term_parts[3] = 'nullsfirst' then 'first'
                        when term_parts[3] = 'nullslast' then 'last'
                        when term_parts[2] = 'desc' then 'first'
                        else 'last'
                    end
                );
            end loop;
        elsif key in ('limit', 'offset') then
            if value !~ '^[0-9]{1,9}$' then
                raise exception using
                    errcode = '0A000',
                    message = pg_catalog.format('http stand-in: %s=%s is not answered offline', key, value);
            end if;
            if key = 'limit' then
                row_limit := value::integer;
            else
                row_offset := value::integer;
            end if;
        elsif key = 'or' then
            if value !~ '^\(.*\)$' then
                raise exception using
                    errcode = '0A000', message = pg_catalog.format('http stand-in: or=%s is not answered offline', value);
            end if;
            group_ := '[]';
            -- alternatives are separated by commas outside double quotes
            foreach alternative in array pg_catalog.regexp_split_to_array(
                pg_catalog.substr(value, 2, pg_catalog.length(value) - 2), ',(?=(?:[^"]*"[^"]*")*[^"]*$)'
            ) loop
                alternative_parts := pg_catalog.regexp_match(alternative, '^([a-z_]+)\.eq\.(.*)$');
                if alternative_parts is null then
                    raise exception using
                        errcode = '0A000',
                        message = pg_catalog.format('http stand-in: or=%s is not answered offline (only <column>.eq.<value>)', value);
                elsif not alternative_parts[1] = any(columns) then
                    return _khepri_dbdev_no_column(resource, alternative_parts[1]);
                end if;
                group_ := group_ || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_array(
                    alternative_parts[1],
                    case
                        when alternative_parts[2] ~ '^".*"$'
                            then pg_catalog.replace(
                                pg_catalog.substr(alternative_parts[2], 2, pg_catalog.length(alternative_parts[2]) - 2),
                                '\"', '"'
                            )
                        else alternative_parts[2]
                    end
                ));
            end loop;
            groups := groups || pg_catalog.jsonb_build_array(group_);
        elsif not key = any(columns) then
            return _khepri_dbdev_no_column(resource, key);
        elsif value !~ '^eq\.' or key = 'control_requires' then
            raise exception using
                errcode = '0A000',
                message = pg_catalog.format('http stand-in: %s=%s is not answered offline (only <column>=eq.<value>)', key, value);
        else
            groups := groups || pg_catalog.jsonb_build_array(
                pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_array(key, pg_catalog.substr(value, 4)))
            );
        end if;
    end loop;

    -- A request naming a package (by package_name, package_alias, handle or partial_name) that the
    -- catalogue lacks cannot be answered: database.dev may well have it. A package the catalogue has,
    -- asked in the other name form (package_name=eq.supabase@dbdev), is answered as database.dev
    -- would: with no rows.
    identity_groups := coalesce((
        select pg_catalog.jsonb_agg(g.value)
        from pg_catalog.jsonb_array_elements(groups) as g
        where not exists (
            select
            from pg_catalog.jsonb_array_elements(g.value) as a
            where not a.value ->> 0 in ('package_name', 'package_alias', 'handle', 'partial_name')
        )
    ), '[]');
    if pg_catalog.jsonb_array_length(identity_groups) > 0 and not exists (
        select
        from _khepri_dbdev_rows(catalogue, 'packages') as p
        where not exists (
            select
            from pg_catalog.jsonb_array_elements(identity_groups) as g
            where not exists (
                select
                from pg_catalog.jsonb_array_elements(g.value) as a
                where case
                    when a.value ->> 0 in ('package_name', 'package_alias')
                        then a.value ->> 1 in (p.r ->> 'package_name', p.r ->> 'package_alias')
                    else p.r ->> (a.value ->> 0) = a.value ->> 1
                end
            )
        )
    ) then
        select pg_catalog.string_agg(distinct a.value ->> 1, '", "')
        into value
        from pg_catalog.jsonb_array_elements(identity_groups) as g
        cross join pg_catalog.jsonb_array_elements(g.value) as a;
        select pg_catalog.string_agg(
            pg_catalog.format('%s (%s@%s)', p.value ->> 'package_name', p.value ->> 'handle', p.value ->> 'partial_name'),
            ', ' order by p.value ->> 'package_name'
        )
        into known
        from pg_catalog.jsonb_array_elements(catalogue -> 'packages') as p;
        raise exception using
            errcode = '0A000',
            message = pg_catalog.format(
                'http stand-in: database.dev package "%s" is not in khepri-db''s offline catalogue', value
            ),
            detail = 'khepri-db answers api.database.dev offline with the packages it bundles: '
            || coalesce(known, 'none') || '.',
            hint = 'Use an engine with the real http extension to reach database.dev (pytest --khepri-engine docker, '
            || 'or supabase start).';
    end if;

    select coalesce(pg_catalog.array_agg(t.r order by t.n), '{}')
    into rows_
    from _khepri_dbdev_rows(catalogue, resource) as t
    where not exists (
        select
        from pg_catalog.jsonb_array_elements(groups) as g
        where not exists (
            select from pg_catalog.jsonb_array_elements(g.value) as a where t.r ->> (a.value ->> 0) = a.value ->> 1
        )
    );
    if pg_catalog.cardinality(order_terms) > 0 then
        execute pg_catalog.format(
            'select coalesce(pg_catalog.array_agg(r order by %s, n), ''{}'') from pg_catalog.unnest($1) with ordinality as t (r, n)',
            pg_catalog.array_to_string(order_terms, ', ')
        )
        into rows_
        using rows_;
    end if;
    rows_ := rows_[row_offset + 1:row_offset + coalesce(row_limit, pg_catalog.cardinality(rows_))];

    -- PostgREST's body: json_agg of the selected columns, so row_to_json's and json_agg's layout
    select coalesce('[' || pg_catalog.string_agg(o.object, e', \n ' order by o.n) || ']', '[]')
    into body
    from (
        select
            t.n,
            '{' || pg_catalog.string_agg(
                pg_catalog.to_json(c.name)::text || ':' || case pg_catalog.jsonb_typeof(t.r -> c.name)
                    when 'string' then pg_catalog.to_json(t.r ->> c.name)::text
                    when 'array' then pg_catalog.to_json(array(select pg_catalog.jsonb_array_elements_text(t.r -> c.name)))::text
                    when 'null' then 'null'
                    else coalesce((t.r -> c.name)::text, 'null')
                end,
                ',' order by c.i
            ) || '}' as object
        from pg_catalog.unnest(rows_) with ordinality as t (r, n)
        cross join pg_catalog.unnest(coalesce(selected, columns)) with ordinality as c (name, i)
        group by t.n
    ) as o;
    return (
        200,
        'application/json; charset=utf-8',
        array[
            ('content-type', 'application/json; charset=utf-8')::http_header,
            ('content-range', case
                when pg_catalog.cardinality(rows_) > 0
                    then row_offset || '-' || (row_offset + pg_catalog.cardinality(rows_) - 1) || '/*'
                else '*/*'
            end)::http_header
        ],
        body
    )::http_response;
end
$$;

create function http(request http_request)
returns http_response
language plpgsql
set search_path from current
as $$
declare
    response http_response;
begin
    response := _khepri_dbdev_response(request);
    if (response).status is not null then
        return response;
    end if;
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
