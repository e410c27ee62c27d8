"""Face 4c, tests of a project: its own pgTAP suite, ``khepri-db test db`` (:mod:`.runner`), TAP judged
as pg_prove judges it (:mod:`.results`), pg_prove's text and JUnit XML (:mod:`.report`), and pgTAP files
as pytest items (:mod:`.pytest_pgtap`); the pytest plugin, entry point ``pytest11`` (:mod:`.plugin`),
and the pg_cron/pg_net stand-in helpers tests use (:mod:`.platform`).
"""
