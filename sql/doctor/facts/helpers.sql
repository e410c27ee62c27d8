-- doctor's helper functions (khepri_db/doctor/_facts.py: load_helpers), created in pg_temp for one run: planning
-- a statement as a function would, folding policy expressions, evaluating storage policies. Rules call them; the
-- run's transaction is rolled back.
create function pg_temp.khepri_plan_error(
    statement text, path text, out error_state text, out error_message text, out plan jsonb
)
language plpgsql
-- planning takes the locks a run would; never queue behind DDL for long. Both settings return to
-- the caller's values when the function exits (a SET clause scopes them to the call).
set search_path = '' set lock_timeout = '250ms'
as $fn$
begin
    perform set_config('search_path', path, true);
    begin
        execute 'explain (costs off, format json) ' || statement into plan;
    exception when others then
        error_state := SQLSTATE;
        error_message := SQLERRM;
    end;
end
$fn$;

create temporary table khepri_folds_memo (
    expression text not null, relation oid not null, folds boolean, primary key (expression, relation)
) on commit drop;

create function pg_temp.khepri_plan_folds_to_true(expression text, relation regclass) returns boolean
language plpgsql
-- Only a sequential scan: a condition the planner keeps must then show as a filter. The SET
-- clause scopes these settings to the call.
set enable_indexscan = off set enable_indexonlyscan = off set enable_bitmapscan = off set enable_tidscan = off
as $fn$
declare
    plan text;
begin
    begin
        if relation is null then
            execute 'explain (costs off, format json) select 1 where (' || expression || ')' into plan;
        else
            execute format('explain (costs off, format json) select 1 from only %s where (%s)', relation, expression)
                into plan;
        end if;
    exception when others then
        plan := null;
    end;
    return plan !~ '(Filter|Cond)"';
end
$fn$;

create function pg_temp.khepri_folds_to_true(expression text, relation regclass default null) returns boolean
language plpgsql as $fn$
declare
    folds boolean;
begin
    -- Planned once per (expression, relation) and run: several rules ask about the same policy.
    select m.folds into folds from pg_temp.khepri_folds_memo as m
    where
        m.expression = khepri_folds_to_true.expression
        and m.relation = coalesce(khepri_folds_to_true.relation::oid, 0::oid);
    if found then
        return folds;
    end if;
    folds := pg_temp.khepri_plan_folds_to_true(expression, relation);
    if expression is not null then
        insert into pg_temp.khepri_folds_memo values (expression, coalesce(relation::oid, 0::oid), folds);
    end if;
    return folds;
end
$fn$;

create function pg_temp.khepri_scan_plan(expression text, relation regclass) returns jsonb
language plpgsql
-- sequential scans only (the SET clause scopes these settings to the call)
set enable_indexscan = off set enable_indexonlyscan = off set enable_bitmapscan = off set enable_tidscan = off
as $fn$
declare
    plan jsonb;
begin
    -- The plan of `select 1 from only <relation> where (<expression>) is true` with sequential
    -- scans only, so every condition on the relation shows as its Filter; `is true` keeps
    -- sub-selects as SubPlans, as in a policy (the planner would turn a top-level IN or EXISTS
    -- into a join). Null when it cannot be planned.
    begin
        execute format(
            'explain (costs off, format json) select 1 from only %s where ((%s)) is true', relation, expression
        ) into plan;
    exception when others then
        plan := null;
    end;
    return plan;
end
$fn$;

create function pg_temp.khepri_public_buckets() returns table (id text, name text)
language plpgsql as $fn$
begin
    if pg_catalog.to_regclass('storage.buckets') is null then
        return;
    end if;
    return query execute 'select b.id::text, b.name::text from storage.buckets as b where b.public order by b.id';
exception when others then
    return;
end
$fn$;

create function pg_temp.khepri_bucket_policy_allows(expression text, bucket_id text) returns boolean
language plpgsql as $fn$
declare
    allowed boolean;
begin
    execute 'select (' || expression || ') from (select $1::text) as objects (bucket_id)' into allowed using bucket_id;
    return coalesce(allowed, false);
exception when others then
    return null;
end
$fn$;
