-- Seed tracking, as the Supabase CLI creates it: one row per seed file path with its sha256.
create schema if not exists supabase_migrations;

create table if not exists supabase_migrations.seed_files (path text not null primary key, hash text not null);
