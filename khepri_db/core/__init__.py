"""What every face shares: the error hierarchy (:mod:`.errors`), connections and databases
(:mod:`.db`), the project layout (:mod:`.project`), SQL text handling as the Supabase CLI splits
it (:mod:`.sqltext`), and how PostgREST runs a request and answers a failure (:mod:`.postgrest`).
"""
