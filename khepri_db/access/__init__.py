"""Face 4a, the access matrix: acting as ``anon``, a signed-in user or ``service_role`` as PostgREST
does (:mod:`.session`); the matrix's declaration (:mod:`.declaration`), the probes that try every cell
for real (:mod:`.probe`), their results (:mod:`.report`), ``access init`` (:mod:`.access_init`) and
``access export --pgtap`` (:mod:`.pgtap_export`). The pytest plugin and the pg_cron/pg_net helpers for
tests live in :mod:`khepri_db.testing` (``plugin``, ``platform``); ``khepri_db.policy`` is the old,
deprecated name of this package.
"""
