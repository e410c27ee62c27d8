-- fkey_to_auth_unique: a foreign key to a unique column of auth.users other than its primary key
-- (phone), which Supabase Auth may change or drop.
-- expect: public.sms_contacts
create table public.sms_contacts (id int primary key, phone text references auth.users (phone));

-- fixed: reference the user by id instead.
alter table public.sms_contacts drop constraint sms_contacts_phone_fkey;
alter table public.sms_contacts add column user_id uuid references auth.users (id);
