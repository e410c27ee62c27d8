-- supabase-dbdev 0.0.5 as khepri-db serves it offline: the database.dev client, schema dbdev.
-- dbdev.install(package_name) reads a package's versions, update paths and default version from
-- database.dev's REST API through the http extension, and registers them with pg_tle; `create
-- extension` then installs the package. khepri-db's own implementation, with the behaviour and the
-- errors of supabase/dbdev's client. See docs/extensions/supabase-dbdev.md in khepri-db.

create schema dbdev;

-- GET base_url || path through the http extension (in whatever schema it was created), and return
-- the JSON body of a 200 answer; anything else is dbdev's error for `what`.
create function dbdev.registry_get(path text, base_url text, api_key text, what text)
returns json
language plpgsql
as $$
declare
    http_schema text := (
        select e.extnamespace::regnamespace::text from pg_catalog.pg_extension as e where e.extname = 'http'
    );
    response record;
begin
    execute pg_catalog.format(
        'select r.status, r.content from %1$s.http((''GET'', $1, %2$s, null, null)::%1$s.http_request) as r',
        http_schema,
        case
            when api_key is null then 'null'
            else pg_catalog.format('array[(''apiKey'', $2)::%s.http_header]', http_schema)
        end
    )
    into response
    using base_url || path, api_key;
    if response.status is distinct from 200 then
        raise notice using errcode = '22000', message = pg_catalog.format('DBDEV INFO: %s', response.content);
        raise exception using
            errcode = '22000', message = pg_catalog.format('Non-200 response code while loading %s from dbdev', what);
    end if;
    return response.content::json;
end
$$;

create function dbdev.install(
    package_name text,
    base_url text default 'https://api.database.dev/rest/v1/',
    api_key text default null
)
returns boolean
language plpgsql
as $$
declare
    -- database.dev knows a package by its name (handle-partial_name) and its alias (handle@partial_name)
    name_filter text := pg_catalog.format('or=(package_name.eq.%1$s,package_alias.eq.%1$s)', package_name);
    contents json;
    rec record;
begin
    if not exists (select from pg_catalog.pg_extension as e where e.extname = 'http') then
        raise exception using errcode = '22000', message = 'dbdev requires the http extension and it is not available';
    end if;
    if not exists (select from pg_catalog.pg_extension as e where e.extname = 'pg_tle') then
        raise exception using errcode = '22000', message = 'dbdev requires the pgtle extension and it is not available';
    end if;

    -- Every version: the first one installed creates the extension, the others are added to it;
    -- versions already installed are left as they are.
    contents := dbdev.registry_get(
        'package_versions?select=version,sql,control_description,control_requires&' || name_filter,
        base_url, api_key, 'versions'
    );
    if contents is null or pg_catalog.json_typeof(contents) <> 'array' or pg_catalog.json_array_length(contents) = 0 then
        raise exception using
            errcode = '22000', message = pg_catalog.format('No versions found for package named %s', package_name);
    end if;
    for rec in
        select
            v ->> 'version' as version,
            v ->> 'sql' as sql,
            coalesce(v ->> 'control_description', '') as description,
            array(select pg_catalog.json_array_elements_text(v -> 'control_requires')) as requires
        from pg_catalog.json_array_elements(contents) as v
    loop
        if not exists (select from pgtle.available_extensions() as a where a.name = package_name) then
            perform pgtle.install_extension(package_name, rec.version, rec.description, rec.sql, rec.requires);
        elsif not exists (
            select from pgtle.available_extension_versions() as a where a.name = package_name and a.version = rec.version
        ) then
            perform pgtle.install_extension_version_sql(package_name, rec.version, rec.sql);
        end if;
    end loop;

    -- Every update path not installed yet.
    contents := dbdev.registry_get(
        'package_upgrades?select=from_version,to_version,sql&' || name_filter, base_url, api_key, 'upgrade paths'
    );
    if contents is null or pg_catalog.json_typeof(contents) <> 'array' then
        raise exception using errcode = '22000', message = 'Invalid response from dbdev upgrade paths';
    end if;
    for rec in
        select u ->> 'from_version' as from_version, u ->> 'to_version' as to_version, u ->> 'sql' as sql
        from pg_catalog.json_array_elements(contents) as u
    loop
        if not exists (
            select
            from pgtle.extension_update_paths(package_name) as p
            where p.source = rec.from_version and p.target = rec.to_version and p.path = rec.from_version || '--' || rec.to_version
        ) then
            perform pgtle.install_update_path(package_name, rec.from_version, rec.to_version, rec.sql);
        end if;
    end loop;

    -- The package's default version.
    contents := dbdev.registry_get('packages?select=default_version&limit=1&' || name_filter, base_url, api_key, 'packages');
    if contents is null or pg_catalog.json_typeof(contents) <> 'array' or pg_catalog.json_array_length(contents) = 0 then
        raise exception using errcode = '22000', message = pg_catalog.format('No package named %s found', package_name);
    end if;
    if contents -> 0 ->> 'default_version' is null then
        raise notice using errcode = '22000', message = 'DBDEV INFO: missing default version';
    else
        perform pgtle.set_default_version(package_name, contents -> 0 ->> 'default_version');
    end if;
    return true;
end
$$;
