-- khepri-db stand-in for supabase/wrappers 0.4.3 (the version supabase/postgres' images build, with the
-- FDWs of its buildFeatures: nix/ext/wrappers/default.nix). The objects wrappers creates: the table
-- wrappers_fdw_stats, and for each FDW <name>_fdw_handler(), <name>_fdw_validator(options, catalog)
-- and <name>_fdw_meta(), named and typed as wrappers' macro declares them. So a project's
-- `create foreign data wrapper ... handler stripe_fdw_handler validator stripe_fdw_validator`, its
-- servers and foreign tables are created unchanged.
--
-- Nothing reaches a remote API. Each handler is a real fdw_handler function, bound (language
-- internal) to PostgreSQL's own fdw_handler input function, which raises 0A000 "cannot accept a value
-- of type fdw_handler" when the planner asks for the FDW's routines: every query, import foreign
-- schema or write on a wrapper's foreign table fails there, before anything runs. The validators
-- accept any options (the real ones check each FDW's required options) and, for a foreign table,
-- say in a notice that reading it will raise 0A000. See docs/extensions/wrappers.md.

create table wrappers_fdw_stats (
    fdw_name text not null primary key,
    create_times bigint null,
    rows_in bigint null,
    rows_out bigint null,
    bytes_in bigint null,
    bytes_out bigint null,
    metadata jsonb null,
    created_at timestamptz not null default timezone('utc'::text, now()),
    updated_at timestamptz not null default timezone('utc'::text, now())
);

comment on table wrappers_fdw_stats is 'Wrappers Foreign Data Wrapper statistics';
comment on column wrappers_fdw_stats.create_times is 'Total number of times the FDW instacne has been created';
comment on column wrappers_fdw_stats.rows_in is 'Total rows input from origin';
comment on column wrappers_fdw_stats.rows_out is 'Total rows output to Postgres';
comment on column wrappers_fdw_stats.bytes_in is 'Total bytes input from origin';
comment on column wrappers_fdw_stats.bytes_out is 'Total bytes output to Postgres';
comment on column wrappers_fdw_stats.metadata is 'Metadata specific for the FDW';

do $standin$
declare
    fdw record;
begin
    -- prefix: the snake_case of the FDW's struct name, as wrappers' macro makes it; version, author:
    -- its wrappers_fdw attribute at v0.4.3.
    for fdw in
        select *
        from (
            values
            ('airtable_fdw', 'AirtableFdw', '0.1.4', 'Ankur Goyal'),
            ('auth0_fdw', 'Auth0Fdw', '0.1.2', 'Joel'),
            ('big_query_fdw', 'BigQueryFdw', '0.1.5', 'Supabase'),
            ('click_house_fdw', 'ClickHouseFdw', '0.1.5', 'Supabase'),
            ('cognito_fdw', 'CognitoFdw', '0.1.2', 'Joel'),
            ('firebase_fdw', 'FirebaseFdw', '0.1.3', 'Supabase'),
            ('hello_world_fdw', 'HelloWorldFdw', '0.1.1', 'Supabase'),
            ('logflare_fdw', 'LogflareFdw', '0.1.1', 'Supabase'),
            ('mssql_fdw', 'MssqlFdw', '0.1.2', 'Supabase'),
            ('redis_fdw', 'RedisFdw', '0.1.0', 'Supabase'),
            ('s3_fdw', 'S3Fdw', '0.1.4', 'Supabase'),
            ('stripe_fdw', 'StripeFdw', '0.1.11', 'Supabase'),
            ('wasm_fdw', 'WasmFdw', '0.1.3', 'Supabase')
        ) as fdws (prefix, struct, version, author)
    loop
        execute format(
            'create function @extschema@.%I() returns fdw_handler language internal strict as %L',
            fdw.prefix || '_handler',
            'fdw_handler_in'
        );
        execute format(
            $sql$
            create function @extschema@.%I(options text [], catalog oid) returns void
            language plpgsql
            set search_path = ''
            as $body$
            begin
                if catalog = 'pg_catalog.pg_foreign_table'::pg_catalog.regclass then
                    raise notice using
                        message = %L,
                        hint = 'Query it on a Supabase database (--db-url) or Supabase''s image '
                            '(the pytest plugin''s --khepri-engine docker).';
                end if;
            end
            $body$
            $sql$,
            fdw.prefix || '_validator',
            format(
                'khepri-db''s wrappers stand-in: %s cannot reach its remote here; queries on this foreign '
                'table raise 0A000 (cannot accept a value of type fdw_handler)',
                fdw.struct
            )
        );
        execute format(
            $sql$
            create function @extschema@.%I()
            returns table (name text, version text, author text, website text)
            language sql
            strict
            as $body$ select %L::text, %L::text, %L::text, %L::text $body$
            $sql$,
            fdw.prefix || '_meta',
            fdw.struct,
            fdw.version,
            fdw.author,
            'https://github.com/supabase/wrappers/tree/main/wrappers/src/fdw/'
            || replace(replace(replace(fdw.prefix, 'big_query', 'bigquery'), 'click_house', 'clickhouse'), 'hello_world', 'helloworld')
        );
    end loop;
end
$standin$;
