-- migration_missing_locally: the history records a migration no local file holds, as when it
-- was applied from another branch.
-- expect: version=20261120000000 name=from_another_branch
insert into supabase_migrations.schema_migrations (version, name, statements)
values ('20261120000000', 'from_another_branch', array['select 1']);

-- fixed: the row is removed, as `supabase migration repair --status reverted 20261120000000` does.
delete from supabase_migrations.schema_migrations
where version = '20261120000000';
