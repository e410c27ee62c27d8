-- migration_changed_after_apply: the history records statements that differ from what the
-- local migration file holds now, as when a file is edited after it was applied. Here the
-- history row of the first Khepri migration gets one more statement than its file has.
-- expect: version=20261121100000 name=khepri_foundation
update supabase_migrations.schema_migrations
set statements = statements || array['select 1']
where version = '20261121100000';

-- fixed: the history row matches the file again.
update supabase_migrations.schema_migrations
set statements = trim_array(statements, 1)
where version = '20261121100000';
