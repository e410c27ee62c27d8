"""Face 4c, a project's own pgTAP suite: ``khepri-db test db`` (:mod:`.runner`), TAP judged as pg_prove
judges it (:mod:`.results`), pg_prove's text and JUnit XML (:mod:`.report`), and pgTAP files as pytest items
(:mod:`.pytest_pgtap`).
"""
