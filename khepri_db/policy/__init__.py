"""Face 4a, policy tests: acting as ``anon``, a signed-in user or ``service_role`` as PostgREST does
(:mod:`.session`), the access matrix (:mod:`.access`), the pytest plugin (:mod:`.pytest_plugin`) and
pg_cron/pg_net stand-in helpers for tests (:mod:`.platform`).
"""
