-- graphql_public: the schema PostgREST exposes for GraphQL. Until pg_graphql is installed its
-- graphql() answers with a GraphQL error document, as Supabase's placeholder does; the
-- pg_graphql extension (or khepri-db's stand-in) replaces it when it creates graphql.resolve.
create schema if not exists graphql_public;
grant usage on schema graphql_public to postgres, anon, authenticated, service_role;

do $$
begin
    if to_regprocedure('graphql_public.graphql(text, text, jsonb, jsonb)') is null then
        create function graphql_public.graphql(
            "operationName" text default null,
            query text default null,
            variables jsonb default null,
            extensions jsonb default null
        )
        returns jsonb
        language sql
        as $body$
            select jsonb_build_object(
                'errors', jsonb_build_array(jsonb_build_object('message', 'pg_graphql extension is not enabled.'))
            )
        $body$;
    end if;
end
$$;

grant execute on function graphql_public.graphql(text, text, jsonb, jsonb) to postgres,
anon,
authenticated,
service_role;

-- pgbouncer: Supabase's connection pooler looks up passwords through pgbouncer.get_auth
-- (security definer, readable by the pgbouncer role only). It reads pg_authid, so it works
-- only when a superuser owns it; khepri-db runs no pooler.
create schema if not exists pgbouncer;
grant usage on schema pgbouncer to pgbouncer;

create or replace function pgbouncer.get_auth(p_usename text)
returns table (username text, password text)
language plpgsql
security definer
set search_path = ''
as $$
begin
    raise debug 'PgBouncer auth request: %', p_usename;
    return query
    select
        a.rolname::text,
        case when a.rolvaliduntil < now() then null else a.rolpassword::text end
    from pg_catalog.pg_authid as a
    where a.rolname = p_usename and a.rolcanlogin;
end
$$;

revoke execute on function pgbouncer.get_auth(text) from public;
grant execute on function pgbouncer.get_auth(text) to pgbouncer;

do $$
begin
    if (select r.rolsuper from pg_catalog.pg_roles as r where r.rolname = current_user) then
        alter schema pgbouncer owner to pgbouncer;
        alter schema graphql_public owner to supabase_admin;
        alter function graphql_public.graphql(text, text, jsonb, jsonb) owner to supabase_admin;
        alter function pgbouncer.get_auth(text) owner to supabase_admin;
    end if;
end
$$;
