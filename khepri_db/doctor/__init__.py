"""Face 3, ``khepri-db doctor``: rules in ``sql/doctor/<name>.sql`` (:mod:`.rules`), what parametrises
them (:mod:`.config`), running them in one transaction that is rolled back (:mod:`.run`) and the report
with its deduplication (:mod:`.report`); catalog facts (:mod:`._facts`), the caller-supplied ids of
function bodies (:mod:`._identity`, on the body reader :mod:`khepri_db.core.plpgsql`) and SARIF output
(:mod:`.sarif`).
"""
