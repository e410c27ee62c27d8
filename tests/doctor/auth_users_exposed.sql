-- auth_users_exposed: a view in an exposed schema reading auth.users with its owner's rights, so
-- anon and authenticated read every user's email through it.
-- expect: public.user_emails
create view public.user_emails as
select
    u.id,
    u.email
from auth.users as u;

-- fixed: the API roles may no longer select from the view.
revoke select on public.user_emails from anon, authenticated;
