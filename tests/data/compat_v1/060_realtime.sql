-- Supabase Realtime's publication. It starts empty; migrations often add tables to it with
-- `alter publication supabase_realtime add table ...`.
do $$
begin
    if not exists (select 1 from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
        create publication supabase_realtime;
    end if;
end
$$;
