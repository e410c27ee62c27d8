"""Face 4a, policy tests: acting as ``anon``, a signed-in user or ``service_role`` as PostgREST does
(:mod:`.session`); the access matrix: its declaration (:mod:`.declaration`), the probes that try
every cell for real (:mod:`.probe`), their results (:mod:`.report`), ``access init``
(:mod:`.access_init`) and ``access export --pgtap`` (:mod:`.pgtap_export`); the pytest plugin
(:mod:`.pytest_plugin`) and pg_cron/pg_net stand-in helpers for tests (:mod:`.platform`).
"""
