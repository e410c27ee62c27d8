-- plpgsql_check's findings for every PL/pgSQL function (khepri_db/doctor/_facts.py: load_plans), when the server
-- has plpgsql_check; khepri_plpgsql_check_schema is replaced by the schema plpgsql_check is in.
create temporary table khepri_plpgsql_check (
    function_oid oid, lineno integer, sqlstate text, message text, level text
) on commit drop;
do $fn$
declare
    f record;
begin
    for f in
        select p.oid, coalesce(
            (select t.tgrelid from pg_catalog.pg_trigger as t where t.tgfoid = p.oid order by t.oid limit 1), 0
        ) as relid, p.prorettype = 'pg_catalog.trigger'::pg_catalog.regtype as is_trigger
        from pg_catalog.pg_proc as p
        inner join pg_temp.khepri_functions as kf on kf.function_oid = p.oid
        where kf.language = 'plpgsql'
    loop
        continue when f.is_trigger and f.relid = 0;  -- plpgsql_check needs the trigger's table
        begin
            insert into pg_temp.khepri_plpgsql_check
            select f.oid, c.lineno, c.sqlstate, c.message, c.level
            from khepri_plpgsql_check_schema.plpgsql_check_function_tb(f.oid::regprocedure, f.relid::regclass, fatal_errors => false) as c;
        exception when others then
            insert into pg_temp.khepri_plpgsql_check values (f.oid, null, SQLSTATE, SQLERRM, 'checker');
        end;
    end loop;
end
$fn$;
