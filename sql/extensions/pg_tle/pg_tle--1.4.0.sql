-- khepri-db stand-in for pg_tle 1.4.0 (aws/pg_tle as Supabase ships it): schema pgtle, role
-- pgtle_admin, and the management functions with pg_tle's signatures, errors and privileges.
--
-- pg_tle makes PostgreSQL read an extension's control file and scripts from functions instead of
-- files. Without that C hook the stand-in keeps each registered Trusted Language Extension (TLE) in
-- its own tables and, before every CREATE EXTENSION and ALTER EXTENSION, writes the TLEs of the
-- current database as ordinary extension files into the server's extension directory (an event
-- trigger, as the server's OS user, with lo_export). A ddl_command_end trigger then refuses an
-- extension built from files this database did not register (left by another database, or by a TLE
-- uninstalled since: SQL cannot delete files). Data types and hooks raise 0A000.

-- -- Role and privileges (pg_tle's, plus Supabase's after-create grant to postgres) ------------------

do $$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'pgtle_admin') then
        create role pgtle_admin nologin;
    end if;
    if exists (select from pg_catalog.pg_roles where rolname = 'postgres') then
        grant pgtle_admin to postgres;
    end if;
end
$$;

revoke all on schema pgtle from public;
grant usage on schema pgtle to public;
grant usage, create on schema pgtle to pgtle_admin;

-- -- pg_tle's types and feature table (hooks are not emulated: the table stays empty) --------------

create type pgtle.pg_tle_features as enum ('passcheck', 'clientauth');

create type pgtle.password_types as enum (
    'PASSWORD_TYPE_PLAINTEXT', 'PASSWORD_TYPE_MD5', 'PASSWORD_TYPE_SCRAM_SHA_256'
);

create type pgtle.clientauth_port_subset as (
    noblock boolean,
    remote_host text,
    remote_hostname text,
    remote_hostname_resolv integer,
    remote_hostname_errcode integer,
    database_name text,
    user_name text
);

-- pg_tle's own table, in pg_tle's shape.
create table pgtle.feature_info (
    feature pgtle.pg_tle_features,
    schema_name text,
    proname text,
    obj_identity text not null,
    primary key (feature, schema_name, proname)
);

comment on table pgtle.feature_info is
'A function registered for a pg_tle hook. khepri-db stand-in: hooks are not emulated, so it stays empty.';

grant select on pgtle.feature_info to public;
grant insert, delete on pgtle.feature_info to pgtle_admin;

