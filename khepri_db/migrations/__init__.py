"""Face 2, ``khepri-db migrate``: migration files (:mod:`.files`), how one runs (:mod:`.plan`),
applying them as the Supabase CLI does (:mod:`.apply`), the history (:mod:`.history`), status and
drift (:mod:`.status`), seeds (:mod:`.seed`), the Supabase compatibility layer (:mod:`.compat`), the
daily workflow (:mod:`.workflow`) and the schema dump (:mod:`.dump`).
"""
