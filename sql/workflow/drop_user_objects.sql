-- `khepri-db db reset` in place: drop what migrations created, keep what the platform (or
-- khepri-db's compatibility layer) owns. Follows the order and the keep-lists of the Supabase
-- CLI's reset (pkg/migration/queries/drop.sql): user schemas first (not those an extension
-- created), then extensions, then routines, views, materialized views, tables, sequences and types
-- in public, policies everywhere, publications; the data of auth and the migration history is
-- truncated. The compatibility layer's schemas (auth, storage, extensions) are kept, as Supabase
-- keeps its own (owned by supabase_admin there).
do $reset$
declare
    rec record;
begin
    for rec in
        select pn.nspname
        from pg_catalog.pg_namespace as pn
        left join pg_catalog.pg_depend as pd
            on pn.oid = pd.objid and pd.classid = 'pg_catalog.pg_namespace'::regclass and pd.deptype = 'e'
        where
            pd.objid is null
            and not pn.nspname like any(array[
                'information\_schema', 'pg\_%', '\_analytics', '\_realtime', '\_supavisor', 'pgbouncer',
                'pgmq', 'pgsodium', 'pgtle', 'supabase\_migrations', 'vault', 'extensions', 'public',
                'auth', 'storage', 'realtime', 'graphql', 'graphql\_public', 'supabase\_functions'
            ])
            and pn.nspowner::regrole::text != 'supabase_admin'
    loop
        execute format('drop schema if exists %I cascade', rec.nspname);
    end loop;

    for rec in
        select pe.extname
        from pg_catalog.pg_extension as pe
        where pe.extname not in (
            'pg_graphql', 'pg_net', 'pg_stat_statements', 'pgcrypto', 'pgjwt', 'pgsodium', 'plpgsql',
            'supabase_vault', 'uuid-ossp'
        )
    loop
        execute format('drop extension if exists %I cascade', rec.extname);
    end loop;

    for rec in
        select pp.oid, pp.proname
        from pg_catalog.pg_proc as pp
        left join pg_catalog.pg_depend as pd
            on pp.oid = pd.objid and pd.classid = 'pg_catalog.pg_proc'::regclass and pd.deptype = 'e'
        where pp.pronamespace = 'public'::regnamespace and pd.objid is null
    loop
        execute format(
            'drop routine if exists public.%I(%s) cascade',
            rec.proname,
            pg_catalog.pg_get_function_identity_arguments(rec.oid)
        );
    end loop;

    for rec in
        select pc.relname, pc.relkind
        from pg_catalog.pg_class as pc
        left join pg_catalog.pg_depend as pd
            on pc.oid = pd.objid and pd.classid = 'pg_catalog.pg_class'::regclass and pd.deptype = 'e'
        where
            pc.relnamespace = 'public'::regnamespace
            and pc.relkind in ('v', 'm', 'r', 'p', 'f', 'S')
            and pd.objid is null
        order by case pc.relkind when 'v' then 0 when 'm' then 1 when 'S' then 3 else 2 end
    loop
        execute format(
            'drop %s if exists public.%I cascade',
            case rec.relkind
                when 'v' then 'view'
                when 'm' then 'materialized view'
                when 'f' then 'foreign table'
                when 'S' then 'sequence'
                else 'table'
            end,
            rec.relname
        );
    end loop;

    for rec in
        select pt.typname
        from pg_catalog.pg_type as pt
        left join pg_catalog.pg_depend as pd
            on pt.oid = pd.objid and pd.classid = 'pg_catalog.pg_type'::regclass and pd.deptype = 'e'
        where
            pt.typnamespace = 'public'::regnamespace
            and pt.typtype in ('c', 'd', 'e', 'r', 'm')
            and pd.objid is null
            and not exists (
                select 1 from pg_catalog.pg_class as pc
                where pc.oid = pt.typrelid and pc.relkind != 'c'
            )
    loop
        execute format('drop type if exists public.%I cascade', rec.typname);
    end loop;

    for rec in
        select pol.policyname, pol.schemaname, pol.tablename
        from pg_catalog.pg_policies as pol
    loop
        execute format('drop policy if exists %I on %I.%I', rec.policyname, rec.schemaname, rec.tablename);
    end loop;

    for rec in
        select pub.pubname
        from pg_catalog.pg_publication as pub
        where not pub.pubname like any(array['supabase\_realtime%', 'realtime\_messages%'])
    loop
        execute format('drop publication if exists %I', rec.pubname);
    end loop;

    for rec in
        select pn.nspname, pc.relname
        from pg_catalog.pg_class as pc
        inner join pg_catalog.pg_namespace as pn on pc.relnamespace = pn.oid
        where
            pc.relkind = 'r'
            and (
                (pn.nspname = 'auth' and pc.relname != 'schema_migrations')
                or (pn.nspname = 'supabase_functions' and pc.relname != 'migrations')
                or pn.nspname = 'supabase_migrations'
            )
    loop
        execute format('truncate %I.%I cascade', rec.nspname, rec.relname);
    end loop;
end
$reset$;
