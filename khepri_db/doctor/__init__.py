"""Face 3, ``khepri-db doctor``: rules in ``sql/doctor/<name>.sql``, loaded, run, filtered and rendered
by :mod:`.run`; catalog facts (:mod:`._facts`), PL/pgSQL body analysis (:mod:`._plpgsql`) and SARIF
output (:mod:`._sarif`) underneath.
"""
