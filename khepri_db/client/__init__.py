"""Face 4b, app code: RPC transports over psycopg or supabase-py (:mod:`.transports`), ``khepri-db gen
types`` (:mod:`.codegen`, reading :mod:`.catalog`) and the runtime of generated modules (:mod:`.runtime`:
:mod:`.values` and :mod:`.calls`), which every generated module carries a copy of (:mod:`._embed`), so that
it needs no khepri-db.
"""
