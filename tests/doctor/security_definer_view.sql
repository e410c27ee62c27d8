-- security_definer_view: a view in an exposed schema that runs with its owner's rights, bypassing
-- the RLS of public.athletes.
-- expect: public.athlete_names
create view public.athlete_names as
select
    a.id,
    a.display_name
from public.athletes as a;

-- fixed: the view runs with the caller's rights.
create or replace view public.athlete_names with (security_invoker = on) as
select
    a.id,
    a.display_name
from public.athletes as a;
