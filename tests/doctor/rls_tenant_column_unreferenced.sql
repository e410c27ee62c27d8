-- rls_tenant_column_unreferenced: photos has a user_id column, but its SELECT policy never reads
-- it, so signed-in users see other users' photos.
-- expect: public.photos column=user_id
create table public.photos (id int primary key, user_id uuid, is_public boolean);
alter table public.photos enable row level security;
create policy photos_select on public.photos for select to authenticated using (is_public);

-- fixed: the policy also lets owners see their own photos, by user_id.
alter policy photos_select on public.photos using (is_public or user_id = (select auth.uid()));
