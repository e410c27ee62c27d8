-- Migration history, created the way the Supabase CLI creates it, so that `supabase migration list`
-- and `supabase db push` read what khepri-db wrote, and the other way round.
create schema if not exists supabase_migrations;

create table if not exists supabase_migrations.schema_migrations (version text not null primary key);

alter table supabase_migrations.schema_migrations add column if not exists statements text[];

alter table supabase_migrations.schema_migrations add column if not exists name text;

-- khepri-db's own facts about each migration it applied. A separate table, keyed by version, so
-- the Supabase CLI's table keeps exactly its own shape. Rows whose version left
-- schema_migrations (e.g. after `supabase migration repair --status reverted`) are ignored.
create table if not exists supabase_migrations.khepri_migration_facts (
    version text not null primary key,
    sha256 text not null,
    applied_at timestamptz not null default now(),
    duration_ms double precision not null,
    tool_version text not null,
    applied_by text not null default current_user
);

comment on table supabase_migrations.khepri_migration_facts is
'One row per migration applied by khepri-db: file checksum, when, how long, by which tool version.';

-- khepri-db >= 0.2: a fingerprint of the statements written to schema_migrations with this row,
-- so a facts row that `supabase migration repair` or `supabase db push` made stale is ignored.
alter table supabase_migrations.khepri_migration_facts add column if not exists statements_sha256 text;

-- A file whose own `commit` splits it into transactions and that failed after a
-- commit: which lines stay applied. Written in the same transaction as the part it describes, so
-- it is there exactly when those lines are; removed when the file is finally applied.
create table if not exists supabase_migrations.khepri_partial_migrations (
    version text not null primary key,
    sha256 text not null,
    committed_through_line integer not null,
    recorded_at timestamptz not null default now()
);

comment on table supabase_migrations.khepri_partial_migrations is
'Migrations that committed part of themselves (their own COMMIT) and then failed: '
'lines 1 to committed_through_line stay applied.';