-- -- Registered TLEs (the stand-in's storage; pg_tle keeps them as functions in schema pgtle) -----

create function pgtle.khepri_touch_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    new.updated_at := pg_catalog.now();
    return new;
end
$$;

-- Names and versions are file names (<name>--<version>.sql), written by a superuser's function: the
-- checks keep what pgtle_admin may insert directly to pg_tle's rules (no "/", no "--").
create function pgtle.khepri_valid_name(extname text)
returns boolean
language sql
immutable
set search_path = ''
as $$
    select extname ~ '^[A-Za-z0-9_@-]+$' and pg_catalog.strpos(extname, '--') = 0 and extname !~ '^-|-$'
$$;

create function pgtle.khepri_valid_version(version text)
returns boolean
language sql
immutable
set search_path = ''
as $$
    select version <> '' and pg_catalog.strpos(version, '--') = 0 and pg_catalog.strpos(version, '/') = 0
        and version !~ '^-|-$'
$$;

create table pgtle.tle_extension (
    name text primary key check (pgtle.khepri_valid_name(name)),
    default_version text not null check (pgtle.khepri_valid_version(default_version)),
    comment text not null,
    requires text[] not null,
    created_at timestamptz not null default pg_catalog.now(),
    updated_at timestamptz not null default pg_catalog.now()
);

comment on table pgtle.tle_extension is
'A Trusted Language Extension registered in this database with pgtle.install_extension: its control '
'file (default version, comment, requires). khepri-db stand-in for pg_tle''s "<name>.control" function.';

create table pgtle.tle_extension_version (
    name text not null references pgtle.tle_extension (name) on delete cascade,
    version text not null check (pgtle.khepri_valid_version(version)),
    sql text not null,
    created_at timestamptz not null default pg_catalog.now(),
    updated_at timestamptz not null default pg_catalog.now(),
    primary key (name, version)
);

comment on table pgtle.tle_extension_version is
'The install script of one version of a registered TLE (install_extension, install_extension_version_sql). '
'khepri-db stand-in for pg_tle''s "<name>--<version>.sql" function.';

-- No foreign key to tle_extension: pg_tle accepts an update path before (or without) its extension.
create table pgtle.tle_update_path (
    name text not null check (pgtle.khepri_valid_name(name)),
    from_version text not null check (pgtle.khepri_valid_version(from_version)),
    to_version text not null check (pgtle.khepri_valid_version(to_version)),
    sql text not null,
    created_at timestamptz not null default pg_catalog.now(),
    updated_at timestamptz not null default pg_catalog.now(),
    primary key (name, from_version, to_version)
);

comment on table pgtle.tle_update_path is
'An update script of a TLE, from one version to another (install_update_path). khepri-db stand-in for '
'pg_tle''s "<name>--<from>--<to>.sql" function.';

create trigger tle_extension_updated_at
before update on pgtle.tle_extension
for each row execute function pgtle.khepri_touch_updated_at();

create trigger tle_extension_version_updated_at
before update on pgtle.tle_extension_version
for each row execute function pgtle.khepri_touch_updated_at();

create trigger tle_update_path_updated_at
before update on pgtle.tle_update_path
for each row execute function pgtle.khepri_touch_updated_at();

-- pg_dump keeps their rows (pg_tle's functions are dumped too).
select pg_catalog.pg_extension_config_dump('pgtle.tle_extension', '');
select pg_catalog.pg_extension_config_dump('pgtle.tle_extension_version', '');
select pg_catalog.pg_extension_config_dump('pgtle.tle_update_path', '');

-- Anyone may read what is installed (pg_tle's functions are public); members of pgtle_admin write.
grant select on pgtle.tle_extension, pgtle.tle_extension_version, pgtle.tle_update_path to public;
grant insert, update, delete on pgtle.tle_extension, pgtle.tle_extension_version, pgtle.tle_update_path
to pgtle_admin;

-- -- Files: where the server reads extensions, and which files are the stand-in's -----------------

-- The directories the server reads extension control files from, in its search order. PostgreSQL
-- 18+: extension_control_path ($system is SHAREDIR/extension; every other entry + '/extension', the
-- first of which is where khepri-db stages its stand-ins and this stand-in writes). Before 18:
-- SHAREDIR/extension (the system engine's private installation tree). pg_config is superuser-only.
create function pgtle.khepri_extension_directories(out directory text, out writable boolean)
returns setof record
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    sharedir text := (select c.setting from pg_catalog.pg_config as c where c.name = 'SHAREDIR');
    entry text;
    found_writable boolean := false;
begin
    if pg_catalog.current_setting('server_version_num')::integer < 180000 then
        directory := sharedir || '/extension';
        writable := true;
        return next;
        return;
    end if;
    foreach entry in array pg_catalog.string_to_array(pg_catalog.current_setting('extension_control_path'), ':') loop
        if entry = '$system' then
            directory := sharedir || '/extension';
            writable := false;
        elsif entry <> '' then
            directory := pg_catalog.rtrim(entry, '/') || '/extension';
            writable := not found_writable;
            found_writable := true;
        else
            continue;
        end if;
        return next;
    end loop;
end
$$;

-- First line of every control file the stand-in writes.
create function pgtle.khepri_marker()
returns text
language sql
immutable
set search_path = ''
as $$
    select '# pg_tle stand-in (khepri-db): '
$$;

-- Which control file the server would read for extension `extname`: 'file' (a real file-based
-- extension, or a khepri-db stand-in), 'tle' (a file this stand-in wrote), or null (none).
create function pgtle.khepri_control_kind(extname text)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    directory text;
    head bytea;
    marker bytea := pg_catalog.convert_to(pgtle.khepri_marker(), 'UTF8');
begin
    if pg_catalog.strpos(extname, '/') > 0 then
        return null;  -- not an extension name (PostgreSQL forbids directory separators)
    end if;
    for directory in select d.directory from pgtle.khepri_extension_directories() as d loop
        head := pg_catalog.pg_read_binary_file(
            directory || '/' || extname || '.control', 0, pg_catalog.octet_length(marker), true
        );
        if head is not null then
            return case when head = marker then 'tle' else 'file' end;
        end if;
    end loop;
    return null;
end
$$;

revoke execute on function pgtle.khepri_extension_directories() from public;
revoke execute on function pgtle.khepri_control_kind(text) from public;
grant execute on function pgtle.khepri_control_kind(text) to pgtle_admin;

-- Write `content` to `path` (as the server's OS user) unless the file already holds exactly it.
create function pgtle.khepri_write_file(path text, content text)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
    wanted bytea := pg_catalog.convert_to(content, pg_catalog.getdatabaseencoding()::text);
    size bigint := (pg_catalog.pg_stat_file(path, true)).size;
    lob oid;
begin
    if size = pg_catalog.octet_length(wanted) and pg_catalog.pg_read_binary_file(path, 0, size, true) = wanted then
        return false;
    end if;
    lob := pg_catalog.lo_from_bytea(0, wanted);
    perform pg_catalog.lo_export(lob, path);
    perform pg_catalog.lo_unlink(lob);
    return true;
end
$$;

revoke execute on function pgtle.khepri_write_file(text, text) from public;

-- A string in a control file (GUC file syntax): quotes doubled, backslashes and line breaks escaped.
create function pgtle.khepri_control_string(value text)
returns text
language sql
immutable
strict
set search_path = ''
as $$
    select '''' || pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
        value, '\', '\\'), '''', ''''''), e'\n', '\n'), e'\r', '\r') || ''''
$$;

-- The control file of a registered TLE, as pg_tle builds it (relocatable, superuser and trusted false).
create function pgtle.khepri_control_file(extname text)
returns text
language sql
stable
set search_path = ''
as $$
    select pgtle.khepri_marker() || 'extension ' || e.name || ', registered with pgtle.install_extension in '
        || 'database ' || pg_catalog.translate(pg_catalog.current_database(), e'\n\r', '  ')
        || '; rewritten before every CREATE/ALTER EXTENSION'
        || e'\n'
        || 'comment = ' || pgtle.khepri_control_string(e.comment) || e'\n'
        || 'default_version = ' || pgtle.khepri_control_string(e.default_version) || e'\n'
        || 'relocatable = false' || e'\n'
        || 'superuser = false' || e'\n'
        || 'trusted = false' || e'\n'
        || 'requires = ' || pgtle.khepri_control_string(pg_catalog.array_to_string(e.requires, ',')) || e'\n'
    from pgtle.tle_extension as e
    where e.name = extname
$$;

-- Whether version `target` of TLE `extname` is reachable from version `source` through the update
-- paths registered in this database (source = target counts).
create function pgtle.khepri_reachable(extname text, source text, target text)
returns boolean
language sql
stable
set search_path = ''
as $$
    with recursive reached (version) as (
        select source
        union
        select p.to_version
        from reached as r
        inner join pgtle.tle_update_path as p on p.name = extname and p.from_version = r.version
    )
    select exists (select from reached where version = target)
$$;

-- -- The event triggers ----------------------------------------------------------------------------

-- ddl_command_start of CREATE/ALTER EXTENSION: write every TLE registered in this database as
-- extension files, and remember the installed versions for the ddl_command_end check. A TLE whose
-- name a real extension has is never written (the real one's files stay untouched). A file that
-- cannot be written is a warning, not an error: the command may not concern a TLE at all.
create function pgtle.khepri_write_extension_files()
returns event_trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    directory text := (select d.directory from pgtle.khepri_extension_directories() as d where d.writable);
    tle record;
    script record;
begin
    perform pg_catalog.set_config(
        'khepri_pgtle.extensions_before',
        coalesce((select pg_catalog.jsonb_object_agg(e.extname, e.extversion) from pg_catalog.pg_extension as e), '{}')::text,
        true
    );
    if directory is null then
        return;
    end if;
    for tle in select e.name from pgtle.tle_extension as e order by e.name loop
        if pgtle.khepri_control_kind(tle.name) = 'file' then
            continue;
        end if;
        begin
            for script in
                select v.name || '--' || v.version || '.sql' as filename, v.sql
                from pgtle.tle_extension_version as v
                where v.name = tle.name
                union all
                select p.name || '--' || p.from_version || '--' || p.to_version || '.sql', p.sql
                from pgtle.tle_update_path as p
                where p.name = tle.name
            loop
                perform pgtle.khepri_write_file(directory || '/' || script.filename, script.sql);
            end loop;
            -- the control file last: it makes the extension visible to the server
            perform pgtle.khepri_write_file(directory || '/' || tle.name || '.control', pgtle.khepri_control_file(tle.name));
        exception
            when others then
                raise warning using
                    message = pg_catalog.format('pg_tle stand-in: could not write the files of extension "%s"', tle.name),
                    detail = sqlerrm,
                    hint = pg_catalog.format('khepri-db writes TLE files into %s, which the server''s OS user must own.', directory);
        end;
    end loop;
end
$$;

-- PostgreSQL's own error for an extension without a control file.
create function pgtle.khepri_raise_not_available(extname text)
returns void
language plpgsql
set search_path = ''
as $$
declare
    directory text := (select d.directory from pgtle.khepri_extension_directories() as d limit 1);
begin
    if pg_catalog.current_setting('server_version_num')::integer >= 180000 then
        raise exception using
            errcode = '0A000',
            message = pg_catalog.format('extension "%s" is not available', extname),
            hint = 'The extension must first be installed on the system where PostgreSQL is running.';
    end if;
    raise exception using
        errcode = '0A000',
        message = pg_catalog.format('extension "%s" is not available', extname),
        detail = pg_catalog.format(
            'Could not open extension control file "%s/%s.control": No such file or directory.', directory, extname
        ),
        hint = 'The extension must first be installed on the system where PostgreSQL is running.';
end
$$;

-- ddl_command_end of CREATE/ALTER EXTENSION: every extension the command created or moved to another
-- version whose control file this stand-in wrote must be registered here at that version (created:
-- an install script, or an update path from one; updated: a path from the previous version).
-- Otherwise it came from files another database (or an uninstalled TLE) left: refuse with
-- PostgreSQL's error, rolling the command back.
create function pgtle.khepri_check_extension_files()
returns event_trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    before_text text := pg_catalog.current_setting('khepri_pgtle.extensions_before', true);
    before jsonb;
    ext record;
    previous text;
begin
    if coalesce(before_text, '') = '' then
        return;
    end if;
    before := before_text::jsonb;
    for ext in select e.extname::text as name, e.extversion as version from pg_catalog.pg_extension as e loop
        previous := before ->> ext.name;
        if previous is not distinct from ext.version or pgtle.khepri_control_kind(ext.name) is distinct from 'tle' then
            continue;
        end if;
        if previous is null then
            if not exists (select from pgtle.tle_extension as t where t.name = ext.name) then
                perform pgtle.khepri_raise_not_available(ext.name);
            end if;
            if not exists (
                select
                from pgtle.tle_extension_version as v
                where v.name = ext.name and pgtle.khepri_reachable(ext.name, v.version, ext.version)
            ) then
                raise exception using
                    errcode = '22023',
                    message = pg_catalog.format(
                        'extension "%s" has no installation script nor update path for version "%s"', ext.name, ext.version
                    );
            end if;
        elsif not pgtle.khepri_reachable(ext.name, previous, ext.version) then
            raise exception using
                errcode = '22023',
                message = pg_catalog.format(
                    'extension "%s" has no update path from version "%s" to version "%s"', ext.name, previous, ext.version
                );
        end if;
    end loop;
end
$$;

revoke execute on function pgtle.khepri_raise_not_available(text) from public;

-- (with execute: the SQL linter does not parse event trigger statements)
do $$
begin
    execute 'create event trigger pgtle_khepri_write_extension_files on ddl_command_start '
    || 'when tag in (''CREATE EXTENSION'', ''ALTER EXTENSION'') execute function pgtle.khepri_write_extension_files()';
    execute 'create event trigger pgtle_khepri_check_extension_files on ddl_command_end '
    || 'when tag in (''CREATE EXTENSION'', ''ALTER EXTENSION'') execute function pgtle.khepri_check_extension_files()';
    -- also under session_replication_role = replica (pg_restore --disable-triggers, seeds)
    execute 'alter event trigger pgtle_khepri_write_extension_files enable always';
    execute 'alter event trigger pgtle_khepri_check_extension_files enable always';
end
$$;

-- -- Argument checks, with pg_tle's errors ---------------------------------------------------------

create function pgtle.khepri_check_name(extname text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
declare
    reason text;
begin
    if extname = '' then
        reason := 'Extension names must not be empty.';
    elsif pg_catalog.strpos(extname, '--') > 0 then
        reason := 'Extension names must not contain "--".';
    elsif extname like '-%' or extname like '%-' then
        reason := 'Extension names must not begin or end with "-".';
    elsif pg_catalog.strpos(extname, '/') > 0 then
        reason := 'Extension names must not contain directory separator characters.';
    elsif extname !~ '^[A-Za-z0-9_@-]+$' then
        reason := 'Extension names must only contain alphanumeric characters or valid separators.';
    else
        return;
    end if;
    raise exception using
        errcode = '22023', message = pg_catalog.format('invalid extension name: "%s"', extname), detail = reason;
end
$$;

create function pgtle.khepri_check_version(version text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
declare
    reason text;
begin
    if version = '' then
        reason := 'Version names must not be empty.';
    elsif pg_catalog.strpos(version, '--') > 0 then
        reason := 'Version names must not contain "--".';
    elsif version like '-%' or version like '%-' then
        reason := 'Version names must not begin or end with "-".';
    elsif pg_catalog.strpos(version, '/') > 0 then
        reason := 'Version names must not contain directory separator characters.';
    else
        return;
    end if;
    raise exception using
        errcode = '22023', message = pg_catalog.format('invalid extension version name: "%s"', version), detail = reason;
end
$$;

create function pgtle.khepri_required(argument text, value anyelement)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
    if value is null then
        raise exception using errcode = '22004', message = pg_catalog.format('"%s" is a required argument', argument);
    end if;
end
$$;

-- pg_tle wraps scripts in these dollar quotes and so refuses them in any definition.
create function pgtle.khepri_check_delimiters(definition text, what text default 'extension definition')
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
    if pg_catalog.strpos(definition, '$_pgtle_o_$') > 0 or pg_catalog.strpos(definition, '$_pgtle_i_$') > 0 then
        raise exception using
            errcode = '22023',
            message = pg_catalog.format('invalid character in %s', what),
            detail = 'Use of string delimiters "$_pgtle_o_$" and "$_pgtle_i_$" are forbidden in extension definitions.',
            hint = 'This may be an attempt at a SQL injection attack. Please verify your installation file.';
    end if;
end
$$;

-- -- Management functions (pg_tle's signatures) ----------------------------------------------------

create function pgtle.install_extension(
    name text,
    version text,
    description text,
    ext text,
    requires text[] default null
)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
    wanted text[] := coalesce(requires, '{}');
begin
    perform pgtle.khepri_required('name', name);
    perform pgtle.khepri_check_name(name);
    if pgtle.khepri_control_kind(name) = 'file' then
        raise exception using
            errcode = '55000', message = pg_catalog.format('control file already exists for the %s extension', name);
    end if;
    perform pgtle.khepri_required('version', version);
    perform pgtle.khepri_check_version(version);
    perform pgtle.khepri_required('description', description);
    perform pgtle.khepri_required('ext', ext);
    if pg_catalog.cardinality(wanted) > 1024 then
        raise exception using errcode = '22000', message = '"requires" limited to 1024 entries for "pg_tle" extensions';
    end if;
    if not 'pg_tle' = any(wanted) then
        wanted := wanted || 'pg_tle'::text;
    end if;
    perform pgtle.khepri_check_delimiters(description || pg_catalog.array_to_string(wanted, ',') || version);
    perform pgtle.khepri_check_delimiters(ext);
    if exists (select from pgtle.tle_extension_version as v where v.name = $1 and v.version = $2) then
        raise exception using errcode = '42710', message = pg_catalog.format('extension "%s" already installed', name);
    end if;
    -- as pg_tle: a new version of an installed name replaces its control file (default version,
    -- comment, requires) and keeps its other versions
    insert into pgtle.tle_extension as e (name, default_version, comment, requires)
    values ($1, $2, $3, wanted)
    on conflict on constraint tle_extension_pkey do update
        set default_version = excluded.default_version, comment = excluded.comment, requires = excluded.requires;
    insert into pgtle.tle_extension_version (name, version, sql) values ($1, $2, $4);
    return true;
end
$$;

create function pgtle.install_extension_version_sql(name text, version text, ext text)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
    perform pgtle.khepri_required('name', name);
    perform pgtle.khepri_check_name(name);
    if pgtle.khepri_control_kind(name) = 'file' then
        raise exception using
            errcode = '55000', message = pg_catalog.format('extension %s is not a tle extension', pg_catalog.quote_ident(name));
    end if;
    if not exists (select from pgtle.tle_extension as e where e.name = $1) then
        raise exception using
            errcode = '55000',
            message = pg_catalog.format(
                'could not find control function %s for extension %s in schema pgtle',
                pg_catalog.quote_ident(name || '.control'), pg_catalog.quote_ident(name)
            );
    end if;
    perform pgtle.khepri_required('version', version);
    perform pgtle.khepri_check_version(version);
    perform pgtle.khepri_required('ext', ext);
    perform pgtle.khepri_check_delimiters(ext);
    if exists (select from pgtle.tle_extension_version as v where v.name = $1 and v.version = $2) then
        raise exception using
            errcode = '42710', message = pg_catalog.format('version "%s" of extension "%s" already installed', version, name);
    end if;
    insert into pgtle.tle_extension_version (name, version, sql) values ($1, $2, $3);
    return true;
end
$$;

create function pgtle.install_update_path(name text, fromvers text, tovers text, ext text)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
    perform pgtle.khepri_required('name', name);
    perform pgtle.khepri_check_name(name);
    if pgtle.khepri_control_kind(name) = 'file' then
        raise exception using
            errcode = '55000', message = pg_catalog.format('control file already exists for the "%s" extension', name);
    end if;
    perform pgtle.khepri_required('fromvers', fromvers);
    perform pgtle.khepri_required('tovers', tovers);
    perform pgtle.khepri_check_version(fromvers);
    perform pgtle.khepri_check_version(tovers);
    perform pgtle.khepri_required('ext', ext);
    perform pgtle.khepri_check_delimiters(ext, 'extension update definition');
    if exists (
        select from pgtle.tle_update_path as p where p.name = $1 and p.from_version = $2 and p.to_version = $3
    ) then
        raise exception using
            errcode = '42710',
            message = pg_catalog.format('extension "%s" update path "%s-%s" already installed', name, fromvers, tovers),
            hint = 'To update this specific install path, first use "pgtle.uninstall_update_path".';
    end if;
    insert into pgtle.tle_update_path (name, from_version, to_version, sql) values ($1, $2, $3, $4);
    return true;
end
$$;

create function pgtle.set_default_version(name text, version text)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
    if name is null then
        raise exception using errcode = '22004', message = '"name" is a required argument.';
    end if;
    perform pgtle.khepri_check_name(name);
    if pgtle.khepri_control_kind(name) = 'file' then
        raise exception using
            errcode = '55000', message = pg_catalog.format('control file already exists for the %s extension', name);
    end if;
    perform pgtle.khepri_required('version', version);
    perform pgtle.khepri_check_version(version);
    if not exists (select from pgtle.tle_extension_version as v where v.name = $1 and v.version = $2) then
        raise exception using
            errcode = '42704',
            message = 'extension and version do not exist',
            hint = 'Try installing the extension with "pgtle.install_extension".';
    end if;
    update pgtle.tle_extension as e set default_version = $2 where e.name = $1;
    return true;
end
$$;

create function pgtle.uninstall_extension(extname text)
returns boolean
language plpgsql
strict
set search_path = ''
as $$
begin
    if not exists (select from pgtle.tle_extension as e where e.name = extname) then
        raise exception using errcode = 'P0002', message = pg_catalog.format('Extension %s does not exist', extname);
    end if;
    -- as pg_tle: an extension created from it stays (DROP EXTENSION removes it)
    delete from pgtle.tle_update_path as p where p.name = extname;
    delete from pgtle.tle_extension as e where e.name = extname;
    return true;
end
$$;

create function pgtle.uninstall_extension(extname text, version text)
returns boolean
language plpgsql
strict
set search_path = ''
as $$
declare
    versions bigint := (select pg_catalog.count(*) from pgtle.tle_extension_version as v where v.name = extname);
    default_version text := (select e.default_version from pgtle.tle_extension as e where e.name = extname);
begin
    if not exists (select from pgtle.tle_extension_version as v where v.name = extname and v.version = $2) then
        raise exception using
            errcode = 'P0001',
            message = pg_catalog.format(
                'Version %s of extension %s is not installed and therefore can not be uninstalled', version, extname
            );
    end if;
    if versions > 1 and version = default_version then
        raise exception using
            errcode = 'P0001',
            message = pg_catalog.format(
                'Can not uninstall default version of extension %s, use set_default_version to update the default to '
                'another available version and retry',
                extname
            );
    end if;
    if versions = 1 then
        -- its only version: the whole extension goes
        return pgtle.uninstall_extension(extname);
    end if;
    delete from pgtle.tle_update_path as p where p.name = extname and $2 in (p.from_version, p.to_version);
    delete from pgtle.tle_extension_version as v where v.name = extname and v.version = $2;
    return true;
end
$$;

create function pgtle.uninstall_extension_if_exists(extname text)
returns boolean
language plpgsql
strict
set search_path = ''
as $$
begin
    perform pgtle.uninstall_extension(extname);
    return true;
exception
    when no_data_found then
        return false;
end
$$;

create function pgtle.uninstall_update_path(extname text, fromvers text, tovers text)
returns boolean
language plpgsql
strict
set search_path = ''
as $$
begin
    delete from pgtle.tle_update_path as p
    where p.name = extname and p.from_version = fromvers and p.to_version = tovers;
    if not found then
        raise exception using errcode = 'P0002', message = pg_catalog.format('Extension %s does not exist', extname);
    end if;
    return true;
end
$$;

create function pgtle.uninstall_update_path_if_exists(extname text, fromvers text, tovers text)
returns boolean
language plpgsql
strict
set search_path = ''
as $$
begin
    perform pgtle.uninstall_update_path(extname, fromvers, tovers);
    return true;
exception
    when no_data_found then
        return false;
end
$$;

create function pgtle.available_extensions(out name name, out default_version text, out comment text)
returns setof record
language sql
stable
strict
set search_path = ''
as $$
    select e.name::name, e.default_version, e.comment
    from pgtle.tle_extension as e
    order by e.name
$$;

create function pgtle.available_extension_versions(
    out name name,
    out version text,
    out superuser boolean,
    out trusted boolean,
    out relocatable boolean,
    out schema name,
    out requires name[],
    out comment text
)
returns setof record
language sql
stable
strict
set search_path = ''
as $$
    select v.name::name, v.version, false, false, false, null::name, e.requires::name[], e.comment
    from pgtle.tle_extension_version as v
    inner join pgtle.tle_extension as e on v.name = e.name
    order by v.name, v.version
$$;

-- As pg_extension_update_paths: every ordered pair of the extension's versions (those with an install
-- script or an update script), with the shortest chain of update scripts between them, or null.
create function pgtle.extension_update_paths(name name, out source text, out target text, out path text)
returns setof record
language plpgsql
stable
strict
set search_path = ''
as $$
begin
    if not exists (select from pgtle.tle_extension as e where e.name = $1::text) then
        raise exception using
            errcode = '0A000',
            message = pg_catalog.format('extension "%s" is not available', $1),
            detail = pg_catalog.format('Could not find extension control function "%s.control".', $1),
            hint = 'The extension must first be installed in the current database.';
    end if;
    return query
    with recursive
    edges as (
        select p.from_version, p.to_version from pgtle.tle_update_path as p where p.name = $1::text
    ),
    versions (version) as (
        select v.version from pgtle.tle_extension_version as v where v.name = $1::text
        union
        select from_version from edges
        union
        select to_version from edges
    ),
    walks (walk_source, walk_target, walk_path, visited) as (
        select from_version, to_version, from_version || '--' || to_version, array[from_version, to_version]
        from edges
        union all
        select w.walk_source, e.to_version, w.walk_path || '--' || e.to_version, w.visited || e.to_version
        from walks as w
        inner join edges as e on w.walk_target = e.from_version
        where not e.to_version = any(w.visited)
    ),
    shortest as (
        select distinct on (walk_source, walk_target) walk_source, walk_target, walk_path
        from walks
        order by walk_source, walk_target, pg_catalog.cardinality(visited), walk_path collate "C"
    )
    select s.version, t.version, shortest.walk_path
    from versions as s
    cross join versions as t
    left join shortest on s.version = shortest.walk_source and t.version = shortest.walk_target
    where s.version <> t.version
    order by s.version collate "C", t.version collate "C";
end
$$;

-- pg_tle's privileges: managing extensions needs pgtle_admin, reading them does not.
revoke execute on function pgtle.install_extension(text, text, text, text, text[]) from public;
revoke execute on function pgtle.install_extension_version_sql(text, text, text) from public;
revoke execute on function pgtle.install_update_path(text, text, text, text) from public;
revoke execute on function pgtle.set_default_version(text, text) from public;
revoke execute on function pgtle.uninstall_extension(text) from public;
revoke execute on function pgtle.uninstall_extension(text, text) from public;
revoke execute on function pgtle.uninstall_extension_if_exists(text) from public;
revoke execute on function pgtle.uninstall_update_path(text, text, text) from public;
revoke execute on function pgtle.uninstall_update_path_if_exists(text, text, text) from public;
grant execute on function pgtle.install_extension(text, text, text, text, text[]) to pgtle_admin;
grant execute on function pgtle.install_extension_version_sql(text, text, text) to pgtle_admin;
grant execute on function pgtle.install_update_path(text, text, text, text) to pgtle_admin;
grant execute on function pgtle.set_default_version(text, text) to pgtle_admin;
grant execute on function pgtle.uninstall_extension(text) to pgtle_admin;
grant execute on function pgtle.uninstall_extension(text, text) to pgtle_admin;
grant execute on function pgtle.uninstall_extension_if_exists(text) to pgtle_admin;
grant execute on function pgtle.uninstall_update_path(text, text, text) to pgtle_admin;
grant execute on function pgtle.uninstall_update_path_if_exists(text, text, text) to pgtle_admin;

-- -- Not emulated: custom data types and hooks (0A000) ----------------------------------------------

create function pgtle.khepri_unsupported(what text)
returns void
language plpgsql
set search_path = ''
as $$
begin
    raise exception using
        errcode = '0A000',
        message = pg_catalog.format('pg_tle stand-in: %s is not supported: khepri-db''s pg_tle has no C code', what),
        hint = 'Use an engine with the real pg_tle: pytest --khepri-engine docker (supabase/postgres), or supabase start.';
end
$$;

create function pgtle.create_shell_type(typenamespace regnamespace, typename name)
returns void
language plpgsql
strict
set search_path = ''
as $$
begin
    perform pgtle.khepri_unsupported('pgtle.create_shell_type');
end
$$;

create function pgtle.create_shell_type_if_not_exists(typenamespace regnamespace, typename name)
returns boolean
language plpgsql
strict
set search_path = ''
as $$
begin
    perform pgtle.khepri_unsupported('pgtle.create_shell_type_if_not_exists');
    return false;
end
$$;

create function pgtle.create_base_type(
    typenamespace regnamespace,
    typename name,
    infunc regprocedure,
    outfunc regprocedure,
    internallength int4,
    alignment text default 'int4',
    storage text default 'plain'
)
returns void
language plpgsql
strict
set search_path = ''
as $$
begin
    perform pgtle.khepri_unsupported('pgtle.create_base_type');
end
$$;

create function pgtle.create_base_type_if_not_exists(
    typenamespace regnamespace,
    typename name,
    infunc regprocedure,
    outfunc regprocedure,
    internallength int4,
    alignment text default 'int4',
    storage text default 'plain'
)
returns boolean
language plpgsql
strict
set search_path = ''
as $$
begin
    perform pgtle.khepri_unsupported('pgtle.create_base_type_if_not_exists');
    return false;
end
$$;

create function pgtle.create_operator_func(typenamespace regnamespace, typename name, opfunc regprocedure)
returns void
language plpgsql
strict
set search_path = ''
as $$
begin
    perform pgtle.khepri_unsupported('pgtle.create_operator_func');
end
$$;

create function pgtle.create_operator_func_if_not_exists(typenamespace regnamespace, typename name, opfunc regprocedure)
returns boolean
language plpgsql
strict
set search_path = ''
as $$
begin
    perform pgtle.khepri_unsupported('pgtle.create_operator_func_if_not_exists');
    return false;
end
$$;

create function pgtle.register_feature(proc regproc, feature pgtle.pg_tle_features)
returns void
language plpgsql
set search_path = ''
as $$
begin
    perform pgtle.khepri_unsupported('pgtle.register_feature (pg_tle hooks)');
end
$$;

create function pgtle.register_feature_if_not_exists(proc regproc, feature pgtle.pg_tle_features)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
    perform pgtle.khepri_unsupported('pgtle.register_feature_if_not_exists (pg_tle hooks)');
    return false;
end
$$;

create function pgtle.unregister_feature(proc regproc, feature pgtle.pg_tle_features)
returns void
language plpgsql
set search_path = ''
as $$
begin
    perform pgtle.khepri_unsupported('pgtle.unregister_feature (pg_tle hooks)');
end
$$;

create function pgtle.unregister_feature_if_exists(proc regproc, feature pgtle.pg_tle_features)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
    perform pgtle.khepri_unsupported('pgtle.unregister_feature_if_exists (pg_tle hooks)');
    return false;
end
$$;

revoke execute on function pgtle.create_shell_type(regnamespace, name) from public;
revoke execute on function pgtle.create_shell_type_if_not_exists(regnamespace, name) from public;
revoke execute on function pgtle.create_base_type(regnamespace, name, regprocedure, regprocedure, int4, text, text)
from public;
revoke execute on function pgtle.create_base_type_if_not_exists(
    regnamespace, name, regprocedure, regprocedure, int4, text, text
) from public;
revoke execute on function pgtle.create_operator_func(regnamespace, name, regprocedure) from public;
revoke execute on function pgtle.create_operator_func_if_not_exists(regnamespace, name, regprocedure) from public;
revoke execute on function pgtle.register_feature(regproc, pgtle.pg_tle_features) from public;
revoke execute on function pgtle.register_feature_if_not_exists(regproc, pgtle.pg_tle_features) from public;
revoke execute on function pgtle.unregister_feature(regproc, pgtle.pg_tle_features) from public;
revoke execute on function pgtle.unregister_feature_if_exists(regproc, pgtle.pg_tle_features) from public;
grant execute on function pgtle.create_shell_type(regnamespace, name) to pgtle_admin;
grant execute on function pgtle.create_shell_type_if_not_exists(regnamespace, name) to pgtle_admin;
grant execute on function pgtle.create_base_type(regnamespace, name, regprocedure, regprocedure, int4, text, text)
to pgtle_admin;
grant execute on function pgtle.create_base_type_if_not_exists(
    regnamespace, name, regprocedure, regprocedure, int4, text, text
) to pgtle_admin;
grant execute on function pgtle.create_operator_func(regnamespace, name, regprocedure) to pgtle_admin;
grant execute on function pgtle.create_operator_func_if_not_exists(regnamespace, name, regprocedure) to pgtle_admin;
grant execute on function pgtle.register_feature(regproc, pgtle.pg_tle_features) to pgtle_admin;
grant execute on function pgtle.register_feature_if_not_exists(regproc, pgtle.pg_tle_features) to pgtle_admin;
grant execute on function pgtle.unregister_feature(regproc, pgtle.pg_tle_features) to pgtle_admin;
grant execute on function pgtle.unregister_feature_if_exists(regproc, pgtle.pg_tle_features) to pgtle_admin;
