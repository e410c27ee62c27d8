-- The temporary tables load_functions fills (khepri_db/doctor/_facts.py): functions, their statements, upserts
-- and identity arguments; dropped at the end of doctor's transaction.
create temporary table khepri_functions (
    function_oid oid primary key, function_schema text, function_name text, function_args text,
    language text, variables text[], local_relations text[], search_path text[]
) on commit drop;
create temporary table khepri_function_statements (
    function_oid oid, statement_no integer, line integer, kind text, statement text, raw text,
    search_path text, every_call boolean, primary key (function_oid, statement_no)
) on commit drop;
create temporary table khepri_upserts (
    function_oid oid, function_schema text, function_name text, function_args text, table_schema text,
    table_name text, columns text[], plain boolean, predicate text, constraint_name text, line integer,
    search_path text[], statement_no integer
) on commit drop;
create temporary table khepri_identity_arguments (
    function_oid oid, argument text, position integer, used_in_query boolean, checked boolean, line integer,
    named_like_identity boolean, columns text[]
) on commit drop;
