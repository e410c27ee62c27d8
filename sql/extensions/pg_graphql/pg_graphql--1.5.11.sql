-- khepri-db stand-in for pg_graphql 1.5.11 (supabase/pg_graphql as Supabase ships it): schema
-- graphql with pg_graphql's SQL objects (resolve, comment_directive, exception, the schema version
-- sequence and its event triggers). There is no GraphQL engine: graphql.resolve answers a GraphQL
-- error document, as pg_graphql does for any error.

create function graphql._internal_resolve(
    "query" text,
    "variables" jsonb default '{}',
    "operationName" text default null,
    "extensions" jsonb default null
)
returns jsonb
language plpgsql
as $$
begin
    raise exception using
        errcode = '0A000',
        message = 'pg_graphql stand-in: khepri-db has no GraphQL engine; use an engine with the real pg_graphql '
        || '(pytest --khepri-engine docker, or supabase start)';
end
$$;

create function graphql.resolve(
    "query" text,
    "variables" jsonb default '{}',
    "operationName" text default null,
    "extensions" jsonb default null
)
returns jsonb
language plpgsql
as $$
declare
    res jsonb;
    message_text text;
begin
    begin
        select graphql._internal_resolve(
            "query" := "query", "variables" := "variables", "operationName" := "operationName", "extensions" := "extensions"
        ) into res;
        return res;
    exception
        when others then
            get stacked diagnostics message_text = message_text;
            return pg_catalog.jsonb_build_object(
                'data', null, 'errors', pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('message', message_text))
            );
    end;
end
$$;

create function graphql.comment_directive(comment_ text)
returns jsonb
language sql
immutable
as $$
    select coalesce(
        (pg_catalog.regexp_match(comment_, '@graphql\((.+)\)'))[1]::jsonb,
        pg_catalog.jsonb_build_object()
    )
$$;

create function graphql.exception(message text)
returns text
language plpgsql
as $$
begin
    raise exception using errcode = '22000', message = message;
end
$$;

create sequence if not exists graphql.seq_schema_version as integer cycle;

create function graphql.increment_schema_version()
returns event_trigger
language plpgsql
security definer
as $$
begin
    perform pg_catalog.nextval('graphql.seq_schema_version');
end
$$;

create function graphql.get_schema_version()
returns integer
language sql
security definer
as $$
    select last_value from graphql.seq_schema_version
$$;

-- On every DDL command, bump the schema version (pg_graphql's cache key).
do $$
begin
    execute 'create event trigger graphql_watch_ddl on ddl_command_end '
        || 'execute function graphql.increment_schema_version()';
    execute 'create event trigger graphql_watch_drop on sql_drop execute function graphql.increment_schema_version()';
end
$$;
