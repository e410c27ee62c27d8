"""Face 4b, app code: RPC transports over psycopg or supabase-py (:mod:`.transports`), ``khepri-db gen
types`` (:mod:`.codegen`) and the runtime every generated module imports (:mod:`.runtime`).
"""
