"""Face 2, ``khepri-db migrate``: applying migrations as the Supabase CLI does (:mod:`.apply`), the
Supabase compatibility layer (:mod:`.compat`), the daily workflow (:mod:`.workflow`) and the schema
dump (:mod:`.dump`).
"""
