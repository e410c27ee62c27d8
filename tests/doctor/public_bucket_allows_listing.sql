-- public_bucket_allows_listing: a public Storage bucket with a broad SELECT policy on
-- storage.objects, so anyone can list every file in it (public URLs need no policy).
-- expect: bucket_id=avatars
insert into storage.buckets (id, name, public) values ('avatars', 'avatars', true);
create policy avatars_list on storage.objects for select to public using (bucket_id = 'avatars');

-- fixed: drop the listing policy; files stay readable through their public URLs.
drop policy avatars_list on storage.objects;
