"""Face 3, ``khepri-db doctor``: rules in ``sql/doctor/<name>.sql`` (:mod:`.rules`), what parametrises
them (:mod:`.config`), running them in one transaction that is rolled back (:mod:`.run`) and the report
with its deduplication (:mod:`.report`); catalog facts (:mod:`._facts`), PL/pgSQL body analysis
(:mod:`._plpgsql`) and SARIF output (:mod:`.sarif`).
"""
