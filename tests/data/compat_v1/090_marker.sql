-- Marks this database as vanilla PostgreSQL with khepri-db's layer, never as Supabase.
-- khepri_db.compat reads the version number back; keep it equal to COMPAT_VERSION.
comment on schema auth is
'khepri-db compatibility layer v1: a stand-in for Supabase Auth on vanilla PostgreSQL, not Supabase.';
