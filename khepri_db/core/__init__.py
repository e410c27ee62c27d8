"""What every face shares: the error hierarchy (:mod:`.errors`), connections and databases
(:mod:`.db`), the project layout (:mod:`.project`), SQL text handling as the Supabase CLI splits
it (:mod:`.sqltext`), the reader of SQL and PL/pgSQL function bodies (:mod:`.plpgsql`), the reader of
CHECK constraint definitions (:mod:`.checks`), how PostgREST runs a request and answers a failure
(:mod:`.postgrest`), and acting as a user as PostgREST does (:mod:`.request`: the claims and the role
switch; :mod:`.session`: users and the ``as_*`` shortcuts).
Nothing here imports a face (``tests/test_module_imports.py``).
"""
